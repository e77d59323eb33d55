"""How long `make demo` takes to be up from a fresh clone, the first time (venv and every
dependency installed) and the second (everything reused), and whether Ctrl-C stops it all.

"Up" means: the console's login page answers 200, the sandbox answers its health check, the
demo warehouse accepts connections and the Celery worker says it is ready. The demo runs on the
embedded defaults (SQLite, filesystem broker); DATABASE_URL, REDIS_URL and CELERY_BROKER_URL
are removed from its environment, as on a machine with no PostgreSQL or Redis. pip's download
cache is off for the first run unless --pip-cache is given (a fresh machine has none).

    .venv/bin/python bench/demo_startup.py [--port 8070]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEADLINE_SECONDS = 900


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
            return response.status == 200
    except OSError:
        return False


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _processes_in(directory: Path) -> list[int]:
    """Processes whose working directory is inside the clone: the demo's own."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if cwd == str(directory) or cwd.startswith(f"{directory}/"):
            found.append(int(entry.name))
    return found


def run_once(clone: Path, ports: tuple[int, int, int], env: dict[str, str]) -> tuple[float, bool]:
    port, sandbox_port, warehouse_port = ports
    started = time.perf_counter()
    log = (clone / "demo-run.log").open("a")
    demo = subprocess.Popen(
        [
            "make",
            "demo",
            f"PORT={port}",
            f"SANDBOX_PORT={sandbox_port}",
            f"WAREHOUSE_PORT={warehouse_port}",
        ],
        cwd=clone,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: Ctrl-C goes to all of it
    )
    worker_log = clone / "var" / "log" / "worker.log"
    try:
        while True:
            if demo.poll() is not None:
                logs = clone / "var" / "log"
                tails = "\n".join(
                    f"--- {log.name}\n"
                    + "\n".join(log.read_text(errors="replace").splitlines()[-8:])
                    for log in sorted(logs.glob("*.log"))
                )
                said = (clone / "demo-run.log").read_text()[-2000:]
                raise SystemExit(f"make demo stopped early:\n{said}\n{tails}")
            if time.perf_counter() - started > DEADLINE_SECONDS:
                raise SystemExit("make demo was not up within the deadline")
            up = (
                _answers(f"http://127.0.0.1:{port}/login/")
                and _answers(f"http://127.0.0.1:{sandbox_port}/_sandbox/health")
                and _listening(warehouse_port)
                and worker_log.exists()
                and "ready." in worker_log.read_text(errors="replace")
            )
            if up:
                break
            time.sleep(0.25)
        elapsed = time.perf_counter() - started
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
        try:
            demo.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
    time.sleep(2)
    leftovers = _processes_in(clone)
    for pid in leftovers:
        os.kill(pid, signal.SIGKILL)
    stopped = not leftovers and not any(_listening(p) for p in ports)
    worker_log.unlink(missing_ok=True)  # the next run waits for its own "ready."
    return elapsed, stopped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8070)
    parser.add_argument("--pip-cache", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the clone afterwards")
    args = parser.parse_args()
    ports = (args.port, args.port + 1, args.port + 2)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "VIRTUAL_ENV"}
    }
    env["PYTHON"] = env.get("PYTHON", "python3.11")
    with tempfile.TemporaryDirectory(prefix="syncline-demo-bench-") as scratch:
        clone = Path(scratch) / "syncline"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        first_env = dict(env) if args.pip_cache else {**env, "PIP_NO_CACHE_DIR": "1"}
        first, first_stopped = run_once(clone, ports, first_env)
        second, second_stopped = run_once(clone, ports, env)
        commit = subprocess.run(
            ["git", "-C", str(clone), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        print(f"commit {commit}, python {sys.version.split()[0]}, pip cache: {args.pip_cache}")
        print(f"first make demo (venv + dependencies + migrate + seed): {first:.1f} s")
        print(f"second make demo (everything reused):                   {second:.1f} s")
        print(f"ratio second/first: {second / first:.3f}")
        print(f"Ctrl-C stopped every process: first {first_stopped}, second {second_stopped}")
        if args.keep:
            keep = Path(tempfile.mkdtemp(prefix="syncline-demo-kept-"))
            subprocess.run(["cp", "-a", str(clone), str(keep)], check=True)
            print(f"clone kept in {keep}")


if __name__ == "__main__":
    main()
