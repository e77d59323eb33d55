"""The three walkthroughs of reference/seeds/ (Salesloft cadence, Gong Engage flow, LinkedIn
audience), step by step: what each step does in a sentence, the request the seed sends for it
(its body as the seed prints it, trailing comma and all), and how to tell it is done in an
organization. The console's Walkthroughs page and `manage.py walkthrough` both read them.

Placeholders are the seeds' own (YOUR-SNOWFLAKE-CONNECTION-ID, my-salesloft-cadence, ...); the
replay fills them with what earlier steps returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SNOWFLAKE_BODY = """{
"name": "Snowflake Connection",
"type": "snowflake",
"configuration": {
"account": "uc193736182",
"username": "user",
"password": "secret",
"dbname": "database"
}
}"""

NEW = "2025-09-18"
OLD = "2024-02-08"


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # under the API's base URL, e.g. "/api/connections"
    body: str | None = None  # the seed's text, sent as is
    query: dict[str, str] = field(default_factory=dict)
    version: str | None = None  # the X-Polytomic-Version header the seed sends, if any
    keep: str = ""  # the placeholder this response's id fills in later requests


@dataclass(frozen=True)
class Step:
    title: str
    says: str  # what the step does, in one sentence for a person
    kind: str  # warehouse, tool, model, targets, fields, sync: what the console page does
    requests: tuple[Request, ...]


@dataclass(frozen=True)
class Walkthrough:
    key: str
    title: str
    short: str  # "Salesloft": to tell its model apart from another guide's "Active Users"
    tool: str  # the connection type of the destination
    seed: str  # file under reference/seeds/
    query: str  # the model's query, as the seed writes it
    steps: tuple[Step, ...]
    # The target the seed's placeholder stands for: a target id, or a name to look for.
    target_placeholder: str = ""
    target_pick: str = ""
    # The seed's other name for the same target, in its target-fields request.
    fields_placeholder: str = ""


def _model_body(query: str, connection: str) -> str:
    return (
        '{\n"name": "Active Users",\n"configuration": {\n"query": "'
        + query.replace('"', '\\"')
        + '",\n},\n"connection_id": "'
        + connection
        + '"\n}'
    )


SALESLOFT_QUERY = (
    "SELECT MAX(last_activity_date) AS last_activity_date, plan, first_name, last_name, email "
    "FROM users GROUP BY plan, first_name, last_name, email"
)
GONG_QUERY = "SELECT contact_id FROM salesforce_contacts WHERE subscription_plan = 'gold'"
LINKEDIN_QUERY = "SELECT first_name, last_name, email FROM users"

SALESLOFT_SYNC = """{
"name": "Snowflake to Salesloft Cadence Sync",
"mode": "updateOrCreate",
"identity": {
"source": {
"field": "email",
"model_id": "YOUR_SNOWFLAKE_MODEL_ID"
},
"target": "Email",
"function": "Equality"
},
"fields": [
{
"source": {
"field": "first_name",
"model_id": "YOUR_SNOWFLAKE_MODEL_ID"
},
"target": "FirstName"
},
{
"source": {
"field": "last_name",
"model_id": "YOUR_SNOWFLAKE_MODEL_ID"
},
"target": "LastName"
}
],
"schedule": {
"frequency": "manual"
},
"target": {
"connection_id": "YOUR_SALESLOFT_CONNECTION_ID",
"object": "my-salesloft-cadence"
}
}"""

GONG_SYNC = """{
"name": "Snowflake to Gong Engage Sync",
"mode": "updateOrCreate",
"identity": {
"source": {
"field": "contact_id",
"model_id": "YOUR_SNOWFLAKE_MODEL_ID"
},
"target": "Id",
"function": "equality"
},
"schedule": {
"frequency": "manual"
},
"target": {
"connection_id": "YOUR_GONG_CONNECTION_ID",
"object": "my-gong-engage-flow"
}
}"""

_LINKEDIN_MAPPINGS = """"identity": {
"source": {
"field": "email",
"model_id": "YOUR-MODEL-ID"
},
"target": "Email",
"function": "equality"
},
"fields": [
{
"source": {
"field": "first_name",
"model_id": "YOUR-MODEL-ID"
},
"target": "FirstName"
},
{
"source": {
"field": "last_name",
"model_id": "YOUR-MODEL-ID"
},
"target": "LastName"
}
],
"schedule": {
"frequency": "continuous"
},"""

LINKEDIN_SYNC_EXISTING = (
    '{\n"name": "Snowflake to LinkedIn AdsSync",\n"mode": "create",\n'
    + _LINKEDIN_MAPPINGS
    + '\n"target": {\n"connection_id": "YOUR-LINKEDIN-CONNECTION-ID",\n'
    '"object": "YOUR-AUDIENCE-ID"\n}\n}'
)
LINKEDIN_SYNC_NEW = (
    '{\n"name": "Snowflake to LinkedIn AdsSync",\n"mode": "create",\n'
    + _LINKEDIN_MAPPINGS
    + '\n"target": {\n"connection_id": "YOUR-LINKEDIN-CONNECTION-ID",\n"create": {\n'
    '"name": "New audience",\n"type": "user_audience",\n'
    '"account": "512630692::urn:li:organization:28818517"\n}\n}\n}'
)

_WAREHOUSE_SAYS = (
    "Connect the Snowflake warehouse the rows come from (in this demo: the demo warehouse, "
    "already connected as “Demo warehouse”)."
)


def _warehouse_step(version: str) -> Step:
    """Step 1 of every guide: the same Snowflake connection, with the guide's API version."""
    return Step(
        "Create a Snowflake connection",
        _WAREHOUSE_SAYS,
        "warehouse",
        (
            Request(
                "POST",
                "/api/connections",
                SNOWFLAKE_BODY,
                version=version,
                keep="YOUR-SNOWFLAKE-CONNECTION-ID",
            ),
        ),
    )


