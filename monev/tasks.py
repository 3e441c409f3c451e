"""Work that is slow or must survive a restart, run by the task worker (``manage.py
run_worker``) through Django's tasks framework (the ``django-tasks`` backport) with the
database backend: the queue is a table, so a job commits together with the rows it is about.

Every task takes ids, reloads its rows and is idempotent: a job whose worker died is run again
from the start by another worker (see ``monev.worker``).
"""

from django_tasks import task

from .services import year_export


@task()
def build_year_export(export_id: int) -> None:
    year_export.year_export_run(export_id)


@task()
def clean_year_exports() -> int:
    return year_export.year_exports_clean()


@task()
def send_notification_email(notification_id: int, text: str = "") -> bool:
    from .services.notifications import email_notification

    return email_notification(notification_id, text)


@task()
def send_reminders() -> int:
    from .services.notifications import send_due_reminders

    return send_due_reminders()
