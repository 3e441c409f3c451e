"""Parts of pages that cost much to build and change only with the data they show.

They are rendered once and kept in the "pages" cache under a key made of what they depend
on, read from the database with the page itself: database triggers raise the report's revision
with every write to what the parts show, whatever path wrote it (monev.page_revisions), so a
stale copy is never found, whichever process or server rendered it."""

import functools
from dataclasses import dataclass

from crispy_forms.utils import render_crispy_form
from django import forms
from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils.translation import get_language

from . import clock, permissions, selectors
from .models import DraftVersion, Report, Staff
from .selectors.snapshots import record_names
from .workflow import ActionKind

# Archived reports never change; an idle open report's key changes with its next move.
PARTS_TIMEOUT = 24 * 3600


def _parts_key(report: Report, staff: Staff) -> str:
    # What the fragment shows depends on the report's state and the viewer's role and section.
    state = (
        report.revision,
        report.current_step,
        report.step_started_at.timestamp(),
        report.archived_at.timestamp() if report.archived_at else 0,
    )
    viewer = (staff.role, staff.section_id or 0, get_language())
    return "report-parts:" + ":".join(map(str, (report.pk, *state, *viewer)))


@dataclass(frozen=True)
class ReportParts:
    """The report page's parts that only change with the report: its heading, and its data
    and documents links with the SOP timeline and step log."""

    header: str
    history: str
    latest_version: int | None  # number of the newest draft version
    latest_version_step: int | None  # the step that produced it


def report_parts(report: Report, staff: Staff) -> ReportParts:
    """The parts for this report row and viewer, from the cache or rendered afresh."""
    key = _parts_key(report, staff)
    cached = caches["pages"].get(key)
    if cached is not None:
        parts, fresh_until = cached
        if fresh_until is None or clock.now() < fresh_until:
            return parts
    full = selectors.report_for_page(report.pk)
    timeline = selectors.timeline(full)
    versions: list[DraftVersion] = list(full.versions.all())
    context = {
        "report": full,
        "staff": staff,
        "timeline": timeline,
        "record": record_names(full),
        "may_view_analysis": permissions.can(staff, ActionKind.VIEW_ANALYSIS, full),
    }
    parts = ReportParts(
        header=render_to_string("monev/_report_header.html", context),
        history=render_to_string("monev/_report_history.html", context),
        latest_version=versions[-1].number if versions else None,
        latest_version_step=versions[-1].step_number if versions else None,
    )
    # The current step's badge turns to "Terlambat" at its due time: render again from then on.
    status = next((item.status for item in timeline if item.status), None)
    fresh_until = status.due_at if status and status.due_at and not status.overdue else None
    caches["pages"].set(_parts_key(full, staff), (parts, fresh_until), PARTS_TIMEOUT)
    return parts


def form_html(form: forms.Form) -> str:
    """The form as crispy renders it. A blank form is the same for every request of its kind
    and language, so it is rendered once per process."""
    if form.is_bound:
        return render_crispy_form(form)
    initial = tuple(sorted(form.initial.items()))
    return _blank_form(type(form), form.auto_id, initial, get_language())


@functools.lru_cache(maxsize=256)
def _blank_form(form_class, auto_id: str, initial: tuple, language: str) -> str:
    return render_crispy_form(form_class(initial=dict(initial), auto_id=auto_id))
