from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from syncs.models import SyncExecution
from syncs.services import sync_execution_claim
from tests.factories import SyncExecutionFactory, SyncFactory


@pytest.mark.django_db
def test_the_database_refuses_a_second_running_execution_of_a_sync():
    sync = SyncFactory()
    SyncExecutionFactory(sync=sync, status=SyncExecution.Status.RUNNING)
    with pytest.raises(IntegrityError), transaction.atomic():
        SyncExecutionFactory(sync=sync, status=SyncExecution.Status.RUNNING)


@pytest.mark.django_db
def test_two_syncs_can_run_at_the_same_time():
    SyncExecutionFactory(status=SyncExecution.Status.RUNNING)
    SyncExecutionFactory(status=SyncExecution.Status.RUNNING)
    assert SyncExecution.objects.filter(status="running").count() == 2


@pytest.mark.django_db
def test_claiming_moves_a_queued_execution_to_running_once():
    execution = SyncExecutionFactory(status=SyncExecution.Status.QUEUED)
    assert sync_execution_claim(execution_id=execution.pk) == "claimed"
    assert sync_execution_claim(execution_id=execution.pk) == "taken"  # a redelivered task
    execution.refresh_from_db()
    assert execution.status == "running"
    assert execution.started_at is not None


@pytest.mark.django_db
def test_a_queued_execution_is_not_claimed_while_another_of_its_sync_runs():
    sync = SyncFactory()
    SyncExecutionFactory(sync=sync, status=SyncExecution.Status.RUNNING)
    waiting = SyncExecutionFactory(sync=sync, status=SyncExecution.Status.QUEUED)
    assert sync_execution_claim(execution_id=waiting.pk) != "claimed"
    waiting.refresh_from_db()
    assert waiting.status == "queued"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_workers_racing_to_claim_executions_of_one_sync_start_only_one():
    """Eight threads, each its own database connection, claim at the same instant."""
    sync = SyncFactory()
    # A redelivered task or a second worker: every thread claims the same execution.
    queued = SyncExecutionFactory(sync=sync, status=SyncExecution.Status.QUEUED)
    barrier = threading.Barrier(8)
    results: list[str] = []
    lock = threading.Lock()

    def claim() -> None:
        try:
            barrier.wait()
            won = sync_execution_claim(execution_id=queued.pk)
            with lock:
                results.append(won)
        finally:
            connection.close()  # each thread opened its own

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["claimed"] + ["taken"] * 7
    assert SyncExecution.objects.filter(sync=sync, status="running").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_inserts_of_running_executions_leave_exactly_one():
    sync = SyncFactory()
    barrier = threading.Barrier(6)
    outcomes: list[str] = []
    lock = threading.Lock()

    def insert_running() -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                SyncExecution.objects.create(sync=sync, status=SyncExecution.Status.RUNNING)
            outcome = "inserted"
        except IntegrityError:
            outcome = "refused"
        finally:
            connection.close()  # each thread opened its own
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=insert_running) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["inserted"] + ["refused"] * 5
    assert SyncExecution.objects.filter(sync=sync, status="running").count() == 1


@pytest.mark.django_db
def test_a_destination_connection_takes_one_run_at_a_time_and_others_go_on(settings):
    """Fair sharing: a slow or throttled tool holds at most SYNCLINE_RUNS_PER_DESTINATION
    workers; runs into other connections are claimed meanwhile."""
    settings.SYNCLINE_RUNS_PER_DESTINATION = 1
    running = SyncExecutionFactory(status=SyncExecution.Status.RUNNING)
    same_tool = SyncExecutionFactory(
        sync=SyncFactory(
            organization=running.sync.organization,
            target_connection=running.sync.target_connection,
        )
    )
    other_tool = SyncExecutionFactory(sync=SyncFactory(organization=running.sync.organization))

    assert sync_execution_claim(execution_id=same_tool.pk) == "busy"
    assert sync_execution_claim(execution_id=other_tool.pk) == "claimed"
    same_tool.refresh_from_db()
    assert same_tool.status == "queued"  # it waits, nothing is lost

    settings.SYNCLINE_RUNS_PER_DESTINATION = 2
    assert sync_execution_claim(execution_id=same_tool.pk) == "claimed"


@pytest.mark.django_db
def test_a_run_told_to_wait_comes_back_later_instead_of_holding_the_worker(
    settings, django_capture_on_commit_callbacks, monkeypatch
):
    from syncs import services
    from syncs.tasks import execute_sync

    settings.SYNCLINE_DESTINATION_BUSY_RETRY_SECONDS = 7
    running = SyncExecutionFactory(status=SyncExecution.Status.RUNNING)
    waiting = SyncExecutionFactory(
        sync=SyncFactory(
            organization=running.sync.organization,
            target_connection=running.sync.target_connection,
        )
    )
    sent: list[tuple[tuple, dict]] = []
    monkeypatch.setattr(execute_sync, "apply_async", lambda *a, **k: sent.append((a, k)))

    services.sync_execution_run(execution_id=waiting.pk)

    assert sent == [(((str(waiting.pk),),), {"countdown": 7})]
    waiting.refresh_from_db()
    assert waiting.status == "queued" and waiting.started_at is None
