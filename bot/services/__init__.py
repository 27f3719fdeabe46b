"""What the bot does, outside the listeners: database work, Slack calls, the engine's tools."""
