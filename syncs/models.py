"""Syncs, their executions (history), rejected records and per-record delivery state."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from connections.fields import EncryptedJSONField


class SyncMode(models.TextChoices):
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    UPDATE_OR_CREATE = "updateOrCreate", "Update or create"
    REPLACE = "replace", "Replace"
    APPEND = "append", "Append"
    REMOVE = "remove", "Remove"
    SNAPSHOT = "snapshot", "Snapshot"


class Sync(models.Model):
    Mode = SyncMode

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="syncs"
    )
    name = models.CharField(max_length=200)
    model = models.ForeignKey("models_app.SqlModel", on_delete=models.PROTECT, related_name="syncs")
    target_connection = models.ForeignKey(
        "connections.Connection", on_delete=models.PROTECT, related_name="target_syncs"
    )
    # The destination object id (e.g. "cadence:1001"); empty until a `create` target exists.
    target_object = models.CharField(max_length=512, blank=True, default="")
    # Properties of a target to create (e.g. a new LinkedIn audience): {str: str}.
    target_create = models.JSONField(default=dict, blank=True)
    target_configuration = models.JSONField(default=dict, blank=True)
    mode = models.CharField(max_length=20, choices=Mode.choices)
    # {"source": {"field": "email", "model_id": "..."}, "target": "email_address",
    #  "function": "Equality"}; null for modes that need no identity.
    identity = models.JSONField(null=True, blank=True)
    # [{"source": {"field": ..., "model_id": ...}, "target": "first_name"}, ...]
    fields = models.JSONField(default=list, blank=True)
    override_fields = models.JSONField(default=list, blank=True)

    class WhenRowLeaves(models.TextChoices):
        DEFAULT = "", "As the destination does by default"
        LEAVE = "leave", "Leave the record in the destination"
        REMOVE = "remove", "Remove it from the destination"

    # When a row leaves the model: memberships (audiences, cadences) are removed by default,
    # CRM records are left unless the sync asks for them to be deleted.
    when_row_leaves = models.CharField(
        max_length=10, choices=WhenRowLeaves.choices, default="", blank=True
    )
    # As the API sent it, e.g. {"frequency": "daily", "hour": "9", "minute": "0"}.
    schedule = models.JSONField(default=dict, blank=True)
    active = models.BooleanField(default=True)
    sync_all_records = models.BooleanField(default=False)
    # Which target + mode + identity the delivered state (SyncState) belongs to; a run whose
    # plan has another fingerprint starts afresh instead of trusting another target's state.
    state_fingerprint = models.CharField(max_length=64, blank=True, default="", editable=False)
    # When the schedule runs it next; the beat's conditional update of it starts each run once.
    next_run_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Polytomic settings Syncline stores and echoes without acting on them (model_filters,
    # target_filters, policies, skip_initial_backfill, identities.strategy, ...).
    extra = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "id"]
        constraints = [
            # Each constraint says in a sentence what it refuses: a form (the admin's) shows
            # violation_error_message where Django would otherwise name the constraint.
            # Names are not unique: the LinkedIn walkthrough (reference/seeds) creates two syncs
            # both named "Snowflake to LinkedIn AdsSync", and Polytomic takes both.
            models.CheckConstraint(
                condition=Q(mode__in=SyncMode.values),
                name="sync_mode_valid",
                violation_error_message="Choose one of the sync modes offered.",
            ),
            models.CheckConstraint(
                condition=~Q(target_object="") | ~Q(target_create={}),
                name="sync_has_target_object_or_create",
                violation_error_message=(
                    "Pick the target to write into, or give the properties of a new one to create."
                ),
            ),
        ]
        indexes = [models.Index(fields=["organization", "-updated_at"])]

    def __str__(self) -> str:
        return self.name

    @property
    def frequency(self) -> str:
        return str(self.schedule.get("frequency", "manual"))


class SyncExecution(models.Model):
    class Status(models.TextChoices):
        CREATED = "created", "Created"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        CANCELING = "canceling", "Canceling"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        CANCELED = "canceled", "Canceled"
        INTERRUPTED = "interrupted", "Interrupted"

    class Trigger(models.TextChoices):
        MANUAL = "manual", "Manual"
        SCHEDULE = "schedule", "Schedule"
        API = "api", "API"

    TERMINAL = ("completed", "failed", "canceled", "interrupted")
    WAITING = ("created", "queued")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sync = models.ForeignKey(Sync, on_delete=models.CASCADE, related_name="executions")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CREATED)
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.MANUAL)
    # Who pressed Run (console) or whose key started it (API: the key's creator); null for the
    # schedule and for runs resumed after a worker stopped.
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resync = models.BooleanField(default=False, help_text="Ignore sync state and resend all rows.")
    test = models.BooleanField(
        default=False, help_text="A dry run: compare and report what would change, send nothing."
    )
    # Run only for these identity values (Polytomic's start option `identities`).
    identities = models.JSONField(default=list, blank=True)
    phase = models.CharField(max_length=20, blank=True, default="")
    # Live figures while it runs: rows read, changed, sent, accepted, rejected, ...
    progress = models.JSONField(default=dict, blank=True)
    # What happened, in order: batches, retries, throttle waits, refreshes (bounded in size).
    log = models.JSONField(default=list, blank=True)
    # A dry run's report: what would be created / updated / removed, with sample records.
    report = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    total_count = models.PositiveIntegerField(default=0)
    insert_count = models.PositiveIntegerField(default=0)
    update_count = models.PositiveIntegerField(default=0)
    upsert_count = models.PositiveIntegerField(default=0)
    delete_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    # Run-level summaries, e.g. "Salesloft rejected credentials (401)"; rows live in RecordError.
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"
        constraints = [
            # DESIGN.md §5.2: nothing runs twice at once, and starts coalesce into one waiting run.
            models.UniqueConstraint(
                fields=["sync"],
                condition=Q(status__in=["running", "canceling"]),
                name="one_running_execution_per_sync",
                violation_error_message="This sync is already running; it runs once at a time.",
            ),
            models.UniqueConstraint(
                fields=["sync"],
                condition=Q(status__in=["created", "queued"]),
                name="one_waiting_execution_per_sync",
                violation_error_message="A run of this sync is already waiting to start.",
            ),
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True)
                | Q(status__in=["completed", "failed", "canceled", "interrupted"]),
                name="execution_completed_only_when_terminal",
                violation_error_message="Only a finished run has a completion time.",
            ),
        ]
        indexes = [
            models.Index(fields=["sync", "-created_at"]),
            models.Index(fields=["status", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.sync} @ {self.created_at:%Y-%m-%d %H:%M:%S} ({self.status})"

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL

    @property
    def duration_seconds(self) -> float | None:
        if not self.started_at:
            return None
        if not self.completed_at:
            return None
        return (self.completed_at - self.started_at).total_seconds()


class RecordError(models.Model):
    """A record the destination (or Syncline's checks) rejected; retried on the next run."""

    class Operation(models.TextChoices):
        INSERT = "insert", "Insert"
        UPDATE = "update", "Update"
        UPSERT = "upsert", "Upsert"
        DELETE = "delete", "Delete"
        VALIDATE = "validate", "Validation before sending"

    execution = models.ForeignKey(
        SyncExecution, on_delete=models.CASCADE, related_name="record_errors"
    )
    identity_value = models.TextField(blank=True, default="")
    operation = models.CharField(max_length=10, choices=Operation.choices)
    message = models.TextField()
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["execution", "id"])]

    def __str__(self) -> str:
        return f"{self.identity_value or '(no identity)'}: {self.message[:80]}"


