from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from console.decorators import organization_required
from console.forms import NotificationSettingsForm
from console.selectors import home_summary
from organizations.models import Membership, NotificationSettings
from organizations.services import notification_settings_update


@organization_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "console/home.html", home_summary(organization=request.organization))


@organization_required
def notification_settings_view(request: HttpRequest) -> HttpResponse:
    """Organization settings: whom to e-mail about runs. Admins only."""
    if request.membership.role != Membership.Role.ADMIN:
        return render(request, "console/admins_only.html", status=403)
    current = (
        NotificationSettings.objects.filter(organization=request.organization)
        .prefetch_related("recipients")
        .first()
    )
    initial = (
        {
            "recipients": list(current.recipients.all()),
            "on_failure": current.on_failure,
            "rejected_percent": current.rejected_percent,
        }
        if current
        else {"on_failure": True}
    )
    form = NotificationSettingsForm(
        request.POST or None, initial=initial, organization=request.organization
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notification_settings_update(
                organization=request.organization,
                user=request.user,
                recipients=list(data["recipients"]),
                on_failure=data["on_failure"],
                rejected_percent=data["rejected_percent"],
            )
        except ValidationError as error:
            for name, sentences in error.message_dict.items():
                form.add_error(name if name in form.fields else None, sentences)
        else:
            count = len(data["recipients"])
            messages.success(
                request,
                f"Notifications saved: {count} {'person' if count == 1 else 'people'} "
                "will be e-mailed."
                if count
                else "Notifications saved: nobody will be e-mailed.",
            )
            return redirect("console:notifications")
    return render(request, "console/notifications.html", {"form": form})
