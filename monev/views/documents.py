"""The analysis of the whole office's quarter, the numbered draft versions,
and their discussion."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import permissions, workflow
from ..exports.render_limit import RenderError, render_with_limit
from ..forms import CommentForm, StepForm
from ..listing import parse_sort, sort_links, sort_rows
from ..selectors.documents import version_page, versions_of
from ..selectors.snapshots import report_content
from ..services.documents import (
    analysis_revisions,
    analysis_save,
    comment_add,
    draft_generate,
)
from ..services.drafting import report_draft_and_complete
from ..services.rendered import rendered_once, stored_pdf_response
from ..workflow import ActionKind, WorkflowError

# Column -> the value the indicator tables sort by; rows without one go last.
INDICATOR_SORTS = {
    "kode": lambda row: row.code,
    "capaian": lambda row: row.achievement.percent,
    "realisasi": lambda row: row.value,
}


def _office_reader(request, pk):
    """The whole office's figures are for the roles acting on the report as a whole."""
    report, staff = permissions.get_report_for(request, pk)
    permissions.ensure(staff, ActionKind.VIEW_ANALYSIS, report)
    return report, staff


@require_http_methods(["GET", "POST"])
def report_analysis(request, pk: int):
    report, staff = _office_reader(request, pk)
    if request.method == "POST":
        texts, revisions = {}, {}
        for section in workflow.active_sections(report):
            # A section missing from the form is left as it is, never blanked.
            if f"analysis-{section.pk}" in request.POST:
                texts[section.pk] = request.POST[f"analysis-{section.pk}"]
                revision = request.POST.get(f"revision-{section.pk}", "0")
                revisions[section.pk] = int(revision) if revision.isdigit() else -1
        try:
            analysis_save(report_id=report.pk, actor=request.user, texts=texts, revisions=revisions)
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Analisis tersimpan."))
        return redirect("monev:report_analysis", pk=report.pk)
    # An approved or archived report shows what was approved, whatever the rows say now.
    content = report_content(report)
    figures = content.figures
    order = parse_sort(request.GET.get("sort"), INDICATOR_SORTS)
    if order is not None:
        for section in figures.sections:
            # Frozen figures, mutable list: re-order it in place.
            section.indicators[:] = sort_rows(
                section.indicators, INDICATOR_SORTS[order.key], order.descending
            )
    analysis = content.analysis
    revisions = analysis_revisions(report)
    context = {
        "report": report,
        "figures": figures,
        "sections": [
            (s, analysis.get(s.section_id, ""), revisions.get(s.section_id, 0))
            for s in figures.sections
        ],
        "approved": workflow.is_approved(report),
        "versions": versions_of(report),
        "sort_links": sort_links(INDICATOR_SORTS, order),
        "can_edit": permissions.can(staff, ActionKind.EDIT_ANALYSIS, report),
        "can_draft": permissions.can(staff, ActionKind.MAKE_DRAFT, report),
    }
    return render(request, "monev/report_analysis.html", context)


@require_POST
def draft_create(request, pk: int):
    report, _staff = _office_reader(request, pk)
    try:
        from_step = int(request.POST.get("from_step", ""))
        version = draft_generate(report_id=report.pk, actor=request.user, from_step=from_step)
    except ValueError:
        messages.error(request, _("Permintaan tidak lengkap; muat ulang halaman."))
        return redirect("monev:report_analysis", pk=report.pk)
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect("monev:report_analysis", pk=report.pk)
    messages.success(request, _("Draf versi %(n)s dibuat.") % {"n": version.number})
    return redirect("monev:draft_version", pk=report.pk, number=version.number)


@require_POST
def draft_and_complete(request, pk: int):
    """A drafting step's primary button: the step's own draft version, then the step done."""
    report, _staff = permissions.get_report_for(request, pk)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Permintaan tidak lengkap; muat ulang halaman dan coba lagi."))
        return redirect(report)
    from_step = form.cleaned_data["from_step"]
    try:
        version, _report = report_draft_and_complete(
            report_id=report.pk, actor=request.user, from_step=from_step,
            note=form.cleaned_data["note"],
        )  # fmt: skip
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect(report)
    messages.success(
        request,
        _("Draf versi %(n)s dibuat dan langkah %(number)s selesai.")
        % {"n": version.number, "number": from_step},
    )
    return redirect(report)


def _version(request, pk: int, number: int):
    report, staff = permissions.get_report_for(request, pk)
    try:
        page = version_page(report, number)
    except KeyError:
        raise Http404(_("Versi draf tidak ditemukan.")) from None
    return report, staff, page


@require_http_methods(["GET", "POST"])
def draft_version(request, pk: int, number: int):
    report, staff, page = _version(request, pk, number)
    form = CommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            comment_add(
                version_id=page.version.pk,
                actor=request.user,
                body=form.cleaned_data["body"],
                parent_id=form.cleaned_data["parent"],
            )
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Komentar terkirim."))
            return redirect("monev:draft_version", pk=report.pk, number=number)
    context = {
        "report": report,
        "page": page,
        "form": form,
        "can_comment": page.is_latest and not report.is_archived,
    }
    return render(request, "monev/draft_version.html", context)


@require_GET
def draft_document(request, pk: int, number: int):
    """The version's frozen document as the PDF shows it, for reading on screen."""
    _report, _staff, page = _version(request, pk, number)
    # The frozen HTML links its stylesheet relative to static/, as the PDF renderer reads it.
    html = page.version.html.replace("<head>", f'<head><base href="{settings.STATIC_URL}">', 1)
    return HttpResponse(html)


@require_GET
def draft_pdf(request, pk: int, number: int):
    """The version's PDF: rendered on the first request, from storage afterwards (a draft
    version never changes)."""
    from ..exports.pdf import html_to_pdf  # weasyprint loads only when a PDF is asked for

    report, _staff, page = _version(request, pk, number)
    html = page.version.html
    try:
        name = rendered_once(
            f"dokumen/draf/{report.pk}/v{number}.pdf",
            lambda: render_with_limit(html_to_pdf, html),
        )
    except RenderError as error:
        messages.error(request, str(error))
        return redirect("monev:draft_version", pk=report.pk, number=number)
    filename = f"draf-monev-{report.year}-tw{report.quarter}-v{number}.pdf"
    return stored_pdf_response(name, filename)
