"""The .qwc file, field by field, and the command that writes it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import structlog
from lxml import etree
from typer.testing import CliRunner

from sandbox.qbd import QwcError, read_qwc
from sync.targets.qbd.company import by_name
from sync.targets.qbd.qwc import build_qwc
from tests.qbd.conftest import QbdHarness

GUID = re.compile(r"^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$", re.I)


async def _qwc(qbd: QbdHarness) -> str:
    async with qbd.svc.sessions() as session:
        company = await by_name(session, "demo")
        assert company is not None
        return build_qwc(company, qbd.svc.settings)


async def test_qwc_fields(qbd: QbdHarness) -> None:
    text = await _qwc(qbd)
    root = etree.fromstring(text.encode())
    assert root.tag == "QBWCXML"
    field = {str(c.tag): c.text or "" for c in root}
    assert field["AppName"] == "costbridge (demo)"
    assert field["AppID"] == ""
    assert field["AppURL"] == "https://costbridge.local/qbwc"
    assert field["AppSupport"] == "https://costbridge.local/qbwc?wsdl"
    assert field["AppDescription"]
    assert field["UserName"] == "costbridge-demo"
    assert field["OwnerID"] == qbd.svc.settings.qbd_owner_id and GUID.match(field["OwnerID"])
    assert GUID.match(field["FileID"]) and field["FileID"] != field["OwnerID"]
    assert field["QBType"] == "QBFS"
    assert field["Style"] == "Document"
    assert root.findtext("Scheduler/RunEveryNMinutes") == "15"
    assert field["IsReadOnly"] == "false"
    assert field["AuthFlags"] == "0xF"
    assert "demo-qbwc-password" not in text  # typed into the Web Connector, never in the file
    # the simulator reads it exactly as the Web Connector would
    app = read_qwc(text)
    assert (app.username, app.file_id, app.run_every_minutes) == (
        "costbridge-demo",
        field["FileID"],
        15,
    )
    # the FileID is stable: generated once per company file
    assert await _qwc(qbd) == text


async def test_web_connector_refuses_plain_http_and_duplicates(qbd: QbdHarness) -> None:
    text = await _qwc(qbd)
    with pytest.raises(QwcError, match="QBWC1051"):
        read_qwc(text.replace("https://costbridge.local", "http://costbridge.example.com"))
    read_qwc(text.replace("https://costbridge.local", "http://localhost:8000"))
    app = read_qwc(text)
    with pytest.raises(QwcError, match="QBWC1039"):
        read_qwc(text, registered={(app.owner_id.upper(), app.file_id.upper())})


def test_cli_writes_the_qwc(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sync.cli.main import app
    from sync.settings import get_settings

    monkeypatch.setenv("COSTBRIDGE_DATABASE_URL", db_url)
    monkeypatch.setenv("COSTBRIDGE_QBD_COMPANY", "office")
    monkeypatch.setenv("COSTBRIDGE_QBD_PASSWORD", "s3cret")
    monkeypatch.setenv("COSTBRIDGE_PUBLIC_BASE_URL", "https://books.example.com")
    get_settings.cache_clear()
    out = tmp_path / "office.qwc"
    logging = structlog.get_config()  # the CLI logs to the runner's stream, closed afterwards
    try:
        result = CliRunner().invoke(app, ["qbwc", "config", "office", "-o", str(out)])
        missing = CliRunner().invoke(app, ["qbwc", "config", "nosuch"])
    finally:
        get_settings.cache_clear()
        structlog.configure(**logging)
    assert result.exit_code == 0, result.output
    qwc = read_qwc(out.read_text())
    assert qwc.app_url == "https://books.example.com/qbwc"
    assert qwc.username == "costbridge"
    assert missing.exit_code == 1
