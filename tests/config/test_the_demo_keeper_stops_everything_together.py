"""config.supervise, which `make demo` runs: its processes stop together on SIGTERM or Ctrl-C,
when one of them exits, and when make itself is gone — however make was stopped."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = (
        Path(f"/proc/{pid}/stat").read_text().split()[2] if Path(f"/proc/{pid}").exists() else "X"
    )
    return state != "Z"


def _pids(log_dir: Path, names: list[str], timeout: float = 10) -> list[int]:
    """The sleeps' pids, which each writes to its log first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        texts = [
            (log_dir / f"{n}.log").read_text() if (log_dir / f"{n}.log").exists() else ""
            for n in names
        ]
        if all(t.strip() for t in texts):
            return [int(t.split()[0]) for t in texts]
        time.sleep(0.1)
    raise AssertionError("the children never started")


def _keeper(tmp_path: Path, *extra: str) -> list[str]:
    sleeper = "sh -c 'echo $$; exec sleep 60'"
    return [
        sys.executable,
        "-m",
        "config.supervise",
        "--log-dir",
        str(tmp_path),
        "a",
        sleeper,
        "b",
        sleeper,
        *extra,
    ]


def _gone(pids: list[int], timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(_alive(pid) for pid in pids):
            return True
        time.sleep(0.2)
    return False


def test_sigterm_stops_every_process(tmp_path):
    keeper = subprocess.Popen(_keeper(tmp_path), cwd=ROOT)
    pids = _pids(tmp_path, ["a", "b"])
    keeper.send_signal(signal.SIGTERM)
    assert keeper.wait(timeout=20) == 0
    assert _gone(pids)


def test_one_process_ending_stops_the_others(tmp_path):
    keeper = subprocess.Popen(_keeper(tmp_path, "quick", "sh -c 'echo $$; exit 3'"), cwd=ROOT)
    pids = _pids(tmp_path, ["a", "b"])
    assert keeper.wait(timeout=30) == 1
    assert _gone(pids)


def test_a_parent_killed_alone_takes_the_processes_with_it(tmp_path):
    command = shlex.join(_keeper(tmp_path))
    parent = subprocess.Popen(["sh", "-c", f"{command} & sleep 30"], cwd=ROOT)
    pids = _pids(tmp_path, ["a", "b"])
    parent.kill()  # as `kill <make>` would: nothing tells the keeper
    parent.wait()
    assert _gone(pids)
