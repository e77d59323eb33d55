"""python manage.py sync_run <sync id> [--resync] [--test]: run a sync here and now, in this
process (no worker needed), and print how it ended. For operators: checking a restored backup,
or a run by hand on a host without a worker."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from syncs.models import Sync, SyncExecution
from syncs.services import SyncNotRunnable, sync_execution_run, sync_execution_start


class Command(BaseCommand):
    help = "Run one sync now in this process and print the run's status and counts."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("sync_id")
        parser.add_argument("--resync", action="store_true", help="Send every row again")
        parser.add_argument("--test", action="store_true", help="A dry run: send nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        sync = Sync.objects.filter(pk=options["sync_id"]).first()
        if sync is None:
            raise CommandError(f"There is no sync {options['sync_id']}.")
        try:
            execution = sync_execution_start(
                sync=sync, resync=options["resync"], test=options["test"]
            )
        except SyncNotRunnable as error:
            raise CommandError(str(error)) from None
        sync_execution_run(execution_id=execution.pk)
        execution.refresh_from_db()
        if execution.status in SyncExecution.WAITING:
            raise CommandError(
                f"The run {execution.pk} is waiting: another run of this sync or into its "
                "destination is in progress. Try again when it has finished."
            )
        counts = (
            f"read {execution.total_count}, created {execution.insert_count}, updated "
            f"{execution.update_count + execution.upsert_count}, removed {execution.delete_count}, "
            f"unchanged {execution.unchanged_count}, rejected {execution.error_count}"
        )
        self.stdout.write(f"{sync.name}: run {execution.pk} {execution.status}; {counts}")
        if execution.status != SyncExecution.Status.COMPLETED:
            raise CommandError("; ".join(execution.errors) or f"The run {execution.status}.")
