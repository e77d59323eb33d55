"""Bulk API 2.0 ingest: one job per object and up to bulk_batch_size records, results mapped back.

https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/bulk_api_2_0.htm
A job is: create → upload one CSV → UploadComplete → poll → successfulResults/ and
failedResults/. The results repeat each uploaded row's cells (after sf__Id, sf__Created or
sf__Error) but not its position, so rows are matched back by their cells; identical rows are
interchangeable, as their outcomes are. Rows in neither file were not processed: failed.
"""

from __future__ import annotations

import csv
import io
import time
from collections import defaultdict, deque
from collections.abc import Callable

from connections.destinations.errors import DestinationError
from connections.destinations.salesforce.client import SalesforceClient
from connections.destinations.salesforce.records import Outcome, Row, bulk_errors, csv_value

FINAL_STATES = {"JobComplete", "Failed", "Aborted"}
MAX_CSV_BYTES = 100_000_000  # Salesforce takes 150 MB base64-encoded: 100 MB of raw CSV
POLL_FIRST, POLL_MAX = 0.5, 10.0  # seconds between polls, growing
POLL_GIVE_UP = 30 * 60.0


def to_csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


class Bulk:
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
        """A job holds one object: group, run, and put the outcomes back in order."""
        groups: dict[str, list[int]] = defaultdict(list)
        for index, row in enumerate(rows):
            groups[row.sobject].append(index)
        outcomes: list[Outcome | None] = [None] * len(rows)
        for sobject, indexes in groups.items():
            results = self._jobs(sobject, operation, [rows[i] for i in indexes])
            for index, outcome in zip(indexes, results, strict=True):
                outcomes[index] = outcome
        return [outcome or Outcome.failed("UNPROCESSED", "not sent") for outcome in outcomes]

    def _jobs(
        self, sobject: str, operation: str, rows: list[Row], key: str | None = None
    ) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for start in range(0, len(rows), self.chunk_size):
            chunk = rows[start : start + self.chunk_size]
            header = list(dict.fromkeys(name for row in chunk for name in row.values))
            cells = [
                [csv_value(row.values[name]) if name in row.values else "" for name in header]
                for row in chunk
            ]
            for part in self._by_size(header, cells):
                outcomes.extend(self._job(sobject, operation, key, header, part))
        return outcomes

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
        spec = {
            "object": sobject,
            "operation": operation,
            "contentType": "CSV",
            "lineEnding": "LF",
            "columnDelimiter": "COMMA",
        }
        if key:
            spec["externalIdFieldName"] = key
        what = f"Bulk {operation} of {sobject}"
        job = self.client.json("POST", "jobs/ingest", json=spec, what=f"{what}: creating the job")
        job_id = job["id"]
        upload = self.client.request(
            "PUT",
            f"jobs/ingest/{job_id}/batches",
            content=to_csv([header, *cells]).encode(),
            headers={"Content-Type": "text/csv"},
        )
        if upload.status_code >= 300:
            error = self.client.error(upload, f"{what}: uploading the records")
            self.client.request("PATCH", f"jobs/ingest/{job_id}", json={"state": "Aborted"})
            if upload.status_code == 400:
                return [Outcome.failed("", error.message) for _ in cells]
            raise error
        self.client.json(
            "PATCH",
            f"jobs/ingest/{job_id}",
            json={"state": "UploadComplete"},
            what=f"{what}: closing the job",
        )
        info = self._wait(job_id, what)
        return self._results(job_id, info, header, cells, what)

    def _wait(self, job_id: str, what: str) -> dict[str, str]:
        started, pause = self.clock(), POLL_FIRST
        while True:
            info = self.client.json("GET", f"jobs/ingest/{job_id}", what=f"{what}: polling")
            if info.get("state") in FINAL_STATES:
                return info
            if self.clock() - started > POLL_GIVE_UP:
                raise DestinationError(
                    f"{what}: job {job_id} was still {info.get('state')} after "
                    f"{POLL_GIVE_UP / 60:.0f} minutes. Its records are not marked delivered; "
                    "the next run sends them again (upserts and updates are safe to repeat).",
                    permanent=False,
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
            "UNPROCESSED", f"Salesforce did not process this record ({reason})"
        )
        return [outcome or unprocessed for outcome in outcomes]
