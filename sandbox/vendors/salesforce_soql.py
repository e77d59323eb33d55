"""A small, honest SOQL interpreter over the emulated org's records.

Grammar:
https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select.htm
Supported:

    SELECT COUNT() | field [, field ...] FROM object
    [WHERE condition] [ORDER BY field [ASC|DESC] [NULLS FIRST|LAST] [, ...]]
    [LIMIT n] [OFFSET n]

Conditions compare a field with a literal (=, !=, <>, <, <=, >, >=, LIKE, IN, NOT IN), joined
by AND or OR, with parentheses and NOT; as in Salesforce, mixing AND and OR at one level needs
parentheses, text comparisons ignore case, and `!=` matches nulls. A field may follow one parent
relationship (Account.Name). Everything else (subqueries, GROUP BY, aggregate functions besides
COUNT(), date literals such as TODAY, FIELDS(), TYPEOF) answers MALFORMED_QUERY.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sandbox.vendors.salesforce_records import canonical_id, timestamp
from sandbox.vendors.salesforce_schema import NUMBER_TYPES, OBJECTS, Field, SObject, sobject

TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>'(?:[^'\\]|\\.)*')
    | (?P<date>\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))?)
    | (?P<number>[+-]?\d+(?:\.\d+)?)
    | (?P<op><=|>=|!=|<>|=|<|>)
    | (?P<punct>[(),])
    | (?P<word>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)
    )""",
    re.VERBOSE,
)
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}
CLAUSES = {"WHERE", "ORDER", "LIMIT", "OFFSET", "GROUP", "HAVING", "FOR", "WITH", "USING"}
MAX_OFFSET = 2000


class SoqlError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def malformed(message: str) -> SoqlError:
    return SoqlError("MALFORMED_QUERY", message)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str

    @property
    def upper(self) -> str:
        return self.text.upper()


def tokenize(text: str) -> list[Token]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise malformed(f"unexpected token: '{text[position:].split()[0]}'")
        kind = match.lastgroup or ""
        tokens.append(Token(kind, match.group(kind)))
        position = match.end()
    return tokens


@dataclass(frozen=True)
class Path:
    """A selected or filtered field, perhaps through one parent relationship."""

    field: Field
    via: Field | None = None  # the reference field (AccountId) when the path is Account.Name

    def value(self, row: dict[str, Any], parent: Callable[[Any], dict[str, Any] | None]) -> Any:
        if self.via is None:
            return row.get(self.field.name)
        found = parent(row.get(self.via.name))
        return found.get(self.field.name) if found else None


@dataclass
class Comparison:
    path: Path
    op: str
    value: Any  # a list for IN / NOT IN


@dataclass
class Junction:
    joiner: str  # AND / OR
    items: list[Any]


@dataclass
class Negation:
    item: Any


@dataclass
class Query:
    sobject: SObject
    count: bool = False
    select: list[Path] = field(default_factory=list)
    where: Any = None
    order: list[tuple[Path, bool, bool]] = field(default_factory=list)  # path, desc, nulls first
    limit: int | None = None
    offset: int = 0


