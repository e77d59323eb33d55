"""Model rows → records keyed by identity, with only the columns the sync maps (DESIGN.md §5.3)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from syncs.engine.plan import PlanError, SyncPlan
from syncs.engine.values import normalize


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


@dataclass(frozen=True)
class Row:
    """One model row as the destination will get it."""

    identity: str  # normalised as the destination matches it; "" when missing
    record: dict[str, Any]  # {target field: value}, the identity field included


def rows_to_records(
    plan: SyncPlan,
    columns: list[Column],
    chunks: Iterable[list[tuple[Any, ...]]],
    *,
    normalize_identity: Callable[[Any], str],
) -> Iterator[list[Row]]:
    """Chunks of rows → chunks of records; memory holds one chunk at a time."""
    positions = resolve_columns(columns, plan.columns)
    types = {name: columns[i].remote_type for name, i in positions.items()}
    identity_at = positions[plan.identity_source] if plan.identity_source else None
    mapped = [(m.target, positions[m.source], types[m.source]) for m in plan.fields]
    overrides = plan.overrides
    for chunk in chunks:
        out: list[Row] = []
        for row in chunk:
            record = {target: normalize(row[i], remote_type=kind) for target, i, kind in mapped}
            record.update(overrides)
            identity = ""
            if identity_at is not None:
                identity = normalize_identity(normalize(row[identity_at]))
                if plan.identity_target:
                    record[plan.identity_target] = identity
            out.append(Row(identity, record))
        yield out
