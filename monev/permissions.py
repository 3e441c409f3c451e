"""Permission loaders: return what the view may use, or raise 404 / 403."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from . import selectors, workflow
from .models import Report, Sop, Staff


def staff_required(request) -> Staff:
    staff = workflow.staff_of(request.user)
    if staff is None:
        raise PermissionDenied(_("Akun Anda belum terdaftar sebagai pegawai kantor mana pun."))
    return staff


def get_report_for(request, pk: int) -> tuple[Report, Staff]:
    """The report with its page data; 404 if unknown, 403 if it belongs to another office."""
    staff = staff_required(request)
    try:
        report = selectors.report_for_page(pk)
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
        sop = Sop.objects.prefetch_related("steps").get(pk=pk)
    except Sop.DoesNotExist:
        raise Http404(_("SOP tidak ditemukan.")) from None
    if sop.office_id != staff.office_id:
        raise PermissionDenied(_("SOP ini milik kantor lain."))
    return sop
