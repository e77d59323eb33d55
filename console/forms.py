"""Forms of the console's own pages (organization settings)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from organizations.models import Membership, Organization


class NotificationSettingsForm(forms.Form):
    recipients = forms.ModelMultipleChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Who gets the e-mails",
    )
    on_failure = forms.BooleanField(
        required=False, label="E-mail them when a sync's run fails", initial=True
    )
    rejected_percent = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=100,
        label="E-mail them when more than this share of a run's rows is rejected (%)",
        help_text="For example 5: a run of 1,000 rows with more than 50 rejected. Leave it empty "
        "to hear nothing about rejected rows.",
        error_messages={
            "min_value": "Give a percentage from 0 to 100, or leave it empty.",
            "max_value": "Give a percentage from 0 to 100, or leave it empty.",
            "invalid": "Give a whole number, such as 5, or leave it empty.",
        },
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = (
            get_user_model()
            .objects.filter(membership__organization=organization)
            .order_by("email", "username")
        )
        self.fields["recipients"].queryset = people
        self.fields["recipients"].label_from_instance = lambda person: (
            f"{person.get_full_name() or person.get_username()} <{person.email or 'no e-mail'}>"
        )


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        error_messages={"invalid": "Enter an e-mail address, such as ana@example.com."},
    )
    role = forms.ChoiceField(
        label="Role",
        choices=Membership.Role.choices,
        initial=Membership.Role.MEMBER,
        help_text="Members build and run models and syncs. Admins also manage connections, "
        "API keys, members and notifications.",
    )


class JoinForm(forms.Form):
    """The invited person's password; the rules are Django's password validators (the service
    checks them, so they speak in the form's errors)."""

    password = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label="The same password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password") and data.get("password_again") != data.get("password"):
            self.add_error("password_again", "The two passwords are not the same. Type it again.")
        return data


def time_zone_choices() -> list[tuple[str, str]]:
    from zoneinfo import available_timezones

    zones = sorted(zone for zone in available_timezones() if "/" in zone or zone == "UTC")
    return [(zone, zone.replace("_", " ")) for zone in zones]


class OrganizationSettingsForm(forms.Form):
    name = forms.CharField(max_length=200, label="Name")
    time_zone = forms.ChoiceField(
        choices=time_zone_choices,
        label="Time zone",
        help_text="Schedules are read in it: “daily at 9:00” is 9:00 there.",
        error_messages={
            "invalid_choice": "Choose a time zone from the list, such as Europe/Paris."
        },
    )
