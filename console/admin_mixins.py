"""What the Django admin shares with the console: saves through the services, errors in words.

Django's admin saves a change inside one transaction (ModelAdmin.changeform_view). The
services open their own short transactions and ask warehouses and vendors outside them, as
every write must ("no network or warehouse call inside a transaction other work waits on"):
an outer transaction would hold row locks — on SQLite, the database's only write lock — for as
long as a warehouse takes to answer. So admins of models saved through services don't add one.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import admin, messages
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

CONFLICT = (
    "The change conflicts with something saved meanwhile, so nothing was saved. Reload the "
    "page and try again."
)


def constraint_sentence(error: IntegrityError) -> str:
    """The sentence of the constraint a database refusal names; a plain one when none is known.

    Database texts (`duplicate key value violates unique constraint "…"`) never reach a person.
    """
    text = str(error)
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            default = constraint.default_violation_error_message
            if constraint.name in text and constraint.violation_error_message != default:
                return str(constraint.violation_error_message)
    return CONFLICT


class SavedThroughServicesAdmin(admin.ModelAdmin):
    """No admin transaction around a save (the services hold their own), and a constraint the
    database refuses at the last moment (a race the form's checks could not see) becomes a
    message in words, not an error page naming the constraint."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
            return super().changeform_view(request, object_id, form_url, extra_context)
        try:
            return self._changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError as error:
            self.message_user(request, constraint_sentence(error), level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
