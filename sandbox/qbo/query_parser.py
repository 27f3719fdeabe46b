"""Parser for QBO's query language (research §4): one entity, AND-only filters, paging.

Keywords, entity and property names are case-insensitive; values are compared
case-insensitively by the engine. Errors carry QBO's 4000 ``QueryParserError`` detail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from sandbox.qbo.errors import QboFault

Value = str | Decimal | bool

_TOKEN = re.compile(
    r"""(?P<ws>\s+)
      |(?P<string>'(?:\\.|[^'\\])*')
      |(?P<number>-?\d+(?:\.\d+)?)
      |(?P<op><=|>=|!=|<>|=|<|>)
      |(?P<punct>[(),*])
      |(?P<ident>[A-Za-z_][A-Za-z0-9_.]*)""",
    re.VERBOSE,
)
_KIND = {"string": "STRING", "number": "INTEGER", "op": "OPERATOR", "punct": "PUNCT"}
COMPARISONS = ("=", "<", ">", "<=", ">=")


@dataclass(frozen=True)
class Token:
    kind: str  # string, number, op, punct, ident, end
    text: str
    column: int

    def word(self) -> str:
        return self.text.lower() if self.kind == "ident" else ""


@dataclass(frozen=True)
class Condition:
    path: str
    op: str  # one of COMPARISONS, "in", "like"
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Query:
    entity: str
    count: bool
    where: tuple[Condition, ...]
    order: tuple[tuple[str, bool], ...]  # (path, descending)
    start: int
    max_results: int | None


def parse_error(token: Token) -> QboFault:
    kind = "<EOF>" if token.kind == "end" else f"<{_KIND.get(token.kind, 'IDENTIFIER')}>"
    return QboFault(
        "4000",
        f'QueryParserError: Encountered " {kind} "{token.text} "" at line 1, '
        f"column {token.column}.",
    )


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise parse_error(Token("ident", text[position], position + 1))
        kind = match.lastgroup or "ws"
        if kind != "ws":
            tokens.append(Token(kind, match.group(), position + 1))
        position = match.end()
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.index = 0

    @property
    def peek(self) -> Token:
        return self.tokens[self.index]

    def take(self) -> Token:
        token = self.tokens[self.index]
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def expect_word(self, *words: str) -> str:
        token = self.take()
        if token.word() not in words:
            raise parse_error(token)
        return token.word()

    def expect(self, kind: str, text: str | None = None) -> Token:
        token = self.take()
        if token.kind != kind or (text is not None and token.text != text):
            raise parse_error(token)
        return token

    def accept_word(self, word: str) -> bool:
        if self.peek.word() == word:
            self.take()
            return True
        return False

    def value(self) -> Value:
        token = self.take()
        if token.kind == "string":
            return re.sub(r"\\(.)", r"\1", token.text[1:-1])
        if token.kind == "number":
            return Decimal(token.text)
        if token.word() in ("true", "false"):
            return token.word() == "true"
        raise parse_error(token)

    def condition(self) -> Condition:
        path = self.expect("ident").text
        if self.accept_word("in"):
            self.expect("punct", "(")
            values = [self.value()]
            while self.peek.text == ",":
                self.take()
                values.append(self.value())
            self.expect("punct", ")")
            return Condition(path, "in", tuple(values))
        if self.accept_word("like"):
            token = self.expect("string")
            return Condition(path, "like", (token.text[1:-1].replace("\\'", "'"),))
        op = self.take()
        if op.kind != "op" or op.text not in COMPARISONS:
            raise parse_error(op)
        return Condition(path, op.text, (self.value(),))

    def order(self) -> list[tuple[str, bool]]:
        keys: list[tuple[str, bool]] = []
        while True:
            path = self.expect("ident").text
            descending = False
            if self.peek.word() in ("asc", "desc"):
                descending = self.take().word() == "desc"
            keys.append((path, descending))
            if self.peek.text != ",":
                return keys
            self.take()

    def integer(self) -> int:
        token = self.expect("number")
        if "." in token.text:
            raise parse_error(token)
        return int(token.text)

    def parse(self) -> Query:
        self.expect_word("select")
        count = False
        if self.peek.word() == "count":
            self.take()
            self.expect("punct", "(")
            self.expect("punct", "*")
            self.expect("punct", ")")
            count = True
        else:
            self.expect("punct", "*")
            # python-quickbooks asks "SELECT *, Sku FROM Item": extra columns are accepted
            while self.peek.text == ",":
                self.take()
                self.expect("ident")
        self.expect_word("from")
        entity = self.expect("ident").text
        where: list[Condition] = []
        if self.accept_word("where"):
            where.append(self.condition())
            while self.accept_word("and"):
                where.append(self.condition())
        order: list[tuple[str, bool]] = []
        if self.peek.word() in ("orderby", "order"):
            if self.take().word() == "order":
                self.expect_word("by")
            order = self.order()
        start, max_results = 1, None
        while self.peek.word() in ("startposition", "maxresults"):
            if self.take().word() == "startposition":
                start = self.integer()
            else:
                max_results = self.integer()
        if self.peek.kind != "end":
            raise parse_error(self.peek)
        return Query(entity, count, tuple(where), tuple(order), start, max_results)


def parse(text: str) -> Query:
    return _Parser(text.strip()).parse()
