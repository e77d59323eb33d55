"""`make demo`'s process keeper: starts the demo's processes, each logging to its own file, and
stops them all together — on Ctrl-C, on SIGTERM, when any of them exits, or when its own parent
(make) is gone, however make was stopped. A shell `trap` in the Makefile only ran when the
shell itself got the signal, so `kill <make>` left the web, worker and sandbox running.

    python -m config.supervise --log-dir var/log NAME 'COMMAND' [NAME 'COMMAND' ...]
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

GRACE_SECONDS = 15.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m config.supervise")
    parser.add_argument("--log-dir", type=Path, required=True)
    parser.add_argument("pairs", nargs="+", help="NAME COMMAND, repeated")
    args = parser.parse_args(argv)
    if len(args.pairs) % 2:
        parser.error("give each command a name: NAME 'COMMAND' [NAME 'COMMAND' ...]")
    args.log_dir.mkdir(parents=True, exist_ok=True)
    parent = os.getppid()
    children: dict[str, subprocess.Popen[bytes]] = {}
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    for name, command in zip(args.pairs[::2], args.pairs[1::2], strict=True):
        log = (args.log_dir / f"{name}.log").open("ab")
        children[name] = subprocess.Popen(
            shlex.split(command), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    ended = ""
    while not stopping:
        if os.getppid() != parent:
            ended = "make is gone"
            break
        gone = [name for name, child in children.items() if child.poll() is not None]
        if gone:
            ended = f"{gone[0]} stopped (see {args.log_dir / (gone[0] + '.log')})"
            break
        time.sleep(0.5)
    _stop_all(children)
    if ended:
        print(f"Stopped everything: {ended}.", file=sys.stderr)
        return 1
    return 0


def _stop_all(children: dict[str, subprocess.Popen[bytes]]) -> None:
    for child in children.values():
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()


if __name__ == "__main__":
    sys.exit(main())
