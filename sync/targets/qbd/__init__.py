"""QuickBooks Desktop target: the Web Connector's SOAP endpoint, a qbXML request queue per
company file, and the builder of qbXML 13.0 requests."""

from sync.targets.qbd.target import QbdTarget

__all__ = ["QbdTarget"]
