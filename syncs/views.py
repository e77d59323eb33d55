"""Console pages for running and watching syncs: the list, a sync, an execution.

Views read through syncs.selectors and act through syncs.services; every id is looked up in
the signed-in person's organization, so another organization's id is a 404 and changes nothing.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from console.decorators import organization_required
from syncs import display, selectors, services
from syncs.models import Sync, SyncExecution

PAGE_SIZE = 50
IDENTITIES_MAX = 1000
FULL_RESYNC = (
    "A full resync sends every row of the model again, as if the sync had never run: records "
    "already in {target} are written again with the model's values. Use it when records were "
    "changed or deleted in {target} by hand. It takes longer and uses more of the API limit."
)


def _sync_or_404(request: HttpRequest, sync_id: object) -> Sync:
    sync = selectors.sync_get(organization=request.organization, sync_id=sync_id)
    if sync is None:
        raise Http404("No such sync")
    return sync


def _execution_or_404(request: HttpRequest, execution_id: object) -> SyncExecution:
    execution = selectors.execution_get(
        organization=request.organization, execution_id=execution_id
    )
    if execution is None:
        raise Http404("No such run")
    return execution


@organization_required
@require_GET
def sync_index(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in selectors.STATUS_FILTERS:
        status = ""
    paginator = Paginator(
        selectors.sync_list(organization=request.organization, status=status), PAGE_SIZE
    )
    page = paginator.get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [
        {
            "sync": sync,
            "schedule": display.schedule_words(sync),
            "next_run": display.next_run_words(sync, now=now),
        }
        for sync in page.object_list
    ]
    return render(
        request,
        "syncs/list.html",
        {
            "rows": rows,
            "page": page,
            "status": status,
            "status_label": selectors.STATUS_FILTERS.get(status, ""),
            "filters": selectors.STATUS_FILTERS,
        },
    )


def _progress_context(execution: SyncExecution | None) -> dict[str, Any]:
    if execution is None:
        return {"execution": None}
    progress = execution.progress or {}
    return {
        "execution": execution,
        "phase": display.PHASES.get(execution.phase, execution.phase),
        "status_sentence": display.status_sentence(execution),
        "figures": [
            ("Rows read", progress.get("rows_read", 0)),
            ("Changed", progress.get("rows_changed", 0)),
            ("Sent", progress.get("rows_sent", 0)),
            ("Accepted", progress.get("rows_accepted", 0)),
            ("Rejected", progress.get("rows_rejected", 0) or execution.error_count),
        ],
        "polling": not execution.is_terminal,
        "duration": display.execution_duration(execution),
    }


@organization_required
@require_GET
def sync_detail(request: HttpRequest, sync_id: str) -> HttpResponse:
    sync = _sync_or_404(request, sync_id)
    executions = selectors.sync_executions(sync=sync)
    # The panel follows the run in progress, else shows the latest one.
    current = selectors.sync_current_execution(sync=sync) or (executions[0] if executions else None)
    dry_run = selectors.sync_last_dry_run(sync=sync)
    target = sync.target_connection.name
    return render(
        request,
        "syncs/detail.html",
        {
            "sync": sync,
            "schedule": display.schedule_words(sync),
            "next_run": display.next_run_words(sync),
            "executions": [
                {
                    "execution": execution,
                    "kind": display.kind(execution),
                    "status": display.status_sentence(execution),
                    "who": display.started_by(execution),
                    "duration": display.execution_duration(execution),
                }
                for execution in executions
            ],
            "progress": _progress_context(current),
            "dry_run": dry_run,
            "dry_run_sections": _report_sections(dry_run.report if dry_run else {}),
            "full_resync": FULL_RESYNC.format(target=target),
        },
    )


def _report_sections(report: dict[str, Any]) -> list[dict[str, Any]]:
    labels = (
        ("create", "Would be created"),
        ("update", "Would be updated"),
        ("gone", "Would be removed (no longer in the model)"),
        ("in_doubt", "Would be checked at the destination first"),
    )
    sections = []
    for key, label in labels:
        part = report.get(key) or {}
        samples = part.get("samples") or []
        columns: list[str] = []
        for sample in samples:
            for column in (sample.get("record") or {}).keys():
                if column not in columns:
                    columns.append(column)
        sections.append(
            {
                "label": label,
                "count": part.get("count", 0),
                "columns": columns,
                "samples": [
                    {
                        "identity": sample.get("identity", ""),
                        "values": [(sample.get("record") or {}).get(c, "") for c in columns],
                    }
                    for sample in samples
                ],
            }
        )
    return sections


@organization_required
@require_GET
def sync_progress(request: HttpRequest, sync_id: str) -> HttpResponse:
    """The live panel htmx polls while a run is in progress (a few columns, one query each)."""
    sync = _sync_or_404(request, sync_id)
    execution_id = request.GET.get("execution")
    execution = None
    if execution_id:
        try:
            execution = selectors.execution_progress_get(
                organization=request.organization, execution_id=execution_id
            )
        except (ValueError, TypeError):
            execution = None
        if execution is not None and execution.sync_id != sync.pk:
            execution = None
    if execution is None:
        execution = selectors.sync_current_execution(sync=sync)
    return render(
        request, "syncs/_progress.html", {"sync": sync, "progress": _progress_context(execution)}
    )


def _identities(raw: str) -> list[str]:
    values = [part.strip() for line in raw.splitlines() for part in line.split(",")]
    return list(dict.fromkeys(value for value in values if value))


@organization_required
@require_POST
def sync_run(request: HttpRequest, sync_id: str) -> HttpResponse:
    sync = _sync_or_404(request, sync_id)
    how = request.POST.get("how", "run")
    options: dict[str, Any] = {}
    if how == "dry":
        options["test"] = True
    elif how == "resync":
        options["resync"] = True
    elif how == "identities":
        identities = _identities(request.POST.get("identities", ""))
        if not identities:
            messages.error(
                request,
                "Type the identities to run for (for example e-mail addresses), one a line or "
                "separated by commas.",
            )
            return redirect("syncs:detail", sync_id=sync.pk)
        if len(identities) > IDENTITIES_MAX:
            messages.error(
                request,
                f"A run for some identities takes at most {IDENTITIES_MAX:,} of them; "
                f"you gave {len(identities):,}. Run the whole sync instead.",
            )
            return redirect("syncs:detail", sync_id=sync.pk)
        options["identities"] = identities
    waiting = sync.executions.filter(status__in=SyncExecution.WAITING).exists()
    try:
        execution = services.sync_execution_start(sync=sync, user=request.user, **options)
    except services.SyncNotRunnable as error:
        messages.error(request, str(error))
        return redirect("syncs:detail", sync_id=sync.pk)
    if waiting:
        messages.info(
            request,
            "A run of this sync was already waiting to start, so no second one was added; "
            "it is shown below.",
        )
    else:
        words = {
            "dry": "Dry run started: it compares and reports, and sends nothing.",
            "resync": "Full resync started.",
            "identities": f"Run started for {len(options.get('identities', []))} identities.",
        }
        messages.success(request, words.get(how, "Run started."))
    return redirect(f"{sync_detail_url(sync)}?execution={execution.pk}")


def sync_detail_url(sync: Sync) -> str:
    from django.urls import reverse

    return reverse("syncs:detail", kwargs={"sync_id": sync.pk})


@organization_required
@require_POST
def sync_active(request: HttpRequest, sync_id: str) -> HttpResponse:
    sync = _sync_or_404(request, sync_id)
    active = request.POST.get("active") == "true"
    services.sync_set_active(sync=sync, active=active, user=request.user)
    if active:
        messages.success(request, f"{sync.name} is resumed: its schedule starts it again.")
    else:
        messages.success(
            request,
            f"{sync.name} is paused: its schedule won't start it. You can still run it by hand.",
        )
    return redirect("syncs:detail", sync_id=sync.pk)


@organization_required
def sync_delete_view(request: HttpRequest, sync_id: str) -> HttpResponse:
    sync = _sync_or_404(request, sync_id)
    if request.method == "POST":
        name = sync.name
        services.sync_delete(sync=sync, user=request.user)
        messages.success(request, f"The sync “{name}” and its history are deleted.")
        return redirect("syncs:list")
    running = selectors.sync_current_execution(sync=sync)
    return render(
        request,
        "syncs/delete.html",
        {"sync": sync, "running": running, "run_count": sync.executions.count()},
    )


@organization_required
@require_GET
def execution_detail(request: HttpRequest, execution_id: str) -> HttpResponse:
    execution = _execution_or_404(request, execution_id)
    search = request.GET.get("q", "")[:200]
    after = _int(request.GET.get("after"))
    before = _int(request.GET.get("before"))
    page = selectors.record_error_page(
        execution=execution, search=search, after=after, before=before, size=PAGE_SIZE
    )
    return render(
        request,
        "syncs/execution.html",
        {
            "execution": execution,
            "sync": execution.sync,
            "status_sentence": display.status_sentence(execution),
            "kind": display.kind(execution),
            "who": display.started_by(execution),
            "duration": display.execution_duration(execution),
            "log": display.log_lines(execution),
            "counts": [
                ("Created", execution.insert_count),
                ("Updated", execution.update_count + execution.upsert_count),
                ("Removed", execution.delete_count),
                ("Unchanged", execution.unchanged_count),
                ("Rejected", execution.error_count),
            ],
            "errors": [{"error": error, "sent": _sent(error.payload)} for error in page.rows],
            "page": page,
            "search": search,
            "progress": _progress_context(execution),
            "report_sections": _report_sections(execution.report or {}) if execution.test else [],
        },
    )


def _int(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


def _sent(payload: Any) -> list[tuple[str, str]]:
    if not isinstance(payload, dict):
        return [("", json.dumps(payload, default=str))] if payload else []
    return [
        (str(key), value if isinstance(value, str) else json.dumps(value, default=str))
        for key, value in payload.items()
    ]


@organization_required
@require_POST
def execution_cancel(request: HttpRequest, execution_id: str) -> HttpResponse:
    execution = _execution_or_404(request, execution_id)
    if execution.is_terminal:
        messages.info(request, "This run had already ended; there was nothing to cancel.")
    else:
        execution = services.sync_execution_cancel(execution=execution)
        messages.success(
            request,
            "Canceled."
            if execution.status == "canceled"
            else "Stopping: the run ends after the batch it is sending. What was delivered "
            "stays delivered.",
        )
    back = request.POST.get("next", "")
    if back == "execution":
        return redirect("syncs:execution", execution_id=execution.pk)
    return redirect("syncs:detail", sync_id=execution.sync_id)


# Spreadsheet programs run a cell that starts with one of these as a formula (CSV injection,
# https://owasp.org/www-community/attacks/CSV_Injection): such cells get a leading apostrophe.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterable[tuple[Any, ...]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(["identity", "operation", "message", "sent", "rejected_at"])
    for identity, operation, message, payload, created_at in rows:
        yield writer.writerow(
            [
                csv_safe(identity),
                csv_safe(operation),
                csv_safe(message),
                csv_safe(payload if payload else ""),
                created_at.isoformat(),
            ]
        )


@organization_required
@require_GET
def execution_errors_csv(request: HttpRequest, execution_id: str) -> StreamingHttpResponse:
    """Every rejected record (or those matching the search), streamed: memory stays flat."""
    execution = _execution_or_404(request, execution_id)
    rows = selectors.record_error_rows(execution=execution, search=request.GET.get("q", "")[:200])
    response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    stamp = execution.created_at.strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="rejected-records-{stamp}.csv"'
    return response
