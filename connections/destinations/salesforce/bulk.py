"""Bulk API 2.0 ingest: one job per object and up to bulk_batch_size records, results mapped back.

https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/bulk_api_2_0.htm
A job is: create → upload one CSV → UploadComplete → poll → successfulResults/ and
failedResults/. The results repeat each uploaded row's cells (after sf__Id, sf__Created or
sf__Error) but not its position, so rows are matched back by their cells; identical rows are
interchangeable, as their outcomes are. Rows in neither file were not processed: failed.
A job (or a call of it) failing keeps the outcomes of the jobs before it, and says whether its
own records may have been applied (Interrupted, see records.Answers).
"""

from __future__ import annotations

import csv
import io
import time
from collections import defaultdict, deque
from collections.abc import Callable

from connections.destinations.errors import DestinationError
from connections.destinations.salesforce.client import SalesforceClient, response_errors
from connections.destinations.salesforce.records import (
    Answers,
    Outcome,
    Row,
    bulk_errors,
    csv_value,
)

FINAL_STATES = {"JobComplete", "Failed", "Aborted"}
UNPROCESSED = "UNPROCESSED"  # ours: a row in neither result file
MAX_CSV_BYTES = 100_000_000  # Salesforce takes 150 MB base64-encoded: 100 MB of raw CSV
POLL_FIRST, POLL_MAX = 0.5, 10.0  # seconds between polls, growing
POLL_GIVE_UP = 30 * 60.0


def to_csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


