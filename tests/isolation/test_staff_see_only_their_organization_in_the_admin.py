"""The admin for staff who are not superusers (console/admin_mixins.py): their organization's
rows in every list, choice, inline and bulk action, their organization on what they add, none
of the installation's powers; superusers keep seeing every organization. The matrix
(test_every_url_refuses_another_organizations_ids.py) tries their ids on every admin URL; this
checks the other side: that ours are there, and what the scoping does on purpose."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from connections.models import Connection
from organizations.models import ApiKey
from syncs.models import SyncExecution
from tests.factories import MembershipFactory, UserFactory
from tests.isolation.admin_cases import ADMIN_MODELS, SUPERUSERS
from tests.isolation.world import world_make

pytestmark = pytest.mark.django_db

SCOPED = sorted(label for label, theirs in ADMIN_MODELS.items() if theirs != SUPERUSERS)


@pytest.fixture
def world():
    return world_make()


def _listed(client, label: str) -> set:
    app_label, model_name = label.split(".")
    response = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert response.status_code == 200, label
    return set(response.context["cl"].queryset.values_list("pk", flat=True))


@pytest.mark.parametrize("label", SCOPED)
def test_staff_see_their_organizations_rows_and_superusers_every_organizations(world, label):
    name = ADMIN_MODELS[label]
    ours, theirs = world.ours[name].pk, world.theirs[name].pk
    listed = _listed(world.staff_client(), label)
    assert ours in listed and theirs not in listed
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = world.staff_client()
    client.force_login(superuser)
    assert {ours, theirs} <= _listed(client, label)


def test_staff_without_an_organization_see_no_rows(world):
    loner = UserFactory(is_staff=True)
    loner.user_permissions.set(world.staff.user_permissions.all())
    client = world.staff_client()
    client.force_login(loner)
    for label in SCOPED:
        assert _listed(client, label) == set(), label


def test_what_staff_add_is_their_organizations_whatever_the_form_posts(world):
    client = world.staff_client()
    form = client.get(reverse("admin:connections_connection_add")).context["adminform"].form
    field = form.fields["organization"]
    assert field.disabled and list(field.queryset) == [world.ours.organization]
    response = client.post(
        reverse("admin:connections_connection_add"),
        {
            "organization": str(world.theirs.organization.pk),
            "name": "Added by staff",
            "type": "postgresql",
            "configuration": '{"host": "127.0.0.1", "database": "added"}',
            "status": "healthy",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Connection.objects.get(name="Added by staff").organization == world.ours.organization


def test_a_bulk_action_acts_on_their_rows_never_and_on_ours_as_asked(world):
    ours, theirs = world.ours["api_key"], world.theirs["api_key"]
    response = world.staff_client().post(
        reverse("admin:organizations_apikey_changelist"),
        {"action": "delete_selected", "_selected_action": [ours.pk, theirs.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not ApiKey.objects.filter(pk=ours.pk).exists()
    assert ApiKey.objects.filter(pk=theirs.pk).exists()


def test_staff_cannot_make_anyone_a_superuser_or_grant_permissions(world):
    client = world.staff_client()
    page = client.get(reverse("admin:auth_user_change", args=[world.staff.pk]))
    fields = page.context["adminform"].form.fields
    assert not {"is_superuser", "groups", "user_permissions"} & set(fields)
    # Nor find a superuser of their organization to take over (set their password).
    boss = MembershipFactory(
        organization=world.ours.organization, user=UserFactory(is_staff=True, is_superuser=True)
    ).user
    assert boss.pk not in _listed(client, "auth.user")
    assert client.get(reverse("admin:auth_user_password_change", args=[boss.pk])).status_code == 404


def test_a_person_staff_add_joins_their_organization(world):
    response = world.staff_client().post(
        reverse("admin:auth_user_add"),
        {
            "username": "new@acme.test",
            "password1": "Planted-pass-9182",
            "password2": "Planted-pass-9182",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    added = type(world.staff).objects.get(username="new@acme.test")
    assert added.membership.organization == world.ours.organization


def test_inlines_and_choices_offer_only_their_organizations_rows(world):
    client = world.staff_client()
    page = client.get(
        reverse("admin:organizations_organization_change", args=[world.ours.organization.pk])
    )
    formset = page.context["inline_admin_formsets"][0].formset
    people = set(formset.forms[0].fields["user"].queryset)
    assert world.ours["person"] in people and world.theirs["person"] not in people
    sync_form = client.get(reverse("admin:syncs_sync_add")).context["adminform"].form
    assert world.theirs["model"] not in sync_form.fields["model"].queryset
    assert world.theirs["tool"] not in sync_form.fields["target_connection"].queryset
    assert world.ours["model"] in sync_form.fields["model"].queryset


def test_the_runs_filter_by_sync_names_only_their_organizations_syncs(world):
    page = world.staff_client().get(reverse("admin:syncs_syncexecution_changelist"))
    [by_sync] = [spec for spec in page.context["cl"].filter_specs if spec.title == "sync"]
    names = {name for _, name in by_sync.lookup_choices}
    assert names == {world.ours["sync"].name}


def test_every_organization_owned_admin_is_scoped_and_every_other_is_for_superusers():
    from console.admin_mixins import OrganizationScopedMixin, SuperuserOnlyMixin

    for model, model_admin in admin.site._registry.items():
        expected = (
            SuperuserOnlyMixin
            if ADMIN_MODELS.get(model._meta.label_lower) == SUPERUSERS
            else OrganizationScopedMixin
        )
        assert isinstance(model_admin, expected), model._meta.label
        for inline in model_admin.inlines:
            assert issubclass(inline, OrganizationScopedMixin), inline


def test_staff_cancel_only_their_organizations_runs(world):
    theirs = world.theirs["running"]
    world.staff_client().post(
        reverse("admin:syncs_syncexecution_changelist"),
        {"action": "cancel", "_selected_action": [theirs.pk]},
    )
    assert SyncExecution.objects.get(pk=theirs.pk).status == "running"
