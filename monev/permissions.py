"""Who may do what: ``can(staff, action, report)`` is the one question services, views and
templates ask, and the loaders below return what a view may use, or raise 404 / 403.

What happens on a report follows its SOP's step rows (through ``workflow``); the pages that
are not about one report follow the small ``MONEV_PAGE_ROLES`` table in the settings.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import selectors, workflow
from .models import SECTION_ROLES, Evidence, Report, Section, Sop, SopStep, Staff
from .workflow import ActionKind


class Page:
    """Office-wide pages and duties granted by the ``MONEV_PAGE_ROLES`` setting."""

    VIEW_TIMING = "view_timing"
    VIEW_ARCHIVE = "view_archive"
    VIEW_ANALYSIS = "view_analysis"  # besides the roles acting on the report as a whole
    HOME_DASHBOARD = "home_dashboard"
    OVERSEE_DEADLINES = "oversee_deadlines"


def page_roles(page: str) -> frozenset[str]:
    return frozenset(settings.MONEV_PAGE_ROLES.get(page, ()))


def can(
    staff: Staff | None,
    action: str,
    report: Report | None = None,
    *,
    step: SopStep | None = None,
) -> bool:
    """May ``staff`` do ``action`` (an ``ActionKind`` or a ``Page``) now, on ``report``?

    ``step`` names the per-section step for ``reopen_section``.
    """
    if staff is None:
        return False
    if report is None:
        return action in settings.MONEV_PAGE_ROLES and staff.role in page_roles(action)
    if action in (ActionKind.COMPLETE, ActionKind.SUBMIT, ActionKind.RETURN):
        return any(a.kind == action for a in workflow.allowed_actions(report, staff))
    if action == ActionKind.MAKE_DRAFT:
        return workflow.may_make_draft(report, staff)
    if action == ActionKind.EDIT_ANALYSIS:
        return workflow.may_edit_analysis(report, staff)
    if action == ActionKind.VIEW_ANALYSIS:
        return workflow.may_view_analysis(report, staff, page_roles(Page.VIEW_ANALYSIS))
    if action == ActionKind.REOPEN_SECTION:
        return workflow.may_reopen_section(report, staff, step)
    raise ValueError(f"unknown action {action!r}")


def ensure(staff: Staff | None, action: str, report: Report | None = None, **kwargs) -> None:
    """403 with the action's message unless ``can`` says yes."""
    if not can(staff, action, report, **kwargs):
        raise PermissionDenied(REFUSALS.get(action, _("Tindakan ini bukan wewenang peran Anda.")))


REFUSALS = {
    Page.VIEW_TIMING: gettext_lazy("Waktu SOP tidak tersedia untuk peran Anda."),
    Page.VIEW_ARCHIVE: gettext_lazy("Arsip laporan tidak tersedia untuk peran Anda."),
    ActionKind.VIEW_ANALYSIS: gettext_lazy("Tabel seluruh kantor tidak tersedia untuk peran Anda."),
    ActionKind.EDIT_ANALYSIS: gettext_lazy("Analisis laporan ini bukan tugas peran Anda."),
    ActionKind.MAKE_DRAFT: gettext_lazy("Membuat draf laporan bukan tugas peran Anda."),
    ActionKind.REOPEN_SECTION: gettext_lazy(
        "Membuka kembali data seksi bukan wewenang peran Anda."
    ),
}


def navigation(staff: Staff | None) -> dict[str, bool]:
    """The office-wide pages the navigation offers."""
    return {
        "timing": can(staff, Page.VIEW_TIMING),
        "archive": can(staff, Page.VIEW_ARCHIVE),
    }


def staff_required(request) -> Staff:
    staff = workflow.staff_of(request.user)
    if staff is None:
        raise PermissionDenied(_("Akun Anda belum terdaftar sebagai pegawai kantor mana pun."))
    return staff


def page_staff(request, page: str) -> Staff:
    """The staff member behind the request, if their role may open the office-wide ``page``
    (a ``Page`` value); 403 otherwise."""
    staff = staff_required(request)
    ensure(staff, page)
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


def section_scope(staff: Staff) -> Section | None:
    """The one section a section-bound role sees (None: the whole office)."""
    if staff.role in SECTION_ROLES:
        if staff.section_id is None:
            raise PermissionDenied(_("Akun Kepala Seksi Anda belum terhubung ke seksi mana pun."))
        return staff.section
    return None


def get_section_for(report: Report, staff: Staff, section_id: int) -> Section:
    """A section of the report's office; a Kepala Seksi may only open their own."""
    section = next((s for s in report.office.sections.all() if s.pk == section_id), None)
    if section is None:
        raise Http404(_("Seksi tidak ditemukan."))
    if staff.section_id is not None and staff.section_id != section.pk:
        raise PermissionDenied(_("Anda hanya dapat membuka data seksi Anda sendiri."))
    return section


def may_edit_section(staff: Staff, section: Section) -> bool:
    return workflow.may_fill_section(staff, section)


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
    if staff.section_id is not None and staff.section_id != section_id:
        raise PermissionDenied(_("Bukti dukung ini milik seksi lain."))
    return evidence


def may_review_sop(staff: Staff | None, sop: Sop) -> bool:
    """The SOP's penilai (its ``reviewer_role``, in its office) fills and signs its monitoring
    and evaluation."""
    if staff is None or staff.office_id != sop.office_id:
        return False
    return staff.role == sop.reviewer_role
