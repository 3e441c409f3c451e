"""Monitoring and evaluation of the SOP (PermenPAN-RB 35/2012): the semiannual monitoring table
as a page, PDF and XLSX, and the yearly evaluation with its revision proposals.

Those who see Waktu SOP see these pages; only the SOP's penilai fills and signs them.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import clock, permissions
from ..exports.render_limit import RenderError, render_with_limit
from ..exports.sop_evaluation_xlsx import build_evaluation_xlsx
from ..exports.sop_monitoring_xlsx import build_monitoring_xlsx
from ..models import Half
from ..selectors import sop_review
from ..services import sop_review as review_services
from ..workflow import WorkflowError
from ..worktime import JAKARTA
from .timing import XLSX_TYPE

YEARS_BACK = 5


def _check_period(year: int, half: int | None = None) -> None:
    if not 2000 <= year <= 2100 or (half is not None and half not in Half.values):
        raise Http404(_("Periode tidak dikenal."))


def _year_choices() -> list[int]:
    this_year = clock.now().astimezone(JAKARTA).year
    return list(range(this_year, this_year - YEARS_BACK, -1))


@require_GET
def sop_monitoring_latest(request):
    """The chooser's target: the chosen half-year, by default the last one that has ended."""
    permissions.page_staff(request, permissions.Page.VIEW_TIMING)
    year, half = sop_review.last_half(clock.now().astimezone(JAKARTA).date())
    try:
        year = int(request.GET.get("tahun", year))
        half = int(request.GET.get("semester", half))
        _check_period(year, half)
    except (ValueError, Http404):
        messages.warning(request, _("Periode tidak dikenal; yang ditampilkan semester terakhir."))
        year, half = sop_review.last_half(clock.now().astimezone(JAKARTA).date())
    return redirect("monev:sop_monitoring", year=year, half=half)


def _decisions(request, page) -> dict[int, review_services.RowDecision]:
    decisions = {}
    for line in page.lines:
        number = line.evidence.number
        value = request.POST.get(f"ok-{number}", "")
        decisions[number] = review_services.RowDecision(
            is_ok={"1": True, "0": False}.get(value),
            note=request.POST.get(f"note-{number}", "").strip(),
            action=request.POST.get(f"action-{number}", "").strip(),
        )
    return decisions


@require_http_methods(["GET", "POST"])
def sop_monitoring(request, year: int, half: int):
    _check_period(year, half)
    staff = permissions.page_staff(request, permissions.Page.VIEW_TIMING)
    page = sop_review.monitoring_page(staff.office, year, half)
    signed = page.monitoring is not None and page.monitoring.is_signed
    may_edit = page.sop is not None and not signed and permissions.may_review_sop(staff, page.sop)
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("Monitoring ini tidak dapat Anda ubah."))
        decisions = _decisions(request, page)
        sign = "sign" in request.POST
        try:
            review_services.save_monitoring(
                office=staff.office,
                year=year,
                half=half,
                actor=request.user,
                decisions=decisions,
                sign=sign,
                passphrase=request.POST.get("passphrase", ""),
            )
        except WorkflowError as error:
            messages.error(request, str(error))
            # Show what was typed, so nothing is lost.
            for line in page.lines:
                decision = decisions[line.evidence.number]
                line.is_ok, line.note, line.action = decision.is_ok, decision.note, decision.action
        else:
            if not sign:
                done = _("Monitoring disimpan.")
            elif request.POST.get("passphrase"):
                done = _("Monitoring diparaf, ditandatangani secara elektronik, dan dibekukan.")
            else:
                done = _("Monitoring diparaf dan dibekukan.")
            messages.success(request, done)
            return redirect("monev:sop_monitoring", year=year, half=half)
    context = {
        "page": page,
        "office": staff.office,
        "signed": signed,
        "may_edit": may_edit,
        "rule": sop_review.penilaian_rule(),
        "years": _year_choices(),
        "halves": Half.choices,
        "evaluation_url": reverse("monev:sop_evaluation", args=[year]),
    }
    return render(request, "monev/sop_monitoring.html", context)


def _filename(page, ext: str) -> str:
    return f"monitoring-sop-{page.office.code}-{page.year}-s{page.half}.{ext}"


@require_GET
def sop_monitoring_pdf(request, year: int, half: int):
    # weasyprint loads only when a PDF is asked for
    from ..exports.sop_review_pdf import render_monitoring_html, render_review_pdf

    _check_period(year, half)
    staff = permissions.page_staff(request, permissions.Page.VIEW_TIMING)
    page = sop_review.monitoring_page(staff.office, year, half)
    if page.monitoring is not None and page.monitoring.signed_pdf:
        # Signed electronically: the very bytes signed, so the signature stays valid.
        response = HttpResponse(bytes(page.monitoring.signed_pdf), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{_filename(page, "pdf")}"'
        return response
    try:
        html = render_monitoring_html(page, sop_review.penilaian_rule())
        pdf = render_with_limit(render_review_pdf, html)
    except RenderError as error:
        messages.error(request, str(error))
        return redirect("monev:sop_monitoring", year=year, half=half)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_filename(page, "pdf")}"'
    return response


