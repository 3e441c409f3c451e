"""The Kasubag PKP's analysis of the whole office's quarter, the numbered draft versions,
and their discussion."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import permissions, workflow
from ..exports.render_limit import RenderError, render_with_limit
from ..forms import CommentForm
from ..listing import parse_sort, sort_links, sort_rows
from ..models import Role
from ..selectors.documents import version_page, versions_of
from ..selectors.office_data import quarter_figures
from ..services.documents import (
    analysis_save,
    analysis_texts,
    comment_add,
    draft_generate,
    drafting_step,
)
from ..workflow import WorkflowError

# Column -> the value the indicator tables sort by; rows without one go last.
INDICATOR_SORTS = {
    "kode": lambda row: row.code,
    "capaian": lambda row: row.achievement.percent,
    "realisasi": lambda row: row.value,
}


def _office_reader(request, pk):
    """The whole office's figures are for the office's leaders, not a single section."""
    report, staff = permissions.get_report_for(request, pk)
    if staff.role == Role.KEPALA_SEKSI:
        raise PermissionDenied(_("Tabel seluruh kantor tidak tersedia untuk Kepala Seksi."))
    return report, staff


@require_http_methods(["GET", "POST"])
def report_analysis(request, pk: int):
    report, staff = _office_reader(request, pk)
    if request.method == "POST":
        texts = {}
        for section in workflow.active_sections(report):
            texts[section.pk] = request.POST.get(f"analysis-{section.pk}", "")
        try:
            analysis_save(report_id=report.pk, actor=request.user, texts=texts)
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Analisis tersimpan."))
        return redirect("monev:report_analysis", pk=report.pk)
    figures = quarter_figures(report)
    order = parse_sort(request.GET.get("sort"), INDICATOR_SORTS)
    if order is not None:
        for section in figures.sections:
            # Frozen figures, mutable list: re-order it in place.
            section.indicators[:] = sort_rows(
                section.indicators, INDICATOR_SORTS[order.key], order.descending
            )
    analysis = analysis_texts(report)
    is_kasubag = staff.role == Role.KASUBAG_PKP and not report.is_archived
    context = {
        "report": report,
        "figures": figures,
        "sections": [(s, analysis.get(s.section_id, "")) for s in figures.sections],
        "versions": versions_of(report),
        "sort_links": sort_links(INDICATOR_SORTS, order),
        "can_edit": is_kasubag,
        "can_draft": is_kasubag
        and drafting_step(report)
        and workflow.current_step(report).role == Role.KASUBAG_PKP,
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
    from ..exports.pdf import html_to_pdf  # weasyprint loads only when a PDF is asked for

    report, _staff, page = _version(request, pk, number)
    try:
        pdf = render_with_limit(html_to_pdf, page.version.html)
    except RenderError as error:
        messages.error(request, str(error))
        return redirect("monev:draft_version", pk=report.pk, number=number)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"draf-monev-{report.year}-tw{report.quarter}-v{number}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
