"""The engine and its connectors; see docs/architecture.md for the map of this package."""