class Parser:
    def __init__(self, text: str) -> None:
        if not text.strip():
            raise malformed("A query string has to be specified")
        self.tokens = tokenize(text)
        self.position = 0
        self.target: SObject | None = None

    # -- token helpers ---------------------------------------------------------------------
    def peek(self) -> Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise malformed("unexpected token: <EOF>")
        self.position += 1
        return token

    def keyword(self, *words: str) -> bool:
        """Consume the keyword(s) if they come next."""
        upcoming = self.tokens[self.position : self.position + len(words)]
        if len(upcoming) == len(words) and all(
            t.kind == "word" and t.upper == w for t, w in zip(upcoming, words, strict=True)
        ):
            self.position += len(words)
            return True
        return False

    def expect(self, text: str) -> None:
        token = self.take()
        if token.upper != text:
            raise malformed(f"unexpected token: '{token.text}'")

    # -- grammar ---------------------------------------------------------------------------
    def parse(self) -> Query:
        self.expect("SELECT")
        names, count = self._select_list()
        self.expect("FROM")
        token = self.take()
        found = sobject(token.text) if token.kind == "word" else None
        if found is None or not found.queryable:
            raise SoqlError(
                "INVALID_TYPE",
                f"sObject type '{token.text}' is not supported. If you are attempting to use a "
                "custom object, be sure to append the '__c' after the entity name. Please "
                "reference your WSDL or the describe call for the appropriate names.",
            )
        self.target = found
        query = Query(found, count=count, select=[self.resolve(name) for name in names])
        if self.keyword("WHERE"):
            query.where = self._condition()
        if self.keyword("ORDER", "BY"):
            query.order = self._order()
        if self.keyword("LIMIT"):
            query.limit = self._integer()
        if self.keyword("OFFSET"):
            query.offset = self._integer()
            if query.offset > MAX_OFFSET:
                raise SoqlError(
                    "NUMBER_OUTSIDE_VALID_RANGE", f"Maximum SOQL offset allowed is {MAX_OFFSET}"
                )
        extra = self.peek()
        if extra is not None:
            raise malformed(f"unexpected token: '{extra.text}'")
        return query

    def _select_list(self) -> tuple[list[str], bool]:
        if self.keyword("COUNT"):
            self.expect("(")
            self.expect(")")
            return [], True
        names = []
        while True:
            token = self.take()
            upcoming = self.peek()
            if token.kind != "word" or token.upper in CLAUSES | {"FROM"}:
                raise malformed(f"unexpected token: '{token.text}'")
            if upcoming is not None and upcoming.text == "(":
                raise malformed(f"{token.text}() is not supported by the Syncline sandbox")
            names.append(token.text)
            if not (self.peek() and self.peek().text == ","):  # type: ignore[union-attr]
                return names, False
            self.take()

    def resolve(self, name: str) -> Path:
        assert self.target is not None
        relationship, _, rest = name.rpartition(".")
        if not relationship:
            found = self.target.field(name)
            if found is None:
                raise SoqlError(
                    "INVALID_FIELD",
                    f"No such column '{name}' on entity '{self.target.name}'. If you are "
                    "attempting to use a custom field, be sure to append the '__c' after the "
                    "custom field name. Please reference your WSDL or the describe call for the "
                    "appropriate names.",
                )
            return Path(found)
        via = self.target.relationship(relationship) if "." not in relationship else None
        parent = OBJECTS[via.reference_to[0]] if via else None
        found = parent.field(rest) if parent else None
        if via is None or found is None:
            raise SoqlError(
                "INVALID_FIELD",
                f"Didn't understand relationship '{relationship}' in field path. If you are "
                "attempting to use a custom relationship, be sure to append the '__r' after the "
                "custom relationship name. Please reference your WSDL or the describe call for "
                "the appropriate names.",
            )
        return Path(found, via)

    def _condition(self) -> Any:
        items = [self._simple()]
        joiner = None
        while (token := self.peek()) is not None and token.upper in {"AND", "OR"}:
            if joiner and token.upper != joiner:
                raise malformed(
                    f"unexpected token: '{token.text}' (mixing AND and OR needs parentheses)"
                )
            joiner = token.upper
            self.take()
            items.append(self._simple())
        return items[0] if joiner is None else Junction(joiner, items)

    def _simple(self) -> Any:
        if self.peek() and self.peek().text == "(":  # type: ignore[union-attr]
            self.take()
            inner = self._condition()
            self.expect(")")
            return inner
        if self.keyword("NOT"):
            return Negation(self._simple())
        token = self.take()
        if token.kind != "word":
            raise malformed(f"unexpected token: '{token.text}'")
        path = self.resolve(token.text)
        if path.field.type == "textarea":
            raise SoqlError(
                "INVALID_FIELD", f"field '{path.field.name}' can not be filtered in a query call"
            )
        if self.keyword("NOT", "IN"):
            return Comparison(path, "NOT IN", self._list(path.field))
        if self.keyword("IN"):
            return Comparison(path, "IN", self._list(path.field))
        if self.keyword("LIKE"):
            return Comparison(path, "LIKE", self._literal(path.field, like=True))
        operator = self.take()
        if operator.kind != "op":
            raise malformed(f"unexpected token: '{operator.text}'")
        return Comparison(path, operator.text, self._literal(path.field))

    def _list(self, item: Field) -> list[Any]:
        self.expect("(")
        values = [self._literal(item)]
        while self.peek() and self.peek().text == ",":  # type: ignore[union-attr]
            self.take()
            values.append(self._literal(item))
        self.expect(")")
        return values

    def _literal(self, item: Field, *, like: bool = False) -> Any:
        token = self.take()
        if token.kind == "word" and token.upper == "NULL":
            return None
        text_field = item.type not in NUMBER_TYPES | {"boolean", "date", "datetime"}
        if like and not text_field:
            raise SoqlError(
                "INVALID_FIELD", f"invalid operator on {item.type} field: LIKE ({item.name})"
            )
        if text_field:
            if token.kind != "string":
                raise SoqlError(
                    "INVALID_FIELD",
                    f"value of filter criterion for field '{item.name}' must be of type string "
                    "and should be enclosed in quotes",
                )
            text = re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), token.text[1:-1])
            if item.type in {"id", "reference"}:
                return canonical_id(text) or text  # a 15-character id matches its 18-character form
            return text
        expected = {"boolean": "word", "date": "date", "datetime": "date"}.get(item.type, "number")
        if token.kind == "word" and token.upper not in {"TRUE", "FALSE"}:
            raise malformed(f"date literal or token '{token.text}' is not supported here")
        valid = (
            token.kind == expected
            and (item.type != "date" or "T" not in token.text)
            and (item.type != "datetime" or "T" in token.text)
        )
        if not valid:
            raise SoqlError(
                "INVALID_FIELD",
                f"value of filter criterion for field '{item.name}' must be of type "
                f"{item.type} and should not be enclosed in quotes",
            )
        if item.type == "boolean":
            return token.upper == "TRUE"
        if item.type == "datetime":
            return timestamp(datetime.fromisoformat(token.text))
        if item.type == "date":
            return token.text
        return float(token.text)

    def _order(self) -> list[tuple[Path, bool, bool]]:
        order = []
        while True:
            token = self.take()
            if token.kind != "word":
                raise malformed(f"unexpected token: '{token.text}'")
            path = self.resolve(token.text)
            descending = self.keyword("DESC")
            if not descending:
                self.keyword("ASC")
            nulls_first = not descending  # Salesforce's default: nulls come first ascending
            if self.keyword("NULLS", "FIRST"):
                nulls_first = True
            elif self.keyword("NULLS", "LAST"):
                nulls_first = False
            order.append((path, descending, nulls_first))
            if not (self.peek() and self.peek().text == ","):  # type: ignore[union-attr]
                return order
            self.take()

    def _integer(self) -> int:
        token = self.take()
        if token.kind != "number" or not token.text.isdigit():
            raise malformed(f"unexpected token: '{token.text}'")
        return int(token.text)


