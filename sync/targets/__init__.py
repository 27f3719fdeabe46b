"""Accounting systems the engine writes to, each behind ``base.Target``."""
