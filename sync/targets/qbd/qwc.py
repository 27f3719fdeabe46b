"""The .qwc file an office opens in the Web Connector ("Add an application")."""

from __future__ import annotations

from lxml import etree

from db.models_qbd import QbdCompanyFile
from sync.settings import Settings
from sync.targets.qbd.web import PATH


def build_qwc(company: QbdCompanyFile, settings: Settings) -> str:
    """AppURL is the SOAP endpoint (https, or localhost for a trial); the password is not in
    the file: the office types it into the Web Connector."""
    base = settings.public_base_url.rstrip("/")
    root = etree.Element("QBWCXML")
    for tag, value in (
        ("AppName", f"{settings.qbd_app_name} ({company.name})"),
        ("AppID", ""),
        ("AppURL", f"{base}{PATH}"),
        (
            "AppDescription",
            "Posts approved Procore change orders into this QuickBooks company file.",
        ),
        ("AppSupport", f"{base}{PATH}?wsdl"),
        ("UserName", company.username),
        ("OwnerID", company.owner_id),
        ("FileID", company.file_id),
        ("QBType", "QBFS"),
        ("Style", "Document"),
    ):
        etree.SubElement(root, tag).text = value
    scheduler = etree.SubElement(root, "Scheduler")
    etree.SubElement(scheduler, "RunEveryNMinutes").text = str(settings.qbd_run_every_minutes)
    etree.SubElement(root, "IsReadOnly").text = "false"
    etree.SubElement(root, "UnattendedModePref").text = "umpOptional"
    etree.SubElement(root, "PersonalDataPref").text = "pdpOptional"
    etree.SubElement(root, "AuthFlags").text = "0xF"
    body = etree.tostring(root, encoding="unicode", pretty_print=True)
    return f'<?xml version="1.0"?>\n{body}'
