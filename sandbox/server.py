"""Run the sandbox: in the foreground (`python -m sandbox`) or in a thread (tests, benchmarks)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from sandbox.app import Sandbox
from sandbox.faults import Faults
from sandbox.oauth import Client

SAVE_EVERY_SECONDS = 2.0


class QuietHandler(WSGIRequestHandler):
    """No access log line per request: the sandbox keeps its own request log."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@dataclass
class RunningSandbox:
    url: str
    app: Sandbox
    server: BaseWSGIServer

    def vendor_url(self, vendor: str) -> str:
        return f"{self.url}/{vendor}"


def _saver(app: Sandbox, stop: threading.Event) -> None:
    """Write the state file when something changed, at most every couple of seconds."""
    while not stop.wait(SAVE_EVERY_SECONDS):
        if app.state_file and app.store.dirty:
            app.store.save(app.state_file)


def build_server(
    *,
    host: str = "127.0.0.1",
    port: int = 8900,
    faults: Faults | None = None,
    clients: list[Client] | None = None,
    state_file: Path | None = None,
    public_url: str | None = None,
    quiet: bool = False,
) -> tuple[BaseWSGIServer, Sandbox]:
    app = Sandbox(
        public_url="http://placeholder", faults=faults, clients=clients, state_file=state_file
    )
    handler = QuietHandler if quiet else WSGIRequestHandler
    server = make_server(host, port, app, threaded=True, request_handler=handler)
    # Port 0 picks a free port; the URLs the sandbox hands out (Gong's API base, Salesforce's
    # instance_url) must point back at the real one.
    app.public_url = (public_url or f"http://{host}:{server.server_port}").rstrip("/")
    return server, app


@contextmanager
def running_sandbox(**options: object) -> Iterator[RunningSandbox]:
    """A sandbox on a free local port for the duration of the block."""
    options.setdefault("port", 0)
    options.setdefault("quiet", True)
    server, app = build_server(**options)  # type: ignore[arg-type]
    # A short poll interval: shutdown() waits up to one interval (0.5 s by default) per test.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="sandbox", daemon=True
    )
    thread.start()
    try:
        yield RunningSandbox(url=app.public_url, app=app, server=server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # leave serve_forever through the same path as Ctrl-C


def serve_forever(server: BaseWSGIServer, app: Sandbox) -> None:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    stop = threading.Event()
    saver = threading.Thread(target=_saver, args=(app, stop), daemon=True)
    saver.start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        if app.state_file:
            app.store.save(app.state_file)
