"""Every table module, imported once so SQLModel's metadata knows them all (Alembic, tests)."""

from db import models, models_health, models_qbd, models_slack

__all__ = ["models", "models_health", "models_qbd", "models_slack"]
