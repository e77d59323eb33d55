"""`python -m sandbox --port 8900`: the vendor emulators as their own process."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sandbox.faults import Faults, parse_budget
from sandbox.oauth import DEMO_CLIENT, Client
from sandbox.server import build_server, serve_forever


def _client(text: str) -> Client:
    parts = text.split(":", 2)
    if len(parts) < 2:
        raise argparse.ArgumentTypeError("--client takes CLIENT_ID:SECRET[:REDIRECT_URI]")
    redirect = (parts[2],) if len(parts) == 3 else ()
    return Client(parts[0], parts[1], parts[0], redirect)


def _budget(text: str) -> tuple[str, str]:
    vendor, _, budget = text.partition("=")
    try:
        parse_budget(budget, label=f"--budget {text}")
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error
    return vendor, budget


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox",
        description="Local emulators of Salesloft, Gong, LinkedIn Ads and Salesforce.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8900)
    parser.add_argument(
        "--public-url", help="URL clients reach the sandbox at (default: host:port)"
    )
    parser.add_argument("--state-file", type=Path, help="keep records and tokens in this JSON file")
    faults = parser.add_argument_group("faults (also changeable at runtime: PUT /_sandbox/faults)")
    faults.add_argument("--error-rate", type=float, default=0.0, help="fraction of 5xx answers")
    faults.add_argument("--rate-limit-rate", type=float, default=0.0, help="fraction of 429s")
    faults.add_argument("--slow-ms", type=int, default=0, help="delay every API answer")
    faults.add_argument("--timeout-rate", type=float, default=0.0, help="fraction that hang")
    faults.add_argument("--timeout-seconds", type=float, default=30.0, help="how long they hang")
    faults.add_argument("--token-ttl", type=int, help="access tokens expire after N seconds")
    faults.add_argument(
        "--budget",
        type=_budget,
        action="append",
        default=[],
        metavar="VENDOR=LIMIT/SECONDS[/fixed]",
        help="override a vendor's rate limit, e.g. salesloft=600/6 (counted in a rolling window; "
        "salesloft=600/6/fixed counts in fixed windows)",
    )
    faults.add_argument("--fault-vendor", action="append", default=[], help="limit faults to it")
    faults.add_argument("--seed", type=int, help="random seed for reproducible faults")
    parser.add_argument(
        "--client",
        type=_client,
        action="append",
        default=[],
        metavar="ID:SECRET[:REDIRECT_URI]",
        help=f"register an OAuth client (default: {DEMO_CLIENT.client_id} / "
        f"{DEMO_CLIENT.client_secret}, any loopback redirect URI)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    faults = Faults(
        error_rate=args.error_rate,
        rate_limit_rate=args.rate_limit_rate,
        slow_ms=args.slow_ms,
        timeout_rate=args.timeout_rate,
        timeout_seconds=args.timeout_seconds,
        token_ttl=args.token_ttl,
        vendors=args.fault_vendor,
        budgets=dict(args.budget),
        seed=args.seed,
    )
    try:
        faults.validate()
    except ValueError as error:
        sys.exit(f"sandbox: {error}")
    server, app = build_server(
        host=args.host,
        port=args.port,
        faults=faults,
        clients=[DEMO_CLIENT, *args.client],
        state_file=args.state_file,
        public_url=args.public_url,
    )
    print(f"Syncline sandbox at {app.public_url}", flush=True)
    for key, emulator in app.emulators.items():
        print(f"  {emulator.title:<14} {app.public_url}/{key}", flush=True)
    print(f"  inspection     {app.public_url}/_sandbox/requests", flush=True)
    serve_forever(server, app)


if __name__ == "__main__":
    main()