def parse(text: str) -> Query:
    return Parser(text).parse()


# -- evaluation ----------------------------------------------------------------------------
def _comparable(value: Any, item: Field | None = None) -> Any:
    """Text compares without case; ids sort case-sensitively (15-character ids are)."""
    if isinstance(value, str) and (item is None or item.type not in {"id", "reference"}):
        return value.casefold()
    return value


def _like(pattern: str) -> re.Pattern[str]:
    parts = re.split(r"(\\.|%|_)", pattern)
    regex = "".join(
        ".*" if p == "%" else "." if p == "_" else re.escape(p[1:] if p[:1] == "\\" else p)
        for p in parts
    )
    return re.compile(regex, re.IGNORECASE | re.DOTALL)


def _compare(actual: Any, op: str, expected: Any) -> bool:
    if op in {"IN", "NOT IN"}:
        hit = any(_compare(actual, "=", value) for value in expected)
        return hit if op == "IN" else not hit
    if op == "LIKE":
        return (
            actual is not None
            and expected is not None
            and bool(_like(expected).fullmatch(str(actual)))
        )
    if expected is None or actual is None:
        same = actual is None and expected is None
        return same if op == "=" else (not same if op in {"!=", "<>"} else False)
    left, right = _comparable(actual), _comparable(expected)
    return {
        "=": left == right,
        "!=": left != right,
        "<>": left != right,
        "<": left < right,
        "<=": left <= right,
        ">": left > right,
        ">=": left >= right,
    }[op]


def matches(condition: Any, row: dict[str, Any], parent: Callable[[Any], Any]) -> bool:
    if condition is None:
        return True
    if isinstance(condition, Negation):
        return not matches(condition.item, row, parent)
    if isinstance(condition, Junction):
        results = (matches(item, row, parent) for item in condition.items)
        return all(results) if condition.joiner == "AND" else any(results)
    return _compare(condition.path.value(row, parent), condition.op, condition.value)


def run(
    query: Query, rows: Iterable[dict[str, Any]], parent: Callable[[Any], dict[str, Any] | None]
) -> list[dict[str, Any]]:
    """The rows the query selects, filtered, ordered and windowed (LIMIT/OFFSET)."""
    selected = [row for row in rows if matches(query.where, row, parent)]

    def order(a: dict[str, Any], b: dict[str, Any]) -> int:
        for path, descending, nulls_first in query.order:
            x = _comparable(path.value(a, parent), path.field)
            y = _comparable(path.value(b, parent), path.field)
            if x == y:
                continue
            if x is None or y is None:
                return (-1 if x is None else 1) * (1 if nulls_first else -1)
            return (-1 if x < y else 1) * (-1 if descending else 1)
        return 0

    if query.order:
        selected.sort(key=functools.cmp_to_key(order))
    end = None if query.limit is None else query.offset + query.limit
    return selected[query.offset : end]


def render(
    query: Query,
    row: dict[str, Any],
    parent: Callable[[Any], dict[str, Any] | None],
    attributes: Callable[[str, str], dict[str, str]],
) -> dict[str, Any]:
    """One result record: attributes, then the selected fields in SELECT order."""
    record: dict[str, Any] = {"attributes": attributes(query.sobject.name, row["Id"])}
    for path in query.select:
        if path.via is None:
            record[path.field.name] = row.get(path.field.name)
            continue
        name = path.via.relationship_name or path.via.name
        found = parent(row.get(path.via.name))
        if found is None:
            record[name] = None
            continue
        nested = record.get(name) or {
            "attributes": attributes(path.via.reference_to[0], found["Id"])
        }
        nested[path.field.name] = found.get(path.field.name)
        record[name] = nested
    return record
