"""E-mails about finished runs, to the people an organization's admins chose (DESIGN.md §1:
"read what happened and which rows failed and why").

The engine's finish path enqueues `notify_execution` on commit; the task calls
`execution_notify`, which decides, sends through Django's e-mail backend and records the
sending, so a task delivered twice sends once.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from organizations.models import NotificationSent, NotificationSettings
from syncs.models import SyncExecution


@dataclass(frozen=True)
class Notice:
    reason: str  # "failed" or "rejected"
    subject: str
    body: str


def rejected_share(execution: SyncExecution) -> float:
    """The percentage of the run's rows that were rejected (0 when it read none)."""
    if not execution.total_count:
        return 0.0
    return 100.0 * execution.error_count / execution.total_count


def execution_notice(
    *, execution: SyncExecution, notification_settings: NotificationSettings
) -> Notice | None:
    """What to tell about this run, or None when these settings ask for nothing."""
    if execution.test:
        return None  # a dry run sends nothing, and reports nothing either
    sync = execution.sync
    link = settings.SYNCLINE_BASE_URL.rstrip("/") + reverse(
        "syncs:execution", kwargs={"execution_id": execution.pk}
    )
    if execution.status == SyncExecution.Status.FAILED and notification_settings.on_failure:
        reasons = "\n".join(f"- {problem}" for problem in execution.errors) or (
            "- The run stopped before it finished."
        )
        return Notice(
            reason="failed",
            subject=f"Syncline: the sync “{sync.name}” failed",
            body=(
                f"The sync “{sync.name}” failed.\n\n{reasons}\n\n"
                f"What was delivered before stays delivered. See the run: {link}\n"
            ),
        )
    threshold = notification_settings.rejected_percent
    if execution.status == SyncExecution.Status.COMPLETED and threshold is not None:
        share = rejected_share(execution)
        if execution.error_count and share > threshold:
            return Notice(
                reason="rejected",
                subject=(f"Syncline: the sync “{sync.name}” had {share:.0f}% of its rows rejected"),
                body=(
                    f"The last run of “{sync.name}” completed, but {execution.error_count:,} of "
                    f"its {execution.total_count:,} rows ({share:.1f}%) were rejected — more "
                    f"than the {threshold}% you asked to hear about.\n\n"
                    f"Each rejected record and the reason it was refused: {link}\n"
                ),
            )
    return None


def execution_notify(*, execution_id: UUID | str) -> NotificationSent | None:
    """Send the e-mail this finished run calls for, once."""
    execution = (
        SyncExecution.objects.select_related("sync", "sync__organization")
        .filter(pk=execution_id)
        .first()
    )
    if execution is None or not execution.is_terminal:
        return None
    notification_settings = (
        NotificationSettings.objects.filter(organization_id=execution.sync.organization_id)
        .prefetch_related("recipients")
        .first()
    )
    if notification_settings is None:
        return None
    addresses = sorted(
        {user.email for user in notification_settings.recipients.all() if user.email}
    )
    notice = execution_notice(execution=execution, notification_settings=notification_settings)
    if notice is None or not addresses:
        return None
    try:
        with transaction.atomic():
            sent = NotificationSent.objects.create(
                execution_id=execution.pk,
                organization_id=execution.sync.organization_id,
                reason=notice.reason,
                recipients=addresses,
            )
    except IntegrityError:
        return None  # sent already (a task delivered twice)
    # Sent after the record is committed: a crash between the two loses one e-mail rather
    # than sending it twice.
    send_mail(notice.subject, notice.body, None, addresses)
    return sent


def notifications_enqueue(*, execution: SyncExecution) -> None:
    """After a run ends: queue the e-mail task once the transaction commits, if the
    organization asked for e-mails at all."""
    from syncs.tasks import notify_execution

    wanted = NotificationSettings.objects.filter(
        organization_id=execution.sync.organization_id, recipients__isnull=False
    ).exists()
    if wanted and not execution.test:
        execution_id = str(execution.pk)
        transaction.on_commit(lambda: notify_execution.delay(execution_id))
