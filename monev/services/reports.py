"""Every write that moves a report through the SOP. Each function is one atomic transition:
lock the report row, re-check under the lock, change the state, write the step log."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .. import clock, workflow
from ..models import (
    LogAction,
    Office,
    Report,
    SectionSubmission,
    Sop,
    SopStep,
    StepLog,
)
from ..selectors import current_sop, office_calendar
from ..workflow import ActionKind, WorkflowError
from ..worktime import WorkCalendar, standard_seconds
from .archive import archive_documents
from .data_checks import sheet_completeness_errors
from .documents import ensure_new_version
from .locking import lock_report
from .notifications import after_transition


def measured_log(
    step: SopStep,
    *,
    action: str,
    actor,
    calendar: WorkCalendar,
    started_at: datetime.datetime,
    finished_at: datetime.datetime,
    section=None,
    note: str = "",
) -> StepLog:
    """An unsaved log of a step: wall clock and working time against the step's standard.

    Name, role and standard are copied so that later SOP revisions leave the history alone.
    """
    working = calendar.working_seconds(started_at, finished_at)
    standard = (
        standard_seconds(step.standard_amount, step.standard_unit, calendar)
        if step.standard_amount
        else None
    )
    return StepLog(
        step_number=step.number,
        step_name=step.name,
        role=step.role,
        section=section,
        action=action,
        actor=actor,
        started_at=started_at,
        finished_at=finished_at,
        wall_seconds=max(0, int((finished_at - started_at).total_seconds())),
        working_seconds=working,
        standard_seconds=standard,
        standard_label=step.standard_label,
        on_time=None if standard is None else working <= standard,
        note=note,
    )


def _write_log(report: Report, step: SopStep, **fields) -> StepLog:
    log = measured_log(step, started_at=report.step_started_at, **fields)
    log.report = report
    log.save()
    return log


def _finish_step(report: Report, step: SopStep, *, actor, note: str, now) -> None:
    """Close the current step and move to the next one, or archive after the last."""
    calendar = office_calendar(report.office)
    _write_log(
        report,
        step,
        action=LogAction.COMPLETE,
        actor=actor,
        calendar=calendar,
        finished_at=now,
        note=note,
    )
    following = workflow.next_step_number(report, step.number)
    if following is None:
        archive_documents(report, now)
        report.archived_at = now
    else:
        report.current_step = following
        report.step_started_at = now
        after_transition(report, actor=actor)
    report.save(update_fields=["current_step", "step_started_at", "archived_at"])


def _ensure_no_section_reopened(report: Report) -> None:
    """The draft needs every section's data handed in, including any that were reopened."""
    for step in report.steps:
        if step.per_section and step.number < report.current_step:
            missing = workflow.missing_sections(report, step)
            if missing:
                raise WorkflowError(
                    _("Data seksi %(sections)s dibuka kembali dan belum dikirim ulang.")
                    % {"sections": ", ".join(str(s) for s in missing)}
                )


@transaction.atomic
def report_open(*, office: Office, year: int, quarter: int, actor) -> Report:
    """Open the quarter's cycle: the report starts at the SOP's first step."""
    staff = workflow.staff_of(actor)
    if staff is None or staff.office_id != office.pk:
        raise PermissionDenied(_("Anda tidak bekerja di kantor ini."))
    sop: Sop | None = current_sop(office)
    if sop is None:
        raise WorkflowError(_("Kantor ini belum memiliki SOP yang berlaku."))
    first = sop.steps.order_by("number").first()
    if not workflow.may_open_cycle(staff, first):
        raise PermissionDenied(_("Membuka siklus triwulan bukan tugas peran Anda."))
    now = clock.now()
    try:
        with transaction.atomic():
            report = Report.objects.create(
                office=office,
                year=year,
                quarter=quarter,
                sop=sop,
                current_step=first.number,
                step_started_at=now,
                opened_by=actor,
                opened_at=now,
            )
    except IntegrityError:
        raise WorkflowError(
            _("Laporan Triwulan %(quarter)s tahun %(year)s sudah dibuka.")
            % {"quarter": quarter, "year": year}
        ) from None
    StepLog.objects.create(
        report=report,
        step_number=first.number,
        step_name=first.name,
        role=first.role,
        action=LogAction.OPEN,
        actor=actor,
        started_at=now,
        finished_at=now,
    )
    after_transition(report, actor=actor)
    return report


@transaction.atomic
def report_complete_step(*, report_id: int, actor, from_step: int, note: str = "") -> Report:
    """The step's role declares the current step done; the report moves on (or is archived)."""
    report = lock_report(report_id)
    action = workflow.ensure_allowed(
        report, workflow.staff_of(actor), kind=ActionKind.COMPLETE, from_step=from_step
    )
    if action.step.drafts_report:
        _ensure_no_section_reopened(report)
    ensure_new_version(report)
    _finish_step(report, action.step, actor=actor, note=note.strip(), now=clock.now())
    return report


@transaction.atomic
def report_return(*, report_id: int, actor, from_step: int, note: str) -> Report:
    """A decision step sends the draft back (to step 10) with a mandatory note."""
    report = lock_report(report_id)
    action = workflow.ensure_allowed(
        report,
        workflow.staff_of(actor),
        kind=ActionKind.RETURN,
        from_step=from_step,
        note=note,
    )
    now = clock.now()
    _write_log(
        report,
        action.step,
        action=LogAction.RETURN,
        actor=actor,
        calendar=office_calendar(report.office),
        finished_at=now,
        note=note.strip(),
    )
    report.current_step = action.step.return_to
    report.step_started_at = now
    report.save(update_fields=["current_step", "step_started_at"])
    after_transition(report, actor=actor)
    return report


@transaction.atomic
def report_submit_section(
    *, report_id: int, actor, from_step: int, section_id: int, note: str = ""
) -> Report:
    """A Kepala Seksi hands in their section's part; the last section completes the step."""
    report = lock_report(report_id)
    action = workflow.ensure_allowed(
        report,
        workflow.staff_of(actor),
        kind=ActionKind.SUBMIT,
        from_step=from_step,
        section_id=section_id,
    )
    if action.step.sheet:
        errors = sheet_completeness_errors(report, action.section, action.step.sheet)
        if errors:
            raise errors
    now = clock.now()
    SectionSubmission.objects.create(
        report=report,
        step_number=action.step.number,
        section=action.section,
        submitted_by=actor,
        submitted_at=now,
    )
    _write_log(
        report,
        action.step,
        action=LogAction.SUBMIT,
        actor=actor,
        calendar=office_calendar(report.office),
        finished_at=now,
        section=action.section,
        note=note.strip(),
    )
    still_missing = [
        s for s in workflow.missing_sections(report, action.step) if s.pk != action.section.pk
    ]
    if not still_missing:
        _finish_step(
            report,
            action.step,
            actor=actor,
            note=_("Semua seksi telah mengirim."),
            now=now,
        )
    return report
