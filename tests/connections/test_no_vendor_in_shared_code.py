"""The code every tool shares names no tool: what differs lives in the tool's provider
description (connections/destinations/<vendor>/provider.py), found through the registries.

The scan reads the source text: Python string literals, identifiers and imports (docstrings and
comments may name vendors: they explain, they don't branch), and the logic of templates
(`{% … %}` and `{{ … }}`). The only exceptions are the registries below, which map type keys to
dotted paths or to the connection types themselves.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.utils.module_loading import import_string

from connections.destinations.provider import ToolProvider
from connections.destinations.registry import DESTINATIONS, PROVIDERS, provider_for
from connections.registry import CONNECTION_TYPES, Role

ROOT = Path(__file__).resolve().parents[2]
SHARED_PYTHON = ("connections/*.py", "connections/oauth/*.py", "connections/destinations/*.py")
TEMPLATES = "templates/**/*.html"
# Type keys, package names and the names people know the vendors by.
VENDOR = re.compile(r"salesloft|gong|linkedin|salesforce", re.IGNORECASE)
# (file, the name a registry is assigned to): the only places a vendor may be named.
REGISTRIES = {
    ("connections/registry.py", "CONNECTION_TYPES"),
    ("connections/destinations/registry.py", "DESTINATIONS"),
    ("connections/destinations/registry.py", "PROVIDERS"),
}
TEMPLATE_LOGIC = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _registry_nodes(tree: ast.AST, path: str) -> set[int]:
    """Every node inside an assignment to an allowed registry name."""
    allowed = {name for file, name in REGISTRIES if file == path}
    inside: set[int] = set()
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        if any(isinstance(t, ast.Name) and t.id in allowed for t in targets):
            inside.update(id(child) for child in ast.walk(node))
    return inside


def vendor_mentions_in_python(source: str, path: str = "") -> list[str]:
    """Where `source` names a vendor outside docstrings and registries: "line: text"."""
    tree = ast.parse(source)
    skip = _docstrings(tree) | _registry_nodes(tree, path)
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        texts: list[str] = []
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            texts = [node.value]
        elif isinstance(node, ast.Name):
            texts = [node.id]
        elif isinstance(node, ast.Attribute):
            texts = [node.attr]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            texts = [node.name]
        elif isinstance(node, ast.arg):
            texts = [node.arg]
        elif isinstance(node, ast.keyword) and node.arg:
            texts = [node.arg]
        elif isinstance(node, ast.ImportFrom):
            texts = [node.module or "", *(alias.name for alias in node.names)]
        elif isinstance(node, ast.Import):
            texts = [alias.name for alias in node.names]
        found += [f"{node.lineno}: {text!r}" for text in texts if VENDOR.search(text)]
    return found


def vendor_mentions_in_template(source: str) -> list[str]:
    return [
        f"{source.count(chr(10), 0, match.start()) + 1}: {match.group()}"
        for match in TEMPLATE_LOGIC.finditer(source)
        if VENDOR.search(match.group())
    ]


def _files(pattern: str) -> list[Path]:
    return sorted(ROOT.glob(pattern))


@pytest.mark.parametrize(
    "path",
    [p for pattern in SHARED_PYTHON for p in _files(pattern)],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_shared_python_names_no_vendor_outside_the_registries(path):
    relative = str(path.relative_to(ROOT))
    assert vendor_mentions_in_python(path.read_text(), relative) == []


@pytest.mark.parametrize("path", _files(TEMPLATES), ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_decide_nothing_by_vendor(path):
    assert vendor_mentions_in_template(path.read_text()) == []


def test_the_scan_finds_a_vendor_branch_and_ignores_what_only_explains():
    branch = '''
"""The wizard for Salesloft and Gong."""
from connections.destinations.gong.client import api_base_url

def facts(connection):
    """Salesforce's facts too."""
    # LinkedIn asks for accounts
    if connection.type == "linkedinads":
        return salesforce_login_url(connection)
    return f"Enter a new Salesloft key"
'''
    found = vendor_mentions_in_python(branch)
    assert len(found) == 4, found  # the import, "linkedinads", the helper, the f-string
    assert vendor_mentions_in_python('DESTINATIONS = {"gong": "a.b.C"}') != []
    allowed = 'DESTINATIONS = {"gong": "a.b.C"}'
    assert vendor_mentions_in_python(allowed, "connections/destinations/registry.py") == []
    template = '<p>Gong</p>{% if spec.key == "gong" %}x{% endif %}{{ provider.consent }}'
    assert vendor_mentions_in_template(template) == ['1: {% if spec.key == "gong" %}']


def test_every_tool_has_a_destination_and_a_provider_description_under_its_type_key():
    tools = [key for key, spec in CONNECTION_TYPES.items() if Role.DESTINATION in spec.roles]
    assert list(PROVIDERS) == tools
    assert set(DESTINATIONS) == set(tools)
    for key in tools:
        provider = provider_for(key)
        assert isinstance(provider, ToolProvider)
        assert provider.key == key
        assert import_string(provider.oauth_backend).name == key
        assert provider.tagline and provider.consent
        assert provider.name == CONNECTION_TYPES[key].name
