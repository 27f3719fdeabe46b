"""Pure mapping logic: rules, matching and specificity, resolution, explanations, suggestions.

No I/O, no database, no clock: callers pass rules, reference data, links and times in.
"""

from mappings.document import DocumentMapping, map_document
from mappings.explain import explain_field, explain_line
from mappings.index import RuleIndex
from mappings.learn import LearnScope, rule_from_choice
from mappings.references import EntityLinks, ReferenceIndex
from mappings.resolve import FieldResolution, FieldStatus, LineResolution, resolve_line
from mappings.rules import (
    BaseCostType,
    Conditions,
    CustomFieldCondition,
    OutputField,
    Outputs,
    Rule,
    RuleOrigin,
)
from mappings.suggest import suggest_accounts, suggest_links

__all__ = [
    "BaseCostType",
    "Conditions",
    "CustomFieldCondition",
    "DocumentMapping",
    "EntityLinks",
    "FieldResolution",
    "FieldStatus",
    "LearnScope",
    "LineResolution",
    "OutputField",
    "Outputs",
    "ReferenceIndex",
    "Rule",
    "RuleIndex",
    "RuleOrigin",
    "explain_field",
    "explain_line",
    "map_document",
    "resolve_line",
    "rule_from_choice",
    "suggest_accounts",
    "suggest_links",
]
