"""Offices, their sections and staff."""

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..worktime import DayHours, day_hours


class Role(models.TextChoices):
    CAMAT = "camat", _("Camat")
    SEKRETARIS = "sekretaris", _("Sekretaris")
    KASUBAG_PKP = "kasubag_pkp", _("Kasubag PKP")
    KEPALA_SEKSI = "kepala_seksi", _("Kepala Seksi")
    ADMIN = "admin", _("Admin")


# Roles whose holder is bound to one section and acts only on it (the per-section steps).
SECTION_ROLES = frozenset({Role.KEPALA_SEKSI})

LOGO_MAX_BYTES = 500 * 1024


class PaperSize(models.TextChoices):
    A4 = "A4", _("A4 (210 × 297 mm)")
    F4 = "F4", _("F4/folio (215 × 330 mm)")


def logo_path(instance, filename: str) -> str:
    # Never the uploaded name: the extension is checked, the rest could carry a path.
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"logo/{instance.code}.{extension}"


class Office(models.Model):
    code = models.SlugField(_("kode"), unique=True)
    name = models.CharField(_("nama"), max_length=120)
    regency = models.CharField(_("kabupaten"), max_length=120)
    province = models.CharField(_("provinsi"), max_length=120, blank=True)
    address = models.CharField(_("alamat"), max_length=250, blank=True)
    postal_code = models.CharField(_("kode pos"), max_length=10, blank=True)
    phone = models.CharField(_("telepon"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.CharField(
        _("laman"),
        max_length=120,
        blank=True,
        help_text=_("Misalnya: sutera.pesisirselatankab.go.id"),
    )
    logo = models.ImageField(
        _("logo kop surat"),
        upload_to=logo_path,
        blank=True,
        validators=[FileExtensionValidator(["png", "jpg", "jpeg"])],
        help_text=_(
            "Lambang daerah untuk kop dokumen, PNG atau JPEG, paling besar 500 KB. Dokumen yang "
            "sudah diarsipkan tetap memakai logo saat diarsipkan."
        ),
    )
    paper_size = models.CharField(
        _("ukuran kertas cetak"),
        max_length=2,
        choices=PaperSize.choices,
        default=PaperSize.A4,
        help_text=_("Ukuran kertas Formulir E.81 dan dokumen cetak lain."),
    )
    place = models.CharField(
        _("tempat penandatanganan"),
        max_length=80,
        blank=True,
        help_text=_("Nama tempat di atas tanda tangan, misalnya: Surantih"),
    )
    head_title = models.CharField(
        _("jabatan pimpinan"), max_length=120, help_text=_("Misalnya: Camat Sutera")
    )
    # Raised whenever the office's hours or holidays change: its cached calendar is keyed on it.
    calendar_revision = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("kantor kecamatan")
        verbose_name_plural = _("kantor kecamatan")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.logo and self.logo.size > LOGO_MAX_BYTES:
            raise ValidationError({"logo": _("Logo paling besar 500 KB.")})


class OfficeHoliday(models.Model):
    """A day off that the national calendar does not know (a local holiday, an office closure)."""

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="holidays", verbose_name=_("kantor")
    )
    date = models.DateField(_("tanggal"))
    name = models.CharField(_("keterangan"), max_length=120)

    class Meta:
        verbose_name = _("hari libur kantor")
        verbose_name_plural = _("hari libur kantor")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["office", "date"], name="unique_office_holiday")
        ]

    def __str__(self) -> str:
        return f"{self.date:%d-%m-%Y} {self.name}"


class WorkSchedule(models.Model):
    """Office hours: the regular week (no dates) or a dated period kept instead of it, such as
    Ramadan hours set by circular. Without an office it holds for every office."""

    office = models.ForeignKey(
        Office,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="schedules",
        verbose_name=_("kantor"),
        help_text=_("Kosongkan bila berlaku untuk semua kantor."),
    )
    name = models.CharField(
        _("nama"), max_length=120, help_text=_("Misalnya: Jam kerja biasa, Ramadan 1447 H")
    )
    first_day = models.DateField(
        _("berlaku mulai"),
        null=True,
        blank=True,
        help_text=_("Kosongkan keduanya untuk jam kerja biasa."),
    )
    last_day = models.DateField(_("berlaku sampai"), null=True, blank=True)
    basis = models.CharField(
        _("dasar"), max_length=200, blank=True, help_text=_("Misalnya: nomor surat edaran")
    )

    class Meta:
        verbose_name = _("jam kerja")
        verbose_name_plural = _("jam kerja")
        ordering = ["office", "-first_day", "name"]

    def __str__(self) -> str:
        if self.first_day is None:
            return self.name
        return f"{self.name} ({self.first_day:%d-%m-%Y} s.d. {self.last_day:%d-%m-%Y})"

    def clean(self):
        if (self.first_day is None) != (self.last_day is None):
            raise ValidationError(
                _("Isi tanggal mulai dan sampai, atau kosongkan keduanya untuk jam kerja biasa.")
            )
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValidationError({"last_day": _("Tanggal sampai tidak boleh sebelum mulai.")})
        if self.first_day and self.last_day:
            # Two periods over the same day would leave the hours of that day to chance.
            clash = (
                WorkSchedule.objects.filter(
                    office=self.office,
                    first_day__lte=self.last_day,
                    last_day__gte=self.first_day,
                )
                .exclude(pk=self.pk)
                .first()
            )
            if clash is not None:
                raise ValidationError(
                    _(
                        "Periode ini tumpang tindih dengan %(other)s untuk cakupan yang sama; "
                        "ubah periode itu atau pilih tanggal lain."
                    )
                    % {"other": clash}
                )
        regular = WorkSchedule.objects.filter(office=self.office, first_day__isnull=True)
        if self.first_day is None and regular.exclude(pk=self.pk).exists():
            raise ValidationError(
                _("Jam kerja biasa untuk cakupan ini sudah ada; ubah yang itu saja.")
            )


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Senin")
    TUESDAY = 1, _("Selasa")
    WEDNESDAY = 2, _("Rabu")
    THURSDAY = 3, _("Kamis")
    FRIDAY = 4, _("Jumat")
    SATURDAY = 5, _("Sabtu")
    SUNDAY = 6, _("Minggu")