class SyncState(models.Model):
    """The last values a destination accepted for one record: what makes runs incremental."""

    sync = models.ForeignKey(Sync, on_delete=models.CASCADE, related_name="states")
    identity_key = models.CharField(max_length=1024)
    values_hash = models.CharField(max_length=64)
    destination_id = models.CharField(max_length=255, blank=True, default="")
    # A write that may have been applied (a create that timed out): reconciled at the vendor
    # before anything is sent for this record again, so it is never created twice.
    in_doubt = models.BooleanField(default=False)
    # The source's digest of the model row these values came from (Source.row_digest), when the
    # source computes one; null when unknown. Set only beside values_hash, from the same row: a
    # run whose model digests to the exact sum of these (no row added, changed or gone, nothing
    # in doubt) has nothing to send, and knows it without reading a row (docs/benchmarks.md, P1).
    row_hash = models.BigIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "sync state"
        constraints = [
            models.UniqueConstraint(
                fields=["sync", "identity_key"],
                name="one_state_per_sync_identity",
                violation_error_message="This sync already keeps the state of that record.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sync_id}:{self.identity_key}"


class Event(models.Model):
    """Something that happened to a sync, as Polytomic's events API reports it (sync.running,
    sync.completed, sync.completed_with_errors, sync.failed, sync.canceled)."""

    TYPES = (
        "sync.running",
        "sync.completed",
        "sync.completed_with_errors",
        "sync.failed",
        "sync.canceled",
    )

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="events"
    )
    type = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["organization", "created_at"]),
            # GET /api/events?type=...: one type of one organization, in order.
            models.Index(fields=["organization", "type", "created_at"]),
            # The retention beat deletes by age across organizations.
            models.Index(fields=["created_at"], name="event_created_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.type} @ {self.created_at:%Y-%m-%d %H:%M:%S}"


class Webhook(models.Model):
    """Where an organization's events are POSTed as they happen (Polytomic's webhook: one per
    organization, an endpoint and a secret that signs each delivery).
    https://apidocs.polytomic.com/guides/events"""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="webhooks"
    )
    endpoint = models.URLField(max_length=2000)
    # {"secret": "..."}: the HMAC key, encrypted at rest like connection secrets, never shown.
    secrets = EncryptedJSONField(blank=True, default=dict, editable=False)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                name="one_webhook_per_organization",
                violation_error_message=(
                    "This organization already has a webhook. Change it, or delete it first."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} ({'enabled' if self.enabled else 'disabled'})"

    @property
    def secret(self) -> str:
        return str(self.secrets.get("secret", ""))


class WebhookDelivery(models.Model):
    """One event on its way to a webhook: attempts, the endpoint's last answer, when to retry."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Gave up"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "event"],
                name="one_delivery_per_webhook_event",
                violation_error_message="This event is already on its way to this webhook.",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.webhook_id} ({self.status})"
