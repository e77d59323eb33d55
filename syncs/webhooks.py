"""An organization's webhook: its settings, and the delivery of events to it by the worker.

As Polytomic has it (https://apidocs.polytomic.com/guides/events): one webhook per
organization, an `endpoint` and a `secret`; each event is POSTed as JSON with the HMAC-SHA256 of
the body, keyed by the secret, in the `Polytomic-Signature` header (hex digits — the encoding is
our reading: the guide says only "compute the same HMAC on the request body and compare"); a
delivery that doesn't get a 2xx is retried up to five times with exponential backoff.

A sync never waits for any of this: recording an event only adds a delivery row and enqueues a
task once the transaction commits, and a failure to enqueue is logged and swept up later.
Endpoints must pass the same host policy as warehouses (connections/hosts.py), at saving and
again at every send (a name can be re-pointed at a private address after it was saved), and
each send goes to an address that check returned, never to a second lookup (DNS rebinding).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import random
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from connections.hosts import HostRefused, allowed_addresses, host_refusal
from organizations.models import Organization
from syncs.events import event_data
from syncs.models import Event, Webhook, WebhookDelivery

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "Polytomic-Signature"
# "retries the delivery up to five times": the first attempt and five more.
MAX_ATTEMPTS = 6
# A send claimed this long ago whose worker never recorded an answer is tried again.
SENDING_STALE = dt.timedelta(minutes=5)
MAX_ERROR_LENGTH = 500

ENDPOINT_FORM = (
    "endpoint must be a full http:// or https:// address, such as "
    "https://example.com/syncline-events"
)
ENDPOINT_CREDENTIALS = (
    "endpoint must not contain a user name or password; check deliveries with the secret's "
    "signature instead"
)
ENDPOINT_PRIVATE = (
    "Syncline does not send events to {host}: webhook endpoints must be at a public address. "
    "Private, loopback and link-local addresses are not allowed on this server."
)
SECRET_MISSING = "secret is required: Syncline signs every delivery with it"  # noqa: S105
ONE_PER_ORGANIZATION = (
    "This organization already has a webhook; each organization has one. Change that one, or "
    "delete it first."
)


def webhook_endpoint_problem(endpoint: str, *, resolve: bool = True) -> str | None:
    """Why Syncline won't POST to `endpoint`, or None."""
    value = (endpoint or "").strip()
    parts = urlsplit(value)
    try:
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a port that isn't a number
    except ValueError:
        return ENDPOINT_FORM
    if parts.scheme not in ("http", "https") or not host or len(value) > 2000:
        return ENDPOINT_FORM
    if any(ch.isspace() or ord(ch) < 32 for ch in value):
        return ENDPOINT_FORM
    if parts.username or parts.password:
        return ENDPOINT_CREDENTIALS
    if host_refusal(host, resolve=resolve):
        return ENDPOINT_PRIVATE.format(host=host)
    return None


def _checked(endpoint: str | None, secret: str | None) -> tuple[str, str]:
    problems: dict[str, list[str]] = {}
    endpoint = (endpoint or "").strip()
    problem = webhook_endpoint_problem(endpoint)
    if problem:
        problems["endpoint"] = [problem]
    if not secret or not str(secret).strip():
        problems["secret"] = [SECRET_MISSING]
    if problems:
        raise ValidationError(problems)
    return endpoint, str(secret)


def webhook_create(
    *, organization: Organization, endpoint: str, secret: str, enabled: bool = True
) -> Webhook:
    """The organization's webhook. ValidationError for a bad endpoint or secret, or when the
    organization has one already. Looks the endpoint's host up: call outside a transaction."""
    endpoint, secret = _checked(endpoint, secret)
    if Webhook.objects.filter(organization=organization).exists():
        raise ValidationError({"webhook": [ONE_PER_ORGANIZATION]})
    try:
        with transaction.atomic():
            return Webhook.objects.create(
                organization=organization,
                endpoint=endpoint,
                secrets={"secret": secret},
                enabled=enabled,
            )
    except IntegrityError as error:  # another request made one in the meantime
        raise ValidationError({"webhook": [ONE_PER_ORGANIZATION]}) from error


