"""Bulk API 2.0 ingest jobs for the Salesforce emulator: create, upload CSV, close, poll, results.

Docs: https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/bulk_api_2_0.htm
Records go through the same validation as REST writes (salesforce_records). Processing happens
when the job is closed (UploadComplete); the first poll afterwards reports JobComplete, unless
`bulk_in_progress_polls` holds jobs of an object (or "*": every object) InProgress for that many
polls, as a busy org does — a test sets it on the emulator to make a client give up waiting.
Empty CSV cells leave a field unchanged and `#N/A` sets it to null, as in Salesforce.
"""

from __future__ import annotations

import csv
import io
import math
import time
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.emulator import Reply, json_response
from sandbox.vendors.salesforce_records import (
    Org,
    Outcome,
    RequestError,
    duplicate_keys,
    json_object,
    timestamp,
)
from sandbox.vendors.salesforce_schema import OBJECTS, SObject, sobject
from sandbox.warehouse_data import salesforce_id

if TYPE_CHECKING:
    from sandbox.emulator import Emulator

    _Base = Emulator
else:
    _Base = object

OPERATIONS = {"insert", "update", "upsert", "delete", "hardDelete"}
DELIMITERS = {
    "COMMA": ",",
    "TAB": "\t",
    "PIPE": "|",
    "SEMICOLON": ";",
    "CARET": "^",
    "BACKQUOTE": "`",
}
LINE_ENDINGS = {"LF", "CRLF"}
FINAL_STATES = {"UploadComplete", "JobComplete", "Aborted", "Failed"}
MAX_UPLOAD_BYTES = 150_000_000  # 150 MB once base64-encoded; the docs advise 100 MB raw
INTERNAL_BATCH = 10_000  # Salesforce splits a job into batches of 10,000 records
JOB_INFO = (
    "id", "operation", "object", "createdById", "createdDate", "systemModstamp", "state",
    "externalIdFieldName", "concurrencyMode", "contentType", "apiVersion", "contentUrl",
    "lineEnding", "columnDelimiter",
)  # fmt: skip


def job_not_found() -> Reply:
    body = [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]
    return Reply(json_response(body, 404))


def error_cell(outcome: Outcome) -> str:
    """sf__Error: 'CODE:message:fields --' per error."""
    return " ".join(
        f"{e['statusCode']}:{e['message']}:{','.join(e['fields'])} --" for e in outcome.errors
    )


def to_csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


