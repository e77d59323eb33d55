"""sObject Collections: up to 200 records a call, one result per record, in order.

https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections.htm
allOrNone stays false so one bad record never holds back the others. A request Salesforce
refuses as a whole (400: an unknown field, a malformed body) fails every record in it with
Salesforce's message; anything else (5xx after retries, 401, 403) is raised as Interrupted,
keeping the answers of the calls before it. A create (POST) that timed out or got a
500/502/504 may have been applied: the HTTP client says so (in_doubt) and never re-sends it.

Upsert takes external-id fields only: "Only external ids are supported. Don't use record ids."
https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-upsert.html
so an `Id` identity never comes here as an upsert (write.py updates by Id instead).
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from connections.destinations.errors import DestinationError
from connections.destinations.salesforce.client import SalesforceClient, response_errors
from connections.destinations.salesforce.describe import ObjectInfo
from connections.destinations.salesforce.options import COLLECTION_LIMIT
from connections.destinations.salesforce.records import Answers, Outcome, Row, json_record


class Collections:
    upserts_on_id = False  # external-id fields only (see the module's note)

    def __init__(
        self, client: SalesforceClient, objects: dict[str, ObjectInfo], batch_size: int
    ) -> None:
        self.client = client
        self.objects = objects
        self.chunk_size = min(batch_size, COLLECTION_LIMIT)

    def insert(self, rows: list[Row]) -> list[Outcome]:
        return self._each(rows, "POST", "composite/sobjects", "Creating records")

    def update(self, rows: list[Row]) -> list[Outcome]:
        return self._each(rows, "PATCH", "composite/sobjects", "Updating records")

    def upsert(self, sobject: str, key: str, rows: list[Row]) -> list[Outcome]:
        if key.lower() == "id":
            raise DestinationError(
                "sObject Collections upsert takes external-id fields only, not Id: records "
                "identified by Id are updated instead.",
            )
        path = f"composite/sobjects/{sobject}/{key}"
        return self._each(rows, "PATCH", path, "Upserting records")

    def delete(self, rows: list[Row]) -> list[Outcome]:
        def send(chunk: list[Row]) -> httpx.Response:
            ids = ",".join(str(row.values["Id"]) for row in chunk)
            return self.client.request(
                "DELETE", "composite/sobjects", params={"ids": ids, "allOrNone": "false"}
            )

        return self._calls(rows, send, "Deleting records")

    def _each(self, rows: list[Row], method: str, path: str, what: str) -> list[Outcome]:
        def send(chunk: list[Row]) -> httpx.Response:
            body = {
                "allOrNone": False,
                "records": [json_record(row, self.objects) for row in chunk],
            }
            return self.client.request(method, path, json=body)

        return self._calls(rows, send, what)

    def _calls(
        self, rows: list[Row], send: Callable[[list[Row]], httpx.Response], what: str
    ) -> list[Outcome]:
        answers = Answers(len(rows))
        for start in range(0, len(rows), self.chunk_size):
            part = range(start, min(start + self.chunk_size, len(rows)))
            try:
                response = send(rows[part.start : part.stop])
                answers.put(part, self._outcomes(response, len(part), what))
            except DestinationError as error:
                raise answers.interrupted(error, part) from None
        return answers.outcomes()

    def _outcomes(self, response: httpx.Response, count: int, what: str) -> list[Outcome]:
        if response.status_code == 400:
            errors = response_errors(response)
            return [Outcome(False, errors=list(errors)) for _ in range(count)]
        if response.status_code >= 300:
            raise self.client.error(response, f"{what} in Salesforce failed")
        items = response.json()
        if not isinstance(items, list) or len(items) != count:
            # Salesforce took the call but its answer can't be matched to the records.
            raise DestinationError(
                f"{what}: Salesforce answered {count} records with "
                f"{len(items) if isinstance(items, list) else 'no'} results, so Syncline can't "
                "tell which were saved; it checks before sending them again.",
                permanent=False,
                status=response.status_code,
                in_doubt=True,
            )
        return [Outcome.from_json(item) for item in items]
