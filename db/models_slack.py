"""Tables of the Slack side (messages posted per document, alert roll-ups)."""
