"""Blangko monev (step 5): each section's monitoring findings per indicator."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import permissions
from ..forms import MonevFormSet, ReopenForm
from ..models import MonevEntry, SheetKind
from ..selectors.section_data import section_sheet_page
from ..services.data_checks import DataErrors
from ..services.monev_sheet import MonevInput, monev_sheet_save, monev_sheet_submit
from ..workflow import ActionKind, WorkflowError
from .section_data import not_sent_message

FIELDS = ("findings", "problems", "recommendation")


def _initial(page, entries):
    return MonevFormSet(
        prefix="monev",
        initial=[
            {
                "indicator_id": line.indicator.pk,
                **{name: getattr(entries.get(line.indicator.pk), name, "") for name in FIELDS},
            }
            for line in page.indicators
        ],
    )


def _render(request, page, staff, formset, entries):
    editor = permissions.may_edit_section(staff, page.section)
    forms = {}
    for form in formset.forms:
        try:
            forms[int(form["indicator_id"].value())] = form
        except (TypeError, ValueError):
            continue
    context = {
        "page": page,
        "report": page.report,
        "section": page.section,
        "can_edit": editor and page.editable,
        "can_reopen": page.submission is not None
        and permissions.can(staff, ActionKind.REOPEN_SECTION, page.report, step=page.step),
        "rows": [
            (line, forms.get(line.indicator.pk), entries.get(line.indicator.pk))
            for line in page.indicators
        ],
        "formset": formset,
        "reopen_form": ReopenForm(),
    }
    return render(request, "monev/monev_sheet.html", context)


@require_http_methods(["GET", "POST"])
def monev_sheet(request, pk: int, section_id: int):
    report, staff = permissions.get_report_for(request, pk)
    section = permissions.get_section_for(report, staff, section_id)
    page = section_sheet_page(report, section, SheetKind.MONEV)
    entries = {
        e.indicator_id: e
        for e in MonevEntry.objects.filter(report=report, indicator__section=section)
    }
    if request.method == "GET":
        return _render(request, page, staff, _initial(page, entries), entries)
    if not permissions.may_edit_section(staff, section):
        raise PermissionDenied(_("Anda hanya dapat mengisi data seksi Anda sendiri."))
    formset = MonevFormSet(request.POST, prefix="monev")
    try:
        revision = int(request.POST.get("revision", ""))
    except ValueError:
        messages.error(request, _("Permintaan tidak lengkap; muat ulang halaman."))
        return redirect(request.path)
    if not formset.is_valid():
        messages.error(request, _("Periksa isian yang ditandai merah; belum ada yang disimpan."))
        return _render(request, page, staff, formset, entries)
    inputs = [
        MonevInput(
            indicator_id=form.cleaned_data["indicator_id"],
            **{name: form.cleaned_data[name].strip() for name in FIELDS},
        )
        for form in formset.forms
    ]
    try:
        sheet = monev_sheet_save(
            report_id=report.pk,
            section_id=section.pk,
            actor=request.user,
            revision=revision,
            entries=inputs,
        )
    except WorkflowError as error:
        _show_errors(error, formset)
        messages.error(request, str(error))
        return _render(request, page, staff, formset, entries)
    if "submit" in request.POST:
        try:
            monev_sheet_submit(report_id=report.pk, section_id=section.pk, actor=request.user)
        except WorkflowError as error:
            _show_errors(error, formset)
            messages.warning(request, not_sent_message(error, saved=sheet.revision != revision))
            # The saved draft's revision, so the next save is not refused as stale.
            page = section_sheet_page(report, section, SheetKind.MONEV)
            return _render(request, page, staff, formset, entries)
        messages.success(request, _("Blangko monev terkirim dan dikunci."))
        return redirect(report)
    messages.success(request, _("Draf blangko monev tersimpan."))
    return redirect(request.path)


def _show_errors(error: WorkflowError, formset) -> None:
    """Each row's problems under its own fields."""
    if not isinstance(error, DataErrors):
        return
    by_id = {f.cleaned_data["indicator_id"]: f for f in formset.forms}
    for indicator_id, fields in error.indicators.items():
        for name, message in fields.items():
            by_id[indicator_id].add_error(name, message)
