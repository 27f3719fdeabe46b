"""An index over rules so that finding the rules that match a line does not scan them all.

Almost every rule names a cost code, so rules are bucketed by it: exact codes in a dict, prefixes
(``03-*``) in a dict keyed by the prefix (a line probes each prefix of its own code, a handful of
lookups). The rest (globs and rules without a cost code) are bucketed by the next most selective
equality condition they have: project, then cost type name, then base type; only rules with none
of those stay in a residual list that every line scans. Matching within the candidates is then
exact, so the index only has to never miss a rule, which the tests check against a plain scan
(``RuleIndex(rules, buckets=False)``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from mappings.conditions import CodeMatch, CompiledRule, LineFacts, compile_rule
from mappings.rules import Rule


class RuleIndex:
    """The active rules, compiled and bucketed. Inactive rules are dropped here."""

    def __init__(self, rules: Iterable[Rule], *, buckets: bool = True) -> None:
        self._exact: dict[str, list[CompiledRule]] = {}
        self._prefix: dict[str, list[CompiledRule]] = {}
        self._by_project: dict[str, list[CompiledRule]] = {}
        self._by_cost_type: dict[str, list[CompiledRule]] = {}
        self._by_base: dict[str, list[CompiledRule]] = {}
        self._residual: list[CompiledRule] = []
        self._rules: list[Rule] = []
        seen: set[int] = set()
        for rule in rules:
            if rule.id is not None:
                # Two rules with one id would make explanations and the audit trail lie.
                if rule.id in seen:
                    raise ValueError(f"duplicate rule id {rule.id}")
                seen.add(rule.id)
            if not rule.active:
                continue
            self._rules.append(rule)
            compiled = compile_rule(rule)
            code = compiled.code
            c = rule.conditions
            if not buckets:
                self._residual.append(compiled)
            elif code is not None and code.kind is CodeMatch.EXACT:
                self._exact.setdefault(code.literal, []).append(compiled)
            elif code is not None and code.kind is CodeMatch.PREFIX:
                self._prefix.setdefault(code.literal, []).append(compiled)
            elif c.project_id is not None:
                self._by_project.setdefault(c.project_id, []).append(compiled)
            elif compiled.cost_type_name is not None:
                self._by_cost_type.setdefault(compiled.cost_type_name, []).append(compiled)
            elif c.cost_type_base is not None:
                self._by_base.setdefault(c.cost_type_base.value, []).append(compiled)
            else:
                self._residual.append(compiled)
        self._has_prefix = bool(self._prefix)

    def __len__(self) -> int:
        return len(self._rules)

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules)

    def matching(self, facts: LineFacts) -> list[CompiledRule]:
        """Every active rule whose conditions hold for the line, best rank first."""
        found = [c for c in self._candidates(facts) if c.matches(facts)]
        found.sort(key=lambda c: c.order_key)
        return found

    def _candidates(self, facts: LineFacts) -> Iterator[CompiledRule]:
        code = facts.cost_code
        if code is not None:
            yield from self._exact.get(code, ())
            if self._has_prefix:
                prefix = self._prefix
                for end in range(len(code) + 1):
                    yield from prefix.get(code[:end], ())
        yield from self._by_project.get(facts.project_id, ())
        if facts.cost_type_name is not None:
            yield from self._by_cost_type.get(facts.cost_type_name, ())
        if facts.cost_type_base is not None:
            yield from self._by_base.get(facts.cost_type_base, ())
        yield from self._residual
