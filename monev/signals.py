"""Keep Report.revision moving with everything the report page shows.

The page's heading and history (log, submissions, draft versions, SOP number and step
wording, office and section names, working-time labels) are cached under the report's
revision. Any write to those rows, from a service, the admin or a shell, raises the revision
of the reports it shows on, so no page is ever served stale.
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
)


def _touch(raw: bool = False, **filters) -> None:
    # loaddata (fixtures, restore) writes rows as they were: their revisions come with them.
    if not raw:
        Report.objects.filter(**filters).update(revision=F("revision") + 1)


def _report_child_changed(sender, instance, raw=False, **kwargs) -> None:
    _touch(raw, pk=instance.report_id)


def _step_changed(sender, instance, raw=False, **kwargs) -> None:
    _touch(raw, sop_id=instance.sop_id)


def _office_data_changed(sender, instance, raw=False, **kwargs) -> None:
    _touch(raw, office_id=instance.office_id)


def _sop_changed(sender, instance, raw=False, **kwargs) -> None:
    _touch(raw, sop_id=instance.pk)


def _office_changed(sender, instance, raw=False, **kwargs) -> None:
    _touch(raw, office_id=instance.pk)


def _user_changed(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    # Signing in only stamps last_login; names shown in the log change only otherwise.
    if raw or (update_fields is not None and set(update_fields) <= {"last_login"}):
        return
    staff = getattr(instance, "staff", None)
    if staff is not None:
        _touch(office_id=staff.office_id)


def connect() -> None:
    for model in (StepLog, SectionSubmission, DraftVersion):
        post_save.connect(_report_child_changed, sender=model, dispatch_uid=f"rev-{model.__name__}")
        post_delete.connect(
            _report_child_changed, sender=model, dispatch_uid=f"rev-d-{model.__name__}"
        )
    for model in (Section, OfficeHoliday):
        post_save.connect(_office_data_changed, sender=model, dispatch_uid=f"rev-{model.__name__}")
        post_delete.connect(
            _office_data_changed, sender=model, dispatch_uid=f"rev-d-{model.__name__}"
        )
    post_save.connect(_step_changed, sender=SopStep, dispatch_uid="rev-SopStep")
    post_save.connect(_sop_changed, sender=Sop, dispatch_uid="rev-Sop")
    post_save.connect(_office_changed, sender=Office, dispatch_uid="rev-Office")
    post_save.connect(_user_changed, sender=settings.AUTH_USER_MODEL, dispatch_uid="rev-User")
