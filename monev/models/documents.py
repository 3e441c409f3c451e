"""The report's documents: the Kasubag PKP's analysis per section, the numbered draft
versions with their discussion, and the archived files with their checksums."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .office import Office, Section
from .report import Report


class SectionAnalysis(models.Model):
    """The analysis of one section's quarter, written by the Kasubag PKP (steps 3, 6, 7)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="analyses")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("analisis"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("diubah pada"))
    # Counts saves, so a page built before someone else's save cannot overwrite it.
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("analisis seksi")
        verbose_name_plural = _("analisis seksi")
        constraints = [
            models.UniqueConstraint(fields=["report", "section"], name="unique_section_analysis")
        ]

    def __str__(self) -> str:
        return f"{self.report} · {self.section}"


class DraftVersion(models.Model):
    """One generation of the draft report. Frozen: its HTML, its key figures and a snapshot
    of everything the document shows are stored, so earlier versions stay readable, the next
    one can be compared with it, and the approved one is what gets archived."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("versi"))
    step_number = models.PositiveSmallIntegerField(_("dibuat pada langkah"))
    html = models.TextField()
    summary = models.JSONField(default=dict)
    # Canonical JSON of selectors.snapshots.DocumentContent, and its SHA-256: the hash the
    # verification and approval name. Empty for versions made before snapshots existed.
    snapshot = models.TextField(blank=True, editable=False)
    snapshot_sha256 = models.CharField(_("SHA-256 isi"), max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("dibuat pada"))

    class Meta:
        verbose_name = _("versi draf")
        verbose_name_plural = _("versi draf")
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="unique_draft_version")
        ]

    def __str__(self) -> str:
        return _("%(report)s · draf v%(number)s") % {"report": self.report, "number": self.number}

    def save(self, *args, **kwargs) -> None:
        # What a decision was bound to must stay what it was: a version is written once.
        if not self._state.adding:
            raise ValueError("A draft version is frozen and is never saved again.")
        super().save(*args, **kwargs)


class Comment(models.Model):
    """A remark in the discussion of a draft version; replies hang under their parent."""

    version = models.ForeignKey(DraftVersion, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("komentar"))
    created_at = models.DateTimeField(_("ditulis pada"))

    class Meta:
        verbose_name = _("komentar")
        verbose_name_plural = _("komentar")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.version} · {self.author}"


class ArchiveKind(models.TextChoices):
    PDF = "pdf", _("PDF/A dokumen monev")
    XLSX = "xlsx", _("Excel Formulir E.81")


def archive_path(instance, filename: str) -> str:
    return f"arsip/{instance.report.office_id}/{instance.report.year}/{uuid.uuid4().hex}"


class ArchivedFile(models.Model):
    """A file frozen at step 13, with the SHA-256 it had then. Never changed afterwards."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="archived_files")
    kind = models.CharField(_("jenis"), max_length=10, choices=ArchiveKind.choices)
    file = models.FileField(_("berkas"), upload_to=archive_path, max_length=200)
    filename = models.CharField(_("nama berkas"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("ukuran (bita)"))
    created_at = models.DateTimeField(_("diarsipkan pada"))

    class Meta:
        verbose_name = _("berkas arsip")
        verbose_name_plural = _("berkas arsip")
        ordering = ["report", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["report", "kind"], name="unique_archived_file")
        ]

    def __str__(self) -> str:
        return self.filename


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu")
    RUNNING = "running", _("Sedang dibuat")
    DONE = "done", _("Selesai")
    FAILED = "failed", _("Gagal")


class YearExport(models.Model):
    """A ZIP of a whole year's archive, built by the task worker while the page stays usable.
    The row is the job's progress; one export per office and year is active at a time."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("tahun"))
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="ekspor/", max_length=200, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    # The queued job (django-tasks result id) that builds the ZIP.
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("ekspor arsip tahunan")
        verbose_name_plural = _("ekspor arsip tahunan")
        ordering = ["-requested_at"]
        constraints = [
            # A second request while a ZIP is being built joins it instead of starting another.
            models.UniqueConstraint(
                fields=["office", "year"],
                condition=models.Q(status__in=["pending", "running"]),
                name="one_active_year_export",
            )
        ]

    def __str__(self) -> str:
        return f"{self.office} {self.year} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else 0


class RenderedDocument(models.Model):
    """A PDF rendered once from content that no longer changes (a draft version, one content
    of an SOP revision), kept in storage for every later request. The row is also the lock
    that lets concurrent first requests render it only once."""

    key = models.CharField(max_length=200, unique=True)
    file = models.FileField(upload_to="dokumen/", max_length=200, blank=True)
    claimed_at = models.DateTimeField()
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("dokumen terender")
        verbose_name_plural = _("dokumen terender")

    def __str__(self) -> str:
        return self.key
