"""The task worker's sign of life: a job left running by a worker that stopped beating was
cut off (killed, machine lost) and is handed to a live worker again."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    worker_id = models.CharField(max_length=64, primary_key=True)
    seen_at = models.DateTimeField(_("terakhir terlihat"))

    class Meta:
        verbose_name = _("detak worker")
        verbose_name_plural = _("detak worker")

    def __str__(self) -> str:
        return self.worker_id
