"""The installation CA: the office's own certificate authority and the certificates it issues
to signing officials. Keys are EC P-256; private keys are stored only encrypted (PKCS#8)."""

import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.db import transaction
from django.utils.translation import gettext as _

from .. import clock
from ..models import Office, SigningAuthority, SigningCertificate, Staff
from . import SignerIdentity, SigningBackend, SigningError, ValidationOutcome, pades

CA_YEARS = 10
MIN_PASSPHRASE = 8


def _encrypt(key, passphrase: str) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode()),
    ).decode()


def decrypt_key(pem: str, passphrase: str):
    """The private key, or SigningError for a wrong passphrase."""
    try:
        return serialization.load_pem_private_key(pem.encode(), passphrase.encode())
    except (ValueError, TypeError):
        raise SigningError(_("Passphrase salah; dokumen tidak ditandatangani.")) from None


def _key_usage(*, signs_documents: bool) -> x509.KeyUsage:
    """A CA key signs certificates only; an official's key signs documents only (with
    non-repudiation, as PAdES signatures of a person want)."""
    return x509.KeyUsage(
        digital_signature=signs_documents,
        content_commitment=signs_documents,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signs_documents,
        crl_sign=not signs_documents,
        encipher_only=False,
        decipher_only=False,
    )


def _check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise SigningError(
            _("Passphrase minimal %(n)s karakter.") % {"n": MIN_PASSPHRASE},
        )


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC)


@transaction.atomic
def create_authority(*, office: Office, passphrase: str, name: str = "") -> SigningAuthority:
    """The office's CA: a self-signed certificate valid for ten years."""
    _check_passphrase(passphrase)
    if SigningAuthority.objects.filter(office=office).exists():
        raise SigningError(_("Kantor ini sudah memiliki CA."))
    name = name or _("CA Tanda Tangan Elektronik %(office)s") % {"office": office.name}
    now = _utc(clock.now())
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, office.name),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signs_documents=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    return SigningAuthority.objects.create(
        office=office,
        name=name,
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        encrypted_key_pem=_encrypt(key, passphrase),
        created_at=clock.now(),
    )


@transaction.atomic
def issue_certificate(
    *,
    staff: Staff,
    ca_passphrase: str,
    passphrase: str,
    days: int = 730,
) -> SigningCertificate:
    """A signing certificate for an official, bound to their name, NIP and jabatan."""
    authority = SigningAuthority.objects.filter(office=staff.office).first()
    if authority is None:
        raise SigningError(_("Kantor ini belum memiliki CA; buat dahulu dengan tte_buat_ca."))
    _check_passphrase(passphrase)
    name = staff.user.get_full_name() or staff.user.username
    if not staff.nip or not staff.job_title:
        raise SigningError(_("Isi NIP dan jabatan pegawai ini sebelum menerbitkan sertifikat."))
    ca_key = decrypt_key(authority.encrypted_key_pem, ca_passphrase)
    ca_cert = x509.load_pem_x509_certificate(authority.certificate_pem.encode())
    now = _utc(clock.now())
    key = ec.generate_private_key(ec.SECP256R1())
    serial = x509.random_serial_number()
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, staff.office.name),
            x509.NameAttribute(NameOID.TITLE, staff.job_title),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, staff.nip),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )
    not_after = min(now + datetime.timedelta(days=days), ca_cert.not_valid_after_utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signs_documents=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return SigningCertificate.objects.create(
        authority=authority,
        user=staff.user,
        name=name,
        nip=staff.nip,
        job_title=staff.job_title,
        serial_number=format(serial, "x"),
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        encrypted_key_pem=_encrypt(key, passphrase),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
    )


@transaction.atomic
def revoke_certificate(certificate: SigningCertificate) -> None:
    SigningCertificate.objects.filter(pk=certificate.pk, revoked_at__isnull=True).update(
        revoked_at=clock.now()
    )


class InstallationCA(SigningBackend):
    """Signs with the official's newest certificate from the office's own CA."""

    def _certificate(self, user, at) -> SigningCertificate:
        latest = (
            SigningCertificate.objects.select_related("authority")
            .filter(user=user)
            .order_by("-not_before", "-id")
            .first()
        )
        if latest is None:
            raise SigningError(
                _(
                    "Anda belum memiliki sertifikat elektronik; minta admin menerbitkannya "
                    "sebelum menyetujui dokumen."
                )
            )
        if latest.revoked_at is not None:
            raise SigningError(
                _("Sertifikat elektronik Anda telah dicabut; minta admin menerbitkan yang baru.")
            )
        if not latest.not_before <= at <= latest.not_after:
            raise SigningError(
                _("Sertifikat elektronik Anda kedaluwarsa; minta admin menerbitkan yang baru.")
            )
        return latest

    def identity(self, user, *, at) -> SignerIdentity:
        certificate = self._certificate(user, at)
        return SignerIdentity(
            name=certificate.name,
            nip=certificate.nip,
            job_title=certificate.job_title,
            issuer=certificate.authority.name,
            certificate_id=certificate.pk,
        )

    def check_passphrase(self, user, passphrase: str, *, at) -> None:
        decrypt_key(self._certificate(user, at).encrypted_key_pem, passphrase)

    def sign_pdf(self, pdf: bytes, *, user, passphrase: str, at) -> bytes:
        certificate = self._certificate(user, at)
        key = decrypt_key(certificate.encrypted_key_pem, passphrase)
        return pades.sign(
            pdf,
            key=key,
            certificate_pem=certificate.certificate_pem,
            chain_pem=[certificate.authority.certificate_pem],
            at=at,
        )

    def validate_pdf(self, pdf: bytes) -> ValidationOutcome:
        roots = list(SigningAuthority.objects.values_list("certificate_pem", flat=True))
        outcome = pades.validate(pdf, trust_roots_pem=roots)
        if outcome.trusted and outcome.serial_number is not None:
            # A certificate revoked later (an official leaving office) leaves what it signed
            # before valid; one revoked by then could not have signed in this app.
            revoked = SigningCertificate.objects.filter(
                serial_number=format(outcome.serial_number, "x"),
                revoked_at__lte=outcome.signed_at,
            ).exists()
            if revoked:
                return ValidationOutcome(
                    signed=True, intact=outcome.intact, trusted=False, signer=outcome.signer
                )
        return ValidationOutcome(
            signed=outcome.signed,
            intact=outcome.intact,
            trusted=outcome.trusted,
            signer=outcome.signer,
        )
