"""Records whose lookups point at nothing: invalid_relationships and ignore_invalid_references.

Salesforce refuses such a record with a per-record error naming the lookup field
(INVALID_CROSS_REFERENCE_KEY for an Id that names nothing, INVALID_FIELD for an external id
that matches no parent, ...). `omit_values` sends the record again without those values;
`omit_records` leaves it out, saying so; Lead's `ignore_invalid_references` omits only values
given through a parent's external id (`Owner.Employee_Id__c`). Records are retried once, and
only when every error is about a lookup, so nothing else is ever silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable

from connections.destinations.salesforce.describe import ObjectInfo
from connections.destinations.salesforce.options import TargetOptions
from connections.destinations.salesforce.records import Outcome, Row

REFERENCE_CODES = {
    "INVALID_CROSS_REFERENCE_KEY",
    "MALFORMED_ID",
    "INVALID_FIELD",
    "DUPLICATE_EXTERNAL_ID",
    "INVALID_ID_FIELD",
    "FIELD_INTEGRITY_EXCEPTION",
}


def invalid_reference_keys(row: Row, outcome: Outcome, info: ObjectInfo) -> set[str] | None:
    """The record keys behind the lookups Salesforce refused; None if any error is another."""
    keys: set[str] = set()
    for error in outcome.errors:
        if error.code not in REFERENCE_CODES or not error.fields:
            return None
        for name in error.fields:
            lookup = info.field(name)
            if lookup is None or lookup.type != "reference":
                return None
            hits = {
                key
                for key in row.values
                if key.lower() == lookup.name.lower()
                or ("." in key and info.relationship(key.split(".", 1)[0]) == lookup)
            }
            if not hits:
                return None
            keys |= hits
    return keys or None


def plan_omissions(
    rows: list[Row],
    outcomes: list[Outcome],
    options: TargetOptions,
    describe: Callable[[str], ObjectInfo],
) -> tuple[list[tuple[int, Row]], list[str]]:
    """The rows to send again without their invalid lookups (index in `rows`, the row as it is
    to be sent), and a note per record saying what was omitted. The caller sends the retry, so
    a failing retry never hides the first call's answers."""
    notes = [""] * len(rows)
    retry: list[tuple[int, Row]] = []
    for index, (row, outcome) in enumerate(zip(rows, outcomes, strict=True)):
        if outcome.ok:
            continue
        bad = invalid_reference_keys(row, outcome, describe(row.sobject))
        if not bad:
            continue
        through_external_ids = all("." in key for key in bad)
        if options.invalid_relationships == "omit_values" or (
            options.ignore_invalid_references and through_external_ids
        ):
            kept = {k: v for k, v in row.values.items() if k not in bad}
            retry.append((index, Row(row.position, row.sobject, kept)))
            notes[index] = f"sent without {', '.join(sorted(bad))}: {outcome.message}"
        elif options.invalid_relationships == "omit_records":
            notes[index] = "left out (invalid_relationships is omit_records)"
    return retry, notes
