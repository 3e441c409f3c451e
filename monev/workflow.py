"""The SOP state machine: which moves a user may make on a report, read from the SOP's steps.

Nothing here writes. The same answers drive the services' checks, the buttons on the report
page and the tests, so a button can never offer a move the server would refuse.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .models import Report, Role, Section, SopStep, Staff, StepKind


class WorkflowError(Exception):
    """A move that is not possible now (stale page, archived report, missing note)."""


class ActionKind:
    """Moves on the report's current step (``allowed_actions``) and the other acts the step
    rows grant; ``permissions.can`` answers all of them."""

    COMPLETE = "complete"
    SUBMIT = "submit"
    RETURN = "return"
    MAKE_DRAFT = "make_draft"
    EDIT_ANALYSIS = "edit_analysis"
    VIEW_ANALYSIS = "view_analysis"
    REOPEN_SECTION = "reopen_section"


@dataclass(frozen=True)
class Action:
    kind: str
    step: SopStep
    section: Section | None = None

    @property
    def label(self) -> str:
        if self.kind == ActionKind.RETURN:
            return _("Kembalikan ke langkah %(number)s") % {"number": self.step.return_to}
        if self.kind == ActionKind.SUBMIT:
            return _("Kirim data seksi %(section)s") % {"section": self.section}
        return self.step.action_label


def staff_of(user) -> Staff | None:
    """The user's office role, or None for a user who has no place in any office."""
    if not user.is_authenticated:
        return None
    if get_user_model().staff.related.is_cached(user):
        # The login backend loaded the staff row, its office and section with the user.
        return getattr(user, "staff", None)
    if not hasattr(user, "_staff_with_office"):
        # One query for the staff row with its office and section, reused by every caller.
        user._staff_with_office = (
            Staff.objects.select_related("office", "section").filter(user=user).first()
        )
    return user._staff_with_office


def steps_of(report: Report) -> dict[int, SopStep]:
    return {step.number: step for step in report.steps}


def current_step(report: Report) -> SopStep:
    return steps_of(report)[report.current_step]


def next_step_number(report: Report, number: int) -> int | None:
    later = [n for n in steps_of(report) if n > number]
    return min(later) if later else None


def archives(step: SopStep) -> bool:
    """Completing this step freezes the documents and closes the report."""
    return step.kind == StepKind.ARCHIVE


def approval_step(report: Report) -> SopStep | None:
    """The approval the final document carries: the step that signs it, else the last
    decision. Once it is done, the report is approved."""
    signing = [step for step in report.steps if step.signs_document]
    decisions = [step for step in report.steps if step.kind == StepKind.DECISION]
    chosen = signing or decisions
    return chosen[-1] if chosen else None


def data_collected(report: Report) -> bool:
    """True once every per-section step is behind the report: the office's figures exist."""
    return report.is_archived or all(
        step.number < report.current_step for step in report.steps if step.per_section
    )


def analysis_roles(report: Report) -> set[str]:
    """Those who write the analysis: the roles that draft the report or must have it saved."""
    return {
        step.role for step in report.steps if step.kind == StepKind.DRAFT or step.requires_analysis
    }


def drafting_roles(report: Report) -> set[str]:
    return {step.role for step in report.steps if step.kind == StepKind.DRAFT}


def office_wide_roles(report: Report) -> set[str]:
    """Roles that act on the report as a whole (not on one section) in its SOP."""
    return {step.role for step in report.steps if not step.per_section}


def active_sections(report: Report) -> list[Section]:
    return [section for section in report.office.sections.all() if section.is_active]


def submitted_section_ids(report: Report, step_number: int) -> set[int]:
    return {s.section_id for s in report.submissions.all() if s.step_number == step_number}


def missing_sections(report: Report, step: SopStep) -> list[Section]:
    if not step.per_section:
        return []
    done = submitted_section_ids(report, step.number)
    return [section for section in active_sections(report) if section.pk not in done]


def draft_exists(report: Report) -> bool:
    """True once a drafting step is behind the report: section data is then final."""
    return report.is_archived or any(
        step.kind == StepKind.DRAFT and step.number < report.current_step for step in report.steps
    )


def may_make_draft(report: Report, staff: Staff | None) -> bool:
    """A drafting step's role makes the draft versions while the report is at that step."""
    if report.is_archived or not may_view(report, staff):
        return False
    step = current_step(report)
    return step.kind == StepKind.DRAFT and step.role == staff.role


def may_edit_analysis(report: Report, staff: Staff | None) -> bool:
    return (
        not is_approved(report) and may_view(report, staff) and staff.role in analysis_roles(report)
    )


