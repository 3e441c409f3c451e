"""Electronic signatures (TTE) behind one interface, chosen in settings.TTE_BACKEND.

The default, ``monev.signing.local.InstallationCA``, signs with certificates the office's own
CA issued (management commands ``tte_buat_ca``, ``tte_terbitkan``, ``tte_cabut``). A certified
provider (BSrE or another PSrE) plugs in as another class with the same methods; see README.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


class SigningError(Exception):
    """A signature that cannot be made now; the message is for the official, in Indonesian."""


@dataclass(frozen=True)
class SignerIdentity:
    """Who signs, as the certificate names them; printed in the visible signature block."""

    name: str
    nip: str
    job_title: str
    issuer: str  # who issued the certificate, for the footer of the document
    certificate_id: int | None = None  # the local certificate row, if the backend has one


@dataclass(frozen=True)
class ValidationOutcome:
    """What pyHanko (or the provider) says of a signed PDF."""

    signed: bool  # the file carries a signature at all
    intact: bool  # the signed bytes are unchanged
    trusted: bool  # the certificate chains to the trusted CA and was not revoked
    signer: str = ""

    @property
    def valid(self) -> bool:
        return self.signed and self.intact and self.trusted


class SigningBackend:
    """The interface every backend implements."""

    def identity(self, user, *, at: datetime.datetime) -> SignerIdentity:
        """The user's signing identity now; SigningError if they have no usable certificate."""
        raise NotImplementedError

    def check_passphrase(self, user, passphrase: str, *, at: datetime.datetime) -> None:
        """Refuse a wrong passphrase before the documents are rendered, where the backend can
        tell without signing; a provider that cannot leaves this as is and refuses in sign_pdf."""

    def sign_pdf(self, pdf: bytes, *, user, passphrase: str, at: datetime.datetime) -> bytes:
        """The PDF with a PAdES signature added as an incremental update; SigningError when
        the passphrase is wrong or the certificate may not sign."""
        raise NotImplementedError

    def validate_pdf(self, pdf: bytes) -> ValidationOutcome:
        raise NotImplementedError


def backend() -> SigningBackend:
    return import_string(settings.TTE_BACKEND)()
