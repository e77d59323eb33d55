"""Two requests at once, on PostgreSQL: two admins demoting (or removing) each other leave one
admin, not none; an invitation submitted twice makes one account.

The first change runs inside a transaction that stays open; the second starts meanwhile in
another thread (its own database connection). Without the row locks the second would read
the first's admin as still an admin and pass; with them it waits, then sees the truth."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection as db
from django.db import transaction

from organizations.members import (
    InvitationRefused,
    invitation_accept,
    invitation_create,
    membership_remove,
    membership_role_change,
)
from organizations.models import Membership
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# How long the first transaction stays open once the second has started: long enough for an
# unlocked second change to finish first. Only the speed depends on it, never the outcome.
OVERLAP_SECONDS = 1.5


def overlapping(first, second):
    """Run `first` in a transaction held open until `second` (another thread) finishes or
    OVERLAP_SECONDS pass; returns what each raised (None for success)."""
    outcomes: dict[str, BaseException | None] = {}
    started, finished = threading.Event(), threading.Event()

    def run_second():
        started.wait()
        try:
            second()
            outcomes["second"] = None
        except Exception as error:
            outcomes["second"] = error
        finally:
            db.close()
            finished.set()

    thread = threading.Thread(target=run_second)
    thread.start()
    try:
        with transaction.atomic():
            first()
            outcomes["first"] = None
            started.set()
            finished.wait(OVERLAP_SECONDS)
    except Exception as error:
        outcomes["first"] = error
        started.set()
    thread.join(30)
    assert not thread.is_alive()
    return outcomes


@pytest.fixture
def two_admins():
    organization = OrganizationFactory()
    one = MembershipFactory(organization=organization, role="admin")
    two = MembershipFactory(organization=organization, role="admin")
    return organization, one, two


@pytest.mark.parametrize(
    "change",
    [
        lambda org, m: membership_role_change(organization=org, membership=m, role="member"),
        lambda org, m: membership_remove(organization=org, membership=m),
    ],
    ids=["demote", "remove"],
)
def test_two_admins_changing_each_other_at_once_leave_one_admin(two_admins, change):
    organization, one, two = two_admins
    outcomes = overlapping(lambda: change(organization, one), lambda: change(organization, two))
    assert outcomes["first"] is None
    assert isinstance(outcomes["second"], ValidationError)
    assert "is the last admin" in outcomes["second"].messages[0]
    admins = Membership.objects.filter(organization=organization, role="admin")
    assert list(admins.values_list("pk", flat=True)) == [two.pk]


def test_an_invitation_submitted_twice_at_once_makes_one_account():
    organization = OrganizationFactory()
    inviter = MembershipFactory(organization=organization, role="admin").user
    _, token = invitation_create(
        organization=organization, email="twice@example.com", role="member", invited_by=inviter
    )
    outcomes = overlapping(
        lambda: invitation_accept(token=token, password="first-choice-of-words-1"),
        lambda: invitation_accept(token=token, password="second-choice-of-words-2"),
    )
    assert outcomes["first"] is None
    assert isinstance(outcomes["second"], InvitationRefused)
    assert outcomes["second"].status == 410
    person = get_user_model().objects.get(username="twice@example.com")
    assert person.check_password("first-choice-of-words-1")
    assert Membership.objects.filter(user=person).count() == 1