def may_view_analysis(report: Report, staff: Staff | None, extra_roles=()) -> bool:
    """The whole office's figures: for the roles acting on the report as a whole."""
    return may_view(report, staff) and (
        staff.role in office_wide_roles(report) or staff.role in extra_roles
    )


def reopens(step: SopStep, staff: Staff | None) -> bool:
    """Whether the per-section step names ``staff``'s role as the one reopening its parts."""
    return staff is not None and step.per_section and staff.role == step.reopen_role


def may_reopen_section(report: Report, staff: Staff | None, step: SopStep | None) -> bool:
    """The per-section step's reopening role may unlock a handed-in part until the draft."""
    return (
        step is not None
        and may_view(report, staff)
        and reopens(step, staff)
        and not draft_exists(report)
    )


def may_fill_section(staff: Staff | None, section: Section) -> bool:
    """Only a section's own holder fills its sheets."""
    return staff is not None and staff.section_id is not None and staff.section_id == section.pk


def may_view(report: Report, staff: Staff | None) -> bool:
    return staff is not None and staff.office_id == report.office_id


def ensure_may_view(report: Report, staff: Staff | None) -> None:
    if not may_view(report, staff):
        raise PermissionDenied(_("Laporan ini milik kantor lain."))


def allowed_actions(report: Report, staff: Staff | None) -> list[Action]:
    """Every move this user may make on the report right now."""
    if report.is_archived or not may_view(report, staff):
        return []
    step = current_step(report)
    if step.role != staff.role:
        return []
    if step.per_section:
        if staff.section_id is None:
            return []
        done = submitted_section_ids(report, step.number)
        section = next((s for s in active_sections(report) if s.pk == staff.section_id), None)
        if section is None or section.pk in done:
            return []
        return [Action(ActionKind.SUBMIT, step, section)]
    actions = [Action(ActionKind.COMPLETE, step)]
    if step.kind == StepKind.DECISION and step.return_to is not None:
        actions.append(Action(ActionKind.RETURN, step))
    return actions


def ensure_may_act(report: Report, staff: Staff | None, from_step: int) -> None:
    """403 unless the user is of the report's office and holds the role of the claimed step."""
    ensure_may_view(report, staff)
    claimed = steps_of(report).get(from_step)
    if claimed is None or claimed.role != staff.role:
        raise PermissionDenied(_("Langkah ini bukan tugas peran Anda."))


def ensure_allowed(
    report: Report,
    staff: Staff | None,
    *,
    kind: str,
    from_step: int,
    section_id: int | None = None,
    note: str = "",
) -> Action:
    """Check a requested move; raise PermissionDenied (not yours) or WorkflowError (not now).

    Permission is judged against the step the user believed current, so a stale page of the
    right person gets a message while a wrong person always gets 403.
    """
    ensure_may_act(report, staff, from_step)
    if kind == ActionKind.SUBMIT and (section_id is None or section_id != staff.section_id):
        raise PermissionDenied(_("Anda hanya dapat mengirim data seksi Anda sendiri."))
    if report.is_archived:
        raise WorkflowError(_("Laporan ini sudah diarsipkan dan tidak dapat diubah lagi."))
    if report.current_step != from_step:
        raise WorkflowError(
            _(
                "Laporan sudah berada di langkah %(current)s, bukan langkah %(claimed)s. "
                "Halaman Anda sudah usang; tidak ada yang diubah."
            )
            % {"current": report.current_step, "claimed": from_step}
        )
    if kind == ActionKind.RETURN and not note.strip():
        raise WorkflowError(_("Catatan pengembalian wajib diisi."))
    for action in allowed_actions(report, staff):
        if action.kind == kind:
            return action
    if kind == ActionKind.SUBMIT:
        raise WorkflowError(_("Data seksi ini sudah dikirim untuk langkah ini."))
    raise WorkflowError(_("Tindakan ini tidak tersedia pada langkah sekarang."))


def may_open_cycle(staff: Staff | None, first_step: SopStep | None) -> bool:
    """Opening a quarter belongs to whoever performs the SOP's first step."""
    return staff is not None and first_step is not None and staff.role == first_step.role


def role_label(role: str) -> str:
    return Role(role).label if role in Role.values else role


def approval_binding_required(step: SopStep) -> bool:
    """A decision on the draft (verify or approve) names the version it decides on."""
    return step.kind == StepKind.DECISION


def is_approved(report: Report) -> bool:
    """From the approval on, the report's data and analysis are read-only for everyone."""
    if report.is_archived:
        return True
    step = approval_step(report)
    return step is not None and report.current_step > step.number
