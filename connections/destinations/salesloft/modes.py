"""What each Salesloft sync mode does with a batch, one row at a time (writes.py has the calls).

Every call that carries a row runs inside `batch.sending(i)`, so when it fails for the whole
batch the row it carried is known: in doubt if the call may have been applied, else not sent.
"""

from __future__ import annotations

from collections.abc import Mapping

from connections.destinations.salesloft.writes import Batch, SalesloftWriter


def update_or_create(writer: SalesloftWriter, batch: Batch) -> None:
    for i in batch.pending:
        with batch.sending(i):
            done = writer.upsert(batch, i)
        if done is not None:
            batch.accept(i, *done)


def create(writer: SalesloftWriter, batch: Batch) -> None:
    for i in batch.pending:
        with batch.sending(i):
            record_id = writer.create(batch, i)
        if record_id is not None:
            batch.accept(i, record_id, "insert")


def update(writer: SalesloftWriter, batch: Batch, known_ids: Mapping[str, str]) -> None:
    """PUT each row onto its record: the id an earlier run got when there is one, else the one
    record its identity finds. A known id Salesloft no longer has (merged, deleted) is looked up
    again by identity rather than failing on every run."""
    targets: dict[int, int] = {}
    for i in batch.pending:
        known = str(known_ids.get(batch.identities[i]) or "").strip()
        if known.isdigit():
            targets[i] = int(known)
    known_rows = set(targets)
    targets.update(_existing(writer, batch, [i for i in batch.pending if i not in known_rows]))
    stale: list[int] = []
    for i in sorted(targets):
        with batch.sending(i):
            if not writer.update(batch, i, targets[i], settle_gone=i not in known_rows):
                stale.append(i)
    for i, record_id in sorted(_existing(writer, batch, stale).items()):
        with batch.sending(i):
            writer.update(batch, i, record_id)


def _existing(writer: SalesloftWriter, batch: Batch, indices: list[int]) -> dict[int, int]:
    """The one record each row updates; rows matching none or several are rejected."""
    if not indices:
        return {}
    singular, plural = ("person", "people") if batch.kind == "people" else ("account", "accounts")
    targets: dict[int, int] = {}
    for i, ids in writer.find(batch, indices).items():
        identity = batch.identities[i]
        if not ids:
            batch.reject(
                i,
                f"No Salesloft {singular} has {batch.key} {identity}. Update mode only changes "
                f"existing {plural}; choose updateOrCreate to create them too.",
                "update",
            )
        elif len(ids) > 1:
            batch.reject(
                i,
                f"{len(ids)} Salesloft {plural} have {batch.key} {identity}, so Syncline "
                "can't tell which one to update.",
                "update",
            )
        else:
            targets[i] = ids[0]
    return targets


def to_cadence(writer: SalesloftWriter, batch: Batch, cadence_id: int, mode: str) -> None:
    """Each row's person, upserted (updateOrCreate) or found or created (create), then added.
    Rows are taken one at a time, so a failure leaves at most the row under way half done."""
    if mode == "updateOrCreate":
        for i in batch.pending:
            with batch.sending(i):
                done = writer.upsert(batch, i)
                if done is not None:
                    writer.add_to_cadence(batch, i, cadence_id, done[0])
        return
    # create: add people as they are; create only the ones Salesloft doesn't know yet.
    found = writer.find(batch, batch.pending)  # one lookup for the whole batch
    for i in batch.pending:
        ids = found[i]
        if len(ids) > 1:
            batch.reject(
                i,
                f"{len(ids)} Salesloft people have {batch.key} {batch.identities[i]}, so "
                "Syncline can't tell which one to add to the cadence.",
                "insert",
            )
            continue
        if not ids and batch.key == "id":
            batch.reject(i, f"{batch.identities[i]} is not a Salesloft person id.", "insert")
            continue
        with batch.sending(i):
            person_id = ids[0] if ids else writer.create(batch, i)
            if person_id is not None:
                writer.add_to_cadence(batch, i, cadence_id, person_id)


def from_cadence(
    writer: SalesloftWriter, batch: Batch, cadence_id: int, known_ids: Mapping[str, str]
) -> None:
    """Each row's person taken off the cadence: their membership ends. The person is the one an
    earlier run added (known_ids), else the one their identity finds. Someone Salesloft doesn't
    know, or who isn't on the cadence, is already where the sync wants them: delivered,
    unchanged. The person record itself stays: it is the team's, not the sync's."""
    people: dict[int, int] = {}
    for i in batch.pending:
        known = str(known_ids.get(batch.identities[i]) or "").strip()
        if known.isdigit():
            people[i] = int(known)
    for i, ids in writer.find(batch, [i for i in batch.pending if i not in people]).items():
        if not ids:
            batch.accept(i, "", "delete", changed=False)
        elif len(ids) > 1:
            batch.reject(
                i,
                f"{len(ids)} Salesloft people have {batch.key} {batch.identities[i]}, so "
                "Syncline can't tell which one to take off the cadence.",
                "delete",
            )
        else:
            people[i] = ids[0]
    for i in sorted(people):
        with batch.sending(i):
            writer.end_membership(batch, i, cadence_id, people[i])
