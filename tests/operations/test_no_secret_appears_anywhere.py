"""No secret leaves Syncline: not in a page, an API answer, the admin, a log line, an e-mail, an
event, a webhook delivery, an execution log, a CSV export, or a table's plain columns.

One connection of every type is made with marker secrets (OAuth tools through the sandbox's
consent, so real tokens are stored), a secret is changed, syncs run into every tool (rejected
rows, token refreshes, a dry run, a revoked consent and a wrong warehouse password that make
runs fail), an API key and a webhook with a secret are made and its events delivered. Then
every page the URL resolver knows is opened as the organization's admin (a superuser) and as a
member, every admin page of every model, every API GET with the key; and everything is searched
for every marker, as written, percent-encoded and base64-encoded.

Not searched: the sandbox's own request log (the vendor's side, which must see the tokens).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from django.core import mail
from django.db import connection as db
from django.test import Client

from sandbox.oauth import DEMO_CLIENT
from sandbox.server import running_sandbox
from tests.operations.page_recipes import ALSO_FINE, Page, pages
from tests.operations.secrets_runs import scenario_build
from tests.operations.secrets_scenario import SALESFORCE_APP, WEBHOOK_SECRET, Scenario
from tests.syncs.webhook_receiver import webhook_receiver

pytestmark = pytest.mark.django_db

# What a page may answer: a page, a redirect (to a login, the vendor, the next step), a GET
# refused on a POST-only URL; a member is refused the admin's pages.
FINE = {200, 301, 302, 405}
MEMBER_FINE = FINE | {403}
# The admin refuses to add or delete rows that only Syncline writes (runs, events, the audit).
READ_ONLY_ADMIN = FINE | {403}


class Everything(logging.Handler):
    """Keeps every record's message, traceback and extra attributes, from every logger."""

    STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        parts = [f"{record.name} {record.levelname} {record.getMessage()}"]
        if record.exc_info:
            parts.append(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            parts.append(record.stack_info)
        parts += [f"{k}={v!r}" for k, v in vars(record).items() if k not in self.STANDARD]
        self.lines.append("\n".join(parts))


@pytest.fixture
def every_log_line() -> Iterator[Everything]:
    """Every logger at DEBUG into one handler (the root's, and any that doesn't propagate),
    SQL with its parameters included."""
    handler = Everything()
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    levels = {logger: logger.level for logger in loggers}
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        if logger is loggers[0] or not logger.propagate:
            logger.addHandler(handler)
    db.force_debug_cursor = True
    try:
        yield handler
    finally:
        db.force_debug_cursor = False
        for logger, level in levels.items():
            logger.setLevel(level)
            logger.removeHandler(handler)


@pytest.fixture
def sandbox():
    """The sandbox, knowing the organization's own Salesforce connected app too."""
    with running_sandbox(clients=[DEMO_CLIENT, SALESFORCE_APP]) as running:
        yield running


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    headers = "\n".join(f"{k}: {v}" for k, v in response.items())
    return f"{headers}\n{body.decode(errors='replace')}"


def _open(scenario: Scenario, walk: list[Page]) -> tuple[list[tuple[str, str]], list[str]]:
    """Each page as the admin and as a member (the API with the key); texts and odd statuses."""
    texts, odd = [], []
    for page in walk:
        if page.api:
            callers = [("API", scenario.api.get(page.url), FINE | ALSO_FINE.get(page.name, set()))]
        else:
            read_only = page.name.endswith(("_add", "_delete")) and page.name.startswith("admin:")
            fine = (READ_ONLY_ADMIN if read_only else FINE) | ALSO_FINE.get(page.name, set())
            callers = [("admin", scenario.admin_client.get(page.url), fine)]
            if not page.name.startswith("admin:"):
                member_fine = MEMBER_FINE | ALSO_FINE.get(page.name, set())
                callers.append(("member", scenario.member_client.get(page.url), member_fine))
        for who, response, fine in callers:
            texts.append((f"GET {page.url} as {who}", _text(response)))
            if response.status_code not in fine:
                odd.append(f"{page.name} {page.url} as {who}: {response.status_code}")
    anonymous = Client(HTTP_HOST="127.0.0.1")
    texts.append(("GET /login/ signed out", _text(anonymous.get("/login/"))))
    return texts, odd


def _tables() -> list[tuple[str, str]]:
    """Every row of every table (encrypted columns hold ciphertext: a marker there is a leak)."""
    texts = []
    with db.cursor() as cursor:
        for table in db.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {db.ops.quote_name(table)}")
            texts.append((f"table {table}", "\n".join(repr(row) for row in cursor.fetchall())))
    return texts


def _sessions() -> list[tuple[str, str]]:
    from django.contrib.sessions.models import Session

    return [(f"session {s.pk[:8]}…", repr(s.get_decoded())) for s in Session.objects.all()]


def test_no_page_answer_log_event_export_or_table_holds_a_secret(
    organization,
    superuser,
    member,
    sandbox,
    vendors,
    http,
    demo_warehouse,
    postgres_warehouse,
    every_log_line,
    capfd,
):
    with webhook_receiver(WEBHOOK_SECRET) as receiver:
        scenario = scenario_build(
            Scenario(
                organization=organization,
                admin=superuser,
                member=member,
                sandbox=sandbox,
                http=http,
                warehouse=demo_warehouse,
                postgres=postgres_warehouse,
                receiver=receiver,
            )
        )
        walk, unfilled = pages(scenario)
        assert unfilled == [], "\n".join(unfilled)
        page_texts, odd = _open(scenario, walk)
        deliveries = [
            (f"webhook delivery {n}", f"{r.headers}\n{r.body}")
            for n, r in enumerate(receiver.received)
        ]
    assert odd == [], "\n".join(odd)
    markers = scenario.markers
    assert len(markers.values) >= 25, sorted(markers.values)  # the planted ones and the tokens

    output = capfd.readouterr()
    searched = [
        *scenario.answers,
        *page_texts,
        *deliveries,
        *[
            (f"e-mail “{m.subject}”", f"{m.subject}\n{m.body}\n{m.alternatives}")
            for m in mail.outbox
        ],
        *[(f"log line {n}", line) for n, line in enumerate(every_log_line.lines)],
        ("standard output", output.out),
        ("standard error", output.err),
        *_tables(),
        *_sessions(),
    ]
    # The search finds what is there: the new API key, on the one answer that shows it.
    for where, raw_key in scenario.shown_once.items():
        assert raw_key in dict(scenario.answers)[where] and markers.hits(raw_key), where
    hits = []
    for where, text in searched:
        for hit in markers.hits(text):
            shown = scenario.shown_once.get(where)
            if shown is None or markers.values[hit.split(" (")[0]] != shown:
                hits.append(f"{where}: {hit}")
    assert hits == [], f"{len(hits)} secret(s) found:\n" + "\n".join(hits[:200])
    assert len(walk) > 300 and len(every_log_line.lines) > 1000  # the sweep looked at a lot