def _model_step(says: str, query: str, version: str, *, keep: str) -> Step:
    """Step 3 of every guide: "Active Users" over the guide's query, on step 1's warehouse."""
    return Step(
        "Create a Snowflake model",
        says,
        "model",
        (
            Request(
                "POST",
                "/api/models",
                _model_body(query, "YOUR-SNOWFLAKE-CONNECTION-ID"),
                version=version,
                keep=keep,
            ),
        ),
    )


WALKTHROUGHS: dict[str, Walkthrough] = {
    "salesloft": Walkthrough(
        key="salesloft",
        short="Salesloft",
        title="Adding users from Snowflake to a Salesloft cadence",
        tool="salesloft",
        seed="salesloft-cadence-walkthrough.txt",
        query=SALESLOFT_QUERY,
        target_placeholder="my-salesloft-cadence",
        target_pick="cadence:",
        fields_placeholder="YOUR_SALESLOFT_CADENCE_ID",
        steps=(
            _warehouse_step(NEW),
            Step(
                "Create a Salesloft connection",
                "Connect Salesloft by signing in on its consent page (OAuth).",
                "tool",
                (
                    Request(
                        "POST",
                        "/api/connections",
                        '{"name": "My Salesloft Connection","type": "salesloft", '
                        '"configuration": {"auth_method": "oauth"}}',
                        version=NEW,
                        keep="YOUR_SALESLOFT_CONNECTION_ID",
                    ),
                ),
            ),
            _model_step(
                "Write the SQL query whose rows are the people to add to the cadence.",
                SALESLOFT_QUERY,
                NEW,
                keep="YOUR_SNOWFLAKE_MODEL_ID",
            ),
            Step(
                "List the Salesloft target objects",
                "See what Salesloft offers to sync into: People, Accounts and every cadence.",
                "targets",
                (
                    Request(
                        "POST",
                        "/api/connections/YOUR_SALESLOFT_CONNECTION_ID/modelsync/targetobjects",
                    ),
                ),
            ),
            Step(
                "List the target fields on a Salesloft cadence",
                "See the fields of the cadence's people you can fill from the model.",
                "fields",
                (
                    Request(
                        "GET",
                        "/api/connections/YOUR_SALESLOFT_CONNECTION_ID/modelsync/target/fields",
                        query={"target": "YOUR_SALESLOFT_CADENCE_ID"},
                    ),
                ),
            ),
            Step(
                "Sync Snowflake users into a Salesloft cadence",
                "Match people on e-mail, fill first and last name, and add them to the cadence.",
                "sync",
                (Request("POST", "/api/syncs", SALESLOFT_SYNC, keep="SYNC"),),
            ),
        ),
    ),
    "gong": Walkthrough(
        key="gong",
        short="Gong",
        title="Adding contacts from Snowflake to a Gong Engage flow",
        tool="gong",
        seed="gong-engage-walkthrough.txt",
        query=GONG_QUERY,
        target_placeholder="my-gong-engage-flow",
        target_pick="Active Users Onboarding",
        fields_placeholder="YOUR_GONG_CADENCE_ID",
        steps=(
            _warehouse_step(OLD),
            Step(
                "Create a Gong connection",
                "Connect Gong by signing in on its consent page (OAuth).",
                "tool",
                (
                    Request(
                        "POST",
                        "/api/connections",
                        '{"name": "My Gong Connection","type": "gong", '
                        '"configuration": {"auth_method": "oauth"}}',
                        version=OLD,
                        keep="YOUR_GONG_CONNECTION_ID",
                    ),
                ),
            ),
            _model_step(
                "Write the SQL query that returns the CRM contact ids to add to the flow.",
                GONG_QUERY,
                OLD,
                keep="YOUR_SNOWFLAKE_MODEL_ID",
            ),
            Step(
                "List the Gong Engage flows",
                "See the Engage flows the connection's flow owner can add prospects to.",
                "targets",
                (
                    Request(
                        "POST", "/api/connections/YOUR_GONG_CONNECTION_ID/modelsync/targetobjects"
                    ),
                ),
            ),
            Step(
                "List the target fields on a Gong Engage flow",
                "See what a flow takes: the CRM id of each contact.",
                "fields",
                (
                    Request(
                        "GET",
                        "/api/connections/YOUR_GONG_CONNECTION_ID/modelsync/target/fields",
                        query={"target": "YOUR_GONG_CADENCE_ID"},
                    ),
                ),
            ),
            Step(
                "Sync Snowflake contacts into a Gong Engage flow",
                "Add each contact id from the model to the flow.",
                "sync",
                (Request("POST", "/api/syncs", GONG_SYNC, keep="SYNC"),),
            ),
        ),
    ),
    "linkedin": Walkthrough(
        key="linkedin",
        short="LinkedIn",
        title="Syncing audiences from Snowflake to LinkedIn Ads",
        tool="linkedinads",
        seed="linkedin-ads-audience-walkthrough.txt",
        query=LINKEDIN_QUERY,
        target_placeholder="YOUR-AUDIENCE-ID",
        target_pick="user_audience",
        steps=(
            _warehouse_step(OLD),
            Step(
                "Create a LinkedIn Ads connection and select accounts",
                "Connect LinkedIn Ads by signing in, then choose the ad accounts to use.",
                "tool",
                (
                    Request(
                        "POST",
                        "/api/connections",
                        '{"type":"linkedinads", "name":"LinkedIn Ads","configuration":{}}',
                        version=OLD,
                        keep="YOUR-LINKEDIN-CONNECTION-ID",
                    ),
                    Request(
                        "GET",
                        "/api/connections/YOUR-LINKEDIN-CONNECTION-ID/parameter_values",
                        version=OLD,
                    ),
                    Request(
                        "POST",
                        "/api/connections/YOUR-LINKEDIN-CONNECTION-ID",
                        '{"type":"linkedinads", "name":"LinkedIn Ads",'
                        '"configuration":{"accounts":[]}}',
                        version=OLD,
                    ),
                ),
            ),
            _model_step(
                "Write the SQL query whose rows are the people for the audience.",
                LINKEDIN_QUERY,
                OLD,
                keep="YOUR-MODEL-ID",
            ),
            Step(
                "Inspect the available audiences",
                "See the audiences of the chosen ad accounts, and what a new one needs.",
                "targets",
                (
                    Request(
                        "GET",
                        "/api/connections/YOUR-LINKEDIN-CONNECTION-ID/modelsync/targetobjects",
                        version=OLD,
                    ),
                ),
            ),
            Step(
                "Sync into an existing audience",
                "Send e-mail, first and last name into an audience that already exists.",
                "sync",
                (Request("POST", "/api/syncs", LINKEDIN_SYNC_EXISTING, version=OLD, keep="SYNC"),),
            ),
            Step(
                "Create a new audience and populate it",
                "Make a new user audience from the sync builder and fill it from the model.",
                "sync-new",
                (
                    Request(
                        "GET",
                        "/api/connections/YOUR-LINKEDIN-CONNECTION-ID/modelsync/targetobjects/properties/account",
                        version=OLD,
                    ),
                    Request(
                        "GET",
                        "/api/connections/YOUR-LINKEDIN-CONNECTION-ID/modelsync/targetobjects/properties/type",
                        version=OLD,
                    ),
                    Request("POST", "/api/syncs", LINKEDIN_SYNC_NEW, version=OLD, keep="SYNC_NEW"),
                ),
            ),
        ),
    ),
}
