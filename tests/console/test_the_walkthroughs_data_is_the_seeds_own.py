"""console/walkthroughs.py (the Walkthroughs page and `manage.py walkthrough`) carries each
seed's requests: the same method, path, version header and body text as the seed's curl
examples, in the same order, whitespace aside."""

from __future__ import annotations

import os
import re

import pytest

from console.walkthroughs import WALKTHROUGHS
from tests.api.seeds import seed_requests, seeds_dir

pytestmark = pytest.mark.skipif(
    seeds_dir() is None and not os.environ.get("CI"), reason="reference/seeds is not here"
)


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


@pytest.mark.parametrize("key", sorted(WALKTHROUGHS))
def test_every_request_of_the_walkthrough_is_the_seeds_own(key):
    walkthrough = WALKTHROUGHS[key]
    ours = [request for step in walkthrough.steps for request in step.requests]
    theirs = seed_requests(walkthrough.seed)
    assert len(ours) == len(theirs)
    for mine, seed in zip(ours, theirs, strict=True):
        assert mine.method == seed.method, seed.path
        assert _squeeze(mine.body) == _squeeze(seed.body), seed.path
        assert (mine.version or "") == seed.version, seed.path
        assert mine.path == seed.path
        assert mine.query == dict(q.split("=", 1) for q in seed.query.split("&") if q)
