"""Waktu SOP explained: the step logs behind one step's figures, linked to their reports."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..selectors.timing_sources import step_sources
from .timing_period import load_timing_period


@require_GET
def sop_timing_step(request, number: int):
    # The same period filter and figures as Waktu SOP itself, so the two always agree.
    staff, form, summary = load_timing_period(request)
    sources = step_sources(staff.office, summary.year, summary.quarter, number)
    row = next((step for step in summary.steps if step.number == number), None)
    context = {
        "office": staff.office,
        "form": form,
        "summary": summary,
        "row": row,
        "sources": sources,
        "number": number,
        "query": request.GET.urlencode(),
    }
    return render(request, "monev/timing_step.html", context)
