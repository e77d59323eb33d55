"""Syncline sends its client secret and tokens only to Salesforce's own hosts."""

from __future__ import annotations

import pytest

from connections.destinations.errors import DestinationError
from connections.destinations.salesforce.client import login_url, trusted_instance_url
from connections.destinations.salesforce.options import ConnectionOptions, OptionsError

PUBLIC = "https://login.salesforce.com"


@pytest.mark.parametrize(
    "domain",
    ["login", "test", "acme.my.salesforce.com", "https://acme--uat.sandbox.my.salesforce.com"],
)
def test_salesforce_login_domains_are_accepted(domain):
    assert login_url(domain, PUBLIC).startswith("https://")


@pytest.mark.parametrize(
    "domain",
    [
        "http://127.0.0.1:9000",
        "evil.example.com",
        "http://acme.my.salesforce.com",
        "169.254.169.254",
    ],
)
def test_any_other_login_domain_is_refused(domain):
    with pytest.raises(DestinationError, match="Salesforce login host"):
        login_url(domain, PUBLIC)
    with pytest.raises(OptionsError):
        ConnectionOptions.parse({"domain": domain})


def test_an_instance_url_must_be_salesforce_or_the_configured_login_origin():
    assert trusted_instance_url("https://acme.my.salesforce.com", PUBLIC)
    assert not trusted_instance_url("https://attacker.example", PUBLIC)
    assert not trusted_instance_url("http://169.254.169.254", PUBLIC)
    # The sandbox (a configured login URL) may name itself as the instance.
    sandbox = "http://127.0.0.1:8900/salesforce"
    assert trusted_instance_url("http://127.0.0.1:8900/salesforce/instance", sandbox)
    assert not trusted_instance_url("http://127.0.0.1:9999/instance", sandbox)
