"""sObject Collections: up to 200 records a call, one result per record, in order.

https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections.htm
allOrNone stays false so one bad record never holds back the others. A request Salesforce
refuses as a whole (400: an unknown field, a malformed body) fails every record in it with
Salesforce's message; anything else (5xx after retries, 401, 403) is raised.
"""

from __future__ import annotations

from typing import Any

import httpx

from connections.destinations.errors import DestinationError
from connections.destinations.salesforce.client import SalesforceClient, response_errors
from connections.destinations.salesforce.describe import ObjectInfo
from connections.destinations.salesforce.options import COLLECTION_LIMIT
from connections.destinations.salesforce.records import Outcome, Row, json_record


class Collections:
    def __init__(
        self, client: SalesforceClient, objects: dict[str, ObjectInfo], batch_size: int
    ) -> None:
        self.client = client
        self.objects = objects
        self.chunk_size = min(batch_size, COLLECTION_LIMIT)

    def _chunks(self, rows: list[Any]) -> list[list[Any]]:
        return [rows[i : i + self.chunk_size] for i in range(0, len(rows), self.chunk_size)]

    def insert(self, rows: list[Row]) -> list[Outcome]:
        return self._each(rows, "POST", "composite/sobjects", "Creating records")

    def update(self, rows: list[Row]) -> list[Outcome]:
        return self._each(rows, "PATCH", "composite/sobjects", "Updating records")

    def upsert(self, sobject: str, key: str, rows: list[Row]) -> list[Outcome]:
        path = f"composite/sobjects/{sobject}/{key}"
        return self._each(rows, "PATCH", path, "Upserting records")

    def delete(self, rows: list[Row]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for chunk in self._chunks(rows):
            ids = ",".join(str(row.values["Id"]) for row in chunk)
            response = self.client.request(
                "DELETE", "composite/sobjects", params={"ids": ids, "allOrNone": "false"}
            )
            outcomes.extend(self._outcomes(response, len(chunk), "Deleting records"))
        return outcomes

    def _each(self, rows: list[Row], method: str, path: str, what: str) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for chunk in self._chunks(rows):
            body = {
                "allOrNone": False,
                "records": [json_record(row, self.objects) for row in chunk],
            }
            response = self.client.request(method, path, json=body)
            outcomes.extend(self._outcomes(response, len(chunk), what))
        return outcomes

    def _outcomes(self, response: httpx.Response, count: int, what: str) -> list[Outcome]:
        if response.status_code == 400:
            errors = response_errors(response)
            return [Outcome(False, errors=list(errors)) for _ in range(count)]
        if response.status_code >= 300:
            raise self.client.error(response, f"{what} in Salesforce failed")
        items = response.json()
        if not isinstance(items, list) or len(items) != count:
            raise DestinationError(
                f"{what}: Salesforce answered {count} records with "
                f"{len(items) if isinstance(items, list) else 'no'} results; nothing is "
                "marked delivered and the records will be sent again on the next run.",
                permanent=False,
            )
        return [Outcome.from_json(item) for item in items]
