"""What every command does first: read the settings and set up logging by them."""

from __future__ import annotations

from sync.logs import configure_logging
from sync.settings import Settings, get_settings


def cli_settings() -> Settings:
    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    return settings
