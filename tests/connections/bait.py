"""Tiny servers that play a warehouse a member points a saved connection at.

They record every byte a client sends them, so a test can say whether a saved password left
Syncline. The PostgreSQL one asks for the password in clear text (AuthenticationCleartextPassword,
https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-START-UP), the
strongest lure libpq answers; the HTTP one answers Snowflake's login request with a refusal.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

SSL_REQUEST = 80877103
GSS_REQUEST = 80877104


@dataclass
class Bait:
    port: int
    received: list[bytes] = field(default_factory=list)
    connections: int = 0

    @property
    def everything(self) -> bytes:
        return b"".join(self.received)


def _read_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def _postgres_session(sock: socket.socket, bait: Bait) -> None:
    while True:  # SSL / GSS negotiation requests come first: say no to each
        length, code = struct.unpack("!ii", _read_exact(sock, 8))
        bait.received.append(struct.pack("!ii", length, code))
        if code in (SSL_REQUEST, GSS_REQUEST):
            sock.sendall(b"N")
            continue
        bait.received.append(_read_exact(sock, length - 8))  # the startup message
        break
    sock.sendall(b"R" + struct.pack("!ii", 8, 3))  # AuthenticationCleartextPassword
    kind = _read_exact(sock, 1)
    (length,) = struct.unpack("!i", _read_exact(sock, 4))
    bait.received.append(kind + _read_exact(sock, length - 4))
    message = b"SFATAL\0C28P01\0Mpassword authentication failed\0\0"
    sock.sendall(b"E" + struct.pack("!i", len(message) + 4) + message)


def _http_session(sock: socket.socket, bait: Bait) -> None:
    sock.settimeout(5)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    bait.received.append(head + b"\r\n\r\n" + body)
    answer = json.dumps(
        {
            "data": None,
            "code": "390100",
            "message": "Incorrect username or password was specified.",
            "success": False,
        }
    ).encode()
    sock.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
        + f"Content-Length: {len(answer)}\r\n\r\n".encode()
        + answer
    )


@contextmanager
def _serving(session: object) -> Iterator[Bait]:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    bait = Bait(port=server.getsockname()[1])
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                sock, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            bait.connections += 1
            with sock, suppress(OSError, ConnectionError, struct.error):
                session(sock, bait)  # type: ignore[operator]

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield bait
    finally:
        stop.set()
        thread.join(timeout=5)
        server.close()


@contextmanager
def postgres_bait() -> Iterator[Bait]:
    with _serving(_postgres_session) as bait:
        yield bait


@contextmanager
def http_bait() -> Iterator[Bait]:
    with _serving(_http_session) as bait:
        yield bait


@contextmanager
def silent_listener() -> Iterator[Bait]:
    """Accepts connections and never answers: to a client, like a port a firewall drops."""
    held: list[socket.socket] = []

    def hold(sock: socket.socket, bait: Bait) -> None:
        held.append(sock.dup())

    with _serving(hold) as bait:
        yield bait
    for sock in held:
        sock.close()


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
