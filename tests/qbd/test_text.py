"""Fitting text to QuickBooks Desktop: Latin-1 and field lengths, never silently."""

from __future__ import annotations

from sync.targets.qbd.text import fit, fit_number, to_latin1


def test_latin1_keeps_accents_and_plains_the_rest() -> None:
    assert to_latin1("Café \u2013 \u201cBâtiment\u201d \u21165 \u2713") == (
        'Café - "Bâtiment" No5 ?'
    )
    # Ł has no decomposition (NFKD leaves it whole): its plain letter, never "?"
    assert to_latin1("\u0141\u00f3d\u017a Sp. z o.o.") == "Lódz Sp. z o.o."
    assert to_latin1("tab\tok\x07bell") == "tab\tokbell"


def test_fit_reports_every_change() -> None:
    warnings: list[str] = []
    assert fit("plain", 10, "Memo", warnings) == "plain" and warnings == []
    assert fit("x" * 12, 10, "Desc", warnings) == "x" * 10
    assert fit("naïve “quote”", 100, "Desc", warnings) == 'naïve "quote"'
    assert len(warnings) == 2 and "cut to 10" in warnings[0] and "replaced" in warnings[1]


def test_long_numbers_stay_distinct() -> None:
    warnings: list[str] = []
    a = fit_number("PC-001-PCO-0001", 11, "RefNumber", warnings)
    b = fit_number("PC-001-PCO-0002", 11, "RefNumber", warnings)
    assert len(a) == len(b) == 11 and a != b
    assert fit_number("SC-001-001", 11, "RefNumber", warnings) == "SC-001-001"
    assert len(warnings) == 2
