"""A model is one read-only SELECT: checked with a real SQL parser before it reaches a warehouse."""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

WRITES = (
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Merge,
    exp.Create,
    exp.Drop,
    exp.Alter,
    exp.Command,
    exp.Copy,
    exp.TruncateTable,
    exp.Grant,
)


class UnsafeQueryError(ValueError):
    """The query is not one read-only SELECT; the message says why."""


def ensure_read_only(query: str, *, dialect: str) -> str:
    """Return the query without a trailing semicolon, or raise UnsafeQueryError."""
    text = (query or "").strip().rstrip(";").strip()
    if not text:
        raise UnsafeQueryError("The query is empty. Write a SELECT statement.")
    try:
        statements = [s for s in sqlglot.parse(text, dialect=dialect) if s is not None]
    except ParseError as error:
        detail = error.errors[0] if error.errors else {}
        where = (
            f" near line {detail.get('line')}, column {detail.get('col')}"
            if detail.get("line")
            else ""
        )
        raise UnsafeQueryError(
            f"The query has a syntax error{where}: {_first_line(error)}"
        ) from error
    if len(statements) != 1:
        raise UnsafeQueryError(
            f"The query holds {len(statements)} statements; a model is a single SELECT."
        )
    statement = statements[0]
    if not isinstance(statement, exp.Query):
        kind = statement.key.upper() if statement.key != "command" else _first_word(text)
        message = f"A model must be a SELECT (or WITH … SELECT) statement, not {kind}."
        raise UnsafeQueryError(message + " Syncline only reads from your warehouse.")
    for node in statement.walk():
        if isinstance(node, WRITES):
            raise UnsafeQueryError(
                f"The query contains a {node.key.upper()} statement; a model may only read."
            )
        if isinstance(node, exp.Select) and node.args.get("into"):
            raise UnsafeQueryError("SELECT … INTO creates a table; a model may only read.")
        if isinstance(node, exp.Select) and node.args.get("locks"):
            raise UnsafeQueryError("SELECT … FOR UPDATE locks rows; a model may only read.")
    return text


def _first_line(error: ParseError) -> str:
    message = error.errors[0].get("description") if error.errors else str(error)
    # sqlglot prints tokens as reprs; a person needs only the text that was found.
    message = re.sub(r"<Token token_type: [^,]+, text: ([^,]*),.*?>", r"'\1'", str(message))
    return message.splitlines()[0]


def _first_word(text: str) -> str:
    return text.split(None, 1)[0].upper()
