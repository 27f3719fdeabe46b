"""The Slack bot, an extension of the engine (``bot.extension.install``)."""
