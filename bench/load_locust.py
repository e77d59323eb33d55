"""The clients of bench/load.py, for locust (`locust -f bench/load_locust.py`): API clients with
a key each, and console users logged in with a session. What they act on comes from the
environment bench/load.py sets: LOAD_API_KEYS, LOAD_SYNCS (sync ids), LOAD_EXECUTIONS
(sync:execution pairs), LOAD_EMAIL and LOAD_PASSWORD.

Every answer other than the expected status is a failure; locust counts them per request name.
"""

from __future__ import annotations

import itertools
import os
import random
import re

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

KEYS = os.environ.get("LOAD_API_KEYS", "").split(",")
SYNCS = os.environ.get("LOAD_SYNCS", "").split(",")
EXECUTIONS = [pair.split(":") for pair in os.environ.get("LOAD_EXECUTIONS", "").split(",") if pair]
EMAIL = os.environ.get("LOAD_EMAIL", "")
PASSWORD = os.environ.get("LOAD_PASSWORD", "")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_keys = itertools.cycle(KEYS)


class ApiClient(FastHttpUser):
    """A script on the REST API: lists syncs, reads their executions, now and then starts one."""

    weight = 3
    wait_time = between(0.05, 0.25)

    def on_start(self) -> None:
        self.headers = {"Authorization": f"Bearer {next(_keys)}", "Accept": "application/json"}

    @task(3)
    def list_syncs(self) -> None:
        self.client.get("/api/syncs", headers=self.headers, name="API list syncs")

    @task(3)
    def list_executions(self) -> None:
        sync = random.choice(SYNCS)  # noqa: S311 - load, not security
        self.client.get(
            f"/api/syncs/{sync}/executions", headers=self.headers, name="API list executions"
        )

    @task(3)
    def read_execution(self) -> None:
        sync, execution = random.choice(EXECUTIONS)  # noqa: S311
        self.client.get(
            f"/api/syncs/{sync}/executions/{execution}",
            headers=self.headers,
            name="API read execution",
        )

    @task(1)
    def start_run(self) -> None:
        sync = random.choice(SYNCS)  # noqa: S311
        with self.client.post(
            f"/api/syncs/{sync}/executions",
            json={},
            headers=self.headers,
            name="API start run",
            catch_response=True,
        ) as response:
            # A start while one waits returns that one (coalesced): still a success.
            if response.status_code not in (200, 201):
                response.failure(f"{response.status_code}: {response.text[:200]}")


class ConsoleUser(FastHttpUser):
    """A person in the console: the syncs list, a sync's page, now and then its Run button."""

    weight = 1
    wait_time = between(0.2, 1.0)

    def on_start(self) -> None:
        page = self.client.get("/login/", name="console login page")
        token = CSRF_INPUT.search(page.text or "")
        assert token, "no CSRF token on the login page"
        with self.client.post(
            "/login/",
            data={"username": EMAIL, "password": PASSWORD, "csrfmiddlewaretoken": token[1]},
            headers={"Referer": f"{self.host}/login/"},
            name="console log in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login answered {response.status_code}")

    @task(3)
    def sync_list(self) -> None:
        self.client.get("/syncs/", name="console syncs list")

    @task(3)
    def sync_page(self) -> None:
        sync = random.choice(SYNCS)  # noqa: S311
        self.client.get(f"/syncs/{sync}/", name="console sync page")

    @task(1)
    def run_button(self) -> None:
        sync = random.choice(SYNCS)  # noqa: S311
        page = self.client.get(f"/syncs/{sync}/", name="console sync page")
        token = CSRF_INPUT.search(page.text or "")
        if token is None:
            return  # no Run form for this sync right now (a run is going): nothing to press
        with self.client.post(
            f"/syncs/{sync}/run/",
            data={"csrfmiddlewaretoken": token[1]},
            headers={"Referer": f"{self.host}/syncs/{sync}/"},
            name="console Run button",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"Run answered {response.status_code}")
