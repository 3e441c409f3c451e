"""Tell people when a report reaches their step, and remind them (and the Sekretaris) once a
working day while a step is past its due time. Runs after commit, never inside a transition;
the e-mails go through the task queue (``monev.tasks``)."""

import contextlib
import logging
import threading

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import clock, permissions, workflow
from ..models import LogAction, Notification, NotificationKind, Report, Staff, StepLog
from ..selectors.reports import office_calendar, step_status

logger = logging.getLogger(__name__)
_muted = threading.local()


@contextlib.contextmanager
def muted():
    """No mail inside the block (the demo history must not mail anyone about the past)."""
    _muted.on = True
    try:
        yield
    finally:
        _muted.on = False


def recipients(report: Report, step, *, exclude_user_id: int | None = None) -> list:
    """The active users holding the step's role; for a per-section step, only the Kepala
    Seksi whose section has not handed in yet. Whoever made the move is left out: they know."""
    staff = (
        Staff.objects.filter(office=report.office, role=step.role, user__is_active=True)
        .exclude(user_id=exclude_user_id)
        .select_related("user")
    )
    if step.per_section:
        missing = {s.pk for s in workflow.missing_sections(report, step)}
        staff = [s for s in staff if s.section_id in missing]
    return [s.user for s in staff]


def _link(report: Report) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("monev:report_detail", args=[report.pk])


def _deliver(notification: Notification, text: str = "") -> None:
    """Queue the notification's e-mail (``text``: its full wording, when the in-app notice had
    to be shortened): the worker sends it, never the request."""
    if not notification.user.email or getattr(_muted, "on", False):
        return
    from ..tasks import send_notification_email

    send_notification_email.enqueue(notification.pk, text)


def email_notification(notification_id: int, text: str = "") -> bool:
    """The e-mail task: send once (a mail failure is logged, the in-app notice stays)."""
    notification = (
        Notification.objects.select_related("user", "report")
        .filter(pk=notification_id, emailed=False)
        .first()
    )
    if notification is None or not notification.user.email:
        return False  # already sent by an earlier run of this job, or nobody to send to
    try:
        send_mail(
            subject=notification.message[:120],
            message=f"{text or notification.message}\n\n{_link(notification.report)}",
            from_email=None,
            recipient_list=[notification.user.email],
        )
    except OSError:
        logger.exception("mail to %s failed", notification.user.email)
        return False
    Notification.objects.filter(pk=notification.pk).update(emailed=True)
    return True


def _shortened(message: str, limit: int = 300) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _load(report_id: int) -> Report:
    return (
        Report.objects.select_related("office", "sop")
        .prefetch_related("sop__steps", "office__sections", "submissions")
        .get(pk=report_id)
    )


def notify_step_entered(report_id: int, step_number: int, actor_id: int | None = None) -> None:
    """The report has just entered a step: tell whoever must act on it, except the one who
    moved it there (unless it has moved on again before this ran)."""
    report = _load(report_id)
    if report.is_archived or report.current_step != step_number:
        return
    step = workflow.current_step(report)
    message = _return_message(report, step) or _(
        "%(report)s menunggu Anda: langkah %(number)s, %(name)s."
    ) % {"report": report, "number": step.number, "name": step.name}
    now = clock.now()
    for user in recipients(report, step, exclude_user_id=actor_id):
        notification = Notification.objects.create(
            user=user,
            report=report,
            step_number=step.number,
            kind=NotificationKind.STEP,
            message=_shortened(message),
            created_at=now,
        )
        _deliver(notification, message)


def _return_message(report: Report, step) -> str:
    """When the step was entered by a return: from which step, by whom, and the note."""
    entry = (
        StepLog.objects.filter(
            report=report, action=LogAction.RETURN, finished_at=report.step_started_at
        )
        .select_related("actor")
        .order_by("-pk")
        .first()
    )
    if entry is None:
        return ""
    return _(
        "%(report)s dikembalikan dari langkah %(from)s ke langkah %(number)s (%(name)s) oleh "
        "%(who)s. Catatan: %(note)s"
    ) % {
        "report": report,
        "from": entry.step_number,
        "number": step.number,
        "name": step.name,
        "who": entry.actor_name,
        "note": entry.note,
    }


def after_transition(report: Report, *, actor=None) -> None:
    step_number = report.current_step
    actor_id = getattr(actor, "pk", None)
    transaction.on_commit(lambda: notify_step_entered(report.pk, step_number, actor_id))


def send_due_reminders() -> int:
    """One reminder per user, overdue step and working day. Safe to run as often as cron likes."""
    now = clock.now()
    today = timezone.localdate(now)
    sent = 0
    reports = (
        Report.objects.filter(archived_at__isnull=True)
        .select_related("office", "sop")
        .prefetch_related("sop__steps", "office__sections", "submissions")
    )
    calendars = {}
    for report in reports:
        if report.office_id not in calendars:
            calendars[report.office_id] = office_calendar(report.office)
        calendar = calendars[report.office_id]
        if not calendar.is_working_day(today):
            continue
        status = step_status(report, calendar)
        if status.due_at is None or now <= status.due_at:
            continue
        people = recipients(report, status.step)
        people += [
            s.user
            for s in Staff.objects.filter(
                office=report.office,
                role__in=permissions.page_roles(permissions.Page.OVERSEE_DEADLINES),
                user__is_active=True,
            ).select_related("user")
        ]
        message = _(
            "Pengingat: %(report)s melewati batas waktu langkah %(number)s (%(name)s) sejak "
            "%(due)s."
        ) % {
            "report": report,
            "number": status.step.number,
            "name": status.step.name,
            "due": clock.due_label(status.due_at),
        }
        for user in {u.pk: u for u in people}.values():
            try:
                with transaction.atomic():
                    notification = Notification.objects.create(
                        user=user,
                        report=report,
                        step_number=status.step.number,
                        kind=NotificationKind.OVERDUE,
                        day=today,
                        message=message[:300],
                        created_at=now,
                    )
            except IntegrityError:
                continue  # already reminded today
            _deliver(notification)
            sent += 1
    return sent
