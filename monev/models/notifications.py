"""In-app notifications: a report reached a user's step, or a step passed its due time."""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .report import Report


class NotificationKind(models.TextChoices):
    STEP = "step", _("Langkah baru")
    OVERDUE = "overdue", _("Melewati batas waktu")


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+")
    step_number = models.PositiveSmallIntegerField(_("langkah"))
    kind = models.CharField(_("jenis"), max_length=10, choices=NotificationKind.choices)
    # The working day a reminder belongs to: at most one reminder per user, step and day.
    day = models.DateField(_("hari"), default=datetime.date.min)
    message = models.CharField(_("pesan"), max_length=300)
    created_at = models.DateTimeField(_("dibuat pada"))
    read_at = models.DateTimeField(_("dibaca pada"), null=True, blank=True)
    emailed = models.BooleanField(_("dikirim lewat e-mail"), default=False)

    class Meta:
        verbose_name = _("notifikasi")
        verbose_name_plural = _("notifikasi")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "report", "step_number", "kind", "day"],
                condition=models.Q(kind="overdue"),
                name="one_reminder_per_day",
            )
        ]

    def __str__(self) -> str:
        return self.message
