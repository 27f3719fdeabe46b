"""Rules as CSV: one row per rule, one column per condition and output (see ``rule_rows``).

Export writes every column in ``COLUMNS`` order, so export -> import -> export is identical.
Import accepts any subset of the columns in any order (a hand-made sheet need not carry them
all), rejects unknown ones, and locates errors by the file line where the row starts: with the
header on line 1, that is the row number a spreadsheet shows. Custom field conditions are one
JSON cell: ``{"Phase": "1", "Area": ["A", "B"]}`` (a list means "one of").
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from mappings.rule_rows import (
    COLUMNS,
    CustomPlain,
    FileError,
    LocatedSpec,
    ParsedRules,
    RuleSpec,
    cells_of,
    spec_from_cells,
)


def export_csv(specs: Iterable[RuleSpec]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for spec in specs:
        writer.writerow(cells_of(spec))
    return buffer.getvalue()


def _custom(cell: str | None, where: str, errors: list[FileError]) -> CustomPlain | None:
    if cell is None or not cell.strip():
        return None
    example = 'a JSON object like {"Phase": "1", "Area": ["A", "B"]}'
    try:
        value = json.loads(cell)
    except json.JSONDecodeError as exc:
        errors.append(FileError(where, "custom_fields", f"not {example} ({exc.msg})"))
        return None
    if not isinstance(value, dict) or not all(
        isinstance(v, str) or (isinstance(v, list) and all(isinstance(x, str) for x in v))
        for v in value.values()
    ):
        errors.append(FileError(where, "custom_fields", f"not {example}"))
        return None
    return value


def import_csv(text: str) -> ParsedRules:
    """Read every row: the rules that are valid, and every error (``ok`` when none)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    errors: list[FileError] = []
    rules: list[LocatedSpec] = []
    try:
        header = next(reader, None)
        if header is None:
            return ParsedRules(errors=(FileError("line 1", "", "the file is empty"),))
        names = [h.strip() for h in header]
        for name in names:
            if name not in COLUMNS:
                errors.append(FileError("line 1", name, "unknown column"))
        for name in {n for n in names if names.count(n) > 1}:
            errors.append(FileError("line 1", name, "column appears more than once"))
        if errors:
            return ParsedRules(errors=tuple(errors))
        start = reader.line_num + 1
        for record in reader:
            where, start = f"line {start}", reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue  # blank lines, or a sheet's trailing empty rows
            if len(record) > len(names):
                errors.append(FileError(where, "", f"{len(record)} cells, header has {len(names)}"))
                continue
            cells = dict(zip(names, record, strict=False))
            row_errors: list[FileError] = []
            custom = _custom(cells.get("custom_fields"), where, row_errors)
            spec, more = spec_from_cells(cells, where, custom=custom)
            errors.extend(row_errors + more)
            if spec is not None and not row_errors:
                rules.append(LocatedSpec(where, spec))
    except csv.Error as exc:
        errors.append(FileError(f"line {reader.line_num}", "", f"not valid CSV ({exc})"))
    return ParsedRules(rules=tuple(rules), errors=tuple(errors))
