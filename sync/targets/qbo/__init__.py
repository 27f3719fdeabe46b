"""QuickBooks Online target: async API client, token handling, document builder."""

from sync.targets.qbo.build import build_document
from sync.targets.qbo.client import QboClient
from sync.targets.qbo.target import QboTarget
from sync.targets.qbo.tokens import MemoryTokenStore, TokenSet, TokenStore

__all__ = [
    "MemoryTokenStore",
    "QboClient",
    "QboTarget",
    "TokenSet",
    "TokenStore",
    "build_document",
]
