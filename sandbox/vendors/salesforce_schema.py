"""The emulated org's sObjects: their fields, describe output, formula fields and record ids.

Describe shapes follow the REST API's sObject Describe and Describe Global resources and the
DescribeSObjectResult Field type:
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm
https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_describesobjects_describesobjectresult.htm
Field names are matched case-insensitively everywhere, as Salesforce does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from typing import Any

from sandbox.warehouse_data import salesforce_id

SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "int": "xsd:int",
    "double": "xsd:double",
    "currency": "xsd:double",
    "percent": "xsd:double",
    "date": "xsd:date",
    "datetime": "xsd:dateTime",
}
TEXT_TYPES = {"string", "email", "phone", "url", "picklist", "textarea", "id", "reference"}
NUMBER_TYPES = {"int", "double", "currency", "percent"}


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str
    length: int = 0
    nillable: bool = True
    createable: bool = True
    updateable: bool = True
    custom: bool = False
    external_id: bool = False
    id_lookup: bool = False
    unique: bool = False
    defaulted_on_create: bool = False
    default: Any = None
    picklist: tuple[str, ...] = ()
    restricted: bool = False
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    name_field: bool = False
    precision: int = 0
    scale: int = 0
    formula: str | None = None  # the formula text describe shows; `compute` evaluates it
    compute: Callable[[dict[str, Any]], Any] | None = None

    @property
    def calculated(self) -> bool:
        return self.compute is not None

    @property
    def upsert_key(self) -> bool:
        """Fields the REST and Bulk APIs accept as an upsert key."""
        return self.external_id or self.id_lookup

    @property
    def required_on_create(self) -> bool:
        # Booleans are never nillable but default to false, so they are never "missing".
        return (
            not self.nillable
            and self.createable
            and not self.defaulted_on_create
            and self.type != "boolean"
        )

    def describe(self) -> dict[str, Any]:
        text = self.type in TEXT_TYPES
        return {
            "aggregatable": self.type not in {"textarea", "boolean"},
            "autoNumber": False,
            "byteLength": self.length * 3 if text else 0,
            "calculated": self.calculated,
            "calculatedFormula": self.formula,
            "cascadeDelete": False,
            "caseSensitive": False,
            "createable": self.createable,
            "custom": self.custom,
            "defaultValue": self.default if self.type in {"boolean", "picklist"} else None,
            "defaultedOnCreate": self.defaulted_on_create,
            "dependentPicklist": False,
            "digits": 9 if self.type == "int" else 0,
            "externalId": self.external_id,
            "filterable": self.type != "textarea",
            "groupable": self.type not in {"textarea", "double", "currency", "percent"},
            "htmlFormatted": False,
            "idLookup": self.id_lookup,
            "inlineHelpText": None,
            "label": self.label,
            "length": self.length if text else 0,
            "name": self.name,
            "nameField": self.name_field,
            "nillable": self.nillable,
            "permissionable": self.nillable and self.custom,
            "picklistValues": [
                {
                    "active": True,
                    "defaultValue": value == self.default,
                    "label": value.title() if value.islower() else value,
                    "validFor": None,
                    "value": value,
                }
                for value in self.picklist
            ],
            "precision": self.precision,
            "referenceTo": list(self.reference_to),
            "relationshipName": self.relationship_name,
            "restrictedPicklist": self.restricted,
            "scale": self.scale,
            "soapType": SOAP_TYPES.get(self.type, "xsd:string"),
            "sortable": self.type != "textarea",
            "type": self.type,
            "unique": self.unique,
            "updateable": self.updateable,
        }


@dataclass(frozen=True)
class SObject:
    name: str
    label: str
    label_plural: str
    key_prefix: str | None
    fields: tuple[Field, ...]
    createable: bool = True
    updateable: bool = True
    deletable: bool = True
    queryable: bool = True
    by_name: dict[str, Field] = dataclass_field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {f.name.lower(): f for f in self.fields})

    def field(self, name: str) -> Field | None:
        return self.by_name.get(name.lower())

    def relationship(self, name: str) -> Field | None:
        """The reference field behind a relationship name (Contact.Account → AccountId)."""
        wanted = name.lower()
        return next((f for f in self.fields if (f.relationship_name or "").lower() == wanted), None)

    def view(self, record: dict[str, Any]) -> dict[str, Any]:
        """A stored record with its formula fields evaluated, as queries and reads see it."""
        row = dict(record)
        for item in self.fields:
            if item.compute is not None:
                row[item.name] = item.compute(row)
        return row

    def urls(self, version: str) -> dict[str, str]:
        base = f"/services/data/{version}/sobjects/{self.name}"
        return {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"}

    def summary(self, version: str) -> dict[str, Any]:
        """One entry of describe global (GET sobjects/)."""
        return {
            "activateable": False,
            "createable": self.createable,
            "custom": False,
            "customSetting": False,
            "deletable": self.deletable,
            "deprecatedAndHidden": False,
            "feedEnabled": False,
            "keyPrefix": self.key_prefix,
            "label": self.label,
            "labelPlural": self.label_plural,
            "layoutable": self.createable,
            "mergeable": self.name in {"Account", "Contact", "Lead"},
            "mruEnabled": self.createable,
            "name": self.name,
            "queryable": self.queryable,
            "replicateable": self.queryable,
            "retrieveable": self.queryable,
            "searchable": self.createable,
            "triggerable": self.createable,
            "undeletable": self.deletable,
            "updateable": self.updateable,
            "urls": self.urls(version),
        }

    def describe(self, version: str) -> dict[str, Any]:
        children = [
            {
                "cascadeDelete": False,
                "childSObject": other.name,
                "deprecatedAndHidden": False,
                "field": ref.name,
                "relationshipName": f"{other.label_plural.replace(' ', '')}",
            }
            for other in OBJECTS.values()
            for ref in other.fields
            if ref.type == "reference" and self.name in ref.reference_to
        ]
        return {
            **self.summary(version),
            "childRelationships": children,
            "compactLayoutable": self.createable,
            "fields": [item.describe() for item in self.fields],
            "namedLayoutInfos": [],
            "networkScopeFieldName": None,
            "recordTypeInfos": [],
            "searchLayoutable": self.createable,
            "supportedScopes": [{"label": "All", "name": "everything"}],
            "urls": {**self.urls(version), "compactLayouts": None, "approvalLayouts": None},
        }


# -- field helpers ------------------------------------------------------------------------
def text(name: str, label: str, length: int = 80, **options: Any) -> Field:
    return Field(name, label, "string", length, **options)


def picklist(name: str, label: str, values: tuple[str, ...], **options: Any) -> Field:
    return Field(name, label, "picklist", 255, picklist=values, **options)


def reference(name: str, label: str, target: str, relationship: str, **options: Any) -> Field:
    return Field(
        name,
        label,
        "reference",
        18,
        reference_to=(target,),
        relationship_name=relationship,
        **options,
    )


def number(name: str, label: str, kind: str, precision: int, scale: int, **opts: Any) -> Field:
    return Field(name, label, kind, precision=precision, scale=scale, **opts)


def readonly(item: Field) -> Field:
    """System-maintained: shown by describe, refused on insert and update."""
    return replace(item, createable=False, updateable=False)


def _system(with_owner: bool = True) -> tuple[Field, ...]:
    fields = [
        Field("Id", "Record ID", "id", 18, nillable=False, createable=False, updateable=False,
              id_lookup=True, defaulted_on_create=True),
        Field("IsDeleted", "Deleted", "boolean", nillable=False, createable=False,
              updateable=False, defaulted_on_create=True, default=False),
    ]  # fmt: skip
    if with_owner:
        fields.append(
            reference("OwnerId", "Owner ID", "User", "Owner", nillable=False,
                      defaulted_on_create=True)
        )  # fmt: skip
    for name, label in (
        ("CreatedDate", "Created Date"),
        ("LastModifiedDate", "Last Modified Date"),
        ("SystemModstamp", "System Modstamp"),
    ):
        fields.append(
            Field(name, label, "datetime", nillable=False, createable=False, updateable=False,
                  defaulted_on_create=True)
        )  # fmt: skip
    return tuple(fields)


def full_name(record: dict[str, Any]) -> str | None:
    """The compound Name of Contacts, Leads and Users, kept in step on every write."""
    parts = [record.get("FirstName"), record.get("LastName")]
    return " ".join(str(part) for part in parts if part) or None


def _email_domain(row: dict[str, Any]) -> str | None:
    email = row.get("Email")
    return email.rsplit("@", 1)[1].lower() if email and "@" in email else None


def _band(value: Any, bands: tuple[tuple[float, str], ...], otherwise: str) -> str | None:
    if value is None:  # the formulas treat blank fields as blanks, not zeroes
        return None
    return next((label for floor, label in bands if value >= floor), otherwise)


LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
INDUSTRIES = (
    "Agriculture", "Banking", "Consulting", "Education", "Energy", "Finance", "Healthcare",
    "Manufacturing", "Media", "Retail", "Technology", "Telecommunications", "Other",
)  # fmt: skip
SALUTATIONS = ("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.")
PLANS = ("gold", "silver", "bronze")  # the warehouse's subscription_plan values
LEAD_STATUSES = (
    "Open - Not Contacted", "Working - Contacted", "Closed - Converted", "Closed - Not Converted",
)  # fmt: skip

ACCOUNT = SObject(
    "Account", "Account", "Accounts", "001",
    (
        *_system(),
        text("Name", "Account Name", 255, nillable=False, name_field=True),
        picklist("Type", "Account Type", (
            "Prospect", "Customer - Direct", "Customer - Channel", "Channel Partner / Reseller",
            "Technology Partner", "Other",
        )),
        picklist("Industry", "Industry", INDUSTRIES),
        Field("Website", "Website", "url", 255),
        Field("Phone", "Account Phone", "phone", 40),
        number("NumberOfEmployees", "Employees", "int", 8, 0),
        number("AnnualRevenue", "Annual Revenue", "currency", 18, 0),
        text("BillingCity", "Billing City", 40),
        text("BillingCountry", "Billing Country", 80),
        Field("Description", "Account Description", "textarea", 32000),
        text("Domain__c", "Domain", 255, custom=True, external_id=True, unique=True),
        picklist("Customer_Tier__c", "Customer Tier", ("Gold", "Silver", "Bronze"), custom=True,
                 restricted=True),
        number("Health_Score__c", "Health Score", "double", 3, 0, custom=True),
        readonly(text("Employee_Band__c", "Employee Band", 1300, custom=True,
            formula='IF(NumberOfEmployees >= 1000, "Enterprise", '
                    'IF(NumberOfEmployees >= 100, "Mid-Market", "SMB"))',
            compute=lambda r: _band(
                r.get("NumberOfEmployees"), ((1000, "Enterprise"), (100, "Mid-Market")), "SMB"
            ),
        )),
    ),
)  # fmt: skip

CONTACT = SObject(
    "Contact", "Contact", "Contacts", "003",
    (
        *_system(),
        reference("AccountId", "Account ID", "Account", "Account"),
        picklist("Salutation", "Salutation", SALUTATIONS),
        text("FirstName", "First Name", 40),
        text("LastName", "Last Name", 80, nillable=False),
        readonly(text("Name", "Full Name", 121, nillable=False, name_field=True)),
        Field("Email", "Email", "email", 80, id_lookup=True),
        Field("Phone", "Business Phone", "phone", 40),
        Field("MobilePhone", "Mobile Phone", "phone", 40),
        text("Title", "Title", 128),
        text("Department", "Department", 80),
        text("MailingCity", "Mailing City", 40),
        text("MailingCountry", "Mailing Country", 80),
        picklist("LeadSource", "Lead Source", LEAD_SOURCES),
        Field("HasOptedOutOfEmail", "Email Opt Out", "boolean", nillable=False,
              defaulted_on_create=True, default=False),
        Field("Birthdate", "Birthdate", "date"),
        Field("Description", "Contact Description", "textarea", 32000),
        text("External_Id__c", "External ID", 255, custom=True, external_id=True, unique=True),
        picklist("Subscription_Plan__c", "Subscription Plan", PLANS, custom=True, restricted=True),
        Field("Last_Activity_Date__c", "Last Activity Date", "date", custom=True),
        number("Lifetime_Value__c", "Lifetime Value", "currency", 16, 2, custom=True),
        readonly(Field("Is_Gold__c", "Is Gold", "boolean", nillable=False, custom=True,
            defaulted_on_create=True, default=False,
            formula="ISPICKVAL(Subscription_Plan__c, 'gold')",
            compute=lambda r: r.get("Subscription_Plan__c") == "gold",
        )),
        readonly(text("Email_Domain__c", "Email Domain", 1300, custom=True,
            formula='LOWER(MID(Email, FIND("@", Email) + 1, 255))', compute=_email_domain,
        )),
    ),
)  # fmt: skip

LEAD = SObject(
    "Lead", "Lead", "Leads", "00Q",
    (
        *_system(),
        picklist("Salutation", "Salutation", SALUTATIONS),
        text("FirstName", "First Name", 40),
        text("LastName", "Last Name", 80, nillable=False),
        readonly(text("Name", "Full Name", 121, nillable=False, name_field=True)),
        text("Company", "Company", 255, nillable=False),
        text("Title", "Title", 128),
        Field("Email", "Email", "email", 80, id_lookup=True),
        Field("Phone", "Phone", "phone", 40),
        Field("Website", "Website", "url", 255),
        picklist("Industry", "Industry", INDUSTRIES),
        picklist("LeadSource", "Lead Source", LEAD_SOURCES),
        picklist("Status", "Lead Status", LEAD_STATUSES, nillable=False,
                 defaulted_on_create=True, default="Open - Not Contacted"),
        picklist("Rating", "Rating", ("Hot", "Warm", "Cold")),
        number("NumberOfEmployees", "Employees", "int", 8, 0),
        number("AnnualRevenue", "Annual Revenue", "currency", 18, 0),
        text("City", "City", 40),
        text("Country", "Country", 80),
        Field("HasOptedOutOfEmail", "Email Opt Out", "boolean", nillable=False,
              defaulted_on_create=True, default=False),
        Field("IsConverted", "Converted", "boolean", nillable=False, createable=False,
              updateable=False, defaulted_on_create=True, default=False),
        readonly(reference("ConvertedContactId", "Converted Contact ID", "Contact",
                           "ConvertedContact")),
        text("External_Id__c", "External ID", 255, custom=True, external_id=True, unique=True),
        picklist("Product_Interest__c", "Product Interest",
                 ("Analytics", "Reverse ETL", "Data Activation"), custom=True, restricted=True),
        number("Lead_Score__c", "Lead Score", "double", 3, 0, custom=True),
        readonly(text("Score_Band__c", "Score Band", 1300, custom=True,
            formula='IF(Lead_Score__c >= 80, "Hot", IF(Lead_Score__c >= 50, "Warm", "Cold"))',
            compute=lambda r: _band(r.get("Lead_Score__c"), ((80, "Hot"), (50, "Warm")), "Cold"),
        )),
    ),
)  # fmt: skip

# The integration user's profile lacks "Manage Users", so describe reports User read-only.
USER = SObject(
    "User", "User", "Users", "005",
    (
        *_system(with_owner=False)[:1],
        *_system(with_owner=False)[2:],
        text("Username", "Username", 80, nillable=False),
        text("FirstName", "First Name", 40),
        text("LastName", "Last Name", 80, nillable=False),
        readonly(text("Name", "Full Name", 121, nillable=False, name_field=True)),
        Field("Email", "Email", "email", 128, nillable=False),
        text("Alias", "Alias", 8, nillable=False),
        Field("IsActive", "Active", "boolean", nillable=False, defaulted_on_create=True),
        text("TimeZoneSidKey", "Time Zone", 40, nillable=False),
    ),
    createable=False, updateable=False, deletable=False,
)  # fmt: skip

ORGANIZATION = SObject(
    "Organization", "Organization", "Organizations", "00D",
    tuple(readonly(item) for item in (
        *_system(with_owner=False)[:1],
        *_system(with_owner=False)[2:],
        text("Name", "Name", 80, nillable=False, name_field=True),
        text("OrganizationType", "Edition", 40),
        text("InstanceName", "Instance Name", 5),
        Field("IsSandbox", "Is Sandbox", "boolean", nillable=False),
        text("TimeZoneSidKey", "Default Time Zone", 40, nillable=False),
    )),
    createable=False, updateable=False, deletable=False,
)  # fmt: skip

# Describe global lists it, but it is the result type of aggregate queries, not a table.
AGGREGATE_RESULT = SObject(
    "AggregateResult", "Aggregate Result", "Aggregate Result", None, (),
    createable=False, updateable=False, deletable=False, queryable=False,
)  # fmt: skip

OBJECTS: dict[str, SObject] = {
    item.name: item for item in (ACCOUNT, AGGREGATE_RESULT, CONTACT, LEAD, ORGANIZATION, USER)
}
BY_PREFIX = {item.key_prefix: item for item in OBJECTS.values() if item.key_prefix}
# New records start above the seeded ones (and above the warehouse's contact numbers).
FIRST_NUMBER = {"Account": 1, "Contact": 50_000_001, "Lead": 1}


def sobject(name: str) -> SObject | None:
    """Object names are case-insensitive too."""
    return OBJECTS.get(name) or next(
        (item for key, item in OBJECTS.items() if key.lower() == name.lower()), None
    )


def record_id(sobject_name: str, number: int) -> str:
    item = OBJECTS[sobject_name]
    assert item.key_prefix is not None
    return salesforce_id(item.key_prefix, number)
