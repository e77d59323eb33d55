"""`apikey create --organization NAME`: print a new REST API key (automation, the demo)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError
from django.utils import timezone

from organizations.models import Organization
from organizations.services import api_key_create


class Command(BaseCommand):
    help = (
        "Create an API key for an organization and print it. The key is shown once: only its "
        "hash is kept. Use it as 'Authorization: Bearer <key>' (docs/api.md)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a key and print it")
        create.add_argument("--organization", required=True, help="The organization's name")
        create.add_argument("--name", default="", help="What the key is for (default: a date)")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = Organization.objects.filter(name=options["organization"]).first()
        if organization is None:
            raise CommandError(
                f"There is no organization named '{options['organization']}'. Create it with "
                "`manage.py bootstrap_organization` first."
            )
        name = options["name"] or f"Key of {timezone.now():%Y-%m-%d %H:%M:%S}"
        try:
            _, raw_key = api_key_create(organization=organization, name=name)
        except IntegrityError as error:
            raise CommandError(
                f"'{organization.name}' already has a key named '{name}'. Choose another --name."
            ) from error
        self.stdout.write(raw_key)
