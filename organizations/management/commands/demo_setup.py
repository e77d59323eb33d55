"""`make demo`'s preparation: organization, admin, demo warehouse connection, API key; then
the lines a person needs to start (URL, login, API key, the sandbox's Salesloft key)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from organizations.demo import demo_prepare


class Command(BaseCommand):
    help = (
        "Migrate, collect static files, then prepare (or reuse) the demo organization, its "
        "admin, warehouse connection and API key."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--organization", default="Demo Company")
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--url", required=True, help="Where the console answers")
        parser.add_argument("--sandbox-url", required=True)
        parser.add_argument("--warehouse-host", default="127.0.0.1")
        parser.add_argument("--warehouse-port", type=int, required=True)
        parser.add_argument("--key-file", type=Path, required=True)
        parser.add_argument(
            "--skip-install-steps",
            action="store_true",
            help="Don't migrate the database and collect static files first",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from sandbox.vendors.salesloft import DEMO_API_KEY

        if not options["skip_install_steps"]:
            # In this one process rather than three commands: each start of Django costs
            # seconds, and a second `make demo` should be up in a few.
            call_command("migrate", verbosity=0, interactive=False)
            call_command("collectstatic", verbosity=0, interactive=False)
        demo = demo_prepare(
            organization_name=options["organization"],
            email=options["email"],
            password=options["password"],
            warehouse_host=options["warehouse_host"],
            warehouse_port=options["warehouse_port"],
            key_file=options["key_file"],
        )
        url = options["url"].rstrip("/")
        lines = [
            "",
            f"  Syncline: {url}/   (log in as {demo.user.get_username()}, "
            f"password {options['password']})",
            f"  Walkthroughs: {url}/walkthroughs/   Administration: {url}/admin/",
            f"  API: {url}/api/  key {demo.api_key}",
            f"  Warehouse: the connection “{demo.warehouse.name}” is ready (Snowflake, database "
            "DEMO, schema PUBLIC)",
            f"  Vendor sandbox: {options['sandbox_url']}/   Salesloft API key {DEMO_API_KEY}",
            "  Logs: var/log/. Press Ctrl-C to stop everything.",
            "",
        ]
        self.stdout.write("\n".join(lines))
