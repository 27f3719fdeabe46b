"""Reference lookups and the picker search."""

from __future__ import annotations

import pytest

from mappings.references import ReferenceIndex, display
from sync.models import ReferenceKind
from tests.mappings.factories import ACCOUNTS, account, refs

ACC = ReferenceKind.ACCOUNT


def test_lookups() -> None:
    r = refs()
    rec = r.get(ACC, "5010")
    assert rec is not None and display(rec) == "5010 Subcontract Labor"
    assert r.is_active(ACC, "5010") is True
    assert r.is_active(ACC, "5900") is False  # inactive
    assert r.is_active(ACC, "nope") is False  # missing
    assert r.get(ReferenceKind.CLASS, "5010") is None  # ids are per kind
    assert r.display_name(ACC, "nope") == "nope"
    assert len(r.records(ACC)) == len(ACCOUNTS)
    assert "5900" not in {x.id for x in r.records(ACC, include_inactive=False)}


def test_duplicate_records_are_refused() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        ReferenceIndex([account("1", "1", "A"), account("1", "2", "B")])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("5010", ["5010"]),
        ("50", ["5010", "5020"]),
        ("materials", ["5110", "5100"]),  # exact name first, then a word match
        ("Labor", ["5010", "5020", "5400"]),  # inactive "Old Labor" left out
        ("conc", ["5100", "5310"]),
        ("rent", ["5200"]),
        ("bor", ["5010", "5020", "5400"]),  # anywhere in the name
        ("zzz", []),
    ],
)
def test_search(query: str, expected: list[str]) -> None:
    assert [x.id for x in refs().search(ACC, query)] == expected


def test_search_can_include_inactive_and_limits() -> None:
    r = refs()
    assert [x.id for x in r.search(ACC, "labor", include_inactive=True)] == [
        "5010",
        "5020",
        "5400",
        "5900",
    ]
    assert len(r.search(ACC, "", limit=3)) == 3
    assert [x.id for x in r.search(ACC, "", limit=2)] == ["5010", "5020"]
