"""Intuit's qbXML 13.0 schema, read from outside the repository (it is licensed, never copied).

Found in ``$QBXML_SCHEMA_DIR`` or in ``../shared/specs/qbxml`` beside the checkout; absent
means the fake QuickBooks checks only well-formedness and the schema tests skip.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
OPS_XSD = "qbxmlops130.xsd"


def schema_dir() -> Path | None:
    candidates = [os.environ.get("QBXML_SCHEMA_DIR", ""), str(ROOT.parent / "shared/specs/qbxml")]
    for candidate in candidates:
        if candidate and (Path(candidate) / OPS_XSD).is_file():
            return Path(candidate)
    return None


@lru_cache(maxsize=1)
def qbxml_schema() -> etree.XMLSchema | None:
    folder = schema_dir()
    if folder is None:
        return None
    return etree.XMLSchema(etree.parse(str(folder / OPS_XSD)))


def schema_errors(document: etree._Element) -> str:
    """'' when ``document`` is valid qbXML 13.0 (or no schema is available), else why not."""
    schema = qbxml_schema()
    if schema is None or schema.validate(document):
        return ""
    lines = str(schema.error_log).splitlines()
    return lines[-1] if lines else "invalid"
