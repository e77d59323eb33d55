"""Every page is served with a Content-Security-Policy that allows no inline script or style,
and no page breaks it: Chromium reports each refused script, style or image as a console error
and a securitypolicyviolation event, and these pages have none."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, ConnectionFactory, SqlModelFactory, SyncExecutionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/",
    "/connections/",
    "/connections/new",
    "/connections/new/salesloft",
    "/connections/new/snowflake",
    "/models/",
    "/models/new",
    "/audit/",
    "/syncs/",
    "/syncs/{sync}/",
    "/syncs/runs/{execution}/",
    "/syncs/new/model/",
    "/settings/notifications/",
    "/settings/members/",
    "/admin/",
    "/admin/connections/connection/",
    "/admin/syncs/sync/",
    "/admin/syncs/syncexecution/",
    "/admin/organizations/apikey/add/",
    "/admin/organizations/invitation/",
]


def test_the_console_and_the_admin_keep_to_the_policy(live_server, page, superuser, organization):
    ConnectionFactory(organization=organization, name="Warehouse", type="snowflake")
    SqlModelFactory(organization=organization)
    execution = SyncExecutionFactory(sync__organization=organization, status="completed")
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", superuser.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    for path in PAGES:
        path = path.format(sync=execution.sync_id, execution=execution.pk)
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, path
        page.wait_for_load_state("networkidle")
    assert sorted(set(problems)) == []
