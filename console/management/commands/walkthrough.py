"""python manage.py walkthrough salesloft|gong|linkedin|all [--url ...] [--key ...]"""

from __future__ import annotations

import os
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from console.walkthrough_replay import WalkthroughFailed, replay
from console.walkthroughs import WALKTHROUGHS


class Command(BaseCommand):
    help = (
        "Run the walkthroughs of reference/seeds/ through the REST API of a running Syncline "
        "(make demo), with the seeds' own request bodies, completing OAuth on the sandbox."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("name", choices=[*WALKTHROUGHS, "all"])
        parser.add_argument(
            "--url", default=os.environ.get("SYNCLINE_URL", "http://127.0.0.1:8000")
        )
        parser.add_argument(
            "--key",
            default=os.environ.get("SYNCLINE_API_KEY", ""),
            help="An API key (default: the demo's, from var/demo_api_key)",
        )
        parser.add_argument("--timeout", type=float, default=300.0)

    def handle(self, *args: Any, **options: Any) -> None:
        key = options["key"] or self._demo_key()
        names = list(WALKTHROUGHS) if options["name"] == "all" else [options["name"]]
        try:
            replay(names, base_url=options["url"], api_key=key, say=self.stdout.write)
        except WalkthroughFailed as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Done: {', '.join(names)}."))

    @staticmethod
    def _demo_key() -> str:
        path = Path(settings.VAR_DIR) / "demo_api_key"
        if not path.exists():
            raise CommandError("Give an API key with --key (or run make demo, which makes one).")
        return path.read_text().strip()
