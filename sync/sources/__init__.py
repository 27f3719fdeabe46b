"""Project-management systems the engine reads from, each behind ``base.Source``."""
