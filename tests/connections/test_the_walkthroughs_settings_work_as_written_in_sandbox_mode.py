"""The walkthroughs' connection settings, exactly as written in reference/seeds/, in sandbox
mode: Snowflake without a host reaches the demo warehouse, which takes their login and
database name with the demo tables; a Salesforce domain such as
http://instance.my.salesforce.com is the sandbox's org. Outside sandbox mode none of it exists."""

from __future__ import annotations

import pytest
from django.test import Client

from config.vendors import sandbox_warehouse_url
from connections.destinations.salesforce.options import ConnectionOptions, OptionsError, login_host
from connections.destinations.salesforce.provider import salesforce_login_url
from connections.hosts import snowflake_host
from connections.models import Connection
from connections.oauth.links import auth_url_for
from connections.services import connection_create
from connections.sources.base import SourceError
from connections.sources.registry import source_for
from tests.connections.wizard_helpers import HOST, come_back, consent

pytestmark = pytest.mark.django_db

# reference/seeds/*-walkthrough.txt, "Create a Snowflake connection".
SEED_SNOWFLAKE = {
    "account": "uc193736182",
    "username": "user",
    "password": "secret",
    "dbname": "database",
}
# reference/seeds/salesforce-connection-config.txt, the example's domain.
SEED_SALESFORCE_DOMAIN = "http://instance.my.salesforce.com"


@pytest.fixture
def sandbox_mode(settings, demo_warehouse, vendors, sandbox):
    settings.SYNCLINE_SANDBOX_URL = sandbox.url
    settings.SYNCLINE_SANDBOX_WAREHOUSE_URL = (
        f"http://{demo_warehouse['host']}:{demo_warehouse['port']}"
    )
    settings.SYNCLINE_PUBLIC_URL = f"http://{HOST}"
    return settings


@pytest.fixture
def real_mode(settings, demo_warehouse):
    settings.SYNCLINE_SANDBOX_URL = ""
    # Even a leftover warehouse URL means nothing outside sandbox mode.
    settings.SYNCLINE_SANDBOX_WAREHOUSE_URL = (
        f"http://{demo_warehouse['host']}:{demo_warehouse['port']}"
    )
    return settings


def test_the_seeds_snowflake_connection_reaches_the_demo_warehouse_and_its_tables(
    organization, sandbox_mode
):
    connection = connection_create(
        organization=organization, name="Snowflake", type="snowflake", values=SEED_SNOWFLAKE
    )
    assert "host" not in connection.configuration
    source = source_for(connection)
    source.check()
    users = source.preview("SELECT first_name, last_name, email FROM users")
    assert [f.name.lower() for f in users.fields] == ["first_name", "last_name", "email"]
    assert users.rows
    gold = source.preview(
        "SELECT contact_id FROM salesforce_contacts WHERE subscription_plan = 'gold'"
    )
    assert gold.rows


def test_the_demo_warehouse_still_refuses_a_wrong_password_for_the_seeds_user(
    organization, sandbox_mode
):
    connection = Connection(
        organization=organization,
        type="snowflake",
        configuration={k: v for k, v in SEED_SNOWFLAKE.items() if k != "password"},
        secrets={"password": "not-the-seeds"},
    )
    with pytest.raises(SourceError) as refused:
        source_for(connection).check()
    assert "password" in refused.value.message.lower()


def test_outside_sandbox_mode_the_seeds_snowflake_account_is_snowflakes(organization, real_mode):
    assert snowflake_host(SEED_SNOWFLAKE) == "uc193736182.snowflakecomputing.com"
    connection = Connection(
        organization=organization,
        type="snowflake",
        configuration={k: v for k, v in SEED_SNOWFLAKE.items() if k != "password"},
        secrets={"password": "secret"},
    )
    kwargs = source_for(connection)._connect_kwargs()
    assert "host" not in kwargs and "protocol" not in kwargs
    assert kwargs["account"] == "uc193736182"


def test_the_demo_warehouse_setting_exists_only_in_sandbox_mode():
    environ = {"SYNCLINE_SANDBOX_WAREHOUSE_URL": "http://127.0.0.1:9999"}
    assert sandbox_warehouse_url("", environ) == ""
    assert sandbox_warehouse_url("http://127.0.0.1:8900", environ) == "http://127.0.0.1:9999"
    assert sandbox_warehouse_url("http://127.0.0.1:8900", {}) == "http://127.0.0.1:8901"


def test_a_snowflake_connection_with_its_own_host_keeps_it_in_sandbox_mode(sandbox_mode):
    assert snowflake_host(
        {**SEED_SNOWFLAKE, "host": "acme.privatelink.snowflakecomputing.com"}
    ) == ("acme.privatelink.snowflakecomputing.com")


@pytest.mark.parametrize(
    "domain",
    [SEED_SALESFORCE_DOMAIN, "https://acme.my.salesforce.com", "instance.my.salesforce.com"],
)
def test_in_sandbox_mode_any_my_domain_host_is_the_sandboxs_salesforce(sandbox_mode, domain):
    sandbox = sandbox_mode.VENDORS["salesforce"]["login_url"]
    assert ConnectionOptions.parse({"domain": domain}).domain == domain
    assert login_host(domain) == sandbox
    assert salesforce_login_url({"domain": domain}) == sandbox


def test_the_seeds_salesforce_connection_connects_through_the_sandbox(
    organization, sandbox_mode, http
):
    connection = Connection.objects.create(
        organization=organization,
        name="Salesforce",
        type="salesforce",
        configuration={"domain": SEED_SALESFORCE_DOMAIN, "connect_mode": "browser"},
        status=Connection.Status.NEEDS_AUTH,
    )
    browser = Client(HTTP_HOST=HOST)
    to_vendor = browser.get(auth_url_for(connection, None).removeprefix(f"http://{HOST}"))
    assert to_vendor["Location"].startswith(sandbox_mode.SYNCLINE_SANDBOX_URL)
    come_back(browser, consent(http, to_vendor["Location"]))
    connection.refresh_from_db()
    assert connection.status == Connection.Status.HEALTHY, connection.status_error
    assert connection.configuration["instance_url"].startswith(sandbox_mode.SYNCLINE_SANDBOX_URL)
    assert connection.configuration["domain"] == SEED_SALESFORCE_DOMAIN


def test_outside_sandbox_mode_an_http_salesforce_domain_is_refused(real_mode):
    with pytest.raises(OptionsError) as refused:
        ConnectionOptions.parse({"domain": SEED_SALESFORCE_DOMAIN})
    assert "domain must be a Salesforce login host" in refused.value.message
    assert login_host("https://acme.my.salesforce.com") == "https://acme.my.salesforce.com"
