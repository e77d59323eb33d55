"""Organization settings → Notifications: admins choose who is e-mailed when a run fails or
rejects more than a share of its rows; the e-mail goes out from the engine's finish path."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from config.celery import app as celery_app
from organizations.models import NotificationSettings
from syncs.notifications import execution_notify
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    SyncExecutionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PEOPLE = (
    "SELECT email, first_name FROM users WHERE email IN "
    "(SELECT DISTINCT email FROM users WHERE email LIKE '%_@_%.%' ORDER BY email LIMIT 3)"
)


@pytest.fixture
def admin_user(organization):
    return MembershipFactory(organization=organization, role="admin").user


@pytest.fixture
def ops(organization):
    return MembershipFactory(organization=organization, user__email="ops@example.com").user


def choose(organization, *people, on_failure=True, rejected_percent=None):
    settings = NotificationSettings.objects.create(
        organization=organization, on_failure=on_failure, rejected_percent=rejected_percent
    )
    settings.recipients.set(people)
    return settings


def test_only_admins_see_the_notification_settings(client, member, admin_user):
    url = reverse("console:notifications")
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(member)
    response = client.get(url)
    assert response.status_code == 403
    assert "can change whom Syncline e-mails about runs:" in response.content.decode()
    assert client.post(url, {"recipients": [member.pk]}).status_code == 403
    assert not NotificationSettings.objects.exists()
    client.force_login(admin_user)
    assert client.get(url).status_code == 200


def test_an_admin_chooses_people_and_a_threshold(client, admin_user, ops, organization):
    client.force_login(admin_user)
    response = client.post(
        reverse("console:notifications"),
        {"recipients": [ops.pk], "on_failure": "on", "rejected_percent": "5"},
        follow=True,
    )
    assert "1 person will be e-mailed" in response.content.decode()
    saved = NotificationSettings.objects.get(organization=organization)
    assert (list(saved.recipients.all()), saved.on_failure, saved.rejected_percent) == (
        [ops],
        True,
        5,
    )


def test_people_of_another_organization_cannot_be_chosen(client, admin_user):
    outsider = MembershipFactory(organization=OrganizationFactory()).user
    client.force_login(admin_user)
    response = client.post(reverse("console:notifications"), {"recipients": [outsider.pk]})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not NotificationSettings.objects.exists()


def test_a_threshold_above_a_hundred_percent_is_refused_in_a_sentence(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("console:notifications"), {"rejected_percent": "150"})
    assert "Give a percentage from 0 to 100" in response.content.decode()
    assert not NotificationSettings.objects.exists()


def test_rejections_above_the_threshold_send_one_email_however_often_the_task_runs(
    organization, ops
):
    choose(organization, ops, rejected_percent=20)
    execution = SyncExecutionFactory(
        sync__organization=organization,
        sync__name="Leads to Salesloft",
        status="completed",
        total_count=10,
        error_count=3,
    )
    assert execution_notify(execution_id=execution.pk) is not None
    assert execution_notify(execution_id=execution.pk) is None
    (message,) = mail.outbox
    assert message.to == ["ops@example.com"]
    assert "30% of its rows rejected" in message.subject
    assert f"/syncs/runs/{execution.pk}/" in message.body


def test_rejections_under_the_threshold_and_dry_runs_send_nothing(organization, ops):
    choose(organization, ops, rejected_percent=50)
    under = SyncExecutionFactory(
        sync__organization=organization, status="completed", total_count=10, error_count=3
    )
    dry = SyncExecutionFactory(sync=under.sync, status="failed", test=True)
    assert execution_notify(execution_id=under.pk) is None
    assert execution_notify(execution_id=dry.pk) is None
    assert mail.outbox == []


def test_failures_are_not_mailed_when_that_is_turned_off(organization, ops):
    choose(organization, ops, on_failure=False)
    failed = SyncExecutionFactory(sync__organization=organization, status="failed")
    assert execution_notify(execution_id=failed.pk) is None
    assert mail.outbox == []


@pytest.fixture
def eager_tasks():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def test_a_run_that_fails_on_a_revoked_key_emails_the_chosen_people(
    make_sync,
    warehouse,
    salesloft,
    run,
    organization,
    ops,
    eager_tasks,
    django_capture_on_commit_callbacks,
):
    choose(organization, ops, UserFactory(email=""))  # no address: skipped, not an error
    salesloft.secrets = {**salesloft.secrets, "api_key": "ak" + "0" * 64}
    salesloft.save()
    sync = make_sync(
        source=warehouse,
        query=PEOPLE,
        target_connection=salesloft,
        target="people",
        mode="updateOrCreate",
        identity=("email", "email_address"),
        fields=[("first_name", "first_name")],
        name="People to Salesloft",
    )
    with django_capture_on_commit_callbacks(execute=True):
        execution = run(sync)
    assert execution.status == "failed"
    (message,) = mail.outbox
    assert message.subject == "Syncline: the sync “People to Salesloft” failed"
    assert message.to == ["ops@example.com"]
    assert "API key" in message.body
    assert "Traceback" not in message.body
