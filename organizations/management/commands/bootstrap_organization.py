"""Create an organization and its admin user without prompts (for installs and `make demo`)."""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from organizations.services import organization_bootstrap


class Command(BaseCommand):
    help = (
        "Create or update an organization and its admin user (who can also use the Django "
        "admin). Safe to run again. The password comes from --password or the "
        "SYNCLINE_ADMIN_PASSWORD environment variable."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--organization", required=True, help="Organization name")
        parser.add_argument("--email", required=True, help="The admin's e-mail, used to log in")
        parser.add_argument("--password", default=None)
        parser.add_argument(
            "--no-superuser",
            action="store_true",
            help="Organization admin in the console only, without Django admin access",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"] or os.environ.get("SYNCLINE_ADMIN_PASSWORD", "")
        if not password:
            raise CommandError("Give a password with --password or SYNCLINE_ADMIN_PASSWORD.")
        organization, user, created = organization_bootstrap(
            organization_name=options["organization"],
            email=options["email"],
            password=password,
            superuser=not options["no_superuser"],
        )
        verb = "Created" if created else "Updated"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} {user.get_username()}, admin of '{organization.name}'.")
        )
