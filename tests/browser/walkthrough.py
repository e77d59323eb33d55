"""Clicking through a vendor walkthrough (reference/seeds/) in the console: log in, connect
Snowflake and the tool through the wizard (the sandbox's consent page included), write the
model, build the sync step by step, run it on a real worker."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import expect

from config.services_probe import redis_url
from syncs.models import Sync, SyncExecution
from tests.factories import PASSWORD
from tests.integration.worker import worker


class ConsoleErrors:
    """Every JavaScript error the console's pages raise (console errors, uncaught exceptions);
    the sandbox's consent pages are the vendors' stand-ins, not ours."""

    def __init__(self, page, origin: str) -> None:
        self.page = page
        self.origin = origin
        self.seen: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", self._uncaught)

    def _ours(self, url: str) -> bool:
        return url.startswith(self.origin)

    def _console(self, message) -> None:
        url = message.location.get("url", "") or self.page.url
        if message.type == "error" and self._ours(url):
            self.seen.append(f"{message.text} ({url})")

    def _uncaught(self, error) -> None:
        if self._ours(self.page.url):
            self.seen.append(f"uncaught on {self.page.url}: {error}")

    def assert_none(self) -> None:
        assert self.seen == [], self.seen


def log_in(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def connect_snowflake(page, live_server, warehouse: dict) -> None:
    page.goto(f"{live_server.url}/connections/new")
    page.click(".type-card >> text=Snowflake")
    page.fill("#id_name", "Snowflake Connection")
    for name in ("account", "username", "password", "dbname", "schema", "host"):
        page.fill(f"#id_{name}", str(warehouse[name]))
    page.fill("#id_port", str(warehouse["port"]))
    page.select_option("#id_protocol", "http")
    page.click("button[value=save]")
    expect(page.locator(".message")).to_contain_text("Snowflake Connection is connected")


def connect_tool(page, live_server, sandbox, name: str) -> None:
    page.goto(f"{live_server.url}/connections/new")
    page.click(f".type-card >> text={name}")
    page.click("button[value=oauth]")
    page.wait_for_url(re.compile(re.escape(sandbox.url) + ".*"))
    page.get_by_role("button", name="Allow").click()


def write_model(page, name: str, query: str, columns: int) -> None:
    page.click("nav >> text=Models")
    page.click("text=New model")
    page.fill("#id_name", name)
    page.fill("#id_query", query)
    page.click("button[value=save]")
    expect(page.locator(".message")).to_contain_text(f"saved with {columns} field")


# Inputs a person fills in with no label (a <label for>, a wrapping label, or aria-label).
UNLABELLED = """() => [...document.querySelectorAll("input, select, textarea")]
    .filter((el) => el.type !== "hidden" && !(el.labels && el.labels.length)
                    && !el.getAttribute("aria-label"))
    .map((el) => el.name || el.id)"""


def step(page, screenshot, shot: str, heading: str) -> None:
    """On the builder step whose card asks `heading`, with no problem shown and every input
    labelled; screenshot it."""
    expect(page.locator(".card h2").first).to_contain_text(heading)
    expect(page.locator("#step-problems")).to_have_count(0)
    assert page.evaluate(UNLABELLED) == []
    screenshot(shot)


def proceed(page) -> None:
    page.get_by_role("button", name=re.compile(r"^Continue")).first.click()


@contextmanager
def running_worker(sandbox, tmp_path) -> Iterator[object]:
    """A real worker on the default queue, where the console's starts go."""
    with worker(
        broker=redis_url(), sandbox_url=sandbox.url, tmp_path=tmp_path, queue="celery"
    ) as running:
        yield running


def run_from_the_sync_page(page, running, sync: Sync) -> SyncExecution:
    """Press Run on the sync page and wait for the real worker to finish the execution."""
    page.get_by_role("button", name=re.compile(r"^Run now")).click()
    execution = SyncExecution.objects.filter(sync=sync).latest()
    return running.wait(execution, timeout=180)
