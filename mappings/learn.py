"""Turning a human's choice (an account picked in Slack) into a rule like any other.

The scope decides how far the choice reaches:

- ``everywhere``: this cost code + cost type, in every project;
- ``project``: this cost code + cost type, in this project only;
- ``line``: this cost code + cost type, in this project, on this source document only (a
  ``document_id`` condition). The document id survives new versions of the same change order, so
  a re-sent version maps by itself; other documents are not affected.

Each scope adds conditions, so a narrower choice is automatically more specific than a broader
one and wins without needing a priority. Cost code is matched exactly and cost type by name, the
way the person saw them in the message.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from mappings.rules import Conditions, OutputField, Outputs, Rule, RuleOrigin
from sync.models import SourceDocument, SourceLine


class LearnScope(StrEnum):
    LINE = "line"
    EVERYWHERE = "everywhere"
    PROJECT = "project"


def rule_from_choice(
    line: SourceLine,
    doc: SourceDocument,
    account_id: str,
    scope: LearnScope | str,
    author: str,
    now: datetime,
    *,
    field: OutputField = OutputField.ACCOUNT,
    origin: RuleOrigin = RuleOrigin.SLACK,
) -> Rule:
    """A new, unsaved rule (``id=None``, version 1) that gives ``account_id`` to such lines.

    ``field`` is ``OutputField.ITEM`` when the person picked an item (invoice/estimate lines).

    Raises:
        ValueError: an unknown scope; or a line with neither cost code nor cost type, whose
            ``everywhere`` rule would match every line of every document.
    """
    scope = LearnScope(scope)
    if field not in (OutputField.ACCOUNT, OutputField.ITEM):
        raise ValueError(f"a choice sets an account or an item, not {field.value}")
    cond: dict[str, Any] = {}
    if line.cost_code is not None:
        cond["cost_code"] = line.cost_code.code
    if line.cost_type is not None:
        cond["cost_type"] = line.cost_type.name
    if not cond and scope is LearnScope.EVERYWHERE:
        raise ValueError(
            "this line has no cost code or cost type; an 'everywhere' rule would match every line"
        )
    if scope in (LearnScope.PROJECT, LearnScope.LINE):
        cond["project_id"] = doc.project.id
    if scope is LearnScope.LINE:
        cond["document_id"] = doc.id
    key = "account_id" if field is OutputField.ACCOUNT else "item_id"
    return Rule(
        conditions=Conditions.model_validate(cond),
        outputs=Outputs.model_validate({key: account_id}),
        author=author,
        origin=origin,
        created_at=now,
        updated_at=now,
        note=f"chosen for {doc.number} line {line.position} ({scope.value})",
    )
