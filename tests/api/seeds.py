"""The API requests of the vendor walkthroughs (reference/seeds/), read from the files as
written: method, path, query and the exact body text of each curl example."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SEEDS = Path("/work/shared/reference/seeds")
_CANDIDATES = (SEEDS, Path(__file__).resolve().parents[2] / "reference" / "seeds")


def seeds_dir() -> Path | None:
    return next((path for path in _CANDIDATES if path.is_dir()), None)


@dataclass
class SeedRequest:
    method: str
    path: str
    query: str
    body: str  # the text between -d '...' exactly, "" when none
    version: str  # the X-Polytomic-Version header sent, "" when none

    def filled(self, values: dict[str, str]) -> SeedRequest:
        def fill(text: str) -> str:
            for placeholder, value in values.items():
                text = text.replace(placeholder, value)
            return text

        return SeedRequest(
            self.method, fill(self.path), fill(self.query), fill(self.body), self.version
        )


def seed_requests(name: str) -> list[SeedRequest]:
    """Every curl example of a walkthrough, in order."""
    folder = seeds_dir()
    assert folder is not None, "reference/seeds is not on this machine"
    lines = (folder / name).read_text().splitlines()
    requests: list[SeedRequest] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if not re.match(r"^\$\s*curl\b", line):
            index += 1
            continue
        block = [line]
        index += 1
        while index < len(lines) and lines[index].startswith(">"):
            block.append(lines[index][2:] if lines[index].startswith("> ") else lines[index][1:])
            index += 1
        requests.append(_parse(block))
    return requests


def _parse(block: list[str]) -> SeedRequest:
    text = "\n".join(block)
    method = re.search(r"--request (\w+)", text)
    url = re.search(r"--url (https?://[^/\s]+)(/\S*)", text)
    assert url is not None, text
    query = re.search(r'--url-query "([^"]*)"', text)
    version = re.search(r'X-Polytomic-Version: ([\d-]+)"', text)
    body = re.search(r"-d '(.*)'\s*$", text, flags=re.DOTALL)
    return SeedRequest(
        method=method.group(1) if method else ("GET" if " -G" in text else "POST"),
        path=url.group(2),
        query=query.group(1) if query else "",
        body=body.group(1) if body else "",
        version=version.group(1) if version else "",
    )
