"""The sandbox WSGI app: dispatches to the vendor emulators, injects faults, logs every request.

Inspection (for tests and the demo) lives under /_sandbox/: stored records, the request log with
counts per endpoint, fault settings, token tricks (expire, revoke) and reset.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.wrappers import Request, Response

from sandbox import vendors
from sandbox.emulator import Emulator, Reply, json_response
from sandbox.faults import Faults
from sandbox.home import home_page
from sandbox.oauth import DEMO_CLIENT, Client, OAuthServer
from sandbox.store import Store

REQUEST_LOG_SIZE = 20_000
logger = logging.getLogger("sandbox")


def emulator_classes() -> list[type[Emulator]]:
    """Every module in sandbox/vendors/ that defines EMULATOR is a vendor."""
    found = []
    for module_info in pkgutil.iter_modules(vendors.__path__):
        module = importlib.import_module(f"{vendors.__name__}.{module_info.name}")
        emulator = getattr(module, "EMULATOR", None)
        if emulator is not None:
            found.append(emulator)
    return sorted(found, key=lambda cls: cls.key)


class Sandbox:
    def __init__(
        self,
        *,
        public_url: str = "http://127.0.0.1:8900",
        faults: Faults | None = None,
        clients: list[Client] | None = None,
        state_file: Path | None = None,
    ) -> None:
        self.public_url = public_url.rstrip("/")
        self.faults = faults or Faults()
        self.faults.validate()
        self.store = Store()
        self.oauth = OAuthServer(self.store, self.faults, clients or [DEMO_CLIENT])
        self.state_file = state_file
        self.log: deque[dict[str, Any]] = deque(maxlen=REQUEST_LOG_SIZE)
        self.counts: Counter[str] = Counter()
        self.status_counts: Counter[str] = Counter()
        self._log_lock = threading.Lock()
        self.emulators = {cls.key: cls(self) for cls in emulator_classes()}
        if not (state_file and self.store.load(state_file)):
            self.seed()

    def seed(self) -> None:
        with self.store.lock:
            self.store.clear_records()
            for emulator in self.emulators.values():
                emulator.seed()

    # -- WSGI ------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        started = time.perf_counter()
        vendor, endpoint, fault = "", "", ""
        try:
            if request.path == "/favicon.ico":  # browsers ask on the consent page: no icon
                response = Response(status=204)
                endpoint = "inspection"
            elif request.path == "/" and request.method in ("GET", "HEAD"):
                response = home_page(self)
                endpoint = "inspection"
            elif request.path.startswith("/_sandbox/") or request.path == "/_sandbox":
                response = self.inspect(request)
                endpoint = "inspection"
            else:
                vendor = request.path.strip("/").split("/", 1)[0]
                emulator = self.emulators.get(vendor)
                if emulator is None:
                    raise NotFound()
                adapter = emulator.url_map.bind_to_environ(environ)
                endpoint, values = adapter.match()
                response, fault = self._dispatch(emulator, request, endpoint, values)
        except (NotFound, MethodNotAllowed) as error:
            response = json_response({"error": error.description}, error.code or 404)
        except HTTPException as error:
            response = json_response({"error": error.description}, error.code or 400)
        except Exception:  # a bug in an emulator: say so loudly, answer like a vendor 500
            logger.exception("sandbox error on %s %s", request.method, request.path)
            response = json_response({"error": "sandbox internal error (see its log)"}, 500)
        self._record(request, vendor, endpoint, response, started, fault)
        return response(environ, start_response)

    def _dispatch(
        self, emulator: Emulator, request: Request, endpoint: str, values: dict[str, Any]
    ) -> tuple[Response, str]:
        faults = self.faults
        if endpoint not in emulator.fault_exempt and faults.applies_to(emulator.key):
            # Sleeps happen outside the store lock: a slow call must not stall the others.
            if faults.slow_ms:
                time.sleep(faults.slow_ms / 1000)
            if faults.roll(faults.timeout_rate):
                time.sleep(faults.timeout_seconds)
                return emulator.server_error(request), "timeout"
            if faults.roll(faults.error_rate):
                return emulator.server_error(request), "server_error"
            if faults.roll(faults.rate_limit_rate):
                return emulator.rate_limited(request, 1), "rate_limited"
        handler = getattr(emulator, f"on_{endpoint}")
        with self.store.lock:
            try:
                response = handler(request, **values)
            except Reply as reply:
                response = reply.response
            if request.method != "GET":
                self.store.dirty = True
        if (
            endpoint not in emulator.fault_exempt
            and faults.applies_to(emulator.key)
            and faults.roll(faults.lost_answer_rate)
        ):
            time.sleep(faults.timeout_seconds)  # applied, but the answer comes too late
            return response, "lost_answer"
        return response, ""

    def _record(
        self,
        request: Request,
        vendor: str,
        endpoint: str,
        response: Response,
        started: float,
        fault: str,
    ) -> None:
        if endpoint == "inspection":
            return
        key = f"{request.method} {vendor}.{endpoint}" if endpoint else f"{request.method} unmatched"
        entry = {
            "at": time.time(),
            "vendor": vendor,
            "method": request.method,
            "path": request.path,
            "endpoint": key,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "fault": fault,
        }
        with self._log_lock:
            self.log.append(entry)
            self.counts[key] += 1
            self.status_counts[str(response.status_code)] += 1

    # -- inspection ------------------------------------------------------------------------
    def inspect(self, request: Request) -> Response:
        parts = [part for part in request.path.split("/") if part][1:]
        route = (request.method, parts[0] if parts else "")
        if route == ("GET", "health"):
            return json_response({"ok": True, "vendors": sorted(self.emulators)})
        if route == ("GET", "records") and len(parts) == 3:
            with self.store.lock:
                records = list(self.store.table(parts[1], parts[2]).values())
            return json_response({"data": records, "count": len(records)})
        if route == ("GET", "records"):
            with self.store.lock:
                tables = {name: len(rows) for name, rows in self.store.collections.items()}
            return json_response({"tables": tables})
        if route == ("GET", "requests"):
            return json_response(self.request_summary(vendor=request.args.get("vendor")))
        if route == ("DELETE", "requests"):
            self.clear_log()
            return json_response({"cleared": True})
        if route == ("GET", "faults"):
            return json_response(self.faults.to_json())
        if route in {("PUT", "faults"), ("POST", "faults")}:
            try:
                self.faults.update(request.get_json(force=True, silent=True) or {})
            except (ValueError, TypeError) as error:
                return json_response({"error": str(error)}, 400)
            return json_response(self.faults.to_json())
        if route == ("POST", "reset"):
            options = request.get_json(force=True, silent=True) or {}
            self.reset(tokens=bool(options.get("tokens")), faults=bool(options.get("faults", True)))
            return json_response({"reset": True})
        if route == ("POST", "oauth") and len(parts) == 2:
            vendor = (request.get_json(force=True, silent=True) or {}).get("vendor")
            with self.store.lock:
                if parts[1] == "expire-access-tokens":
                    return json_response({"expired": self.oauth.expire_access_tokens(vendor)})
                if parts[1] == "revoke-refresh-tokens":
                    return json_response({"revoked": self.oauth.revoke_refresh_tokens(vendor)})
        if route == ("POST", "save") and self.state_file:
            self.store.save(self.state_file)
            return json_response({"saved": str(self.state_file)})
        return json_response(
            {"error": f"No inspection endpoint {request.method} {request.path}"}, 404
        )

    def request_summary(self, *, vendor: str | None = None) -> dict[str, Any]:
        with self._log_lock:
            entries = [entry for entry in self.log if vendor in (None, entry["vendor"])]
            counts = Counter(entry["endpoint"] for entry in entries) if vendor else self.counts
            return {
                "requests": entries,
                "counts": dict(counts),
                "statuses": dict(Counter(str(entry["status"]) for entry in entries)),
                "total": len(entries),
            }

    def clear_log(self) -> None:
        with self._log_lock:
            self.log.clear()
            self.counts.clear()
            self.status_counts.clear()

    def reset(self, *, tokens: bool = False, faults: bool = True) -> None:
        """Back to the seed data; optionally forget tokens and fault settings too."""
        with self.store.lock:
            self.seed()
            if tokens:
                self.store.clear_oauth()
        if faults:
            self.faults.update(Faults().to_json())
        self.clear_log()
