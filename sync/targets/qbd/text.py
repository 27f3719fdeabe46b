"""Fitting text to what QuickBooks Desktop accepts: Latin-1 only, and each field's length.

QuickBooks rejects characters outside ISO-8859-1 (or turns them into "?"), and an over-long
field fails the whole request. Nothing is cut silently: every change is reported, and the
pipeline writes the reports into the document's history.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Typographic characters people paste from Word and Procore, with their plain equivalents.
_PLAIN = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u2026": "...",
    "\u2022": "*",
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\u20ac": "EUR",
    "\u2122": "TM",
}
# Letters Unicode does not decompose into a base letter and a mark (NFKD leaves "Ł" whole).
_LETTERS = {
    "\u0141": "L",  # Ł
    "\u0142": "l",  # ł
    "\u0110": "D",  # Đ
    "\u0111": "d",  # đ
    "\u0126": "H",  # Ħ
    "\u0127": "h",  # ħ
    "\u0131": "i",  # dotless i
    "\u0152": "OE",  # Œ
    "\u0153": "oe",  # œ
    "\u0166": "T",  # Ŧ
    "\u0167": "t",  # ŧ
    "\u014a": "N",  # Ŋ
    "\u014b": "n",  # ŋ
    "\u0138": "k",  # ĸ
}
# Characters XML 1.0 cannot carry at all (control characters other than tab, LF, CR).
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def to_latin1(text: str) -> str:
    """The closest Latin-1 text: typographic marks made plain, accents kept where Latin-1 has
    them, other letters stripped of their marks ("ź" → "z", "Ł" → "L"), anything else as "?"."""
    out: list[str] = []
    for char in unicodedata.normalize("NFC", _XML_ILLEGAL.sub("", text)):
        if ord(char) < 256:
            out.append(char)
        elif char in _PLAIN:
            out.append(_PLAIN[char])
        elif char in _LETTERS:
            out.append(_LETTERS[char])
        else:
            base = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            )
            out.append(base if base and all(ord(c) < 256 for c in base) else "?")
    return "".join(out)


def fit(text: str, limit: int, field: str, warnings: list[str], *, ellipsis: bool = False) -> str:
    """``text`` in Latin-1 and at most ``limit`` characters; a warning for every change.
    With ``ellipsis`` a cut ends in "..." so it shows in QuickBooks (Latin-1 has no "…")."""
    latin = to_latin1(text)
    if latin != text:
        warnings.append(f"{field}: characters QuickBooks cannot store were replaced")
    if len(latin) > limit:
        warnings.append(
            f"{field}: cut to {limit} characters (QuickBooks' limit); it was {len(latin)}"
        )
        latin = latin[: limit - 3] + "..." if ellipsis else latin[:limit]
    return latin


def fit_number(number: str, limit: int, field: str, warnings: list[str]) -> str:
    """A document number within ``limit``: kept when it fits, else a prefix plus a short hash
    of the whole number, so two long numbers never collapse into the same one."""
    latin = " ".join(to_latin1(number).split())
    if len(latin) <= limit:
        return latin
    digest = hashlib.sha256(latin.encode("latin-1")).hexdigest()[:4]
    fitted = f"{latin[: limit - 5]}~{digest}"
    warnings.append(f"{field}: '{latin}' is longer than {limit} characters; sent as '{fitted}'")
    return fitted