class Bulk:
    upserts_on_id = True  # "based on an ID, or the value of a specified external ID field"

    def __init__(
        self,
        client: SalesforceClient,
        job_size: int,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.chunk_size = job_size
        self.sleep = sleep
        self.clock = clock

    def insert(self, rows: list[Row]) -> list[Outcome]:
        return self._by_object(rows, "insert")

    def update(self, rows: list[Row]) -> list[Outcome]:
        return self._by_object(rows, "update")

    def upsert(self, sobject: str, key: str, rows: list[Row]) -> list[Outcome]:
        return self._jobs(sobject, "upsert", rows, key)

    def delete(self, rows: list[Row]) -> list[Outcome]:
        return self._by_object(rows, "delete")

    def _by_object(self, rows: list[Row], operation: str) -> list[Outcome]:
        """A job holds one object: group, run, and put the outcomes back in order. A job that
        fails keeps the outcomes of the jobs before it (Interrupted)."""
        groups: dict[str, list[int]] = defaultdict(list)
        for index, row in enumerate(rows):
            groups[row.sobject].append(index)
        answers = Answers(len(rows))
        for sobject, indexes in groups.items():
            try:
                answers.put(indexes, self._jobs(sobject, operation, [rows[i] for i in indexes]))
            except DestinationError as error:
                raise answers.interrupted(error, indexes) from None
        return answers.outcomes()

    def _jobs(
        self, sobject: str, operation: str, rows: list[Row], key: str | None = None
    ) -> list[Outcome]:
        answers = Answers(len(rows))
        done = 0
        for start in range(0, len(rows), self.chunk_size):
            chunk = rows[start : start + self.chunk_size]
            header = list(dict.fromkeys(name for row in chunk for name in row.values))
            cells = [
                [csv_value(row.values[name]) if name in row.values else "" for name in header]
                for row in chunk
            ]
            for part in self._by_size(header, cells):
                indexes = range(done, done + len(part))
                try:
                    answers.put(indexes, self._job(sobject, operation, key, header, part))
                except DestinationError as error:
                    raise answers.interrupted(error, indexes) from None
                done += len(part)
        return answers.outcomes()

    @staticmethod
    def _by_size(header: list[str], cells: list[list[str]]) -> list[list[list[str]]]:
        parts: list[list[list[str]]] = [[]]
        size = len(to_csv([header]).encode())
        for row in cells:
            row_size = len(to_csv([row]).encode())
            if parts[-1] and size + row_size > MAX_CSV_BYTES:
                parts.append([])
                size = len(to_csv([header]).encode())
            parts[-1].append(row)
            size += row_size
        return parts

    def _job(
        self,
        sobject: str,
        operation: str,
        key: str | None,
        header: list[str],
        cells: list[list[str]],
    ) -> list[Outcome]:
        """One job, start to finish. Its failures say what became of its records: before the
        job is closed nothing can be processed (not sent); once it is, Salesforce may be
        applying them (in doubt) until its results are read."""
        spec = {
            "object": sobject,
            "operation": operation,
            "contentType": "CSV",
            "lineEnding": "LF",
            "columnDelimiter": "COMMA",
        }
        if key:
            # Bulk 2.0 upserts "based on an ID, or the value of a specified external ID field":
            # https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/bulk_api_2_0_upsert.htm
            spec["externalIdFieldName"] = key
        what = f"Bulk {operation} of {sobject}"
        every = range(len(cells))
        try:
            created = self.client.request("POST", "jobs/ingest", json=spec)
        except DestinationError as error:
            # A job that was never opened holds no records, whatever became of the call.
            raise Answers(len(cells)).interrupted(error, every, in_doubt=False) from None
        if created.status_code == 400:  # Salesforce refuses the job: its records, in its words
            errors = response_errors(created)
            return [Outcome(False, errors=list(errors)) for _ in cells]
        if created.status_code >= 300:
            error = self.client.error(created, f"{what}: creating the job")
            raise Answers(len(cells)).interrupted(error, every, in_doubt=False)
        job_id = created.json()["id"]
        try:
            upload = self.client.request(
                "PUT",
                f"jobs/ingest/{job_id}/batches",
                content=to_csv([header, *cells]).encode(),
                headers={"Content-Type": "text/csv"},
            )
        except DestinationError as error:
            self._abort(job_id)
            raise Answers(len(cells)).interrupted(error, every, in_doubt=False) from None
        if upload.status_code >= 300:
            error = self.client.error(upload, f"{what}: uploading the records")
            self._abort(job_id)
            if upload.status_code == 400:
                return [Outcome.failed("", error.message) for _ in cells]
            raise Answers(len(cells)).interrupted(error, every, in_doubt=False)
        try:
            self.client.json(
                "PATCH",
                f"jobs/ingest/{job_id}",
                json={"state": "UploadComplete"},
                what=f"{what}: closing the job",
            )
        except DestinationError as error:
            # Refused (4xx): the job stays open and processes nothing. No answer or a 5xx:
            # the job may have been closed, and closed jobs run.
            refused = error.status is not None and 400 <= error.status < 500
            raise Answers(len(cells)).interrupted(error, every, in_doubt=not refused) from None
        try:
            info = self._wait(job_id, what)
            return self._results(job_id, info, header, cells, what)
        except DestinationError as error:
            raise Answers(len(cells)).interrupted(error, every, in_doubt=True) from None

    def _abort(self, job_id: str) -> None:
        """Best effort: an open job Salesforce never got the data of is deleted after a while
        anyway, so a failed abort changes nothing for its records."""
        try:
            self.client.request("PATCH", f"jobs/ingest/{job_id}", json={"state": "Aborted"})
        except DestinationError:
            pass

    def _wait(self, job_id: str, what: str) -> dict[str, str]:
        started, pause = self.clock(), POLL_FIRST
        while True:
            info = self.client.json("GET", f"jobs/ingest/{job_id}", what=f"{what}: polling")
            if info.get("state") in FINAL_STATES:
                return info
            if self.clock() - started > POLL_GIVE_UP:
                # The job runs on without us: its records may be applied, so they are in doubt
                # (never "sent again next run", which would create them twice).
                raise DestinationError(
                    f"{what}: job {job_id} was still {info.get('state')} after "
                    f"{POLL_GIVE_UP / 60:.0f} minutes. Salesforce may still apply its records, "
                    "so they are not marked delivered; Syncline checks what the job did "
                    "before sending them again.",
                    permanent=False,
                    in_doubt=True,
                )
            self.sleep(pause)
            pause = min(POLL_MAX, pause * 2)

    def _results(
        self,
        job_id: str,
        info: dict[str, str],
        header: list[str],
        cells: list[list[str]],
        what: str,
    ) -> list[Outcome]:
        waiting: dict[tuple[str, ...], deque[int]] = defaultdict(deque)
        for index, row in enumerate(cells):
            waiting[tuple(row)].append(index)
        outcomes: list[Outcome | None] = [None] * len(cells)
        for kind in ("successfulResults", "failedResults"):
            response = self.client.request("GET", f"jobs/ingest/{job_id}/{kind}/")
            if response.status_code >= 300:
                raise self.client.error(response, f"{what}: reading {kind}")
            for result in csv.DictReader(io.StringIO(response.text)):
                found = waiting.get(tuple(result.get(name, "") for name in header))
                if not found:
                    continue
                index = found.popleft()
                if kind == "successfulResults":
                    created = (result.get("sf__Created") or "").lower() == "true"
                    outcomes[index] = Outcome(True, result.get("sf__Id") or "", created)
                else:
                    errors = bulk_errors(result.get("sf__Error") or "")
                    outcomes[index] = Outcome(False, result.get("sf__Id") or "", errors=errors)
        reason = info.get("errorMessage") or f"the job ended {info.get('state')}"
        unprocessed = Outcome.failed(
            UNPROCESSED, f"Salesforce did not process this record ({reason})"
        )
        return [outcome or unprocessed for outcome in outcomes]