def webhook_update(
    *, webhook: Webhook, endpoint: str | None = None, secret: str | None = None
) -> Webhook:
    """New endpoint and/or secret (omitted: kept). Deliveries already waiting use the new ones."""
    endpoint, secret = _checked(
        webhook.endpoint if endpoint is None else endpoint,
        webhook.secret if secret is None else secret,
    )
    webhook.endpoint = endpoint
    webhook.secrets = {"secret": secret}
    webhook.save(update_fields=["endpoint", "secrets", "updated_at"])
    return webhook


def webhook_set_enabled(*, webhook: Webhook, enabled: bool) -> Webhook:
    """Disabled: events are still recorded (GET /api/events) but not sent."""
    webhook.enabled = enabled
    webhook.save(update_fields=["enabled", "updated_at"])
    return webhook


def webhook_delete(*, webhook: Webhook) -> None:
    webhook.delete()


# -- delivery --------------------------------------------------------------------------------


def webhook_deliveries_enqueue(*, event: Event) -> list[WebhookDelivery]:
    """A delivery per enabled webhook of the event's organization, sent by the worker once the
    surrounding transaction (if any) commits."""
    deliveries = []
    for webhook in Webhook.objects.filter(organization_id=event.organization_id, enabled=True):
        delivery = WebhookDelivery.objects.create(
            webhook=webhook, event=event, next_attempt_at=timezone.now()
        )
        _enqueue(delivery.pk)
        deliveries.append(delivery)
    return deliveries


def _enqueue(delivery_id: object, countdown: float = 0.0) -> None:
    def send() -> None:
        from syncs.tasks import deliver_webhook

        try:
            # No publish retries: a broker that is down must not hold up the sync that
            # recorded the event. The sweep enqueues what didn't get through.
            deliver_webhook.apply_async(args=[str(delivery_id)], countdown=countdown, retry=False)
        except Exception:
            logger.warning("Could not enqueue webhook delivery %s; the sweep will", delivery_id)

    transaction.on_commit(send, robust=True)


def retry_delay(attempts: int) -> float:
    """Seconds before attempt `attempts + 1`: base x 2^(attempts-1), +-20 % jitter."""
    base = settings.SYNCLINE_WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return base * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not cryptography


