"""Permission loaders: return what the view may use, or raise 404 / 403."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from . import selectors, workflow
from .models import Evidence, Report, Role, Section, Sop, Staff


def staff_required(request) -> Staff:
    staff = workflow.staff_of(request.user)
    if staff is None:
        raise PermissionDenied(_("Akun Anda belum terdaftar sebagai pegawai kantor mana pun."))
    return staff


def get_report_for(request, pk: int, *, load=selectors.report_for_page) -> tuple[Report, Staff]:
    """The report as ``load`` reads it (by default with its page data); 404 if unknown, 403 if
    it belongs to another office."""
    staff = staff_required(request)
    try:
        report = load(pk)
    except Report.DoesNotExist:
        raise Http404(_("Laporan tidak ditemukan.")) from None
    workflow.ensure_may_view(report, staff)
    return report, staff


def get_sop_for(request, pk: int | None) -> Sop:
    staff = staff_required(request)
    if pk is None:
        sop = selectors.current_sop(staff.office)
        if sop is None:
            raise Http404(_("Kantor Anda belum memiliki SOP."))
        return sop
    try:
        sop = Sop.objects.select_related("office").prefetch_related("steps").get(pk=pk)
    except Sop.DoesNotExist:
        raise Http404(_("SOP tidak ditemukan.")) from None
    if sop.office_id != staff.office_id:
        raise PermissionDenied(_("SOP ini milik kantor lain."))
    return sop


def get_section_for(report: Report, staff: Staff, section_id: int) -> Section:
    """A section of the report's office; a Kepala Seksi may only open their own."""
    section = next((s for s in report.office.sections.all() if s.pk == section_id), None)
    if section is None:
        raise Http404(_("Seksi tidak ditemukan."))
    if staff.role == Role.KEPALA_SEKSI and staff.section_id != section.pk:
        raise PermissionDenied(_("Anda hanya dapat membuka data seksi Anda sendiri."))
    return section


def may_edit_section(staff: Staff, section: Section) -> bool:
    return staff.role == Role.KEPALA_SEKSI and staff.section_id == section.pk


def get_evidence_for(request, pk: int) -> Evidence:
    """An evidence file, only for staff of the same office (and the owning Kepala Seksi)."""
    staff = staff_required(request)
    try:
        evidence = Evidence.objects.select_related(
            "realisation__report", "realisation__indicator"
        ).get(pk=pk)
    except Evidence.DoesNotExist:
        raise Http404(_("Bukti dukung tidak ditemukan.")) from None
    report = evidence.realisation.report
    workflow.ensure_may_view(report, staff)
    section_id = evidence.realisation.indicator.section_id
    if staff.role == Role.KEPALA_SEKSI and staff.section_id != section_id:
        raise PermissionDenied(_("Bukti dukung ini milik seksi lain."))
    return evidence


def may_review_sop(staff: Staff | None, sop: Sop) -> bool:
    """The SOP's penilai (its ``reviewer_role``, in its office) fills and signs its monitoring
    and evaluation."""
    if staff is None or staff.office_id != sop.office_id:
        return False
    return staff.role == sop.reviewer_role
