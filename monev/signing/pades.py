"""PAdES signing and validation with pyHanko: the signature is added as an incremental update
in an invisible field, so the signed revision stays the PDF/A-3b WeasyPrint wrote (the visible
block is part of the document's own HTML) and any later byte change shows."""

import datetime
import io
from dataclasses import dataclass

from asn1crypto import keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

FIELD_NAME = "TTE-Camat"


def _asn1_certificate(pem: str) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(
        x509.load_pem_x509_certificate(pem.encode()).public_bytes(serialization.Encoding.DER)
    )


class _KeepMetadataWriter(IncrementalPdfFileWriter):
    """Leaves the document's Info and XMP as the application wrote them (author, title,
    creation date in WIB, PDF/A identification): pyHanko would rewrite both with its own
    producer and dates, and PDF/A wants the two to keep agreeing."""

    def _update_meta(self):
        return None


def sign(
    pdf: bytes, *, key, certificate_pem: str, chain_pem: list[str], at: datetime.datetime
) -> bytes:
    """The PDF with a PAdES baseline signature by ``key`` (a cryptography private key)."""
    signer = signers.SimpleSigner(
        signing_cert=_asn1_certificate(certificate_pem),
        signing_key=keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
        cert_registry=SimpleCertificateStore.from_certs(
            [_asn1_certificate(pem) for pem in chain_pem]
        ),
    )
    writer = _KeepMetadataWriter(io.BytesIO(pdf), strict=False)
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    output = _SignerAt(
        metadata,
        signer=signer,
        new_field_spec=fields.SigFieldSpec(sig_field_name=FIELD_NAME, box=None),
        at=at,
    ).sign_pdf(writer)
    return output.getvalue()


class _SignerAt(signers.PdfSigner):
    """Claims the approval's moment as the signing time (pyHanko would take the wall clock),
    so the signature, the printed block and the verification page name the same time."""

    def __init__(self, *args, at: datetime.datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self._at = at

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        session = super().init_signing_session(pdf_out, existing_fields_only)
        session.system_time = self._at
        return session


@dataclass(frozen=True)
class PadesOutcome:
    signed: bool
    intact: bool = False
    trusted: bool = False
    signer: str = ""
    serial_number: int | None = None
    signed_at: datetime.datetime | None = None


def validate(pdf: bytes, *, trust_roots_pem: list[str]) -> PadesOutcome:
    """Check the document's last signature against the given roots; never raises for a bad
    file, which simply counts as not signed."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # any unreadable upload is "not a signed PDF"
        return PadesOutcome(signed=False)
    if not signatures:
        return PadesOutcome(signed=False)
    embedded = signatures[-1]
    moment = embedded.self_reported_timestamp
    context = ValidationContext(
        trust_roots=[_asn1_certificate(pem) for pem in trust_roots_pem],
        moment=moment,
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    try:
        status = validate_pdf_signature(embedded, context)
    except Exception:  # a malformed signature is a broken one
        return PadesOutcome(signed=True)
    certificate = status.signing_cert
    # Bytes after the signed revision (another incremental update) also break "intact" for us.
    whole = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    return PadesOutcome(
        signed=True,
        intact=bool(status.intact and status.valid and whole),
        trusted=bool(status.trusted),
        signer=certificate.subject.native.get("common_name", "") if certificate else "",
        serial_number=certificate.serial_number if certificate else None,
        signed_at=moment,
    )