class BulkIngest(_Base):
    """Handlers for /jobs/ingest; the emulator wraps each one with its REST checks."""

    # Object name (or "*") → how many polls a closed job of it answers InProgress.
    bulk_in_progress_polls: dict[str, int]

    def org(self) -> Org:
        raise NotImplementedError

    def _job(self, job_id: str) -> dict[str, Any]:
        job = self.table("bulk_jobs").get(job_id)
        if job is None:
            raise job_not_found()
        return job

    @staticmethod
    def _settle(job: dict[str, Any], *, poll: bool = False) -> dict[str, Any]:
        """Processing ran at close; the first look afterwards finds it finished, unless the job
        is held InProgress for some more polls."""
        if job["state"] not in {"UploadComplete", "InProgress"} or not job.get("outcome"):
            return job
        if job.get("polls_in_progress", 0) > 0:
            if poll:
                job["polls_in_progress"] -= 1
                job["state"] = "InProgress"
            return job
        job["state"] = job["outcome"]
        job["systemModstamp"] = timestamp()
        return job

    def _info(self, job: dict[str, Any], *, detailed: bool = True) -> dict[str, Any]:
        info = {key: job[key] for key in JOB_INFO if key in job}
        if detailed:
            info.update(
                jobType="V2Ingest",
                retries=0,
                numberRecordsProcessed=job["numberRecordsProcessed"],
                numberRecordsFailed=job["numberRecordsFailed"],
                totalProcessingTime=job["totalProcessingTime"],
                apiActiveProcessingTime=job["totalProcessingTime"],
                apexProcessingTime=0,
            )
            if job.get("errorMessage"):
                info["errorMessage"] = job["errorMessage"]
        return info

    # -- /jobs/ingest ----------------------------------------------------------------------
    def ingest_jobs(self, request: Request, version: str) -> Response:
        if request.method == "GET":
            jobs = [
                self._info(self._settle(job), detailed=False)
                for job in self.table("bulk_jobs").values()
            ]
            return json_response({"done": True, "records": jobs, "nextRecordsUrl": None})
        spec = json_object(request.get_data(as_text=True))
        item, operation, external = self._validate_spec(spec)
        job_id = salesforce_id("750", self.next_id("bulk_jobs"))  # Bulk jobs' key prefix
        now = timestamp()
        job: dict[str, Any] = {
            "id": job_id,
            "operation": operation,
            "object": item.name,
            "createdById": self.org().owner_id,
            "createdDate": now,
            "systemModstamp": now,
            "state": "Open",
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(version[1:]),
            "contentUrl": f"services/data/{version}/jobs/ingest/{job_id}/batches",
            "lineEnding": spec.get("lineEnding", "LF"),
            "columnDelimiter": spec.get("columnDelimiter", "COMMA"),
            "numberRecordsProcessed": 0,
            "numberRecordsFailed": 0,
            "totalProcessingTime": 0,
        }
        if external:
            job["externalIdFieldName"] = external
        self.table("bulk_jobs")[job_id] = job
        return json_response(self._info(job, detailed=False))

    def _validate_spec(self, spec: dict[str, Any]) -> tuple[SObject, str, str | None]:
        operation = spec.get("operation")
        if operation not in OPERATIONS:
            raise RequestError("INVALIDJOB", f"InvalidJob : Invalid job operation: {operation}")
        item = sobject(str(spec.get("object") or ""))
        if item is None:
            raise RequestError(
                "INVALIDENTITY", f"Entity '{spec.get('object')}' is not supported by the Bulk API."
            )
        allowed = {
            "insert": item.createable,
            "update": item.updateable,
            "upsert": item.createable and item.updateable,
        }.get(operation, item.deletable)
        if not allowed:
            raise RequestError(
                "INVALIDJOB", f"Entity '{item.name}' is not supported for {operation}."
            )
        if spec.get("contentType", "CSV") != "CSV":
            raise RequestError("INVALIDJOB", "InvalidJob : contentType must be CSV")
        if spec.get("lineEnding", "LF") not in LINE_ENDINGS:
            raise RequestError("INVALIDJOB", "InvalidJob : lineEnding must be LF or CRLF")
        if spec.get("columnDelimiter", "COMMA") not in DELIMITERS:
            raise RequestError(
                "INVALIDJOB", f"InvalidJob : columnDelimiter must be one of {sorted(DELIMITERS)}"
            )
        external = spec.get("externalIdFieldName")
        if operation != "upsert":
            return item, operation, None
        key = item.field(str(external or ""))
        if not external:
            raise RequestError(
                "INVALIDJOB",
                f"External ID was blank for {item.name}. An External ID must be specified for "
                "upsert.",
            )
        if key is None or not key.upsert_key:
            raise RequestError(
                "INVALIDJOB",
                f"InvalidJob : Field {external} is not an External ID or indexed field for "
                f"{item.name}",
            )
        return item, operation, key.name

    # -- /jobs/ingest/{id} -----------------------------------------------------------------
    def ingest_job(self, request: Request, version: str, job_id: str) -> Response:
        job = self._job(job_id)
        if request.method == "GET":
            return json_response(self._info(self._settle(job, poll=True)))
        if request.method == "DELETE":
            if job["state"] not in FINAL_STATES:
                raise RequestError("INVALIDJOBSTATE", f"Can't delete a job in state {job['state']}")
            del self.table("bulk_jobs")[job_id]
            self.table("bulk_job_data").pop(job_id, None)
            return Response(status=204)
        wanted = json_object(request.get_data(as_text=True)).get("state")
        if wanted == "UploadComplete" and job["state"] == "Open":
            job["state"] = "UploadComplete"
            held = self.bulk_in_progress_polls
            job["polls_in_progress"] = held.get(job["object"], held.get("*", 0))
            self._process(job)
        elif wanted == "Aborted" and job["state"] in {"Open", "UploadComplete", "InProgress"}:
            data = self.table("bulk_job_data").get(job_id)
            if job["state"] == "Open" and data:
                rows = self._read(job, data["csv"])
                data.update(header=rows[0] if rows else [], unprocessed=rows[1:])
            job["state"] = "Aborted"
            job.pop("outcome", None)
        else:
            raise RequestError(
                "INVALIDJOBSTATE", f"Invalid state transition from {job['state']} to {wanted}"
            )
        job["systemModstamp"] = timestamp()
        return json_response(self._info(job, detailed=False))

    def ingest_batches(self, request: Request, version: str, job_id: str) -> Response:
        job = self._job(job_id)
        if job["state"] != "Open":
            raise RequestError("INVALIDJOBSTATE", f"Job {job_id} is not Open")
        if job_id in self.table("bulk_job_data"):
            raise RequestError(
                "BULK_API_ERROR",
                f"Found multiple contents for job: <{job_id}>, please 'Close' / 'Abort' / "
                "'Delete' the current Job then create a new Job and make sure you only do 'PUT' "
                "once on a given Job.",
            )
        if request.mimetype != "text/csv":
            raise RequestError(
                "UNSUPPORTED_MEDIA_TYPE", "Job data must be uploaded as text/csv", status=415
            )
        if (request.content_length or 0) > MAX_UPLOAD_BYTES:
            raise RequestError("BULK_API_ERROR", "Upload exceeds the maximum of 150 MB")
        self.table("bulk_job_data")[job_id] = {"csv": request.get_data(as_text=True)}
        return Response(status=201)

    def ingest_results(self, request: Request, version: str, job_id: str, kind: str) -> Response:
        job = self._job(job_id)
        data = self.table("bulk_job_data").get(job_id) or {}
        header = data.get("header", [])
        columns = {
            "successfulResults": ["sf__Id", "sf__Created"],
            "failedResults": ["sf__Id", "sf__Error"],
            "unprocessedrecords": [],
        }.get(kind)
        if columns is None:
            raise job_not_found()
        self._settle(job)
        key = {"successfulResults": "successful", "failedResults": "failed"}.get(
            kind, "unprocessed"
        )
        body = to_csv([columns + header, *data.get(key, [])]) if header else ""
        return Response(body, content_type="text/csv")

    # -- processing ------------------------------------------------------------------------
    def _fail(self, job: dict[str, Any], message: str) -> None:
        job.update(outcome="Failed", errorMessage=message)

    @staticmethod
    def _read(job: dict[str, Any], text: str) -> list[list[str]]:
        delimiter = DELIMITERS[job["columnDelimiter"]]
        reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
        return [row for row in reader if row]

    def _process(self, job: dict[str, Any]) -> None:
        started = time.perf_counter()
        data = self.table("bulk_job_data").setdefault(job["id"], {"csv": ""})
        text = data["csv"]
        ending = job["lineEnding"]
        if ("\r\n" in text) if ending == "LF" else ("\n" in text.replace("\r\n", "")):
            message = "LineEnding is invalid on user data. Current LineEnding setting is"
            return self._fail(job, f"ClientInputError : {message} {ending}")
        rows = self._read(job, text)
        if not rows:
            job.update(outcome="JobComplete")
            return None
        header, rows = rows[0], rows[1:]
        data.update(header=header, rows=rows, successful=[], failed=[], unprocessed=[])
        item = OBJECTS[job["object"]]
        org = self.org()
        for name in header:
            try:
                org.check(item, {name: ""})
            except RequestError:
                return self._fail(job, f"InvalidBatch : Field name not found : {name}")
        needed = job.get("externalIdFieldName") or ("Id" if job["operation"] != "insert" else None)
        lowered = [name.lower() for name in header]
        if needed and needed.lower() not in lowered:
            return self._fail(job, f"InvalidBatch : Field name not found : {needed}")
        key_column = lowered.index(needed.lower()) if needed else None
        repeated = set()
        if job["operation"] == "upsert":
            repeated = duplicate_keys([row[key_column] for row in rows if len(row) > key_column])
        for row in rows:
            key = row[key_column].casefold() if key_column is not None and row[key_column:] else ""
            if key in repeated:
                message = f"Duplicate external id specified: {row[key_column]}"
                outcome = Outcome.failed("DUPLICATE_VALUE", message, [needed])
            else:
                outcome = self._row(org, item, job, header, row, key_column)
            if outcome.success:
                created = "true" if outcome.created else "false"
                data["successful"].append([outcome.id or "", created, *row])
            else:
                data["failed"].append(["", error_cell(outcome), *row])
        job.update(
            outcome="JobComplete",
            numberRecordsProcessed=len(rows),
            numberRecordsFailed=len(data["failed"]),
            batches=math.ceil(len(rows) / INTERNAL_BATCH),
            totalProcessingTime=round((time.perf_counter() - started) * 1000),
        )
        return None

    def _row(
        self,
        org: Org,
        item: SObject,
        job: dict[str, Any],
        header: list[str],
        row: list[str],
        key_column: int | None,
    ) -> Outcome:
        if len(row) != len(header):
            message = f"Row has {len(row)} columns; the header has {len(header)}"
            return Outcome.failed("INVALID_FIELD", message)
        values = {
            name: (None if cell == "#N/A" else cell)
            for index, (name, cell) in enumerate(zip(header, row, strict=True))
            if cell != "" and index != key_column
        }
        key = row[key_column] if key_column is not None else None
        operation = job["operation"]
        if operation == "insert":
            return org.create(item, values)
        if operation == "update":
            return org.update(item, key, values)
        if operation == "upsert":
            field = item.field(job["externalIdFieldName"])
            assert field is not None
            return org.upsert(item, field, key, values)
        found = org.find(key)
        if found is not None and found[0] is not item:
            message = f"{item.label} ID: id value of incorrect type: {key}"
            return Outcome.failed("MALFORMED_ID", message, ["Id"])
        return org.delete(key, hard=operation == "hardDelete")
