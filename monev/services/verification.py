"""Public verification of a signed archive document: is an uploaded PDF the original, and is
its electronic signature valid? Reads nothing but the signature record and its file."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from ..models import DocumentSignature
from ..signing import ValidationOutcome, backend
from ..workflow import WorkflowError

RATE_WINDOW = 3600


def over_rate_limit(address: str) -> bool:
    """Count one request of this address; True once it made more than the hour allows."""
    key = f"verifikasi:{address}"
    cache.add(key, 0, RATE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW)
        count = 1
    return count > settings.VERIFICATION_RATE_LIMIT


@dataclass(frozen=True)
class UploadCheck:
    identical: bool  # byte for byte the archived original
    signature: ValidationOutcome
    sha256: str


def read_upload(upload: UploadedFile) -> bytes:
    """The upload's bytes, read in chunks and refused past the size limit."""
    limit = settings.VERIFICATION_MAX_UPLOAD
    too_big = WorkflowError(
        _("Berkas terlalu besar (paling besar %(mb)s MB).") % {"mb": limit >> 20}
    )
    if upload.size is not None and upload.size > limit:
        raise too_big
    parts, total = [], 0
    for chunk in upload.chunks():
        total += len(chunk)
        if total > limit:  # the declared size may lie
            raise too_big
        parts.append(chunk)
    return b"".join(parts)


def check_upload(signature: DocumentSignature, upload: UploadedFile) -> UploadCheck:
    content = read_upload(upload)
    digest = hashlib.sha256(content).hexdigest()
    return UploadCheck(
        identical=digest == signature.archived_file.sha256,
        signature=backend().validate_pdf(content),
        sha256=digest,
    )
