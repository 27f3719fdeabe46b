"""The engine: durable inbox and work queue, the worker, one document's pipeline and its states."""
