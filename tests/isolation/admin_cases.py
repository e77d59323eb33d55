"""The matrix's admin rows: Django's admin makes five URLs (and a redirect) per registered
model; each is tried by our staff member (not a superuser, every model permission) with their
object's id, from this table of what their object is and what a form posts.

A model registered in the admin without an entry in ADMIN_MODELS fails the matrix.
"""

from __future__ import annotations

from django.contrib import admin

from tests.isolation.cases import ADMIN_REFUSED, Case, NotScoped, Try

SUPERUSERS = "installation-wide, not an organization's: superusers only (console/admin.py)"

# Registered model → the name of their object in world.py, or why only superusers see it.
ADMIN_MODELS: dict[str, str] = {
    "organizations.organization": "organization",
    "organizations.membership": "membership",
    "organizations.apikey": "api_key",
    "organizations.auditentry": "audit",
    "organizations.notificationsettings": "notifications",
    "organizations.notificationsent": "sent",
    "organizations.invitation": "invitation",
    "connections.connection": "warehouse",
    "models_app.sqlmodel": "model",
    "syncs.sync": "sync",
    "syncs.syncexecution": "running",
    "syncs.recorderror": "rejected",
    "syncs.syncstate": "state",
    "syncs.event": "event",
    "syncs.webhook": "webhook",
    "syncs.webhookdelivery": "delivery",
    "auth.user": "person",
    "auth.group": SUPERUSERS,
    "axes.accessattempt": SUPERUSERS,
    "axes.accessfailurelog": SUPERUSERS,
    "axes.accesslog": SUPERUSERS,
    "social_django.association": SUPERUSERS,
    "social_django.nonce": SUPERUSERS,
    "social_django.usersocialauth": SUPERUSERS,
}

# What the add and change forms post: their ids wherever a form takes one. Where the only id
# is the organization's (ignored: ours is set), the row may be added — to ours.
FORMS: dict[str, tuple[dict[str, object], bool]] = {
    "organizations.organization": ({"name": "Planted", "memberships-TOTAL_FORMS": "0"}, False),
    "organizations.membership": (
        {"user": "{person}", "organization": "{organization}", "role": "admin"},
        False,
    ),
    "organizations.apikey": ({"organization": "{organization}", "name": "Planted"}, True),
    "organizations.notificationsettings": (
        {"organization": "{organization}", "recipients": ["{person}"], "on_failure": "on"},
        True,
    ),
    "connections.connection": (
        {
            "organization": "{organization}",
            "name": "Planted",
            "type": "postgresql",
            "configuration": '{"host": "127.0.0.1", "database": "planted"}',
            "status": "healthy",
        },
        True,
    ),
    "models_app.sqlmodel": (
        {
            "organization": "{organization}",
            "name": "Planted",
            "source": "{warehouse}",
            "query": "SELECT 1",
        },
        False,
    ),
    "syncs.sync": (
        {
            "organization": "{organization}",
            "name": "Planted",
            "model": "{model}",
            "target_connection": "{tool}",
            "target_object": "cadence:1001",
            "target_create": "{}",
            "target_configuration": "{}",
            "mode": "updateOrCreate",
            "identity": "{}",
            "fields": "[]",
            "override_fields": "[]",
            "schedule": '{"frequency": "manual"}',
        },
        False,
    ),
    "auth.user": (
        {
            "username": "planted@acme.test",
            "password1": "Planted-pass-9182",
            "password2": "Planted-pass-9182",
            "usable_password": "true",
        },
        True,
    ),
}


