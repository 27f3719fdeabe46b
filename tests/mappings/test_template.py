"""Memo templates."""

from __future__ import annotations

import pytest

from mappings.template import parse_template, render_template, template_values
from tests.mappings.factories import doc, line


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{cost_code} {description}", "03-300 Pour footings"),
        (
            "{cost_code_name} / {cost_type} ({cost_type_base})",
            "Cast-in-Place Concrete / Labor (labor)",
        ),
        ("CO {document_number} {project_number}: {amount}", "CO 007 1021: 100.00"),
        ("{vendor_name} - {custom.Phase}", "Acme Concrete, Inc. - 2"),
        ("{custom.Area}", "East"),  # from the document's custom fields
        ("{custom.Missing} {description}", "Pour footings"),  # missing renders as nothing
        ("{{literal}} {position}", "{literal} 1"),
        ("  {uom}  {description}  ", "Pour footings"),
    ],
)
def test_render(template: str, expected: str) -> None:
    the_line = line(description="Pour footings", custom={"Phase": "2"})
    d = doc(the_line, custom={"Area": "East", "Phase": "1"})
    custom = {**d.custom_fields, **the_line.custom_fields}
    assert render_template(template, template_values(the_line, d), custom) == expected


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{nope}", "unknown placeholder"),
        ("{description.__class__}", "unknown placeholder"),
        ("{custom.}", "unknown placeholder"),
        ("{description", "unclosed"),
        ("oops}", "single"),
    ],
)
def test_bad_templates(template: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_template(template)
