"""A webhook receiver for tests: a real HTTP server on a free loopback port that checks each
delivery's Polytomic-Signature against the secret, answers with scripted statuses, and keeps
what it received."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    body: dict[str, Any]
    headers: dict[str, str]
    signature_valid: bool
    status: int


@dataclass
class Receiver:
    secret: str
    # Answers to give, in order; once used up, 200. A status of 0 means: hang `hang_seconds`.
    statuses: list[int] = field(default_factory=list)
    hang_seconds: float = 0.0
    received: list[Received] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, count: int, *, timeout: float = 60.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.05)
        raise AssertionError(f"{len(self.received)} deliveries, expected {count}")


@contextmanager
def webhook_receiver(secret: str, statuses: list[int] | None = None) -> Iterator[Receiver]:
    receiver = Receiver(secret=secret, statuses=list(statuses or []))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            expected = hmac.new(receiver.secret.encode(), raw, hashlib.sha256).hexdigest()
            given = self.headers.get("Polytomic-Signature", "")
            with receiver.lock:
                status = receiver.statuses.pop(0) if receiver.statuses else 200
            if status == 0:
                time.sleep(receiver.hang_seconds)
                status = 200
            with receiver.lock:
                receiver.received.append(
                    Received(
                        body=json.loads(raw),
                        headers=dict(self.headers.items()),
                        signature_valid=hmac.compare_digest(expected, given),
                        status=status,
                    )
                )
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/syncline"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
