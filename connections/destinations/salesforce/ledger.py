"""What Salesforce said about each record of one write, kept in the caller's order as the
answers come, so that a failure later in the write can't lose them."""

from __future__ import annotations

from connections.destinations.base import Operation, RecordResult, WriteBatch
from connections.destinations.base import Outcome as Result
from connections.destinations.errors import DestinationError
from connections.destinations.salesforce.bulk import UNPROCESSED
from connections.destinations.salesforce.records import Answer, Outcome, Unanswered

# Rejections a later attempt may turn into an acceptance: a record another transaction held
# locked ("other clients have to wait until the transaction completes",
# https://developer.salesforce.com/docs/atlas.en-us.apexcode.meta/apexcode/langCon_apex_locking_statements.htm),
# Salesforce's own transient failures, and records a Bulk job never got to.
RETRYABLE = {
    "UNABLE_TO_LOCK_ROW",
    "UNKNOWN_EXCEPTION",
    "SERVER_UNAVAILABLE",
    "REQUEST_RUNNING_TOO_LONG",
    UNPROCESSED,
}


def refusal(answer: Outcome) -> str:
    """Salesforce's per-record errors as a sentence: its words first, each with its code
    ("Salesforce refused this record: Required fields are missing: [LastName]
    (REQUIRED_FIELD_MISSING)"). A record a Bulk job never got to already has Syncline's own."""
    if answer.code == UNPROCESSED:
        return answer.errors[0].message
    said = "; ".join(
        f"{error.message} ({error.code})"
        if error.code and error.message
        else error.message or error.code
        for error in answer.errors
    )
    return f"Salesforce refused this record: {said or 'it gave no reason'}"


class Ledger:
    def __init__(self, identities: list[str], operation: Operation) -> None:
        self.identities = identities  # as the engine keyed them
        self.operation = operation  # the mode's, for records no call got to
        self.results: list[RecordResult | None] = [None] * len(identities)

    def settled(self, position: int) -> bool:
        return self.results[position] is not None

    def record(self, position: int, answer: Answer, operation: Operation, note: str = "") -> None:
        """A transport's answer for one record; `note` says what Syncline changed (an
        invalid lookup left out)."""
        identity = self.identities[position]
        if isinstance(answer, Unanswered):
            result = (
                RecordResult.in_doubt(identity, operation, answer.message)
                if answer.in_doubt
                else RecordResult.not_sent(identity, operation, answer.message)
            )
        elif answer.ok:
            if operation is Operation.UPSERT and answer.created is not None:
                operation = Operation.INSERT if answer.created else Operation.UPDATE
            result = RecordResult.accepted(identity, operation, answer.id)
            result.message = note
        else:
            message = refusal(answer)
            if note:
                message = f"{message} ({note})"
            code = answer.code
            result = RecordResult.rejected(
                identity, operation, message, code=code, retryable=code in RETRYABLE
            )
        self.results[position] = result

    def accept(
        self,
        position: int,
        operation: Operation,
        destination_id: str = "",
        *,
        changed: bool,
        message: str = "",
    ) -> None:
        result = RecordResult.accepted(
            self.identities[position], operation, destination_id, changed=changed
        )
        result.message = message
        self.results[position] = result

    def reject(self, position: int, message: str, *, code: str) -> None:
        """A rejection Syncline reads from Salesforce's data (a lookup found nothing): `message`
        is Syncline's sentence, `code` the Salesforce code nearest to it."""
        self.results[position] = RecordResult.rejected(
            self.identities[position], self.operation, message, code=code
        )

    def rejected_with(self, positions: set[int], codes: set[str]) -> list[int]:
        return sorted(
            position
            for position in positions
            if (result := self.results[position]) is not None
            and result.outcome is Result.REJECTED
            and result.code in codes
        )

    def forget(self, positions: list[int]) -> None:
        """These records are to be sent again (a known id turned out stale)."""
        for position in positions:
            self.results[position] = None

    def stopped(self, message: str) -> bool:
        """The write stopped: the records no call got to were not sent. Whether nothing at all
        reached Salesforce (then the whole write failed)."""
        for position, result in enumerate(self.results):
            if result is None:
                self.results[position] = RecordResult.not_sent(
                    self.identities[position], self.operation, message
                )
        return all(r is not None and r.outcome is Result.NOT_SENT for r in self.results)

    def batch(self, failure: DestinationError | None = None) -> WriteBatch:
        results = [
            result
            or RecordResult.not_sent(
                self.identities[i], self.operation, "Syncline did not send this record."
            )
            for i, result in enumerate(self.results)
        ]
        return WriteBatch(results, failure=failure)
