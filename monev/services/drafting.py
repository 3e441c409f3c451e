"""A drafting step's primary action: make the step's own draft version, then complete the step,
so the person at the step never meets a button that can only fail."""

from django.utils.translation import gettext as _

from .. import permissions, workflow
from ..models import DraftVersion, Report
from ..workflow import ActionKind, WorkflowError
from .documents import draft_generate, ensure_not_approved
from .locking import read_report
from .reports import ensure_ready_to_draft, report_complete_step


def report_draft_and_complete(
    *, report_id: int, actor, from_step: int, note: str = ""
) -> tuple[DraftVersion, Report]:
    """Freeze the next draft version and complete the drafting step with it.

    Cheap checks first, without a lock, so nothing is rendered for a move that would be
    refused. The draft and the completion are two transactions, each re-checking under the
    lock: rendering is not done while the completion holds the report. Should the completion
    fail after all (the report moved meanwhile), the version stays, as any draft would, and
    the refusal says so; the step is then completed with the ordinary button."""
    report = read_report(report_id)
    staff = workflow.staff_of(actor)
    action = workflow.ensure_allowed(report, staff, kind=ActionKind.COMPLETE, from_step=from_step)
    if not permissions.can(staff, ActionKind.MAKE_DRAFT, report):
        # Their own step, but not one that drafts: a message, not a 403.
        raise WorkflowError(_("Draf laporan hanya dibuat pada langkah penyusunan atau perbaikan."))
    ensure_not_approved(report)
    ensure_ready_to_draft(report, action.step)
    version = draft_generate(report_id=report_id, actor=actor, from_step=from_step)
    try:
        report = report_complete_step(
            report_id=report_id, actor=actor, from_step=from_step, note=note
        )
    except WorkflowError as error:
        raise WorkflowError(
            _("Draf versi %(n)s sudah dibuat, tetapi langkah belum selesai: %(reason)s")
            % {"n": version.number, "reason": error}
        ) from error
    return version, report
