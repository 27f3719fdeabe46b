"""Reading a .qwc file the way the Web Connector does when an office adds an application."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import etree

GUID = re.compile(
    r"^\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}$"
)
LOCAL_HOSTS = {"localhost", "127.0.0.1"}


class QwcError(Exception):
    """What the Web Connector would show instead of adding the application."""


@dataclass(frozen=True)
class QwcApp:
    app_name: str
    app_url: str
    app_support: str
    username: str
    owner_id: str
    file_id: str
    qb_type: str
    run_every_minutes: int | None
    is_read_only: bool
    fields: dict[str, str]


def read_qwc(text: str, *, registered: set[tuple[str, str]] | None = None) -> QwcApp:
    try:
        root = etree.fromstring(text.encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        raise QwcError(f"QBWC1040: the file is not valid XML: {exc}") from exc
    if root.tag != "QBWCXML":
        raise QwcError("QBWC1040: not a QBWCXML file")
    fields = {str(c.tag): (c.text or "").strip() for c in root if isinstance(c.tag, str)}
    for required in ("AppName", "AppURL", "AppSupport", "UserName", "OwnerID", "FileID", "QBType"):
        if not fields.get(required):
            raise QwcError(f"QBWC1040: {required} is missing")
    url = urlsplit(fields["AppURL"])
    if url.scheme != "https" and url.hostname not in LOCAL_HOSTS:
        raise QwcError(
            "QBWC1051: the service URL is not on a secure (https) server and not on localhost"
        )
    for name in ("OwnerID", "FileID"):
        if not GUID.match(fields[name]):
            raise QwcError(f"QBWC1040: {name} must be a GUID in braces")
    pair = (fields["OwnerID"].upper(), fields["FileID"].upper())
    if registered is not None and pair in registered:
        raise QwcError("QBWC1039: Unique OwnerID/FileID pair value required")
    minutes = root.findtext("Scheduler/RunEveryNMinutes")
    return QwcApp(
        app_name=fields["AppName"],
        app_url=fields["AppURL"],
        app_support=fields["AppSupport"],
        username=fields["UserName"],
        owner_id=fields["OwnerID"],
        file_id=fields["FileID"],
        qb_type=fields["QBType"],
        run_every_minutes=int(minutes) if minutes else None,
        is_read_only=fields.get("IsReadOnly", "false").lower() == "true",
        fields=fields,
    )
