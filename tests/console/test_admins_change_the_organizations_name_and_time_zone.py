"""Settings → Organization: admins rename the organization and choose the time zone its schedules
are read in; the next run of every scheduled sync moves with it, the change is in the audit
trail, and members get the page that names the admins."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from organizations.models import AuditEntry, Membership
from syncs.models import Sync
from tests.factories import MembershipFactory, OrganizationFactory, SyncFactory

pytestmark = pytest.mark.django_db

URL = reverse("console:organization")


@pytest.fixture
def admin(organization):
    return MembershipFactory(organization=organization, role=Membership.Role.ADMIN).user


def test_an_admin_changes_the_name_and_time_zone_and_the_trail_says_so(client, admin, organization):
    client.force_login(admin)
    response = client.post(URL, {"name": "Acme  Sales", "time_zone": "Europe/Paris"})
    assert response.status_code == 302
    organization.refresh_from_db()
    assert (organization.name, organization.time_zone) == ("Acme Sales", "Europe/Paris")
    entry = AuditEntry.objects.get(object_type="organization")
    assert entry.actor == admin
    assert entry.changes["time zone"] == ["UTC", "Europe/Paris"]


def test_a_daily_sync_runs_next_at_nine_in_the_new_time_zone(client, admin, organization):
    nine_utc = (timezone.now() + dt.timedelta(days=1)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    sync = SyncFactory(
        organization=organization,
        schedule={"frequency": "daily", "hour": 9, "minute": 0},
        next_run_at=nine_utc,
    )
    paused = SyncFactory(
        organization=organization,
        schedule={"frequency": "daily", "hour": 9, "minute": 0},
        active=False,
    )
    client.force_login(admin)
    client.post(URL, {"name": organization.name, "time_zone": "America/New_York"})
    sync.refresh_from_db()
    local = sync.next_run_at.astimezone(ZoneInfo("America/New_York"))
    assert (local.hour, local.minute) == (9, 0)
    assert sync.next_run_at > timezone.now()
    assert Sync.objects.get(pk=paused.pk).next_run_at is None


def test_an_unknown_time_zone_or_a_taken_name_is_said_and_nothing_changes(
    client, admin, organization
):
    OrganizationFactory(name="Taken Inc")
    client.force_login(admin)
    bad_zone = client.post(URL, {"name": organization.name, "time_zone": "Mars/Olympus"})
    assert "Choose a time zone from the list" in bad_zone.content.decode()
    taken = client.post(URL, {"name": "taken inc", "time_zone": "UTC"})
    assert "Another organization on this server has that name" in taken.content.decode()
    organization.refresh_from_db()
    assert organization.time_zone == "UTC"
    assert not AuditEntry.objects.filter(object_type="organization").exists()


def test_a_member_gets_the_page_naming_the_admins_and_nothing_changes(
    client, member, admin, organization
):
    client.force_login(member)
    response = client.post(URL, {"name": "Hijacked", "time_zone": "UTC"})
    assert response.status_code == 403
    assert admin.get_username() in response.content.decode()
    organization.refresh_from_db()
    assert organization.name != "Hijacked"


def test_the_django_admin_changes_them_through_the_same_service(client, superuser, organization):
    sync = SyncFactory(
        organization=organization, schedule={"frequency": "daily", "hour": 9, "minute": 0}
    )
    client.force_login(superuser)
    url = reverse("admin:organizations_organization_change", args=[organization.pk])
    form = {
        "name": organization.name,
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    refused = client.post(url, {**form, "time_zone": "Mars/Olympus"})
    assert refused.status_code == 200  # the form again, with the error
    assert client.post(url, {**form, "time_zone": "Asia/Tokyo"}).status_code == 302
    organization.refresh_from_db()
    assert organization.time_zone == "Asia/Tokyo"
    assert AuditEntry.objects.get(object_type="organization").actor == superuser
    sync.refresh_from_db()
    assert sync.next_run_at.astimezone(ZoneInfo("Asia/Tokyo")).hour == 9


def test_a_run_already_due_keeps_its_time_so_the_next_tick_starts_it(client, admin, organization):
    due = timezone.now() - dt.timedelta(minutes=1)
    sync = SyncFactory(
        organization=organization,
        schedule={"frequency": "daily", "hour": 9, "minute": 0},
        next_run_at=due,
    )
    client.force_login(admin)
    client.post(URL, {"name": organization.name, "time_zone": "Europe/Paris"})
    sync.refresh_from_db()
    assert sync.next_run_at == due


def test_a_name_differing_only_in_case_from_an_older_one_still_saves_a_time_zone(
    client, admin, organization
):
    OrganizationFactory(name=organization.name.lower())  # allowed before (case-sensitive unique)
    client.force_login(admin)
    response = client.post(URL, {"name": organization.name, "time_zone": "Europe/Paris"})
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.time_zone == "Europe/Paris"
