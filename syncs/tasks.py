"""Celery tasks: thin, take ids, call a service (DESIGN.md §11)."""

from __future__ import annotations

from celery import shared_task

from syncs import services


@shared_task(name="syncline.execute_sync", ignore_result=True)
def execute_sync(execution_id: str) -> None:
    services.sync_execution_run(execution_id=execution_id)


@shared_task(name="syncline.schedule_tick", ignore_result=True)
def schedule_tick() -> None:
    services.sync_schedule_tick()


@shared_task(name="syncline.reap_executions", ignore_result=True)
def reap_executions() -> None:
    services.sync_execution_reap()


@shared_task(name="syncline.deliver_webhook", ignore_result=True)
def deliver_webhook(delivery_id: str) -> None:
    from syncs import webhooks

    webhooks.webhook_delivery_attempt(delivery_id=delivery_id)


@shared_task(name="syncline.sweep_webhook_deliveries", ignore_result=True)
def sweep_webhook_deliveries() -> None:
    from syncs import webhooks

    webhooks.webhook_deliveries_sweep()


@shared_task(name="syncline.prune_events", ignore_result=True)
def prune_events() -> None:
    from syncs import events

    events.event_prune()
