"""The sandbox's own machinery: faults, the request log, records, reset, the state file, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from sandbox.server import running_sandbox
from sandbox.vendors.salesloft import DEMO_API_KEY
from tests.sandbox.helpers import REDIRECT_URI, consent

ROOT = Path(__file__).resolve().parents[2]
KEY = {"Authorization": f"Bearer {DEMO_API_KEY}"}


def test_the_request_log_counts_calls_per_endpoint(sandbox, http):
    base = sandbox.vendor_url("salesloft")
    for _ in range(3):
        http.post(
            f"{base}/v2/person_upserts",
            headers=KEY,
            json={"upsert_key": "email_address", "email_address": "a@b.example"},
        )
    http.get(f"{base}/v2/cadences", headers=KEY)
    summary = http.get(f"{sandbox.url}/_sandbox/requests").json()
    assert summary["counts"]["POST salesloft.person_upserts"] == 3
    assert summary["counts"]["GET salesloft.cadences"] == 1
    assert summary["total"] == 4
    assert {entry["status"] for entry in summary["requests"]} == {200}
    http.delete(f"{sandbox.url}/_sandbox/requests")
    assert http.get(f"{sandbox.url}/_sandbox/requests").json()["total"] == 0


def test_reset_brings_back_the_seed_data(sandbox, http):
    base = sandbox.vendor_url("salesloft")
    http.post(f"{base}/v2/people", headers=KEY, json={"email_address": "new@b.example"})
    assert http.get(f"{sandbox.url}/_sandbox/records/salesloft/people").json()["count"] == 3
    http.post(f"{sandbox.url}/_sandbox/reset", json={})
    assert http.get(f"{sandbox.url}/_sandbox/records/salesloft/people").json()["count"] == 2
    tables = http.get(f"{sandbox.url}/_sandbox/records").json()["tables"]
    assert tables["salesloft/cadences"] == 4


def test_faults_can_be_limited_to_one_vendor_and_changed_at_runtime(sandbox, http):
    answer = http.put(
        f"{sandbox.url}/_sandbox/faults", json={"error_rate": 1.0, "vendors": ["gong"]}
    )
    assert answer.json()["error_rate"] == 1.0
    assert http.get(f"{sandbox.vendor_url('salesloft')}/v2/people", headers=KEY).status_code == 200
    http.put(f"{sandbox.url}/_sandbox/faults", json={"vendors": []})
    assert http.get(f"{sandbox.vendor_url('salesloft')}/v2/people", headers=KEY).status_code == 500
    log = http.get(f"{sandbox.url}/_sandbox/requests").json()["requests"]
    assert log[-1]["fault"] == "server_error"


def test_a_fraction_of_faults_is_a_fraction(sandbox, http):
    http.put(f"{sandbox.url}/_sandbox/faults", json={"rate_limit_rate": 0.5, "seed": 7})
    statuses = [
        http.get(f"{sandbox.vendor_url('salesloft')}/v2/cadences", headers=KEY).status_code
        for _ in range(200)
    ]
    assert 60 < statuses.count(429) < 140
    assert set(statuses) == {200, 429}


def test_unknown_or_out_of_range_fault_settings_are_refused(sandbox, http):
    unknown = http.put(f"{sandbox.url}/_sandbox/faults", json={"explode": True})
    assert unknown.status_code == 400
    assert "Unknown fault setting" in unknown.json()["error"]
    too_much = http.put(f"{sandbox.url}/_sandbox/faults", json={"error_rate": 2})
    assert too_much.status_code == 400


def test_slow_responses_and_timeouts_make_a_client_time_out(sandbox):
    sandbox.app.faults.update({"timeout_rate": 1.0, "timeout_seconds": 2.0})
    with httpx.Client(timeout=0.3) as impatient, pytest.raises(httpx.ReadTimeout):
        impatient.get(f"{sandbox.vendor_url('salesloft')}/v2/people", headers=KEY)
    sandbox.app.faults.update({"timeout_rate": 0.0, "slow_ms": 600})
    with httpx.Client(timeout=0.3) as impatient, pytest.raises(httpx.ReadTimeout):
        impatient.get(f"{sandbox.vendor_url('salesloft')}/v2/people", headers=KEY)
    with httpx.Client(timeout=5) as patient:
        assert (
            patient.get(f"{sandbox.vendor_url('salesloft')}/v2/people", headers=KEY).status_code
            == 200
        )


def test_short_lived_tokens_expire_and_revoked_refresh_tokens_are_refused(sandbox, http):
    base = sandbox.vendor_url("salesloft")
    sandbox.app.faults.update({"token_ttl": 1})
    code = consent(http, f"{base}/oauth/authorize")["code"]
    tokens = http.post(
        f"{base}/oauth/token",
        data={
            "client_id": "syncline-demo",
            "client_secret": "syncline-demo-secret",
            "code": code,
            "grant_type": "authorization_code",
            "redirect_uri": REDIRECT_URI,
        },
    ).json()
    assert tokens["expires_in"] == 1
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert http.get(f"{base}/v2/me", headers=bearer).status_code == 200
    time.sleep(1.2)
    assert http.get(f"{base}/v2/me", headers=bearer).status_code == 401
    revoked = http.post(
        f"{sandbox.url}/_sandbox/oauth/revoke-refresh-tokens", json={"vendor": "salesloft"}
    )
    assert revoked.json()["revoked"] == 1
    refresh = http.post(
        f"{base}/oauth/token",
        data={
            "client_id": "syncline-demo",
            "client_secret": "syncline-demo-secret",
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
        },
    )
    assert refresh.json()["error"] == "invalid_grant"


def test_the_state_file_keeps_records_and_tokens_across_restarts(tmp_path):
    state = tmp_path / "sandbox.json"
    with running_sandbox(state_file=state) as first, httpx.Client() as http:
        http.post(
            f"{first.vendor_url('salesloft')}/v2/people",
            headers=KEY,
            json={"email_address": "kept@b.example"},
        )
        http.post(f"{first.url}/_sandbox/save")
    with running_sandbox(state_file=state) as second, httpx.Client() as http:
        people = http.get(f"{second.url}/_sandbox/records/salesloft/people").json()["data"]
        assert "kept@b.example" in {p["email_address"] for p in people}


def test_python_m_sandbox_starts_a_server_with_fault_options(tmp_path):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sandbox",
            "--port",
            "0",
            "--budget",
            "salesloft=600/6",
            "--error-rate",
            "0",
            "--state-file",
            str(tmp_path / "state.json"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        first_line = process.stdout.readline()
        assert first_line.startswith("Syncline sandbox at http://127.0.0.1:")
        url = first_line.split(" at ", 1)[1].strip()
        with httpx.Client() as http:
            faults = http.get(f"{url}/_sandbox/faults").json()
            assert faults["budgets"] == {"salesloft": "600/6"}
            assert http.get(f"{url}/_sandbox/health").json()["ok"] is True
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert (tmp_path / "state.json").exists()  # written on shutdown


def test_a_bad_budget_option_stops_the_cli_with_a_message():
    result = subprocess.run(
        [sys.executable, "-m", "sandbox", "--budget", "salesloft=lots"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert result.returncode != 0
    assert "LIMIT/SECONDS" in result.stderr
