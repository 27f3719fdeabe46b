"""Procore as a source: the REST client and the ``Source`` implementation."""

from sync.sources.procore.client import ProcoreClient
from sync.sources.procore.source import ProcoreSource

__all__ = ["ProcoreClient", "ProcoreSource"]
