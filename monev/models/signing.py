"""Electronic signatures (TTE): the installation's certificate authority, the certificates it
issued to signing officials, and the signatures on archived documents that anyone may verify."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .documents import ArchivedFile
from .office import Office
from .report import Report


class SigningAuthority(models.Model):
    """The office's own CA. Its private key stays encrypted with a passphrase of the admin
    who runs the certificate commands; the app itself can never issue a certificate."""

    office = models.OneToOneField(
        Office, on_delete=models.PROTECT, related_name="signing_authority", verbose_name=_("kantor")
    )
    name = models.CharField(_("nama CA"), max_length=200)
    certificate_pem = models.TextField(_("sertifikat CA (PEM)"))
    encrypted_key_pem = models.TextField(_("kunci privat CA terenkripsi (PEM)"))
    created_at = models.DateTimeField(_("dibuat pada"))

    class Meta:
        verbose_name = _("otoritas sertifikat kantor")
        verbose_name_plural = _("otoritas sertifikat kantor")

    def __str__(self) -> str:
        return self.name


class SigningCertificate(models.Model):
    """An official's signing certificate, bound to name, NIP and jabatan. The private key is
    encrypted with a passphrase only the official knows and types at approval."""

    authority = models.ForeignKey(
        SigningAuthority, on_delete=models.PROTECT, related_name="certificates"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="signing_certificates",
        verbose_name=_("pejabat"),
    )
    name = models.CharField(_("nama"), max_length=150)
    nip = models.CharField(_("NIP"), max_length=18)
    job_title = models.CharField(_("jabatan"), max_length=150)
    serial_number = models.CharField(_("nomor seri"), max_length=64, unique=True)
    certificate_pem = models.TextField(_("sertifikat (PEM)"))
    encrypted_key_pem = models.TextField(_("kunci privat terenkripsi (PEM)"))
    not_before = models.DateTimeField(_("berlaku mulai"))
    not_after = models.DateTimeField(_("berlaku sampai"))
    revoked_at = models.DateTimeField(_("dicabut pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("sertifikat elektronik")
        verbose_name_plural = _("sertifikat elektronik")
        ordering = ["-not_before"]

    def __str__(self) -> str:
        return f"{self.name} ({self.serial_number})"


class DocumentSignature(models.Model):
    """The Camat's signature on an archived PDF, found by the unguessable code in its QR."""

    code = models.CharField(_("kode verifikasi"), max_length=64, unique=True)
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="signatures")
    archived_file = models.OneToOneField(
        ArchivedFile, on_delete=models.PROTECT, related_name="signature"
    )
    certificate = models.ForeignKey(
        SigningCertificate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("judul dokumen"), max_length=250)
    office_name = models.CharField(_("kantor"), max_length=120)
    period = models.CharField(_("periode"), max_length=60)
    signer_name = models.CharField(_("penanda tangan"), max_length=150)
    signer_nip = models.CharField(_("NIP"), max_length=18)
    signer_title = models.CharField(_("jabatan"), max_length=150)
    signed_at = models.DateTimeField(_("ditandatangani pada"))

    class Meta:
        verbose_name = _("tanda tangan elektronik dokumen")
        verbose_name_plural = _("tanda tangan elektronik dokumen")
        ordering = ["-signed_at"]

    def __str__(self) -> str:
        return f"{self.title} · {self.signer_name}"

    def get_absolute_url(self) -> str:
        return reverse("monev:verification", args=[self.code])
