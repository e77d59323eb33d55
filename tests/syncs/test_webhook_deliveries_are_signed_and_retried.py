"""Each event goes to the organization's webhook as signed JSON (Polytomic-Signature: the
HMAC-SHA256 of the body with the secret), retried with backoff after a non-2xx answer, at
most six attempts; a disabled webhook gets nothing, and the host policy is applied at send."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from syncs.events import execution_event_record
from syncs.models import Event, SyncExecution, WebhookDelivery
from syncs.webhooks import (
    MAX_ATTEMPTS,
    retry_delay,
    webhook_create,
    webhook_deliveries_sweep,
    webhook_delivery_attempt,
    webhook_set_enabled,
)
from tests.factories import OrganizationFactory, SyncExecutionFactory, SyncFactory
from tests.syncs.webhook_receiver import webhook_receiver

pytestmark = pytest.mark.django_db

SECRET = "whsec-test-secret"


def _completed_event(organization, *, errors: int = 0) -> Event:
    execution = SyncExecutionFactory(
        sync=SyncFactory(organization=organization),
        status=SyncExecution.Status.COMPLETED,
        total_count=3,
        insert_count=2,
        update_count=1,
        error_count=errors,
        started_at=timezone.now(),
        completed_at=timezone.now(),
    )
    return execution_event_record(execution=execution)


def _due_now(delivery: WebhookDelivery) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


def test_an_event_is_delivered_signed_with_the_secret(organization):
    with webhook_receiver(SECRET) as receiver:
        webhook_create(organization=organization, endpoint=receiver.url, secret=SECRET)
        event = _completed_event(organization)
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == "pending"  # recording the event sent nothing yet

        delivered = webhook_delivery_attempt(delivery_id=str(delivery.pk))

    assert delivered.status == "delivered"
    assert delivered.attempts == 1
    (got,) = receiver.received
    assert got.signature_valid
    assert got.headers["Content-Type"] == "application/json"
    assert got.body["id"] == str(event.pk)
    assert got.body["type"] == "sync.completed"
    assert got.body["organization_id"] == str(organization.pk)
    assert got.body["created_at"].endswith("Z")
    assert got.body["event"]["execution_id"] == event.payload["execution_id"]
    assert got.body["event"]["counts"]["insert"] == 2


def test_a_delivery_signed_with_another_secret_does_not_check_out(organization):
    with webhook_receiver("the-receivers-secret") as receiver:
        webhook_create(organization=organization, endpoint=receiver.url, secret="another")
        _completed_event(organization)
        webhook_delivery_attempt(delivery_id=str(WebhookDelivery.objects.get().pk))
    assert receiver.received[0].signature_valid is False


def test_a_500_is_retried_later_and_the_retry_is_delivered(organization):
    with webhook_receiver(SECRET, statuses=[500]) as receiver:
        webhook_create(organization=organization, endpoint=receiver.url, secret=SECRET)
        _completed_event(organization, errors=2)
        delivery = WebhookDelivery.objects.get()

        first = webhook_delivery_attempt(delivery_id=str(delivery.pk))
        assert first.status == "pending"
        assert first.last_status_code == 500
        assert "HTTP 500" in first.last_error
        assert first.next_attempt_at > timezone.now()
        # Not yet due: a task arriving early does nothing.
        assert webhook_delivery_attempt(delivery_id=str(delivery.pk)) is None
        _due_now(delivery)
        second = webhook_delivery_attempt(delivery_id=str(delivery.pk))

    assert second.status == "delivered"
    assert second.attempts == 2
    assert [r.status for r in receiver.received] == [500, 200]
    assert all(r.signature_valid for r in receiver.received)
    assert receiver.received[1].body["type"] == "sync.completed_with_errors"
    assert receiver.received[0].body == receiver.received[1].body


def test_a_delivery_gives_up_after_the_first_attempt_and_five_retries(organization):
    with webhook_receiver(SECRET, statuses=[503] * 10) as receiver:
        webhook_create(organization=organization, endpoint=receiver.url, secret=SECRET)
        _completed_event(organization)
        delivery = WebhookDelivery.objects.get()
        for _ in range(MAX_ATTEMPTS):
            _due_now(delivery)
            outcome = webhook_delivery_attempt(delivery_id=str(delivery.pk))
        _due_now(delivery)
        assert webhook_delivery_attempt(delivery_id=str(delivery.pk)) is None
    assert len(receiver.received) == MAX_ATTEMPTS == 6
    assert outcome.status == "failed"
    assert "Gave up after 6 attempts" in outcome.last_error


def test_the_backoff_doubles(settings):
    settings.SYNCLINE_WEBHOOK_RETRY_BASE_SECONDS = 10
    for attempts, base in [(1, 10), (2, 20), (3, 40), (4, 80), (5, 160)]:
        assert base * 0.8 <= retry_delay(attempts) <= base * 1.2


def test_an_unreachable_endpoint_is_retried(organization):
    webhook_create(organization=organization, endpoint="http://127.0.0.1:9/hook", secret=SECRET)
    _completed_event(organization)
    outcome = webhook_delivery_attempt(delivery_id=str(WebhookDelivery.objects.get().pk))
    assert outcome.status == "pending"
    assert "could not be reached" in outcome.last_error


def test_a_disabled_webhook_gets_no_deliveries_but_events_are_still_recorded(organization):
    with webhook_receiver(SECRET) as receiver:
        webhook = webhook_create(organization=organization, endpoint=receiver.url, secret=SECRET)
        webhook_set_enabled(webhook=webhook, enabled=False)
        _completed_event(organization)
    assert Event.objects.count() == 1
    assert not WebhookDelivery.objects.exists()
    assert receiver.received == []


def test_a_webhook_disabled_before_its_delivery_went_out_sends_nothing(organization):
    with webhook_receiver(SECRET) as receiver:
        webhook = webhook_create(organization=organization, endpoint=receiver.url, secret=SECRET)
        _completed_event(organization)
        webhook_set_enabled(webhook=webhook, enabled=False)
        outcome = webhook_delivery_attempt(delivery_id=str(WebhookDelivery.objects.get().pk))
    assert outcome.status == "failed"
    assert receiver.received == []


def test_another_organizations_events_never_reach_this_webhook(organization):
    with webhook_receiver(SECRET) as receiver:
        webhook_create(organization=organization, endpoint=receiver.url, secret=SECRET)
        _completed_event(OrganizationFactory())
    assert not WebhookDelivery.objects.exists()


def test_the_host_policy_is_checked_again_at_send(organization, settings):
    with webhook_receiver(SECRET) as receiver:
        webhook_create(organization=organization, endpoint=receiver.url, secret=SECRET)
        _completed_event(organization)
        settings.SYNCLINE_ALLOW_PRIVATE_HOSTS = False  # e.g. the name now points inside
        outcome = webhook_delivery_attempt(delivery_id=str(WebhookDelivery.objects.get().pk))
    assert outcome.status == "failed"
    assert "must be at a public address" in outcome.last_error
    assert receiver.received == []


def test_the_send_goes_to_the_address_the_policy_checked_not_a_second_lookup(
    organization, monkeypatch
):
    """DNS rebinding: the name answers an allowed address to the policy's lookup and, to any
    lookup after it, something else (here: nothing). The delivery still arrives, at the checked
    address, with the name in its Host header."""
    import socket

    real = socket.getaddrinfo
    lookups = []

    def rebinding(host, *args, **kwargs):
        if host != "hooks.example.test":
            return real(host, *args, **kwargs)
        lookups.append(host)
        if len(lookups) == 1:
            return real("127.0.0.1", *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "re-pointed")

    with webhook_receiver(SECRET) as receiver:
        port = receiver.url.split(":")[2].split("/")[0]
        endpoint = f"http://hooks.example.test:{port}/hooks/syncline"
        webhook_create(organization=organization, endpoint=endpoint, secret=SECRET)
        _completed_event(organization)
        monkeypatch.setattr(socket, "getaddrinfo", rebinding)
        outcome = webhook_delivery_attempt(delivery_id=str(WebhookDelivery.objects.get().pk))
    assert outcome.status == "delivered", outcome.last_error
    assert lookups == ["hooks.example.test"]
    (got,) = receiver.received
    assert got.headers["Host"] == f"hooks.example.test:{port}"
    assert got.signature_valid


def test_a_name_with_several_addresses_is_tried_at_each_checked_one_in_turn(
    organization, monkeypatch
):
    """The first address (127.0.0.2: nothing listens there) refuses the connection; the
    delivery goes to the next one."""
    import socket

    real = socket.getaddrinfo
    with webhook_receiver(SECRET) as receiver:
        port = int(receiver.url.split(":")[2].split("/")[0])

        def two(host, *args, **kwargs):
            if host != "hooks.example.test":
                return real(host, *args, **kwargs)
            return real("127.0.0.2", *args, **kwargs) + real("127.0.0.1", *args, **kwargs)

        endpoint = f"http://hooks.example.test:{port}/hooks/syncline"
        webhook_create(organization=organization, endpoint=endpoint, secret=SECRET)
        _completed_event(organization)
        monkeypatch.setattr(socket, "getaddrinfo", two)
        outcome = webhook_delivery_attempt(delivery_id=str(WebhookDelivery.objects.get().pk))
    assert outcome.status == "delivered", outcome.last_error
    assert len(receiver.received) == 1


def test_a_redirect_is_not_followed(organization):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(307)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        endpoint = f"http://127.0.0.1:{server.server_address[1]}/hook"
        webhook_create(organization=organization, endpoint=endpoint, secret=SECRET)
        _completed_event(organization)
        outcome = webhook_delivery_attempt(delivery_id=str(WebhookDelivery.objects.get().pk))
    finally:
        server.shutdown()
        server.server_close()
    assert outcome.status == "pending"
    assert outcome.last_status_code == 307


def test_the_sweep_picks_up_deliveries_whose_task_was_lost(organization):
    with webhook_receiver(SECRET) as receiver:
        webhook_create(organization=organization, endpoint=receiver.url, secret=SECRET)
        _completed_event(organization)
        delivery = WebhookDelivery.objects.get()
        long_ago = timezone.now() - dt.timedelta(minutes=10)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=long_ago)
        assert webhook_deliveries_sweep() == 1
        # A send whose worker died is made pending again.
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status="sending", claimed_at=long_ago)
        webhook_deliveries_sweep()
        assert WebhookDelivery.objects.get().status == "pending"
        assert webhook_delivery_attempt(delivery_id=str(delivery.pk)).status == "delivered"
