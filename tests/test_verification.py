"""The public verification page a signed document's QR code opens."""

import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from monev.models import DocumentSignature
from monev.services.verification import read_upload
from monev.workflow import WorkflowError

from .test_signing import approve, at_approval, camat_certificate, media, signed_pdf  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def signed(sutera, users, demo_indicators, media, camat_certificate):  # noqa: F811
    cache.clear()
    report = at_approval(sutera, users)
    approve(report, users)
    return DocumentSignature.objects.select_related("archived_file").get(report=report)


def url(signature) -> str:
    return reverse("monev:verification", args=[signature.code])


def upload(client, signature, content: bytes, name="laporan.pdf"):
    return client.post(url(signature), {"document": SimpleUploadedFile(name, content)})


def test_logged_out_the_page_shows_the_document_and_nothing_else(signed, users):
    response = Client().get(url(signed))

    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "Laporan Monitoring dan Evaluasi Kinerja Triwulan II 2026",
        "Kecamatan Sutera",
        "Triwulan II 2026",
        "Hendri Yusman",
        "Camat Sutera",
        "20 Juli 2026 10:00",
        signed.archived_file.sha256,
        "Dokumen asli",
    ):
        assert text in page, text
    # Nothing of the app behind it: no NIP, no report link, no menu, no user names.
    assert signed.signer_nip not in page
    assert reverse("monev:report_detail", args=[signed.report_id]) not in page
    assert "IKU-01" not in page and "Keluar" not in page and "kasubag" not in page
    assert "Tugas Saya" not in page


def test_an_identical_upload_is_the_original_with_a_valid_signature(signed):
    response = upload(Client(), signed, signed_pdf(signed.report))

    page = response.content.decode()
    assert "identik byte demi byte" in page
    assert "Tanda tangan elektronik sah" in page


def test_an_altered_upload_is_neither_identical_nor_validly_signed(signed):
    pdf = bytearray(signed_pdf(signed.report))
    position = pdf.index(b"stream", len(pdf) // 3) + 20
    pdf[position] ^= 0x01

    page = upload(Client(), signed, bytes(pdf)).content.decode()

    assert "TIDAK identik" in page
    assert "RUSAK" in page


def test_an_unsigned_or_garbage_upload_says_so(signed):
    page = upload(Client(), signed, b"bukan pdf sama sekali").content.decode()
    assert "TIDAK identik" in page and "tidak memuat tanda tangan" in page


def test_an_upload_that_lies_about_its_size_is_cut_off_while_read(settings):
    settings.VERIFICATION_MAX_UPLOAD = 1024
    content = io.BytesIO(b"%PDF" + b"0" * 4096)
    lying = InMemoryUploadedFile(content, "document", "kecil.pdf", "application/pdf", 10, None)

    with pytest.raises(WorkflowError, match="Berkas terlalu besar"):
        read_upload(lying)
    assert read_upload(SimpleUploadedFile("kecil.pdf", b"%PDF-kecil")) == b"%PDF-kecil"


def test_an_unknown_code_is_a_plain_404(signed):
    response = Client().get(reverse("monev:verification", args=["tidak-ada-kode-ini"]))

    assert response.status_code == 404
    page = response.content.decode()
    assert "Hendri" not in page and "Sutera" not in page.replace("Sutera Kinerja", "")


def test_requests_are_rate_limited_per_address(signed, settings):
    settings.VERIFICATION_RATE_LIMIT = 3
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(3):
        assert client.get(url(signed)).status_code == 200
    limited = client.get(url(signed))
    assert limited.status_code == 429
    assert "Terlalu banyak permintaan" in limited.content.decode()
    # Unknown codes count too, so guessing is throttled as well.
    assert client.get(reverse("monev:verification", args=["tebakan"])).status_code == 429
    # Another address is not affected; when the hour window ends the first is let in again.
    assert Client(REMOTE_ADDR="203.0.113.8").get(url(signed)).status_code == 200
    cache.delete("verifikasi:203.0.113.7")
    assert client.get(url(signed)).status_code == 200


def test_an_upload_declared_too_large_is_refused_before_it_is_read(signed, settings):
    settings.VERIFICATION_MAX_UPLOAD = 1024
    response = Client().post(
        url(signed),
        {"document": SimpleUploadedFile("besar.pdf", b"%PDF" + b"0" * 4096)},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Berkas terlalu besar" in page and "identik" not in page
