"""An index over rules so that finding the rules that match a line does not scan them all.

Almost every rule names a cost code, so rules are bucketed by it: exact codes in a dict, prefixes
(``03-*``) in a dict keyed by the prefix (a line probes each prefix of its own code, a handful of
lookups), and the rest (globs and rules without a cost code) in a small residual list that is
scanned. Matching within the candidates is then exact, so the index only has to never miss a rule,
which the tests check against a plain scan (``RuleIndex(rules, buckets=False)``).
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
            if not buckets or code is None or code.kind is CodeMatch.GLOB:
                self._residual.append(compiled)
            elif code.kind is CodeMatch.EXACT:
                self._exact.setdefault(code.literal, []).append(compiled)
            else:
                self._prefix.setdefault(code.literal, []).append(compiled)
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
        yield from self._residual
