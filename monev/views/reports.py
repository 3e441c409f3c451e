"""Views of the SOP workflow: Tugas Saya, the report list and timeline, the SOP page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import fragments, log_chain, permissions, selectors, services, workflow
from ..forms import OpenCycleForm, ReturnForm, SignForm, StepForm
from ..listing import parse_sort, query_quarter, query_year, sort_links, sort_rows
from ..models import Quarter
from ..selectors.documents import awaiting_decision, version_due
from ..selectors.reports import INBOX_SORTS, REPORT_SORTS, report_years
from ..selectors.reports import report_list as report_rows
from ..selectors.snapshots import decision_binding
from ..services.approval import report_approve, step_signs
from ..workflow import ActionKind, WorkflowError


@require_GET
def inbox(request):
    staff = permissions.staff_required(request)
    items = selectors.inbox_for(staff)
    order = parse_sort(request.GET.get("sort"), INBOX_SORTS)
    if order is not None:
        items = sort_rows(items, INBOX_SORTS[order.key], order.descending)
    context = {
        "staff": staff,
        "items": items,
        "sort_links": sort_links(INBOX_SORTS, order),
        "awaiting": awaiting_decision(items),
    }
    return render(request, "monev/inbox.html", context)


@require_http_methods(["GET", "POST"])
def report_list(request):
    staff = permissions.staff_required(request)
    sop = selectors.current_sop(staff.office)
    first_step = sop.steps.all()[0] if sop and sop.steps.all() else None
    may_open = workflow.may_open_cycle(staff, first_step)
    form = OpenCycleForm(request.POST or None) if may_open else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("Membuka siklus triwulan bukan tugas peran Anda."))
        if form.is_valid():
            try:
                report = services.report_open(
                    office=staff.office,
                    year=form.cleaned_data["year"],
                    quarter=form.cleaned_data["quarter"],
                    actor=request.user,
                )
            except WorkflowError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Siklus %(report)s dibuka.") % {"report": report})
                return redirect(report)
    year, quarter = query_year(request.GET), query_quarter(request.GET)
    order = parse_sort(request.GET.get("sort"), REPORT_SORTS)
    rows = report_rows(staff.office, year=year, quarter=quarter)
    if order is not None:
        rows = sort_rows(rows, REPORT_SORTS[order.key], order.descending)
    context = {
        "staff": staff,
        "rows": rows,
        "form": form,
        "years": report_years(staff.office),
        "year": year,
        "quarter": quarter,
        "sort": order.value if order else "",
        "sort_links": sort_links(REPORT_SORTS, order, keep={"year": year, "quarter": quarter}),
        "quarters": Quarter.choices,
    }
    return render(request, "monev/report_list.html", context)


def _render_report(request, report, staff, *, return_form=None, status=200):
    actions = workflow.allowed_actions(report, staff)
    forms = []
    for action in actions:
        label = action.label
        # Several forms share one page: distinct ids keep each label tied to its own field.
        options = {"initial": {"from_step": report.current_step}, "auto_id": f"id_{action.kind}_%s"}
        if action.kind == ActionKind.RETURN:
            form = return_form or ReturnForm(**options)
            url = reverse("monev:report_return", args=[report.pk])
        elif action.kind == ActionKind.SUBMIT:
            form = StepForm(**options)
            url = reverse("monev:report_submit_section", args=[report.pk, action.section.pk])
        elif (due := version_due(report)) and permissions.can(staff, ActionKind.MAKE_DRAFT, report):
            # The step needs a version of its own: the one button makes it, then completes.
            form = StepForm(**options)
            url = reverse("monev:draft_and_complete", args=[report.pk])
            label = _("Buat draf versi %(n)s dan selesaikan langkah") % {"n": due}
        else:
            if workflow.approval_binding_required(action.step):
                options["initial"].update(decision_binding(report))
            form = (SignForm if action.step.signs_document else StepForm)(**options)
            url = reverse("monev:report_complete", args=[report.pk])
        forms.append((action, form, fragments.form_html(form), url, label))
    context = {
        "report": report,
        "staff": staff,
        "parts": fragments.report_parts(report, staff),
        "action_forms": forms,
        # Outside the cached parts: a row edited behind the app's back changes no cache key.
        "chain": log_chain.check_report(report),
        "may_work_on_analysis": workflow.data_collected(report)
        and permissions.can(staff, ActionKind.EDIT_ANALYSIS, report),
    }
    return render(request, "monev/report_detail.html", context, status=status)


@require_GET
def report_detail(request, pk: int):
    report, staff = permissions.get_report_for(request, pk, load=selectors.report_header)
    return _render_report(request, report, staff)


def _run(request, report, transition, success: str, **kwargs):
    try:
        transition(report_id=report.pk, actor=request.user, **kwargs)
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect(report)


@sensitive_post_parameters("passphrase")
@require_POST
def report_complete(request, pk: int):
    report, _staff = permissions.get_report_for(request, pk)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Permintaan tidak lengkap; muat ulang halaman dan coba lagi."))
        return redirect(report)
    if step_signs(report, form.cleaned_data["from_step"]):
        signing = SignForm(request.POST)
        signing.is_valid()
        return _run(
            request,
            report,
            report_approve,
            _("Dokumen disetujui dan ditandatangani secara elektronik."),
            from_step=form.cleaned_data["from_step"],
            note=form.cleaned_data["note"],
            passphrase=signing.cleaned_data.get("passphrase", ""),
            version=form.cleaned_data["version"],
            content_hash=form.cleaned_data["content_hash"],
        )
    return _run(
        request,
        report,
        services.report_complete_step,
        _("Langkah %(number)s selesai.") % {"number": form.cleaned_data["from_step"]},
        from_step=form.cleaned_data["from_step"],
        note=form.cleaned_data["note"],
        version=form.cleaned_data["version"],
        content_hash=form.cleaned_data["content_hash"],
    )


@require_POST
def report_return(request, pk: int):
    report, staff = permissions.get_report_for(request, pk)
    form = ReturnForm(request.POST, auto_id=f"id_{ActionKind.RETURN}_%s")
    if not form.is_valid():
        if "from_step" in form.errors:
            messages.error(request, _("Permintaan tidak lengkap; muat ulang halaman."))
            return redirect(report)
        # A wrong role gets 403 here too, never a form to fill in.
        workflow.ensure_may_act(report, staff, form.cleaned_data["from_step"])
        messages.error(request, _("Periksa isian formulir pengembalian."))
        return _render_report(request, report, staff, return_form=form)
    return _run(
        request,
        report,
        services.report_return,
        _("Draf dikembalikan ke langkah perbaikan."),
        from_step=form.cleaned_data["from_step"],
        note=form.cleaned_data["note"],
    )


@require_POST
def report_submit_section(request, pk: int, section_id: int):
    report, _staff = permissions.get_report_for(request, pk)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Permintaan tidak lengkap; muat ulang halaman dan coba lagi."))
        return redirect(report)
    return _run(
        request,
        report,
        services.report_submit_section,
        _("Data seksi terkirim."),
        from_step=form.cleaned_data["from_step"],
        section_id=section_id,
        note=form.cleaned_data["note"],
    )


@require_GET
def sop_detail(request, pk: int | None = None):
    sop = permissions.get_sop_for(request, pk)
    return render(request, "monev/sop_detail.html", {"sop": sop, "steps": sop.steps.all()})
