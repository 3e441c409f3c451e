"""The visible signature block printed in the signed PDF: signer, date, QR to the public
verification page, and the footer line every page carries."""

import datetime
import re
import secrets
from dataclasses import dataclass

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from . import SignerIdentity


@dataclass(frozen=True)
class SignatureBlock:
    name: str
    nip: str
    job_title: str
    signed_on: str
    verification_url: str
    qr_uri: str
    footer: str

    @property
    def footer_css(self) -> str:
        """The footer as the inside of a CSS string: nothing that could end the string or the
        style element (the issuer name comes from the certificate)."""
        return re.sub(r'["\\<>\n\r]', " ", self.footer)


# Letters and digits only, without look-alikes (0/O, 1/l/I): the printed address is typed from
# paper and wraps across lines, where a "-" or "_" in the code would read as a hyphenation.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
CODE_LENGTH = 32  # about 185 bits: unguessable


def verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def verification_url(code: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("monev:verification", args=[code])


def signature_block(
    identity: SignerIdentity, *, code: str, at: datetime.datetime
) -> SignatureBlock:
    url = verification_url(code)
    with translation.override("id"):
        return SignatureBlock(
            name=identity.name,
            nip=identity.nip,
            job_title=identity.job_title,
            signed_on=formats.date_format(timezone.localtime(at), "j F Y H:i T"),
            verification_url=url,
            qr_uri=segno.make(url, error="m").svg_data_uri(scale=4, border=2),
            footer=_(
                "Dokumen ini telah ditandatangani secara elektronik menggunakan sertifikat "
                "elektronik yang diterbitkan oleh %(issuer)s."
            )
            % {"issuer": identity.issuer},
        )
