"""Documents whose content no longer changes are rendered once and served from storage: the
first request claims a ``RenderedDocument`` row (unique key), renders outside any transaction
and stores the file; concurrent requests for the same key wait for that file instead of
rendering again. A claim whose renderer died is taken over once it is older than the render
limit."""

import datetime
import hashlib
import time
from collections.abc import Callable

from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..exports.render_limit import RenderError, default_limit
from ..models import RenderedDocument

POLL_SECONDS = 0.2


def content_digest(*objects) -> str:
    """A short digest of every field of these rows: a key that changes when any of them is
    edited (an SOP revision stays editable in the admin)."""
    data = serializers.serialize("json", objects, sort_keys=True)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def stored_pdf_response(name: str, filename: str):
    """A stored document shown inline in the browser."""
    return FileResponse(
        default_storage.open(name, "rb"),
        content_type="application/pdf",
        as_attachment=False,
        filename=filename,
    )


def rendered_once(key: str, render: Callable[[], bytes], *, replaces: str = "") -> str:
    """The storage name of the document ``key`` (also its path), rendering it if no one has.
    A new render deletes the documents whose keys start with ``replaces`` (earlier contents
    of the same document).

    Raises RenderError when the render fails, or when another request's render of the same
    document is still going after the render limit.
    """
    limit = default_limit()
    deadline = time.monotonic() + limit + 5
    while True:
        document, mine = _claim(key, stale_after=limit + 5)
        if mine:
            name = _render(document, render)
            if replaces:
                _forget(RenderedDocument.objects.filter(key__startswith=replaces).exclude(key=key))
            return name
        if document.rendered_at is not None:  # rendered, and the file is in storage
            return document.file.name
        if time.monotonic() > deadline:
            raise RenderError(_("Dokumen sedang dibuat oleh permintaan lain; coba lagi."))
        time.sleep(POLL_SECONDS)


def _claim(key: str, *, stale_after: float) -> tuple[RenderedDocument, bool]:
    """The document's row, and whether this request now owns its rendering."""
    now = timezone.now()
    try:
        document, created = RenderedDocument.objects.get_or_create(
            key=key, defaults={"claimed_at": now}
        )
    except IntegrityError:  # created by another request between the get and the create
        document, created = RenderedDocument.objects.get(key=key), False
    if created:
        return document, True
    if document.rendered_at is not None:
        if default_storage.exists(document.file.name):
            return document, False
        lost = True  # the file went missing from storage: render it again
    else:
        lost = document.claimed_at < now - datetime.timedelta(seconds=stale_after)
    mine = lost and _take_over(document, now)
    if not mine:
        document.rendered_at = None  # someone is rendering it: wait for their file
    return document, mine


def _take_over(document: RenderedDocument, now) -> bool:
    # Guarded by claimed_at: of several requests taking over, one wins.
    won = RenderedDocument.objects.filter(pk=document.pk, claimed_at=document.claimed_at).update(
        claimed_at=now, rendered_at=None, file=""
    )
    if won:
        document.claimed_at = now
    return bool(won)


def _render(document: RenderedDocument, render: Callable[[], bytes]) -> str:
    try:
        content = render()
    except BaseException:
        # Let the next request try again rather than wait for a render that will not come.
        RenderedDocument.objects.filter(pk=document.pk, claimed_at=document.claimed_at).delete()
        raise
    if default_storage.exists(document.key):  # left by a renderer that died before recording
        default_storage.delete(document.key)
    name = default_storage.save(document.key, ContentFile(content))
    RenderedDocument.objects.filter(pk=document.pk).update(file=name, rendered_at=timezone.now())
    return name


def _forget(documents) -> None:
    for document in documents:
        # The row first: nobody is sent to a file that is already gone.
        if RenderedDocument.objects.filter(pk=document.pk).delete()[0] and document.file.name:
            default_storage.delete(document.file.name)
