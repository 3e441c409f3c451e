"""Immutable documents are rendered once and then served from storage: a draft version's PDF,
an SOP revision's PDF per content (an edit in the admin renders it anew); concurrent first
requests render once; a failed render is not kept."""

import io
import tarfile
import threading
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from monev.exports.render_limit import RenderError
from monev.models import DraftVersion, RenderedDocument, Sop
from monev.views import documents as document_views
from monev.views import sop_document as sop_views

from .conftest import at_once, make_report

HTML = "<html><head></head><body><h1>Draf laporan uji</h1></body></html>"


class CountingRenders:
    """Wraps a view's render_with_limit: counts the renders, optionally slowed down so that
    concurrent requests overlap."""

    def __init__(self, real, delay=0.0):
        self.real, self.delay, self.count = real, delay, 0
        self.lock = threading.Lock()

    def __call__(self, func, *args, **kwargs):
        with self.lock:
            self.count += 1
        time.sleep(self.delay)
        return self.real(func, *args, **kwargs)


@pytest.fixture
def version(sutera, users):
    report = make_report(sutera, year=2026, quarter=2, step=9)
    return DraftVersion.objects.create(
        report=report,
        number=1,
        step_number=8,
        html=HTML,
        created_by=users["kasubag"],
        created_at=timezone.now(),
    )


def pdf_body(response) -> bytes:
    """The streamed PDF (a FileResponse can be read once)."""
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response.getvalue()


def pdf_text(body: bytes) -> str:
    pages = PdfReader(io.BytesIO(body)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def test_a_draft_pdf_is_rendered_once(version, client_for, monkeypatch, settings):
    renders = CountingRenders(document_views.render_with_limit)
    monkeypatch.setattr(document_views, "render_with_limit", renders)
    url = reverse("monev:draft_pdf", args=[version.report_id, 1])

    first = pdf_body(client_for("camat").get(url))
    second = client_for("sekretaris").get(url)

    assert renders.count == 1
    assert "Draf laporan uji" in pdf_text(first)
    assert pdf_body(second) == first
    assert second["Content-Disposition"] == 'inline; filename="draf-monev-2026-tw2-v1.pdf"'
    stored = RenderedDocument.objects.get()
    assert (settings.MEDIA_ROOT / stored.file.name).read_bytes() == first


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_requests_render_once(version, users, monkeypatch):
    renders = CountingRenders(document_views.render_with_limit, delay=1.0)
    monkeypatch.setattr(document_views, "render_with_limit", renders)
    url = reverse("monev:draft_pdf", args=[version.report_id, 1])

    def fetch(client):
        response = client.get(url)
        return response.status_code, response.getvalue()

    bodies = at_once(users, ["camat", "kasubag", "admin"], fetch)

    assert renders.count == 1
    assert [status for status, _body in bodies] == [200, 200, 200]
    assert len({body for _status, body in bodies}) == 1
    assert bodies[0][1].startswith(b"%PDF-")


def test_a_failed_render_is_not_kept(version, client_for, monkeypatch):
    def broken(func, *args, **kwargs):
        raise RenderError("Pembuatan PDF melewati batas waktu.")

    monkeypatch.setattr(document_views, "render_with_limit", broken)
    url = reverse("monev:draft_pdf", args=[version.report_id, 1])
    failed = client_for("camat").get(url, follow=True)
    assert "melewati batas waktu" in failed.content.decode()
    assert not RenderedDocument.objects.exists()

    monkeypatch.undo()
    assert "Draf laporan uji" in pdf_text(pdf_body(client_for("camat").get(url)))


def test_the_sop_pdf_is_rendered_again_after_an_edit(sutera, client_for, monkeypatch, settings):
    renders = CountingRenders(sop_views.render_with_limit)
    monkeypatch.setattr(sop_views, "render_with_limit", renders)
    sop = Sop.objects.get(office=sutera)
    url = reverse("monev:sop_pdf", args=[sop.pk])

    before = pdf_body(client_for("camat").get(url))
    assert pdf_body(client_for("kasi_pmn").get(url)) == before
    assert renders.count == 1

    step = sop.steps.get(number=1)
    step.name = "Menyiapkan jadwal pengukuran kinerja revisi"
    step.save()
    after = pdf_body(client_for("camat").get(url))

    assert renders.count == 2
    assert "jadwal pengukuran kinerja revisi" not in pdf_text(before)
    assert "jadwal pengukuran kinerja revisi" in pdf_text(after)
    # Only the PDF of the current content is kept.
    stored = RenderedDocument.objects.get()
    assert (settings.MEDIA_ROOT / stored.file.name).read_bytes() == after
    assert [p.name for p in (settings.MEDIA_ROOT / "dokumen" / "sop").iterdir()] == [
        stored.file.name.rsplit("/", 1)[1]
    ]


@pytest.mark.django_db(transaction=True)
def test_a_backup_holds_the_rendered_documents_and_year_zips(version, users, client_for, tmp_path):
    from monev.backup import create_backup
    from monev.services.year_export import year_export_start

    pdf = pdf_body(client_for("camat").get(reverse("monev:draft_pdf", args=[version.report_id, 1])))
    export, _created = year_export_start(
        office=version.report.office, year=2026, actor=users["admin"]
    )
    export.refresh_from_db()

    create_backup(tmp_path / "cadangan.tar.gz")

    with tarfile.open(tmp_path / "cadangan.tar.gz", "r:gz") as archive:
        names = set(archive.getnames())
        stored = archive.extractfile(f"media/{RenderedDocument.objects.get().file.name}").read()
    assert stored == pdf
    assert f"media/{export.file.name}" in names
