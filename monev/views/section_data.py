"""Isi Data Triwulan: a section's indicator realisations and activity spending for a report,
in the browser or through an Excel sheet, with evidence files and reopening."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import permissions, sheets
from ..forms import ActivityFormSet, RealisationFormSet, ReopenForm, SheetUploadForm
from ..models import Indicator, SheetKind
from ..numbers import NumberError, format_decimal, input_text, parse_decimal
from ..performance import achievement, rating
from ..selectors.section_data import rating_bands, section_sheet_page, sheet_step
from ..services.data_checks import ActivityEntry, DataErrors, IndicatorEntry
from ..services.monev_sheet import monev_sheet_reopen as reopen_monev
from ..services.section_data import evidence_delete, section_data_save, section_data_submit
from ..services.section_data import section_data_reopen as reopen_data
from ..services.sheet_flow import ensure_editable
from ..validation import REALISATION_PLACES, impossible_value, unlikely_value
from ..workflow import ActionKind, WorkflowError


def _load(request, pk: int, section_id: int):
    report, staff = permissions.get_report_for(request, pk)
    section = permissions.get_section_for(report, staff, section_id)
    return report, staff, section


def _initial_formsets(page):
    indicators = RealisationFormSet(
        prefix="ind",
        initial=[
            {
                "indicator_id": line.indicator.pk,
                "value": input_text(line.value),
                "driving": getattr(line.realisation, "driving_factors", ""),
                "inhibiting": getattr(line.realisation, "inhibiting_factors", ""),
                "follow_up": getattr(line.realisation, "follow_up", ""),
            }
            for line in page.indicators
        ],
    )
    activities = ActivityFormSet(
        prefix="act",
        initial=[
            {
                "activity_id": line.activity.pk,
                "spent": _rupiah_text(getattr(line.realisation, "spent", None)),
                "physical": input_text(getattr(line.realisation, "physical_progress", None)),
            }
            for line in page.activities
        ],
    )
    return indicators, activities


def _rupiah_text(value: int | None) -> str:
    """Whole Rupiah with thousands dots ("15.000.000"), which parse_rupiah reads back as is."""
    return "" if value is None else format_decimal(value)


def _by_id(formset, key: str) -> dict:
    result = {}
    for form in formset.forms:
        try:
            result[int(form[key].value())] = form
        except (TypeError, ValueError):
            continue
    return result


def _show_errors(errors: DataErrors, indicators, activities) -> None:
    forms = _by_id(indicators, "indicator_id")
    for indicator_id, fields in errors.indicators.items():
        for name, message in fields.items():
            forms[indicator_id].add_error(name, message)
    forms = _by_id(activities, "activity_id")
    for activity_id, fields in errors.activities.items():
        for name, message in fields.items():
            forms[activity_id].add_error(name, message)


def _entries(indicators, activities):
    return (
        [
            IndicatorEntry(
                indicator_id=form.cleaned_data["indicator_id"],
                value=form.cleaned_data["value"],
                driving=form.cleaned_data["driving"].strip(),
                inhibiting=form.cleaned_data["inhibiting"].strip(),
                follow_up=form.cleaned_data["follow_up"].strip(),
                files=tuple(form.cleaned_data["files"]),
            )
            for form in indicators.forms
        ],
        [
            ActivityEntry(
                activity_id=form.cleaned_data["activity_id"],
                spent=form.cleaned_data["spent"],
                physical=form.cleaned_data["physical"],
            )
            for form in activities.forms
        ],
    )


def _render(request, page, staff, indicators, activities, *, upload_errors=(), status=200):
    editor = permissions.may_edit_section(staff, page.section)
    forms = _by_id(indicators, "indicator_id")
    activity_forms = _by_id(activities, "activity_id")
    for indicator_id, form in forms.items():
        # Capaian is recomputed on the server as the user types, by the rules used on save.
        form.fields["value"].widget.attrs.update(
            {
                "hx-get": reverse("monev:capaian_preview", args=[page.report.pk, indicator_id]),
                "hx-trigger": "input changed delay:400ms",
                "hx-target": f"#capaian-{indicator_id}",
            }
        )
    context = {
        "page": page,
        "report": page.report,
        "section": page.section,
        "can_edit": editor and page.editable,
        "is_editor": editor,
        "can_reopen": page.submission is not None
        and permissions.can(staff, ActionKind.REOPEN_SECTION, page.report, step=page.step),
        "indicator_rows": [(line, forms.get(line.indicator.pk)) for line in page.indicators],
        "activity_rows": [(line, activity_forms.get(line.activity.pk)) for line in page.activities],
        "indicator_formset": indicators,
        "activity_formset": activities,
        "upload_form": SheetUploadForm(),
        "reopen_form": ReopenForm(),
        "upload_errors": upload_errors,
    }
    return render(request, "monev/section_data.html", context, status=status)


@require_http_methods(["GET", "POST"])
def section_data(request, pk: int, section_id: int):
    report, staff, section = _load(request, pk, section_id)
    page = section_sheet_page(report, section, SheetKind.DATA)
    if request.method == "GET":
        return _render(request, page, staff, *_initial_formsets(page))
    if not permissions.may_edit_section(staff, section):
        raise PermissionDenied(_("Anda hanya dapat mengisi data seksi Anda sendiri."))
    indicators = RealisationFormSet(request.POST, request.FILES, prefix="ind")
    activities = ActivityFormSet(request.POST, prefix="act")
    try:
        revision = int(request.POST.get("revision", ""))
    except ValueError:
        messages.error(request, _("Permintaan tidak lengkap; muat ulang halaman."))
        return redirect(request.path)
    if not (indicators.is_valid() and activities.is_valid()):
        messages.error(request, _("Periksa isian yang ditandai merah; belum ada yang disimpan."))
        return _render(request, page, staff, indicators, activities)
    indicator_entries, activity_entries = _entries(indicators, activities)
    try:
        sheet = section_data_save(
            report_id=report.pk,
            section_id=section.pk,
            actor=request.user,
            revision=revision,
            indicators=indicator_entries,
            activities=activity_entries,
        )
    except DataErrors as errors:
        _show_errors(errors, indicators, activities)
        messages.error(request, str(errors) + " " + _("Belum ada yang disimpan."))
        return _render(request, page, staff, indicators, activities)
    except WorkflowError as error:
        messages.error(request, str(error))
        return _render(request, page, staff, indicators, activities)
    if "submit" not in request.POST:
        messages.success(request, _("Draf data seksi tersimpan."))
        return redirect(request.path)
    try:
        section_data_submit(report_id=report.pk, section_id=section.pk, actor=request.user)
    except WorkflowError as error:
        messages.warning(request, not_sent_message(error, saved=sheet.revision != revision))
        page = section_sheet_page(report, section, SheetKind.DATA)
        indicators, activities = _initial_formsets(page)
        if isinstance(error, DataErrors):
            indicators = RealisationFormSet(data=_as_data(indicators), prefix="ind")
            activities = ActivityFormSet(data=_as_data(activities), prefix="act")
            indicators.is_valid()
            activities.is_valid()
            _show_errors(error, indicators, activities)
        return _render(request, page, staff, indicators, activities)
    messages.success(request, _("Data seksi terkirim dan dikunci."))
    return redirect(report)


def not_sent_message(error: WorkflowError, *, saved: bool) -> str:
    """One message for a send refused after the save: the draft is kept, so it must not read
    like a rejection of what was typed; it says whether this press saved anything."""
    detail = error.not_sent() if isinstance(error, DataErrors) else str(error)
    if saved:
        return _("Draf tersimpan, tetapi belum dapat dikirim: %(detail)s") % {"detail": detail}
    return _("Belum dapat dikirim: %(detail)s") % {"detail": detail}


def _as_data(formset) -> dict:
    """The POST data an unbound formset would send, to show errors next to saved values."""
    data = {
        f"{formset.prefix}-TOTAL_FORMS": len(formset.forms),
        f"{formset.prefix}-INITIAL_FORMS": len(formset.forms),
    }
    for form in formset.forms:
        for name in form.fields:
            value = form.initial.get(name)
            if value is not None and name != "files":
                data[form.add_prefix(name)] = value
    return data


@require_GET
def capaian_preview(request, pk: int, indicator_id: int):
    """The capaian badge for a value being typed, computed by the same rules as on save."""
    report, staff = permissions.get_report_for(request, pk)
    try:
        indicator = Indicator.objects.prefetch_related("targets").get(
            pk=indicator_id, office=report.office
        )
    except Indicator.DoesNotExist:
        return HttpResponse(status=404)
    permissions.get_section_for(report, staff, indicator.section_id)
    text = next((v for k, v in request.GET.items() if k.endswith("value")), "")
    target_row = next((t for t in indicator.targets.all() if t.year == report.year), None)
    target = target_row.for_quarter(report.quarter) if target_row else None
    try:
        value = parse_decimal(text, places=REALISATION_PLACES)
    except NumberError as error:
        return render(request, "monev/_capaian.html", {"error": str(error)})
    # The same refusal as on save ("-5" for a percentage is no capaian at all), and a warning
    # for what is possible but unlikely.
    impossible = impossible_value(unit=indicator.unit, value=value) if value is not None else ""
    if impossible:
        return render(request, "monev/_capaian.html", {"error": impossible})
    result = achievement(target, value, indicator.direction)
    band = rating(result.percent, rating_bands())
    warning = unlikely_value(target=target, value=value)
    return render(
        request, "monev/_capaian.html", {"result": result, "band": band, "warning": warning}
    )


@require_POST
def evidence_remove(request, pk: int):
    evidence = permissions.get_evidence_for(request, pk)
    report = evidence.realisation.report
    section_id = evidence.realisation.indicator.section_id
    try:
        evidence_delete(evidence_id=evidence.pk, actor=request.user)
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Bukti dukung “%(name)s” dihapus.") % {"name": evidence.original_name}
        )
    return redirect("monev:section_data", pk=report.pk, section_id=section_id)


@require_GET
def evidence_download(request, pk: int):
    evidence = permissions.get_evidence_for(request, pk)
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


REOPEN = {
    SheetKind.DATA: (reopen_data, "monev:section_data"),
    SheetKind.MONEV: (reopen_monev, "monev:monev_sheet"),
}


@require_POST
def section_data_reopen(request, pk: int, section_id: int, kind: str = SheetKind.DATA):
    """The step's reopening role reopens a section's data or monev sheet, with a reason."""
    report, staff, section = _load(request, pk, section_id)
    reopen, page = REOPEN[kind]
    form = ReopenForm(request.POST)
    if not form.is_valid():
        permissions.ensure(staff, ActionKind.REOPEN_SECTION, report, step=sheet_step(report, kind))
        messages.error(request, _("Alasan membuka kembali wajib diisi."))
        return redirect(page, pk=report.pk, section_id=section.pk)
    try:
        reopen(
            report_id=report.pk,
            section_id=section.pk,
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Data seksi %(section)s dibuka kembali.") % {"section": section}
        )
    return redirect(page, pk=report.pk, section_id=section.pk)


@require_GET
def section_sheet_download(request, pk: int, section_id: int):
    report, staff, section = _load(request, pk, section_id)
    page = section_sheet_page(report, section, SheetKind.DATA)
    content = sheets.build_section_workbook(*sheet_rows(page))
    filename = f"data-{section.code}-{report.year}-tw{report.quarter}.xlsx"
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def sheet_rows(page):
    meta = sheets.SheetMeta(
        report_id=page.report.pk,
        section_id=page.section.pk,
        office_name=page.report.office.name,
        section_name=page.section.name,
        year=page.report.year,
        quarter=page.report.quarter,
        revision=page.revision,
    )
    indicators = [
        sheets.IndicatorRow(
            indicator_id=line.indicator.pk,
            code=line.indicator.code,
            name=line.indicator.name,
            unit=line.indicator.unit,
            target=line.target,
            direction_label=str(line.indicator.get_direction_display()),
            value=line.value,
            driving=getattr(line.realisation, "driving_factors", ""),
            inhibiting=getattr(line.realisation, "inhibiting_factors", ""),
            follow_up=getattr(line.realisation, "follow_up", ""),
            annual=line.annual,
            earlier=tuple(line.earlier),
        )
        for line in page.indicators
    ]
    activities = [
        sheets.ActivityRow(
            activity_id=line.activity.pk,
            code=line.activity.code,
            name=line.activity.name,
            budget=line.budget,
            spent=getattr(line.realisation, "spent", None),
            physical=getattr(line.realisation, "physical_progress", None),
        )
        for line in page.activities
    ]
    return meta, indicators, activities


@require_POST
def section_sheet_upload(request, pk: int, section_id: int):
    report, staff, section = _load(request, pk, section_id)
    if not permissions.may_edit_section(staff, section):
        raise PermissionDenied(_("Anda hanya dapat mengisi data seksi Anda sendiri."))
    page = section_sheet_page(report, section, SheetKind.DATA)
    form = SheetUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Pilih berkas Excel yang akan diunggah."))
        return redirect("monev:section_data", pk=report.pk, section_id=section.pk)
    upload = form.cleaned_data["workbook"]
    meta, indicator_rows, activity_rows = sheet_rows(page)
    try:
        # The report's state is known before the file is read: a locked or archived sheet
        # costs no parsing at all.
        ensure_editable(report, section, SheetKind.DATA)
        parsed = _read_upload(upload, meta, indicator_rows, activity_rows)
        errors: list[str] = []
    except WorkflowError as error:
        errors = [str(error)]
    except sheets.SheetError as error:
        errors = list(error.errors)
    if not errors:
        errors = _save_upload(request, page, parsed)
    if errors:
        messages.error(request, _("Berkas tidak disimpan sama sekali. Perbaiki lalu unggah lagi."))
        return _render(request, page, staff, *_initial_formsets(page), upload_errors=errors)
    messages.success(request, _("Isi berkas Excel tersimpan sebagai draf."))
    return redirect("monev:section_data", pk=report.pk, section_id=section.pk)


def _read_upload(upload, meta, indicator_rows, activity_rows) -> sheets.ParsedSheet:
    if upload.size > sheets.MAX_UPLOAD_BYTES:
        raise sheets.SheetError([_("Berkas terlalu besar (paling besar 5 MB).")])
    return sheets.read_section_workbook(
        upload.read(sheets.MAX_UPLOAD_BYTES + 1),
        meta,
        {row.indicator_id for row in indicator_rows},
        {row.activity_id for row in activity_rows},
    )


def _save_upload(request, page, parsed) -> list[str]:
    rows = {item.indicator_id: item.row for item in parsed.indicators}
    activity_rows = {item.activity_id: item.row for item in parsed.activities}
    try:
        section_data_save(
            report_id=page.report.pk,
            section_id=page.section.pk,
            actor=request.user,
            revision=parsed.revision,
            indicators=[
                IndicatorEntry(
                    indicator_id=item.indicator_id,
                    value=item.value,
                    driving=item.driving,
                    inhibiting=item.inhibiting,
                    follow_up=item.follow_up,
                )
                for item in parsed.indicators
            ],
            activities=[
                ActivityEntry(
                    activity_id=item.activity_id, spent=item.spent, physical=item.physical
                )
                for item in parsed.activities
            ],
            source="xlsx",
        )
    except DataErrors as errors:
        found = list(errors.general)
        for indicator_id, fields in errors.indicators.items():
            found += [
                _("Baris %(row)s: %(message)s") % {"row": rows[indicator_id], "message": message}
                for message in fields.values()
            ]
        for activity_id, fields in errors.activities.items():
            found += [
                _("Baris %(row)s (Kegiatan): %(message)s")
                % {"row": activity_rows[activity_id], "message": message}
                for message in fields.values()
            ]
        return found
    except WorkflowError as error:
        return [str(error)]
    return []
