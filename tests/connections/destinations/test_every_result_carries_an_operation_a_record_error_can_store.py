"""A write result's operation is always one a RecordError stores: the engine saves a rejected
record's operation as it is, and the database refuses any other value."""

from __future__ import annotations

import pytest

from connections.destinations.base import Operation, RecordResult
from syncs.models import RecordError


def test_the_operations_of_results_and_of_record_errors_are_the_same_set():
    assert {operation.value for operation in Operation} == set(RecordError.Operation.values)


@pytest.mark.parametrize("made_up", ["assign", "add", ""])
def test_a_result_with_an_operation_a_record_error_cant_store_is_refused_at_once(made_up):
    with pytest.raises(ValueError):
        RecordResult.rejected("a@example.com", made_up, "refused")
