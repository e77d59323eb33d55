"""JSON bodies, with one leniency: a trailing comma before ``}`` or ``]``.

The vendor walkthroughs' model examples carry one after ``query`` (reference/seeds/), and
people paste them as they are. Nothing else is forgiven: any other malformed JSON is a 400
naming the line and column (docs/api.md, "Leniency").
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import IO, Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser


def without_trailing_commas(text: str) -> str:
    """`text` with each comma that only precedes a ``}`` or ``]`` replaced by a space (so line
    and column numbers of any remaining error stay those of the original text)."""
    chars = list(text)
    in_string = escaped = False
    pending: int | None = None  # index of a comma not yet followed by anything but whitespace
    previous = ""  # the last significant character before the current one
    for index, char in enumerate(chars):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
                previous = '"'
            continue
        if char in " \t\r\n":
            continue
        if char in "}]" and pending is not None:
            chars[pending] = " "
        # Only a comma after a value is trailing: "[,]" or "{,}" stay errors.
        pending = index if char == "," and previous not in ("", "[", "{", ",", ":") else None
        previous = char
        if char == '"':
            in_string = True
    return "".join(chars)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_json_body(text: str) -> Any:
    """The body's value, or ParseError saying where the JSON goes wrong."""
    try:
        return json.loads(without_trailing_commas(text), parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise ParseError(
            f"The request body is not valid JSON: {error.msg} at line {error.lineno}, "
            f"column {error.colno}."
        ) from error
    except ValueError as error:
        raise ParseError(f"The request body is not valid JSON: {error}.") from error


class LenientJSONParser(BaseParser):
    media_type = "application/json"

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        raw = stream.read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ParseError("The request body is not UTF-8 text.") from error
        if not text.strip():
            return {}
        return parse_json_body(text)
