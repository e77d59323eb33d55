"""http://127.0.0.1:8900/, printed by `make demo`, is a page a person reads: what is emulated,
the demo credentials, and links to the stored records and the request log."""

from __future__ import annotations

from sandbox.oauth import DEMO_CLIENT
from sandbox.vendors.salesloft import DEMO_API_KEY


def test_the_root_page_names_every_tool_its_credentials_and_where_to_look(sandbox, http):
    response = http.get(f"{sandbox.url}/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    for title in ("Salesloft", "Gong", "LinkedIn Ads", "Salesforce"):
        assert f"<td>{title}</td>" in page
    assert DEMO_API_KEY in page and DEMO_CLIENT.client_id in page
    for link in ("/_sandbox/requests", "/_sandbox/records", "/_sandbox/faults"):
        assert f'href="{link}"' in page
    assert 'href="/_sandbox/records/salesloft/people"' in page
    assert "<script" not in page


def test_the_root_page_is_not_counted_as_a_vendor_call(sandbox, http):
    http.delete(f"{sandbox.url}/_sandbox/requests")
    http.get(f"{sandbox.url}/")
    summary = http.get(f"{sandbox.url}/_sandbox/requests").json()
    assert all(entry["vendor"] == "" for entry in summary["requests"])


def test_a_browsers_favicon_request_is_no_error(sandbox, http):
    assert http.get(f"{sandbox.url}/favicon.ico").status_code == 204
