"""A simulated QuickBooks Web Connector and a fake QuickBooks Desktop company file."""

from sandbox.qbd.company import CompanyFile
from sandbox.qbd.connector import WebConnector
from sandbox.qbd.executor import execute
from sandbox.qbd.qwc import QwcError, read_qwc

__all__ = ["CompanyFile", "QwcError", "WebConnector", "execute", "read_qwc"]
