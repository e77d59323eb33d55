"""Model rows → records keyed by identity, with only the columns the sync maps (DESIGN.md §5.3)."""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple

from syncs.engine.plan import PlanError, SyncPlan
from syncs.engine.values import AS_IS, CONVERTERS, JSON_REMOTE_TYPES, normalize


@dataclass(frozen=True)
class Column:
    name: str
    remote_type: str = ""


def resolve_columns(available: list[Column], wanted: list[str]) -> dict[str, int]:
    """Where each wanted column sits in a row. An exact match wins; otherwise the names are
    compared case-insensitively (Snowflake upper-cases unquoted names) and must match once."""
    exact = {column.name: i for i, column in enumerate(available)}
    folded: dict[str, list[int]] = {}
    for i, column in enumerate(available):
        folded.setdefault(column.name.lower(), []).append(i)
    positions: dict[str, int] = {}
    for name in wanted:
        if name in exact:
            positions[name] = exact[name]
            continue
        matches = folded.get(name.lower(), [])
        if len(matches) > 1:
            both = " and ".join(available[i].name for i in matches)
            raise PlanError(
                f"The model has more than one column named like {name} ({both}). Rename one "
                "of them in the model's query so the sync knows which to use."
            )
        if not matches:
            names = ", ".join(column.name for column in available) or "none"
            raise PlanError(
                f"The model has no column {name} any more (its columns: {names}). Edit the "
                "sync's mappings, or bring the column back in the model's query."
            )
        positions[name] = matches[0]
    return positions


class Row(NamedTuple):
    """One model row as the destination will get it (a tuple: a million of them are made)."""

    identity: str  # normalised as the destination matches it; "" when missing
    record: dict[str, Any]  # {target field: value}, the identity field included
    row_hash: int | None = None  # the source's digest of the model row, when it gives one


def rows_to_records(
    plan: SyncPlan,
    columns: list[Column],
    chunks: Iterable[list[tuple[Any, ...]]],
    *,
    normalize_identity: Callable[[Any], str],
    hashed: bool = False,
) -> Iterator[list[Row]]:
    """Chunks of rows → chunks of records; memory holds one chunk at a time.

    The loop runs once per model row (a million for P1 in docs/benchmarks.md), so what can be
    decided once per column is: where the column is, and whether its values are JSON text to
    parse. Values JSON takes as they are pass untouched; others go through their converter,
    found by exact type (values.CONVERTERS), or normalize. `hashed`: each row ends with the
    source's digest of it (RowStream.hashed), kept beside the record."""
    positions = resolve_columns(columns, plan.columns)
    types = {name: columns[i].remote_type for name, i in positions.items()}
    identity_at = positions[plan.identity_source] if plan.identity_source else None
    mapped = [(m.target, positions[m.source], _parser(types[m.source])) for m in plan.fields]
    overrides = plan.overrides
    identity_target = plan.identity_target
    converters = CONVERTERS
    new_row = tuple.__new__  # Row(...) without NamedTuple's Python-level __new__: a million rows
    for chunk in chunks:
        out: list[Row] = []
        append = out.append
        for row in chunk:
            record: dict[str, Any] = {}
            for target, i, parse in mapped:
                value = row[i]
                if parse is not None:
                    record[target] = parse(value)
                elif value.__class__ in AS_IS:
                    record[target] = value
                else:
                    record[target] = converters.get(value.__class__, normalize)(value)
            if overrides:
                record.update(overrides)
            identity = ""
            if identity_at is not None:
                value = row[identity_at]
                if value.__class__ not in AS_IS:
                    value = converters.get(value.__class__, normalize)(value)
                identity = normalize_identity(value)
                if identity_target:
                    record[identity_target] = identity
            append(new_row(Row, (identity, record, row[-1] if hashed else None)))
        yield out


def _parser(remote_type: str) -> Callable[[Any], Any] | None:
    """How the values of a column of JSON text (Snowflake VARIANT, ...) are read; None for any
    other column."""
    if remote_type.upper() not in JSON_REMOTE_TYPES:
        return None
    return functools.partial(normalize, remote_type=remote_type)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a model streams through. Each row makes a
    dict and tuples, and every 700 of them start a collection that walks the objects still
    alive: on a million rows that doubles the time spent building records (docs/benchmarks.md,
    P1). Records hold no cycles, so nothing is left for the collector to find; it is back on
    (if it was on) as soon as the block ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
