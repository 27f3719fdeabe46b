"""Block Kit, built by pure functions from plain view data (no I/O, no Slack client)."""
