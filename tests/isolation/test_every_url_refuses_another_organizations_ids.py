"""The isolation matrix (issue 13): every URL pattern of the project — console pages, the
REST API, the admin's generated pages, the OAuth callback and auth_url pages — is called by
our organization (a console admin, our API key, our staff member who is not a superuser) with
the other organization's ids: each answers "not found" or "not allowed", shows none of their
data, and no row of any organization changes.

The patterns come from django.urls.get_resolver(), so a new URL without an entry in
tests/isolation/cases.py (or, for a model registered in the admin, admin_cases.py) fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.isolation.admin_cases import admin_cases, unlisted_admin_models
from tests.isolation.cases import CASES, Case, Elsewhere, NotScoped
from tests.isolation.matrix import run
from tests.isolation.patterns import Pattern, url_patterns
from tests.isolation.world import world_make

pytestmark = pytest.mark.django_db

PATTERNS = url_patterns()
ALL_CASES = {**CASES, **admin_cases()}
ROOT = Path(__file__).resolve().parents[2]
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@pytest.mark.parametrize("pattern", PATTERNS, ids=[p.key for p in PATTERNS])
def test_another_organizations_ids_are_refused_and_nothing_changes(
    pattern: Pattern,
) -> None:
    case = ALL_CASES.get(pattern.key)
    assert case is not None, (
        f"The URL pattern {pattern.key!r} ({pattern.route}) has no isolation case. Add one to "
        "tests/isolation/cases.py: how to call it with another organization's ids (Case), or "
        "why it shows and changes nothing of any organization's (NotScoped)."
    )
    if isinstance(case, NotScoped):
        assert case.reason
        return
    if isinstance(case, Elsewhere):
        assert (ROOT / case.test).exists(), case.test
        return
    _every_method_is_tried(pattern, case)
    run(world_make(), case, pattern)


def _every_method_is_tried(pattern: Pattern, case: Case) -> None:
    """A class-based view's methods are known: each one it takes is among the tries."""
    view = getattr(pattern.pattern.callback, "cls", None)
    if view is None:
        return
    taken = {m.upper() for m in HTTP_METHODS if hasattr(view, m)}
    tried = {attempt.method for attempt in case.tries}
    assert taken <= tried, f"{pattern.key}: add tries for {sorted(taken - tried)}"


def test_every_model_in_the_admin_says_whose_it_is() -> None:
    assert unlisted_admin_models() == [], (
        "Models registered in the admin without an entry in tests/isolation/admin_cases.py "
        "ADMIN_MODELS (their object in world.py, or SUPERUSERS)"
    )


def test_the_table_has_no_case_for_a_url_that_is_gone() -> None:
    served = {pattern.key for pattern in PATTERNS}
    assert sorted(set(ALL_CASES) - served) == []