_BREAK = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*-\s*(\d{1,2})[:.](\d{2})\s*$")


def parse_breaks(text: str) -> list[tuple[datetime.time, datetime.time]]:
    """Breaks written as "12:00-13:00", several separated by commas; ValueError if malformed."""
    breaks = []
    for part in filter(str.strip, text.split(",")):
        match = _BREAK.match(part)
        if match is None:
            raise ValueError(part)
        h1, m1, h2, m2 = map(int, match.groups())
        breaks.append((datetime.time(h1, m1), datetime.time(h2, m2)))
    return breaks


class WorkDay(models.Model):
    """The hours of one weekday in a schedule. A weekday without a row is a day off."""

    schedule = models.ForeignKey(
        WorkSchedule, on_delete=models.CASCADE, related_name="days", verbose_name=_("jam kerja")
    )
    weekday = models.PositiveSmallIntegerField(_("hari"), choices=Weekday.choices)
    start = models.TimeField(_("mulai"))
    end = models.TimeField(_("selesai"))
    breaks = models.CharField(
        _("istirahat"),
        max_length=100,
        blank=True,
        help_text=_("Misalnya: 12:00-13:00; beberapa istirahat dipisah koma."),
    )

    class Meta:
        verbose_name = _("hari kerja")
        verbose_name_plural = _("hari kerja")
        ordering = ["schedule", "weekday"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "weekday"], name="unique_work_day")
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"

    def hours(self) -> DayHours:
        return day_hours(self.start, self.end, parse_breaks(self.breaks))

    def clean(self):
        if self.start is None or self.end is None:
            return
        if self.end <= self.start:
            raise ValidationError({"end": _("Jam selesai harus setelah jam mulai.")})
        try:
            self.hours()
        except ValueError:
            raise ValidationError(
                {
                    "breaks": _(
                        "Tulis istirahat seperti 12:00-13:00, di dalam jam kerja dan tidak "
                        "saling tumpang tindih."
                    )
                }
            ) from None


class Section(models.Model):
    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="sections", verbose_name=_("kantor")
    )
    code = models.SlugField(_("kode"))
    name = models.CharField(_("nama"), max_length=120)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("seksi")
        verbose_name_plural = _("seksi")
        ordering = ["office", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["office", "code"], name="unique_section_code")
        ]

    def __str__(self) -> str:
        return self.name


nip_validator = RegexValidator(r"^\d{18}$", _("NIP terdiri dari 18 angka."))


class Staff(models.Model):
    """A user's place in an office: one role, and for a Kepala Seksi one section."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff",
        verbose_name=_("pengguna"),
    )
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="staff", verbose_name=_("kantor")
    )
    role = models.CharField(_("peran"), max_length=20, choices=Role.choices)
    section = models.ForeignKey(
        Section,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("seksi"),
    )
    nip = models.CharField(_("NIP"), max_length=18, blank=True, validators=[nip_validator])
    job_title = models.CharField(_("jabatan"), max_length=150, blank=True)
    rank = models.CharField(
        _("pangkat/golongan"),
        max_length=80,
        blank=True,
        help_text=_("Misalnya: Pembina Tingkat I (IV/b)"),
    )

    class Meta:
        verbose_name = _("pegawai")
        verbose_name_plural = _("pegawai")
        ordering = ["office", "role", "user__username"]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    def clean(self):
        if self.role == Role.KEPALA_SEKSI and not self.section_id:
            raise ValidationError({"section": _("Kepala Seksi harus memiliki seksi.")})
        if self.role != Role.KEPALA_SEKSI and self.section_id:
            raise ValidationError({"section": _("Hanya Kepala Seksi yang terikat pada seksi.")})
        if self.section_id and self.office_id and self.section.office_id != self.office_id:
            raise ValidationError({"section": _("Seksi harus berada di kantor yang sama.")})
