"""Console pages for an organization's people: the members page (admins) and the invitation
link's page (anyone holding the link; no sign-in)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from console.decorators import admin_required
from console.forms import InvitationForm, JoinForm
from organizations.members import (
    ROLE_NAMES,
    InvitationRefused,
    invitation_accept,
    invitation_create,
    invitation_email,
    invitation_for_token,
    invitation_revoke,
    membership_remove,
    membership_role_change,
)
from organizations.roles import organization_admin_names
from organizations.selectors import (
    invitation_get,
    invitation_pending_list,
    membership_get,
    membership_list,
)


@never_cache  # the page may show an invitation link once
@admin_required(what="manage members")
def members(request: HttpRequest) -> HttpResponse:
    """Who is in the organization and with which role; invite, change, remove, revoke."""
    organization = request.organization
    action = request.POST.get("action") if request.method == "POST" else None
    form = InvitationForm(request.POST if action == "invite" else None)
    link, email_problem = "", ""
    if action == "invite" and form.is_valid():
        try:
            invitation, token = invitation_create(
                organization=organization,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except ValidationError as error:
            for name, sentences in error.message_dict.items():
                form.add_error(name if name in form.fields else None, sentences)
        else:
            link = request.build_absolute_uri(reverse("console:invitation", args=[token]))
            email_problem = invitation_email(invitation=invitation, link=link)
            form = InvitationForm()
    elif action in {"role", "remove"}:
        return _change_member(request, action)
    elif action == "revoke":
        invitation = invitation_get(
            organization=organization, invitation_id=request.POST.get("invitation")
        )
        if invitation is None:
            raise Http404("No such invitation")
        if invitation_revoke(organization=organization, invitation=invitation):
            messages.success(
                request,
                f"The invitation of {invitation.email} is revoked: its link no longer works.",
            )
        return redirect("console:members")
    people = list(membership_list(organization=organization))
    return render(
        request,
        "console/members.html",
        {
            "people": people,
            "admin_count": sum(1 for person in people if person.role == "admin"),
            "invitations": invitation_pending_list(organization=organization),
            "form": form,
            "link": link,
            "email_problem": email_problem,
            "invited_email": request.POST.get("email", "") if link else "",
            "roles": ROLE_NAMES,
        },
        status=400 if action == "invite" and not link else 200,
    )


def _change_member(request: HttpRequest, action: str) -> HttpResponse:
    organization = request.organization
    membership = membership_get(organization=organization, membership_id=request.POST.get("member"))
    if membership is None:
        raise Http404("No such member")
    name, themselves = membership.user.get_username(), membership.user_id == request.user.pk
    try:
        if action == "role":
            changed = membership_role_change(
                organization=organization, membership=membership, role=request.POST.get("role", "")
            )
            messages.success(
                request, f"{name} is now {'an admin' if changed.role == 'admin' else 'a member'}."
            )
            if themselves and changed.role != "admin":
                return redirect("console:home")  # the members page is no longer theirs
        else:
            removed = membership_remove(organization=organization, membership=membership)
            messages.success(
                request,
                f"{removed.name} is removed from {organization.name}"
                + (
                    " and can no longer sign in."
                    if removed.deactivated
                    else "; their Syncline administrator account stays (see the Django admin)."
                ),
            )
            if themselves:
                logout(request)
                return redirect("login")
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect("console:members")


@never_cache
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation link: choose a password and join. No sign-in needed; spent, expired,
    revoked or unknown links get a page saying so."""
    try:
        invitation = invitation_for_token(token=token)
    except InvitationRefused as refused:
        return _refused(request, refused)
    if request.user.is_authenticated:
        return render(
            request,
            "console/invitation.html",
            {"invitation": invitation, "someone_else": request.user.get_username()},
            status=403,
        )
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(token=token, password=form.cleaned_data["password"])
        except InvitationRefused as refused:
            return _refused(request, refused)
        except ValidationError as error:
            for sentence in error.message_dict.get("password", error.messages):
                form.add_error("password", sentence)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to {invitation.organization.name}.")
            return redirect("console:home")
    return render(
        request,
        "console/invitation.html",
        {
            "invitation": invitation,
            "form": form,
            "admins": organization_admin_names(organization=invitation.organization)[:5],
        },
        status=400 if request.method == "POST" else 200,
    )


def _refused(request: HttpRequest, refused: InvitationRefused) -> HttpResponse:
    return render(
        request, "console/invitation.html", {"problem": refused.message}, status=refused.status
    )