def webhook_signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_delivery_attempt(*, delivery_id: str) -> WebhookDelivery | None:
    """Send one delivery once (the worker's task). Claimed by a conditional update, so a
    redelivered task does nothing; a failure schedules the next attempt, up to MAX_ATTEMPTS."""
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id,
        status=WebhookDelivery.Status.PENDING,
        # A retry's task may arrive a little before its time (clocks, jitter): that's fine.
        next_attempt_at__lte=now + dt.timedelta(seconds=5),
    ).update(status=WebhookDelivery.Status.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("webhook", "event").get(pk=delivery_id)
    webhook = delivery.webhook
    if not webhook.enabled:
        return _finish(delivery, failed="The webhook was disabled before this event was sent.")
    # Checked at every send (DNS may now point the name somewhere private), and sent to the
    # address that was checked.
    targets = _pinned(webhook.endpoint)
    if isinstance(targets, str):
        return _finish(delivery, failed=targets)
    body = json.dumps(event_data(delivery.event), separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Syncline-Webhooks/1",
        SIGNATURE_HEADER: webhook_signature(webhook.secret, body),
    }
    try:
        response = _post(targets, body, headers)
    except httpx.HTTPError as error:
        return _retry_or_fail(delivery, None, f"The endpoint could not be reached: {error}")
    if 200 <= response.status_code < 300:
        return _finish(delivery, status_code=response.status_code)
    return _retry_or_fail(
        delivery,
        response.status_code,
        f"The endpoint answered HTTP {response.status_code}; a 2xx status was expected.",
    )


def _pinned(endpoint: str) -> list[tuple[httpx.URL, dict[str, str], dict[str, Any]]] | str:
    """Where to send `endpoint`'s delivery, one target per checked address, tried in turn:
    (the URL with the address in place of the name, the Host header, the TLS server name), or
    why not, in a sentence.

    The name is looked up once, by the host policy, and the connection goes to an address that
    lookup returned, so a name can't resolve to a public address for the check and to a private
    one for the send. The Host header and, for https, the TLS server name (which the certificate
    is checked against) stay the name's: httpcore's `sni_hostname` request extension,
    https://www.encode.io/httpcore/extensions/#request-extensions
    """
    problem = webhook_endpoint_problem(endpoint, resolve=False)
    if problem:
        return problem
    url = httpx.URL(endpoint.strip())
    try:
        addresses = allowed_addresses(url.host)
    except HostRefused:
        return ENDPOINT_PRIVATE.format(host=url.host)
    if not addresses:
        return f"The endpoint's host {url.host} could not be found; check its spelling."
    if url.host in addresses:  # an address already: nothing to pin
        return [(url, {}, {})]
    extensions = {"sni_hostname": url.host} if url.scheme == "https" else {}
    host = {"Host": url.netloc.decode("ascii")}
    return [(url.copy_with(host=address), host, extensions) for address in addresses]


def _post(
    targets: list[tuple[httpx.URL, dict[str, str], dict[str, Any]]],
    body: bytes,
    headers: dict[str, str],
) -> httpx.Response:
    """POST to the first checked address that takes the connection (as a client given several
    addresses for a name would); only a refused or failed connection moves on to the next."""
    # No redirects: one could lead past the host policy.
    with httpx.Client(
        timeout=settings.SYNCLINE_WEBHOOK_TIMEOUT_SECONDS, follow_redirects=False
    ) as client:
        for index, (url, host, extensions) in enumerate(targets):
            try:
                return client.post(
                    url, content=body, headers={**headers, **host}, extensions=extensions
                )
            except httpx.ConnectError:
                if index == len(targets) - 1:
                    raise
    raise AssertionError("no target")  # pragma: no cover - _pinned returns one at least


def _retry_or_fail(
    delivery: WebhookDelivery, status_code: int | None, message: str
) -> WebhookDelivery:
    if delivery.attempts >= MAX_ATTEMPTS:
        return _finish(
            delivery,
            status_code=status_code,
            failed=f"{message} Gave up after {delivery.attempts} attempts.",
        )
    delay = retry_delay(delivery.attempts)
    WebhookDelivery.objects.filter(pk=delivery.pk, status=WebhookDelivery.Status.SENDING).update(
        status=WebhookDelivery.Status.PENDING,
        next_attempt_at=timezone.now() + dt.timedelta(seconds=delay),
        last_status_code=status_code,
        last_error=message[:MAX_ERROR_LENGTH],
    )
    _enqueue(delivery.pk, countdown=delay)
    delivery.refresh_from_db()
    return delivery


def _finish(
    delivery: WebhookDelivery, *, status_code: int | None = None, failed: str = ""
) -> WebhookDelivery:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.FAILED if failed else WebhookDelivery.Status.DELIVERED,
        last_status_code=status_code,
        last_error=failed[:MAX_ERROR_LENGTH],
        delivered_at=None if failed else timezone.now(),
    )
    if failed:
        logger.warning("Webhook delivery %s failed: %s", delivery.pk, failed)
    delivery.refresh_from_db()
    return delivery


def webhook_deliveries_sweep(*, now: dt.datetime | None = None) -> int:
    """Enqueue deliveries whose task was lost (the broker was down, a worker died mid-send);
    the claim in webhook_delivery_attempt keeps a delivery from going out twice at once."""
    now = now or timezone.now()
    WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.SENDING, claimed_at__lt=now - SENDING_STALE
    ).update(status=WebhookDelivery.Status.PENDING, next_attempt_at=now)
    # A minute's grace: a retry's own task is normally on its way already.
    overdue = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING, next_attempt_at__lt=now - dt.timedelta(minutes=1)
    ).values_list("pk", flat=True)
    count = 0
    for delivery_id in overdue.iterator(chunk_size=500):
        _enqueue(delivery_id)
        count += 1
    return count