@require_GET
def sop_monitoring_xlsx(request, year: int, half: int):
    _check_period(year, half)
    staff = permissions.page_staff(request, permissions.Page.VIEW_TIMING)
    page = sop_review.monitoring_page(staff.office, year, half)
    response = HttpResponse(build_monitoring_xlsx(page), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(page, "xlsx")}"'
    return response


@require_http_methods(["GET", "POST"])
def sop_evaluation(request, year: int):
    _check_period(year)
    staff = permissions.page_staff(request, permissions.Page.VIEW_TIMING)
    page = sop_review.evaluation_page(staff.office, year)
    may_edit = page.sop is not None and permissions.may_review_sop(staff, page.sop)
    answers = None
    conclusion = page.evaluation.conclusion if page.evaluation else ""
    if request.method == "POST":
        if not may_edit or page.signed:
            raise PermissionDenied(_("Evaluasi ini tidak dapat Anda ubah."))
        answers = {
            key: {
                "ok": {"1": True, "0": False}.get(request.POST.get(f"ok-{key}", "")),
                "note": request.POST.get(f"note-{key}", "").strip(),
            }
            for key, _question in sop_review.QUESTIONS
        }
        conclusion = request.POST.get("conclusion", "").strip()
        sign = "sign" in request.POST
        try:
            review_services.save_evaluation(
                office=staff.office,
                year=year,
                actor=request.user,
                answers=answers,
                conclusion=conclusion,
                sign=sign,
            )
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Evaluasi diparaf dan dibekukan.") if sign else _("Evaluasi disimpan."),
            )
            return redirect("monev:sop_evaluation", year=year)
    context = {
        "page": page,
        "office": staff.office,
        "year": year,
        "sop": page.sop,
        "evaluation": page.evaluation,
        "signed": page.signed,
        "may_edit": may_edit and not page.signed,
        "may_propose": may_edit
        and page.evaluation is not None
        and not page.evaluation.proposed_sop_id,
        "questions": page.questions(answers),
        "conclusion": conclusion,
        "evidence": page.evidence,
        "proposals": page.proposals,
        "monitorings": page.monitorings,
        "years": _year_choices(),
        "proposal_rule": _proposal_rule(),
    }
    return render(request, "monev/sop_evaluation.html", context)


def _proposal_rule() -> dict:
    return {
        "min": sop_review.PROPOSAL_MIN_SAMPLES,
        "under": f"{sop_review.FAR_UNDER:g}".replace(".", ","),
        "over": f"{sop_review.FAR_OVER:g}".replace(".", ","),
        "percentile": sop_review.PROPOSAL_PERCENTILE,
    }


def _printable_evaluation(request, year: int):
    _check_period(year)
    staff = permissions.page_staff(request, permissions.Page.VIEW_TIMING)
    page = sop_review.evaluation_page(staff.office, year)
    if page.sop is None:
        raise Http404(_("Kantor Anda belum memiliki SOP."))
    return page


@require_GET
def sop_evaluation_pdf(request, year: int):
    # weasyprint loads only when a PDF is asked for
    from ..exports.sop_review_pdf import render_evaluation_html, render_review_pdf

    page = _printable_evaluation(request, year)
    html = render_evaluation_html(page, sop_review.penilaian_rule(), _proposal_rule())
    try:
        pdf = render_with_limit(render_review_pdf, html)
    except RenderError as error:
        messages.error(request, str(error))
        return redirect("monev:sop_evaluation", year=year)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"evaluasi-sop-{page.office.code}-{year}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
def sop_evaluation_xlsx(request, year: int):
    page = _printable_evaluation(request, year)
    response = HttpResponse(build_evaluation_xlsx(page), content_type=XLSX_TYPE)
    filename = f"evaluasi-sop-{page.office.code}-{year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def sop_evaluation_latest(request):
    permissions.page_staff(request, permissions.Page.VIEW_TIMING)
    try:
        year = int(request.GET.get("tahun", ""))
        _check_period(year)
    except (ValueError, Http404):
        # The year of the last half-year that has ended: its monitoring is the evidence.
        year, _half = sop_review.last_half(clock.now().astimezone(JAKARTA).date())
    return redirect("monev:sop_evaluation", year=year)


@require_POST
def sop_evaluation_revision(request, year: int):
    _check_period(year)
    staff = permissions.page_staff(request, permissions.Page.VIEW_TIMING)
    try:
        draft = review_services.propose_revision(office=staff.office, year=year, actor=request.user)
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _(
                "Draf revisi %(revision)d dibuat (belum berlaku). Admin meninjaunya lalu "
                "memberlakukannya."
            )
            % {"revision": draft.revision},
        )
    return redirect("monev:sop_evaluation", year=year)
