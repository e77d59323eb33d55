"""The Walkthroughs page's reading of an organization: for each step of each walkthrough
(console/walkthroughs.py), the page that does it (pre-filled where it can be) and whether it is
done here already."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from connections.models import Connection
from console.walkthroughs import WALKTHROUGHS, Walkthrough
from models_app.models import SqlModel
from organizations.models import Organization
from syncs.models import Sync


@dataclass(frozen=True)
class StepProgress:
    number: int
    title: str
    says: str
    link: str
    button: str
    done: bool
    note: str = ""
    admins_only: bool = False  # connecting: a member is told who can, not given the button


@dataclass(frozen=True)
class WalkthroughProgress:
    key: str
    title: str
    steps: list[StepProgress]

    @property
    def done(self) -> bool:
        return all(step.done for step in self.steps)


def _squeeze(query: str) -> str:
    return re.sub(r"\s+", " ", query).strip().rstrip(";").lower()


def walkthroughs_progress(*, organization: Organization) -> list[WalkthroughProgress]:
    connections = list(Connection.objects.filter(organization=organization).order_by("created_at"))
    models = list(
        SqlModel.objects.filter(organization=organization).only("id", "name", "query", "source_id")
    )
    syncs = list(
        Sync.objects.filter(organization=organization).only(
            "id", "model_id", "target_connection_id", "target_create", "name"
        )
    )
    return [
        _progress(walkthrough, connections, models, syncs) for walkthrough in WALKTHROUGHS.values()
    ]


def _progress(
    walkthrough: Walkthrough,
    connections: list[Connection],
    models: list[SqlModel],
    syncs: list[Sync],
) -> WalkthroughProgress:
    warehouses = [c for c in connections if c.type == "snowflake"]
    tools = [c for c in connections if c.type == walkthrough.tool]
    healthy_tool = next((c for c in tools if c.status == Connection.Status.HEALTHY), None)
    wanted = _squeeze(walkthrough.query)
    matching = [m for m in models if _squeeze(m.query) == wanted]
    model = matching[0] if matching else None
    model_ids = {m.pk for m in matching}
    tool_ids = {c.pk for c in tools}
    into_tool = [s for s in syncs if s.target_connection_id in tool_ids and s.model_id in model_ids]
    created_target = any(s.target_create for s in into_tool)
    its_syncs = [s for s in into_tool if not s.target_create]  # into an existing target
    model_link = (
        reverse("models:new")
        + "?"
        + urlencode(
            {
                "name": "Active Users"
                if not any(m.name == "Active Users" for m in models)
                else f"Active Users ({walkthrough.short} walkthrough)",
                "query": walkthrough.query,
                **({"source": str(warehouses[0].pk)} if warehouses else {}),
            }
        )
    )
    builder = reverse("builder:new") + (f"?model={model.pk}" if model else "")
    steps: list[StepProgress] = []
    for number, step in enumerate(walkthrough.steps, start=1):
        if step.kind == "warehouse":
            link = reverse("connections:create", args=["snowflake"])
            done = bool(warehouses)
            note = f"Connected as “{warehouses[0].name}”." if warehouses else ""
            button = "Connect Snowflake"
        elif step.kind == "tool":
            link = reverse("connections:create", args=[walkthrough.tool])
            done = healthy_tool is not None
            note = f"Connected as “{healthy_tool.name}”." if healthy_tool else ""
            button = "Connect the tool"
        elif step.kind == "model":
            link, done, button = model_link, model is not None, "Write the model"
            note = f"Saved as “{model.name}”." if model else "The query comes filled in."
        elif step.kind == "sync-new":
            link, done, button = builder, created_target, "Build a sync into a new audience"
            note = "In the target step, choose Create new …"
        elif step.kind == "sync":
            link, done, button = builder, bool(its_syncs), "Build the sync"
            note = (
                f"Saved as “{its_syncs[0].name}”."
                if its_syncs
                else "The builder suggests each field by its column's name."
            )
        else:  # targets, fields: the builder's target and field steps show them
            link, done, button = builder, bool(into_tool), "Open the sync builder"
            note = ""
        steps.append(
            StepProgress(
                number,
                step.title,
                step.says,
                link,
                button,
                done,
                note,
                admins_only=step.kind in ("warehouse", "tool"),
            )
        )
    return WalkthroughProgress(walkthrough.key, walkthrough.title, steps)
