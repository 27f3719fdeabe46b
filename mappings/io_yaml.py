"""Rules as YAML: a ``rules:`` list, one mapping per rule, conditions and outputs nested.

```yaml
version: 1
rules:
- id: 12
  active: true
  conditions: {cost_code: 03-300, cost_type: Labor, custom_fields: {Phase: "1"}}
  outputs: {account_id: "57", class_id: "3"}
  author: U123
  origin: slack
```

Import reads the node tree, not ``safe_load``'s Python values: YAML 1.1 would turn a cost code
``01`` into the number 1 and ``no`` into False, silently. Here every scalar stays the text that
was written and is converted per field (``rule_rows``), and each error names the item and the
line it starts on. Export omits unset fields and is canonical, so export -> import -> export
is identical.
"""

from __future__ import annotations

from collections.abc import Iterable

import yaml

from mappings.rule_rows import (
    CONDITION_COLUMNS,
    OUTPUT_COLUMNS,
    CustomPlain,
    FileError,
    LocatedSpec,
    ParsedRules,
    RuleSpec,
    custom_to_plain,
    spec_from_cells,
)

FORMAT_VERSION = 1
_TOP_KEYS = ("id", "priority", "active", "author", "origin", "note")
_ITEM_KEYS = frozenset({*_TOP_KEYS, "conditions", "outputs"})
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})

Plain = str | None | list["Plain"] | dict[str, "Plain"]


def _item(spec: RuleSpec) -> dict[str, object]:
    item: dict[str, object] = {}
    if spec.id is not None:
        item["id"] = spec.id
    if spec.priority is not None:
        item["priority"] = spec.priority
    item["active"] = spec.active
    conditions: dict[str, object] = spec.conditions.model_dump(
        mode="json", exclude_none=True, exclude={"custom_fields"}
    )
    if spec.conditions.custom_fields:
        conditions["custom_fields"] = custom_to_plain(spec.conditions.custom_fields)
    if conditions:
        item["conditions"] = conditions
    item["outputs"] = spec.outputs.model_dump(mode="json", exclude_none=True)
    if spec.author is not None:
        item["author"] = spec.author
    if spec.origin is not None:
        item["origin"] = spec.origin.value
    if spec.note:
        item["note"] = spec.note
    return item


# YAML reads these as line breaks, and PyYAML's emitter writes them raw with ``allow_unicode``:
# a text holding one would come back changed.
_UNICODE_BREAKS = ("\x85", "\u2028", "\u2029")


def export_yaml(specs: Iterable[RuleSpec]) -> str:
    document = {"version": FORMAT_VERSION, "rules": [_item(s) for s in specs]}
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    if any(b in text for b in _UNICODE_BREAKS):
        # Escaped (\N, \L, \P in double quotes) rather than readable, but exact.
        text = yaml.safe_dump(document, sort_keys=False, allow_unicode=False, width=100)
    return text


def _plain(node: yaml.Node) -> Plain:
    """A node as text, lists and dicts; a plain (unquoted) null word is ``None``."""
    if isinstance(node, yaml.ScalarNode):
        value = str(node.value)
        return None if node.style is None and value in _NULLS else value
    if isinstance(node, yaml.SequenceNode):
        return [_plain(n) for n in node.value]
    assert isinstance(node, yaml.MappingNode)
    return {str(_plain(k)): _plain(v) for k, v in node.value}


def _rule_nodes(text: str) -> tuple[list[yaml.Node], FileError | None]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "the file"
        problem = getattr(exc, "problem", None) or str(exc)
        return [], FileError(where, "", f"not valid YAML ({problem})")
    if root is None:
        return [], None
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if _plain(key) == "rules":
                root = value
                break
        else:
            return [], FileError("line 1", "rules", "a mapping without a 'rules' list")
    if not isinstance(root, yaml.SequenceNode):
        return [], FileError(f"line {root.start_mark.line + 1}", "rules", "not a list of rules")
    return list(root.value), None


def _scalar(value: Plain, field: str, where: str, errors: list[FileError]) -> str | None:
    if value is None or isinstance(value, str):
        return value
    errors.append(FileError(where, field, "must be a single value"))
    return None


def _custom(value: Plain, where: str, errors: list[FileError]) -> CustomPlain | None:
    if value is None:
        return None
    message = "must map a field name to a value or a list of values"
    if not isinstance(value, dict):
        errors.append(FileError(where, "custom_fields", message))
        return None
    custom: CustomPlain = {}
    for name, v in value.items():
        if isinstance(v, str):
            custom[name] = v
        elif isinstance(v, list) and all(isinstance(x, str) for x in v):
            custom[name] = [x for x in v if isinstance(x, str)]
        else:
            errors.append(FileError(where, f"custom_fields.{name}", message))
    return custom


def _section(
    item: dict[str, Plain], key: str, allowed: tuple[str, ...], where: str, errors: list[FileError]
) -> dict[str, Plain]:
    value = item.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors.append(FileError(where, key, "must be a mapping of field: value"))
        return {}
    for name in value:
        if name not in allowed:
            errors.append(FileError(where, f"{key}.{name}", "unknown field"))
    return value


def _read_item(node: yaml.Node, number: int) -> tuple[RuleSpec | None, list[FileError]]:
    where = f"item {number} (line {node.start_mark.line + 1})"
    item = _plain(node)
    if not isinstance(item, dict):
        return None, [FileError(where, "", "a rule must be a mapping")]
    errors: list[FileError] = [
        FileError(where, key, "unknown field") for key in item if key not in _ITEM_KEYS
    ]
    conditions = _section(item, "conditions", CONDITION_COLUMNS, where, errors)
    outputs = _section(item, "outputs", OUTPUT_COLUMNS, where, errors)
    cells: dict[str, str | None] = {}
    for key in _TOP_KEYS:
        cells[key] = _scalar(item.get(key), key, where, errors)
    for key, value in conditions.items():
        if key != "custom_fields" and key in CONDITION_COLUMNS:
            cells[key] = _scalar(value, key, where, errors)
    for key, value in outputs.items():
        if key in OUTPUT_COLUMNS:
            cells[key] = _scalar(value, key, where, errors)
    custom = _custom(conditions.get("custom_fields"), where, errors)
    spec, more = spec_from_cells(cells, where, custom=custom)
    errors.extend(more)
    return (spec if not errors else None), errors


def import_yaml(text: str) -> ParsedRules:
    """Read every item: the rules that are valid, and every error (``ok`` when none)."""
    nodes, problem = _rule_nodes(text)
    if problem is not None:
        return ParsedRules(errors=(problem,))
    rules: list[LocatedSpec] = []
    errors: list[FileError] = []
    for number, node in enumerate(nodes, start=1):
        spec, item_errors = _read_item(node, number)
        errors.extend(item_errors)
        if spec is not None:
            rules.append(LocatedSpec(f"item {number} (line {node.start_mark.line + 1})", spec))
    return ParsedRules(rules=tuple(rules), errors=tuple(errors))