def _model_cases(label: str, theirs: str, model_admin: admin.ModelAdmin) -> dict[str, Case]:
    opts = model_admin.model._meta
    prefix = f"admin:{opts.app_label}_{opts.model_name}"
    route = f"admin/{opts.app_label}/{opts.model_name}/<path:object_id>/"
    if theirs == SUPERUSERS:
        forbidden = (403,)
        one = {"object_id": "1"}
        return {
            f"{prefix}_changelist": Case("staff", {}, (Try(), Try("POST")), forbidden),
            f"{prefix}_add": Case("staff", {}, (Try(), Try("POST")), forbidden),
            f"{prefix}_change": Case("staff", one, (Try(), Try("POST")), forbidden),
            f"{prefix}_delete": Case(
                "staff", one, (Try(), Try("POST", {"post": "yes"})), forbidden
            ),
            # Django looks the object up before the permission: "doesn't exist", or 403.
            f"{prefix}_history": Case("staff", one, (Try(),), (302, 403)),
            route: Case("staff", one, (Try(),), (301, 302)),
        }
    ours = {"object_id": f"{{{theirs}}}"}
    data, may_add_ours = FORMS.get(label, ({}, False))
    actions = [
        Try("POST", {"action": name, "_selected_action": [f"{{{theirs}}}"], "post": "yes"})
        for name in _action_names(model_admin)
    ]
    return {
        # Their rows aren't listed, not even through a filter naming their organization.
        f"{prefix}_changelist": Case(
            "staff",
            {},
            (Try(), Try(query="organization__id__exact={organization}"), *actions),
            (200, 302),
        ),
        f"{prefix}_add": Case(
            "staff", {}, (Try(), Try("POST", data, may_add_ours=may_add_ours)), (200, 302, 403)
        ),
        f"{prefix}_change": Case("staff", ours, (Try(), Try("POST", data)), ADMIN_REFUSED),
        f"{prefix}_delete": Case(
            "staff", ours, (Try(), Try("POST", {"post": "yes"})), ADMIN_REFUSED
        ),
        f"{prefix}_history": Case("staff", ours, (Try(),), ADMIN_REFUSED),
        route: Case("staff", ours, (Try(),), (301, 302)),
    }


def _action_names(model_admin: admin.ModelAdmin) -> list[str]:
    """Every bulk action the admin offers (Django's delete_selected and the model's own)."""
    names = [name for name, _ in model_admin.admin_site.actions]
    for action in model_admin.actions or ():
        names.append(action if isinstance(action, str) else action.__name__)
    return names


def _autocomplete_tries() -> list[Try]:
    """Every autocomplete field of every admin and inline: their rows are never offered."""
    tries = []
    for model, model_admin in admin.site._registry.items():
        owners = [model_admin, *(inline(model, admin.site) for inline in model_admin.inlines)]
        for owner in owners:
            for name in owner.autocomplete_fields:
                source = owner.model._meta
                tries.append(
                    Try(
                        query=f"app_label={source.app_label}&model_name={source.model_name}"
                        f"&field_name={name}&term=",
                    )
                )
    return tries


def admin_cases() -> dict[str, Case | NotScoped]:
    cases: dict[str, Case | NotScoped] = {
        "admin:login": NotScoped("the admin's sign-in page"),
        "admin:logout": NotScoped("signs the caller out"),
        "admin:password_change": NotScoped("the caller's own password"),
        "admin:password_change_done": NotScoped("a page saying the password changed"),
        "admin:jsi18n": NotScoped("the admin's translations for its scripts"),
        "admin/(?P<url>.*)$": NotScoped("any other admin address: not found"),
        "admin:index": Case("staff", {}, (Try(),), (200,)),
        "admin:app_list": Case(
            "staff",
            {},
            tuple(
                Try(kwargs={"app_label": label})
                for label in sorted({m._meta.app_label for m in admin.site._registry})
            ),
            (200, 404),
        ),
        "admin:autocomplete": Case("staff", {}, tuple(_autocomplete_tries()), (200, 403)),
        # No model has a page outside the admin (get_absolute_url): the shortcut finds none.
        "admin:view_on_site": Case(
            "staff",
            {"content_type_id": "{content_type:syncs.sync}", "object_id": "{sync}"},
            (Try(),),
            (404,),
        ),
        "admin:auth_user_password_change": Case(
            "staff",
            {"id": "{person}"},
            (
                Try(),
                Try("POST", {"password1": "Planted-pass-9182", "password2": "Planted-pass-9182"}),
            ),
            ADMIN_REFUSED,
        ),
    }
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        theirs = ADMIN_MODELS.get(label)
        if theirs is not None:
            cases.update(_model_cases(label, theirs, model_admin))
    return cases


def unlisted_admin_models() -> list[str]:
    return sorted(
        model._meta.label_lower
        for model in admin.site._registry
        if model._meta.label_lower not in ADMIN_MODELS
    )
