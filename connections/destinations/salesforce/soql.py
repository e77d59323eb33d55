"""SOQL text: literals for lookups, and the shape of a model's SELECT.

SOQL is not SQL (no sqlglot dialect reads it), so a model's query is checked here: one
`SELECT … FROM …` (or a bare object name meaning all its fields), nothing that locks or writes.
Grammar: https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select.htm
Quoting: https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from connections.sources.read_only import UnsafeQueryError

OBJECT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
CALL = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*\((.*)\)\s*([A-Za-z_][A-Za-z0-9_]*)?$", re.DOTALL)
ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}
# Each lookup's IN list stays well under Salesforce's 16,384-byte URI limit once URL-encoded.
IN_LIST_BUDGET = 10_000
AGGREGATES = {"COUNT", "COUNT_DISTINCT", "SUM", "AVG", "MIN", "MAX"}
NUMERIC_FUNCTIONS = {"COUNT", "COUNT_DISTINCT", "SUM", "AVG"}
FIELDS_FUNCTION = "FIELDS"


def literal(value: Any, *, numeric: bool = False) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if numeric and re.fullmatch(r"[+-]?\d+(\.\d+)?", str(value)):
        return str(value)
    return "'" + "".join(ESCAPES.get(char, char) for char in str(value)) + "'"


def in_lists(literals: list[str], budget: int = IN_LIST_BUDGET) -> Iterator[list[str]]:
    """Literals grouped so each `IN (...)` fits the URI once encoded."""
    group: list[str] = []
    size = 0
    for item in literals:
        cost = len(quote(item, safe="")) + 3  # the encoded comma
        if group and size + cost > budget:
            yield group
            group, size = [], 0
        group.append(item)
        size += cost
    if group:
        yield group


# -- reading a model's query -----------------------------------------------------------------
def _scan(text: str) -> list[tuple[int, str]]:
    """Top-level words with their offsets: outside quotes and parentheses."""
    words: list[tuple[int, str]] = []
    depth, index, length = 0, 0, len(text)
    while index < length:
        char = text[index]
        if char == "'":
            index += 1
            while index < length and text[index] != "'":
                index += 2 if text[index] == "\\" else 1
            if index >= length:
                raise UnsafeQueryError(
                    "The query has a string that is never closed (a ' is missing)."
                )
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise UnsafeQueryError("The query closes a parenthesis it never opened.")
        elif char == ";" and depth == 0:
            raise UnsafeQueryError(
                "The query holds more than one statement; a model is one SELECT."
            )
        elif depth == 0 and (char.isalpha() or char == "_"):
            end = index
            while end < length and (text[end].isalnum() or text[end] in "_."):
                end += 1
            words.append((index, text[index:end].upper()))
            index = end
            continue
        index += 1
    if depth:
        raise UnsafeQueryError("The query opens a parenthesis it never closes.")
    return words


def _split_commas(text: str) -> list[str]:
    items, depth, start, quoted = [], 0, 0, False
    index = 0
    while index < len(text):
        char = text[index]
        if quoted:
            if char == "\\":
                index += 1
            elif char == "'":
                quoted = False
        elif char == "'":
            quoted = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            items.append(text[start:index].strip())
            start = index + 1
        index += 1
    items.append(text[start:].strip())
    return items


@dataclass(frozen=True)
class Column:
    """One output column of a SELECT: where its value sits in a record, and how to type it."""

    key: str  # record path: Email, Account.Name, expr0, total
    source: str = ""  # the field it reads (for a function), to borrow its type
    function: str = ""  # COUNT, MAX, toLabel, ... (upper-cased)

    @property
    def numeric(self) -> bool:
        return self.function in NUMERIC_FUNCTIONS


@dataclass
class Select:
    """A checked SOQL SELECT; `fields_functions` are FIELDS(...) items still to expand."""

    text: str
    sobject: str
    columns: list[Column] = field(default_factory=list)
    has_limit: bool = False
    fields_functions: list[str] = field(default_factory=list)


def check_soql(query: str) -> str:
    """The query without a trailing semicolon, or UnsafeQueryError saying why not."""
    text = (query or "").strip().rstrip(";").strip()
    if not text:
        raise UnsafeQueryError(
            "The query is empty. Write a SOQL SELECT, or name an object (e.g. Contact)."
        )
    if OBJECT_NAME.match(text):
        return text
    parse_select(text)
    return text


def parse_select(text: str) -> Select:
    words = _scan(text)
    first = words[0][1] if words and words[0][0] == 0 else text.split(None, 1)[0].upper()
    if first == "FIND":
        raise UnsafeQueryError(
            "SOSL searches (FIND …) are not supported; write a SOQL SELECT … FROM … instead."
        )
    if first != "SELECT":
        raise UnsafeQueryError(
            f"A Salesforce model is a SOQL query or an object name; {first} is neither "
            "(Syncline only reads from Salesforce)."
        )
    froms = [offset for offset, word in words if word == "FROM"]
    if not froms:
        raise UnsafeQueryError("A SOQL query needs FROM and the object to read, e.g. FROM Contact.")
    names = [word for _, word in words]
    for position, word in enumerate(names[:-1]):
        if word == "FOR" and names[position + 1] == "UPDATE":
            raise UnsafeQueryError("SELECT … FOR UPDATE locks records; a model may only read.")
    after_from = text[froms[0] + 4 :].split()
    if not after_from or not OBJECT_NAME.match(after_from[0]):
        raise UnsafeQueryError("FROM must name the object to read, e.g. FROM Contact.")
    select = Select(text=text, sobject=after_from[0], has_limit="LIMIT" in names)
    expressions = 0
    for item in _split_commas(text[len("SELECT") : froms[0]]):
        column = _column(item, expressions)
        if column is None:
            select.fields_functions.append(item)
            continue
        if column.function and column.key == f"expr{expressions}":
            expressions += 1
        select.columns.append(column)
    if not select.columns and not select.fields_functions:
        raise UnsafeQueryError("The query selects nothing: list fields after SELECT.")
    return select


def _column(item: str, expressions: int) -> Column | None:
    if not item:
        raise UnsafeQueryError("The field list has an empty item (two commas in a row?).")
    if PATH.match(item):
        return Column(key=item)
    if item.lstrip("(").upper().startswith("SELECT"):
        raise UnsafeQueryError(
            "Subqueries in the field list (child relationships) are not supported in a model; "
            "query the child object instead."
        )
    if item.upper().startswith("TYPEOF"):
        raise UnsafeQueryError("TYPEOF is not supported in a model; select the fields directly.")
    match = CALL.match(item)
    if match is None:
        raise UnsafeQueryError(f"Syncline cannot read the field list item {item!r}.")
    function, argument, alias = match.group(1).upper(), match.group(2).strip(), match.group(3)
    if function == FIELDS_FUNCTION:
        if argument.upper() not in {"ALL", "STANDARD", "CUSTOM"}:
            raise UnsafeQueryError("FIELDS() takes ALL, STANDARD or CUSTOM.")
        return None
    source = argument if PATH.match(argument) else ""
    if alias:
        return Column(key=alias, source=source, function=function)
    if function in AGGREGATES or not source:
        # Salesforce names unaliased aggregate columns expr0, expr1, ...
        return Column(key=f"expr{expressions}", source=source, function=function)
    return Column(key=source, source=source, function=function)  # toLabel(Status) → Status


def replace_fields_functions(select: Select, expansions: dict[str, list[str]]) -> str:
    """The query with each FIELDS(...) item replaced by explicit field names."""
    start = _from_offset(select.text)
    rebuilt: list[str] = []
    for item in _split_commas(select.text[len("SELECT") : start]):
        rebuilt.extend(expansions.get(item, [item]))
    return f"SELECT {', '.join(rebuilt)} {select.text[start:]}"


def _from_offset(text: str) -> int:
    return next(offset for offset, word in _scan(text) if word == "FROM")


def with_limit(text: str, limit: int) -> str:
    """The query with LIMIT n where SOQL wants it: before OFFSET and FOR VIEW/REFERENCE."""
    start = _from_offset(text)
    tail = next(
        (offset for offset, word in _scan(text) if offset > start and word in {"OFFSET", "FOR"}),
        len(text),
    )
    return f"{text[:tail].rstrip()} LIMIT {int(limit)} {text[tail:]}".rstrip()


def value_at(record: dict[str, Any], path: str) -> Any:
    """A column's value in a REST record: nested for relationships, keys matched without case."""
    current: Any = record
    for part in path.split("."):
        if not isinstance(current, dict):
            return None
        if part in current:
            current = current[part]
            continue
        lowered = part.lower()
        current = next((v for k, v in current.items() if k.lower() == lowered), None)
    return current
