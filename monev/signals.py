"""Keep Report.revision moving with everything the report page shows.

The page's heading and history (log, submissions, draft versions, SOP number and step
wording, office and section names, working-time labels, due times under the office hours) are
cached under the report's revision. Any write to those rows, from a service, the admin or a
shell, raises the revision of the reports it shows on, so no page is ever served stale.
"""

from django.conf import settings
from django.db.models import F
from django.db.models.signals import post_delete, post_save

from .models import (
    DraftVersion,
    Office,
    OfficeHoliday,
    Report,
    Section,
    SectionSubmission,
    Sop,
    SopStep,
    StepLog,
    WorkDay,
    WorkSchedule,
)


def _touch(raw: bool = False, **filters) -> None:
    # loaddata (fixtures, restore) writes rows as they were: their revisions come with them.
    if not raw:
        Report.objects.filter(**filters).update(revision=F("revision") + 1)


# Rows shown on report pages: (models, the Report field that leads to them, the attribute of
# the row holding its value, whether deleting a row changes the page too).
SHOWN_ON_REPORTS = (
    ((StepLog, SectionSubmission, DraftVersion), "pk", "report_id", True),
    ((Section,), "office_id", "office_id", True),
    ((SopStep,), "sop_id", "sop_id", False),
    ((Sop,), "sop_id", "pk", False),
    ((Office,), "office_id", "pk", False),
)


def _toucher(report_field: str, attribute: str):
    def receiver(sender, instance, raw=False, **kwargs) -> None:
        _touch(raw, **{report_field: getattr(instance, attribute)})

    return receiver


def _calendar_changed(sender, instance, raw=False, **kwargs) -> None:
    """Hours and holidays decide due times and late badges: renew the office's calendar and
    its reports' pages. A schedule without an office holds for every office."""
    if raw:
        return
    if isinstance(instance, WorkDay):
        office_id = (
            WorkSchedule.objects.filter(pk=instance.schedule_id)
            .values_list("office_id", flat=True)
            .first()
        )
    else:
        office_id = instance.office_id
    offices = Office.objects.all() if office_id is None else Office.objects.filter(pk=office_id)
    offices.update(calendar_revision=F("calendar_revision") + 1)
    _touch(**({} if office_id is None else {"office_id": office_id}))


def _user_changed(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    # Signing in only stamps last_login; names shown in the log change only otherwise.
    if raw or (update_fields is not None and set(update_fields) <= {"last_login"}):
        return
    staff = getattr(instance, "staff", None)
    if staff is not None:
        _touch(office_id=staff.office_id)


def connect() -> None:
    for models, report_field, attribute, on_delete in SHOWN_ON_REPORTS:
        receiver = _toucher(report_field, attribute)
        for model in models:
            # weak=False: the receiver is made here and nothing else holds on to it.
            post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"rev-{model}")
            if on_delete:
                post_delete.connect(
                    receiver, sender=model, weak=False, dispatch_uid=f"rev-d-{model}"
                )
    for model in (WorkSchedule, WorkDay, OfficeHoliday):
        post_save.connect(_calendar_changed, sender=model, dispatch_uid=f"cal-{model}")
        post_delete.connect(_calendar_changed, sender=model, dispatch_uid=f"cal-d-{model}")
    post_save.connect(_user_changed, sender=settings.AUTH_USER_MODEL, dispatch_uid="rev-User")
