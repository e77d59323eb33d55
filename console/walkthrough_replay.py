"""`manage.py walkthrough`: the seeds' requests, sent to a running Syncline's REST API as the
seeds write them, each printed with a one-line result; OAuth completed against the sandbox's
consent page; ending with a run of the sync and its counts.

What it adapts, and says so when it does: the seeds' placeholders (filled with the ids earlier
steps returned; `my-salesloft-cadence` with a cadence the connection lists), and names a former
run already used in the organization (a connection of the same name and type is reused; a model
named "Active Users" with another query gets the walkthrough's name added, since model names are
unique in an organization).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import httpx

from console.walkthroughs import WALKTHROUGHS, Request, Walkthrough

TERMINAL = {"completed", "failed", "canceled", "interrupted"}


class WalkthroughFailed(Exception):
    """A step the running app refused; the message says which and why."""


class _Form(HTMLParser):
    """The sandbox consent page's form: its action, hidden inputs and the Allow button."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}
        self.decisions: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "form" and not self.action:
            self.action = values.get("action", "")
        if tag == "input" and values.get("type") == "hidden" and values.get("name"):
            self.fields[values["name"]] = values.get("value", "")
        if tag == "button" and values.get("name") == "decision":
            self.decisions.append(values.get("value", ""))


@dataclass
class Replay:
    base_url: str
    api_key: str
    say: Callable[[str], None] = print
    timeout: float = 300.0
    ids: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.api = httpx.Client(
            base_url=self.base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {self.api_key}", "Accept": "application/json"},
            timeout=60,
        )
        self.browser = httpx.Client(timeout=60, follow_redirects=False)

    def close(self) -> None:
        self.api.close()
        self.browser.close()

    # -- one walkthrough --------------------------------------------------------------------
    def run(self, walkthrough: Walkthrough) -> dict[str, Any]:
        self.ids = {}
        self.say(f"== {walkthrough.title} (reference/seeds/{walkthrough.seed})")
        for number, step in enumerate(walkthrough.steps, start=1):
            self.say(f"{number}. {step.title}")
            for request in step.requests:
                self._send(walkthrough, request)
        sync_ids = [self.ids[k] for k in ("SYNC", "SYNC_NEW") if k in self.ids]
        counts = {}
        for sync_id in sync_ids:
            counts[sync_id] = self._run_sync(sync_id)
        return counts

    def _fill(self, text: str) -> str:
        for placeholder, value in self.ids.items():
            text = text.replace(placeholder, value)
        return text

    def _send(self, walkthrough: Walkthrough, request: Request) -> dict[str, Any]:
        if request.path.endswith("/target/fields") or '"object"' in (request.body or ""):
            self._pick_target(walkthrough)
        path = self._fill(request.path)
        body = self._fill(request.body) if request.body is not None else None
        params = {key: self._fill(value) for key, value in request.query.items()}
        headers = {"X-Polytomic-Version": request.version} if request.version else {}
        if body is not None:
            headers["Content-Type"] = "application/json"
        shown = path + (f"?{httpx.QueryParams(params)}" if params else "")
        answer = self.api.request(
            request.method, path, content=body, params=params, headers=headers
        )
        if answer.status_code >= 400 and request.keep and body is not None:
            answer = self._after_refusal(walkthrough, request, body, answer, headers)
        if answer.status_code >= 400:
            raise WalkthroughFailed(
                f"{request.method} {shown} → {answer.status_code}: {_said(answer)}"
            )
        data = answer.json().get("data") if answer.content else None
        self.say(f"   {request.method} {shown} → {answer.status_code} {_summary(data)}")
        if request.keep and isinstance(data, dict) and data.get("id"):
            self.ids[request.keep] = str(data["id"])
        if isinstance(data, dict) and data.get("auth_url"):
            self._consent(str(data["auth_url"]))
        return data if isinstance(data, dict) else {"data": data}

    def _after_refusal(
        self,
        walkthrough: Walkthrough,
        request: Request,
        body: str,
        answer: httpx.Response,
        headers: dict[str, str],
    ) -> httpx.Response:
        """A name an earlier run took: reuse that connection, or rename the model."""
        sent = json.loads(re.sub(r",\s*([}\]])", r"\1", body))
        name = sent.get("name")
        if request.path == "/api/connections":
            for item in self.api.get("/api/connections").json().get("data", []):
                kind = item.get("type")
                kind = kind.get("id") if isinstance(kind, dict) else kind  # {id, name, ...}
                if item.get("name") == name and kind == sent.get("type"):
                    self.say(f"   “{name}” exists from an earlier run: reusing it")
                    self.ids[request.keep] = str(item["id"])
                    return httpx.Response(200, json={"data": item})
        if request.path == "/api/models" and "already exists" in answer.text:
            query = (sent.get("configuration") or {}).get("query")
            models = self.api.get("/api/models").json().get("data", [])
            for item in models:
                if (item.get("configuration") or {}).get("query") == query:
                    self.say(f"   the model “{item['name']}” has this query already: reusing it")
                    self.ids[request.keep] = str(item["id"])
                    return httpx.Response(200, json={"data": item})
            taken = {item.get("name") for item in models}
            renamed = f"{name} ({walkthrough.short} walkthrough)"
            number = 2
            while renamed in taken:
                renamed, number = f"{name} ({walkthrough.short} walkthrough {number})", number + 1
            self.say(
                f"   a model named “{name}” exists with another query: naming this one “{renamed}”"
            )
            retry = body.replace(f'"name": "{name}"', f'"name": "{renamed}"', 1)
            return self.api.post(request.path, content=retry, headers=headers)
        return answer

    def _pick_target(self, walkthrough: Walkthrough) -> None:
        placeholder = walkthrough.target_placeholder
        if placeholder in self.ids:
            return
        connection = next(
            value
            for key, value in self.ids.items()
            if key.endswith(("CONNECTION_ID", "CONNECTION-ID")) and "SNOWFLAKE" not in key
        )
        listed = self.api.get(f"/api/connections/{connection}/modelsync/targetobjects").json()
        targets = listed.get("data") or []
        pick = walkthrough.target_pick
        chosen = next(
            (t for t in targets if pick in str(t.get("id")) or pick in str(t.get("name"))), None
        )
        if chosen is None:
            raise WalkthroughFailed(f"The connection lists no target like “{pick}” to sync into.")
        self.ids[placeholder] = str(chosen["id"])
        if walkthrough.fields_placeholder:
            self.ids[walkthrough.fields_placeholder] = str(chosen["id"])
        self.say(f"   ({placeholder} is “{chosen['name']}”, id {chosen['id']})")

    # -- OAuth, as a person in a browser would ---------------------------------------------
    def _consent(self, auth_url: str) -> None:
        url, hops = auth_url, 0
        while hops < 20:
            hops += 1
            page = self.browser.get(url)
            if page.is_redirect:
                url = urljoin(url, page.headers["Location"])
                continue
            form = _Form()
            form.feed(page.text)
            if "allow" in form.decisions:
                answer = self.browser.post(
                    urljoin(url, form.action or url), data={**form.fields, "decision": "allow"}
                )
                if not answer.is_redirect:
                    raise WalkthroughFailed(
                        f"Pressing Allow on the consent page answered {answer.status_code}."
                    )
                url = urljoin(url, answer.headers["Location"])
                while True:
                    landed = self.browser.get(url)
                    if not landed.is_redirect:
                        break
                    url = urljoin(url, landed.headers["Location"])
                if landed.status_code >= 400:
                    raise WalkthroughFailed(
                        f"The OAuth flow ended on an error page ({landed.status_code})."
                    )
                self.say(
                    "   opened auth_url, pressed Allow on the sandbox's consent page: connected"
                )
                return
            raise WalkthroughFailed(f"auth_url led to a page without a consent form ({url}).")
        raise WalkthroughFailed("auth_url kept redirecting.")

    # -- running the sync ---------------------------------------------------------------------
    def _run_sync(self, sync_id: str) -> dict[str, Any]:
        started = self.api.post(f"/api/syncs/{sync_id}/executions", json={})
        if started.status_code >= 400:
            raise WalkthroughFailed(
                f"Starting sync {sync_id} → {started.status_code}: {_said(started)}"
            )
        execution = started.json()["data"]["id"]
        self.say(
            f"   POST /api/syncs/{sync_id}/executions → {started.status_code} (run {execution})"
        )
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            got = self.api.get(f"/api/syncs/{sync_id}/executions/{execution}").json()["data"]
            if got["status"] in TERMINAL:
                counts = got.get("counts") or {}
                figures = ", ".join(f"{k} {v}" for k, v in counts.items())
                self.say(f"   run {got['status']}: {figures}")
                if got["status"] != "completed":
                    raise WalkthroughFailed(
                        f"The run ended {got['status']}: {'; '.join(got.get('errors') or [])}"
                    )
                return counts
            time.sleep(1)
        raise WalkthroughFailed(f"The run of sync {sync_id} did not finish in {self.timeout:g} s.")


def _said(answer: httpx.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return answer.text[:200]
    return str(body.get("message") or body.get("error") or body)[:300]


def _summary(data: Any) -> str:
    if isinstance(data, list):
        return f"({len(data)} item{'s' if len(data) != 1 else ''})"
    if isinstance(data, dict):
        bits = [f"{key} {data[key]}" for key in ("name", "id") if data.get(key)]
        return f"({', '.join(bits)})" if bits else ""
    return ""


def replay(
    names: list[str], *, base_url: str, api_key: str, say: Callable[[str], None]
) -> dict[str, Any]:
    runner = Replay(base_url, api_key, say)
    try:
        return {name: runner.run(WALKTHROUGHS[name]) for name in names}
    finally:
        runner.close()
