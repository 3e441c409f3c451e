"""The Camat's electronic signature (TTE): approving signs the final PDF/A-3b with a PAdES
signature from the installation CA, and every refusal leaves the report untouched."""

import datetime
import io
import re
import subprocess
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from monev import clock, services
from monev.management.commands.seed_demo import DEMO_SIGNING_PASSPHRASE
from monev.models import (
    ArchivedFile,
    DocumentSignature,
    Office,
    Report,
    SigningAuthority,
    SigningCertificate,
    Staff,
    StepLog,
)
from monev.selectors.snapshots import decision_binding
from monev.services.approval import report_approve
from monev.services.documents import draft_generate
from monev.signing import SigningError, backend
from monev.signing.local import (
    create_authority,
    decrypt_key,
    issue_certificate,
    revoke_certificate,
)
from monev.workflow import WorkflowError
from monev.worktime import JAKARTA

from .test_documents import at_step

NIP = "198003152000121001"
PASSPHRASE = "rahasia-camat-2026"
CA_PASSPHRASE = "rahasia-ca-kantor"
APPROVED_AT = datetime.datetime(2026, 7, 20, 10, 0, tzinfo=JAKARTA)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def camat_certificate(sutera, users):
    Staff.objects.filter(user=users["camat"]).update(nip=NIP, job_title="Camat Sutera")
    users["camat"].first_name, users["camat"].last_name = "Hendri", "Yusman"
    users["camat"].save()
    with clock.frozen_at(datetime.datetime(2026, 1, 5, 8, 0, tzinfo=JAKARTA)):
        create_authority(office=sutera, passphrase=CA_PASSPHRASE)
        return issue_certificate(
            staff=Staff.objects.select_related("user", "office").get(user=users["camat"]),
            ca_passphrase=CA_PASSPHRASE,
            passphrase=PASSPHRASE,
        )


def approve(report, users, passphrase=PASSPHRASE):
    with clock.frozen_at(APPROVED_AT):
        return report_approve(
            report_id=report.pk,
            actor=users["camat"],
            from_step=12,
            passphrase=passphrase,
            **decision_binding(report),
        )


def at_approval(sutera, users) -> Report:
    """A report at the approval step whose newest draft version (made at step 10) is the
    one the Camat decides on."""
    report = at_step(sutera, 10)
    with clock.frozen_at(APPROVED_AT - datetime.timedelta(days=3)):
        draft_generate(report_id=report.pk, actor=users["kasubag"], from_step=10)
    Report.objects.filter(pk=report.pk).update(current_step=12)
    return Report.objects.get(pk=report.pk)


def signed_pdf(report) -> bytes:
    record = ArchivedFile.objects.get(report=report, kind="pdf")
    with default_storage.open(record.file.name, "rb") as handle:
        return handle.read()


def pyhanko_status(pdf: bytes, sutera):
    """pyHanko's own verdict, trusting only the office's CA."""
    root = x509.load_pem_x509_certificate(sutera.signing_authority.certificate_pem.encode())
    reader = PdfFileReader(io.BytesIO(pdf))
    (embedded,) = reader.embedded_signatures
    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(root.public_bytes(serialization.Encoding.DER))],
        moment=embedded.self_reported_timestamp,
    )
    return validate_pdf_signature(embedded, context)


def assert_nothing_written(report):
    report = Report.objects.get(pk=report.pk)
    assert report.current_step == 12
    assert not ArchivedFile.objects.filter(report=report).exists()
    assert not DocumentSignature.objects.filter(report=report).exists()
    assert not StepLog.objects.filter(report=report).exists()


@pytest.mark.django_db(transaction=True)
def test_approval_signs_a_pdfa_that_pyhanko_validates(
    sutera, users, demo_indicators, media, camat_certificate
):
    report = at_approval(sutera, users)

    approve(report, users)

    report = Report.objects.get(pk=report.pk)
    assert report.current_step == 13
    signature = DocumentSignature.objects.get(report=report)
    pdf = signed_pdf(report)
    record = signature.archived_file
    assert record.sha256 == services.archive.sha256_of(pdf) and record.size == len(pdf)
    status = pyhanko_status(pdf, sutera)
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert status.signing_cert.subject.native["serial_number"] == NIP
    assert status.signing_cert.subject.native["title"] == "Camat Sutera"
    # PDF/A-3b survives the signature: XMP part 3 / B, the E.81 workbook still attached.
    root = PdfFileReader(io.BytesIO(pdf)).root
    metadata = root["/Metadata"].data.decode()
    # Signed after the PDF/A fix-up (monev.exports.pdf._finish): the workbook listed once.
    assert len(root["/AF"]) == 1
    assert re.search(r'pdfaid:part="3"', metadata)
    assert re.search(r'pdfaid:conformance="B"', metadata)
    reader = PdfReader(io.BytesIO(pdf))
    assert any(name.endswith("-e81.xlsx") for name in reader.attachments)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Ditandatangani secara elektronik oleh" in text
    assert "Hendri Yusman" in text and NIP in text and "Camat Sutera" in text
    assert "20 Juli 2026" in text
    assert f"/verifikasi/{signature.code}/" in text.replace("\n", "")
    # Typed from paper: no character that reads as a hyphenation or as another one.
    assert re.fullmatch(r"[2-9A-HJ-NP-Za-km-z]{32}", signature.code)
    assert "sertifikat elektronik yang diterbitkan oleh" in text.replace("\n", " ")
    # The approval is logged through the ordinary transition, with a chained hash.
    log = StepLog.objects.get(report=report, step_number=12)
    assert log.actor == users["camat"] and len(log.entry_hash) == 64


@pytest.mark.django_db(transaction=True)
def test_the_signed_file_passes_qpdf_check(
    sutera, users, demo_indicators, media, camat_certificate, tmp_path
):
    report = at_approval(sutera, users)
    approve(report, users)
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed_pdf(report))

    result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors" in result.stdout


@pytest.mark.django_db(transaction=True)
def test_archiving_keeps_exactly_the_signed_file(
    sutera, users, demo_indicators, media, camat_certificate
):
    report = at_approval(sutera, users)
    approve(report, users)
    before = {r.kind: (r.pk, r.sha256, r.file.name) for r in report.archived_files.all()}
    pdf = signed_pdf(report)

    services.report_complete_step(report_id=report.pk, actor=users["kasubag"], from_step=13)

    report = Report.objects.get(pk=report.pk)
    assert report.is_archived
    after = {r.kind: (r.pk, r.sha256, r.file.name) for r in report.archived_files.all()}
    assert after == before
    assert signed_pdf(report) == pdf


@pytest.mark.django_db(transaction=True)
def test_any_changed_byte_breaks_the_signature(
    sutera, users, demo_indicators, media, camat_certificate
):
    report = at_approval(sutera, users)
    approve(report, users)
    pdf = signed_pdf(report)
    assert backend().validate_pdf(pdf).valid

    # A byte inside the signed range (the page content), then a byte appended after it.
    tampered = bytearray(pdf)
    position = pdf.index(b"stream", len(pdf) // 3) + 20
    tampered[position] ^= 0x01
    outcome = backend().validate_pdf(bytes(tampered))
    assert outcome.signed and not outcome.intact and not outcome.valid
    assert not pyhanko_status(bytes(tampered), sutera).intact
    appended = backend().validate_pdf(pdf + b"\n% tambahan\n")
    assert not appended.intact and not appended.valid


@pytest.mark.django_db(transaction=True)
def test_a_wrong_passphrase_signs_nothing(sutera, users, demo_indicators, media, camat_certificate):
    report = at_approval(sutera, users)

    with pytest.raises(WorkflowError, match="Passphrase salah"):
        approve(report, users, passphrase="bukan-passphrase-nya")
    with pytest.raises(WorkflowError, match="Isi passphrase"):
        approve(report, users, passphrase="")

    assert_nothing_written(report)
    assert not list(media.rglob("*"))


def test_the_plain_completion_refuses_the_signing_step(
    sutera, users, demo_indicators, camat_certificate
):
    report = at_approval(sutera, users)

    with pytest.raises(WorkflowError, match="harus ditandatangani secara elektronik"):
        services.report_complete_step(
            report_id=report.pk, actor=users["camat"], from_step=12, **decision_binding(report)
        )

    assert_nothing_written(report)


@pytest.mark.django_db(transaction=True)
def test_a_revoked_certificate_cannot_sign(
    sutera, users, demo_indicators, media, camat_certificate
):
    report = at_approval(sutera, users)
    revoke_certificate(camat_certificate)

    with pytest.raises(WorkflowError, match="dicabut"):
        approve(report, users)

    assert_nothing_written(report)


@pytest.mark.django_db(transaction=True)
def test_an_expired_certificate_cannot_sign(
    sutera, users, demo_indicators, media, camat_certificate
):
    report = at_approval(sutera, users)
    late = camat_certificate.not_after + datetime.timedelta(days=1)

    with clock.frozen_at(late), pytest.raises(WorkflowError, match="kedaluwarsa"):
        report_approve(
            report_id=report.pk,
            actor=users["camat"],
            from_step=12,
            passphrase=PASSPHRASE,
            **decision_binding(report),
        )

    assert_nothing_written(report)


@pytest.mark.django_db(transaction=True)
def test_an_official_without_a_certificate_gets_a_clear_message(
    sutera, users, demo_indicators, media
):
    report = at_approval(sutera, users)

    with pytest.raises(WorkflowError, match="belum memiliki sertifikat elektronik"):
        approve(report, users)

    assert_nothing_written(report)


@pytest.mark.django_db(transaction=True)
def test_trust_ends_with_the_ca_and_with_revocation_before_signing(
    sutera, other_office, users, demo_indicators, media, camat_certificate
):
    report = at_approval(sutera, users)
    approve(report, users)
    pdf = signed_pdf(report)
    signed_at = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0].self_reported_timestamp

    # Revoked after signing (the Camat left office): what was signed before stays valid.
    SigningCertificate.objects.update(revoked_at=signed_at + datetime.timedelta(minutes=1))
    assert backend().validate_pdf(pdf).valid
    # Revoked before the signing time: not trusted.
    SigningCertificate.objects.update(revoked_at=signed_at - datetime.timedelta(minutes=1))
    revoked = backend().validate_pdf(pdf)
    assert revoked.intact and not revoked.trusted and not revoked.valid
    # An installation whose CA is another one does not trust the file at all.
    SigningCertificate.objects.update(revoked_at=None)
    foreign = create_authority(office=other_office, passphrase=CA_PASSPHRASE)
    SigningAuthority.objects.filter(office=sutera).update(certificate_pem=foreign.certificate_pem)
    untrusted = backend().validate_pdf(pdf)
    assert untrusted.intact and not untrusted.trusted


def test_the_camat_approves_through_the_page_with_the_passphrase(
    sutera, users, demo_indicators, media, camat_certificate, client_for,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    report = at_approval(sutera, users)
    client = client_for("camat")
    page = client.get(reverse("monev:report_detail", args=[report.pk])).content.decode()
    assert 'type="password"' in page and "Passphrase sertifikat elektronik" in page

    wrong = client.post(
        reverse("monev:report_complete", args=[report.pk]),
        {"from_step": 12, "passphrase": "salah-sekali", **decision_binding(report)},
        follow=True,
    )
    assert "Passphrase salah" in wrong.content.decode()
    assert Report.objects.get(pk=report.pk).current_step == 12

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("monev:report_complete", args=[report.pk]),
            {"from_step": 12, "passphrase": PASSPHRASE, **decision_binding(report)},
            follow=True,
        )

    assert "ditandatangani secara elektronik" in response.content.decode()
    assert Report.objects.get(pk=report.pk).current_step == 13
    assert backend().validate_pdf(signed_pdf(report)).valid


def test_a_step_that_does_not_sign_keeps_its_plain_form(sutera, users, client_for):
    report = at_step(sutera, 11)
    page = client_for("sekretaris").get(reverse("monev:report_detail", args=[report.pk]))
    assert 'type="password"' not in page.content.decode()


def test_the_demo_signs_its_archived_quarters_with_its_demo_ca(
    db, media, django_capture_on_commit_callbacks
):
    with (
        clock.frozen_at(datetime.datetime(2026, 11, 26, 10, 0, tzinfo=JAKARTA)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("seed_demo", stdout=io.StringIO())

    office = Office.objects.get(code="sutera")
    archived = list(Report.objects.filter(office=office, archived_at__isnull=False))
    assert len(archived) >= 4
    for report in archived:
        signature = DocumentSignature.objects.get(report=report)
        assert signature.signer_name.startswith("Hendri Yusman")
        status = pyhanko_status(signed_pdf(report), office)
        assert status.intact and status.valid and status.trusted, report
    # The passphrase the README gives opens the demo Camat's key; another does not.
    certificate = SigningCertificate.objects.get(user__username="camat")
    decrypt_key(certificate.encrypted_key_pem, DEMO_SIGNING_PASSPHRASE)
    with pytest.raises(SigningError):
        decrypt_key(certificate.encrypted_key_pem, "sutera-demo-2025")
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert DEMO_SIGNING_PASSPHRASE in readme


def test_the_admin_marks_the_signing_step_and_revokes_certificates(
    sutera, users, client, camat_certificate
):
    users["admin"].is_staff = users["admin"].is_superuser = True
    users["admin"].save()
    client.force_login(users["admin"])
    sop_page = client.get(reverse("admin:monev_sop_change", args=[sutera.sops.get().pk]))
    assert "menandatangani dokumen secara elektronik" in sop_page.content.decode().lower()
    assert sutera.sops.get().steps.get(number=12).signs_document
    changelist = reverse("admin:monev_signingcertificate_changelist")
    assert camat_certificate.serial_number in client.get(changelist).content.decode()

    client.post(changelist, {"action": "revoke", "_selected_action": [camat_certificate.pk]})

    camat_certificate.refresh_from_db()
    assert camat_certificate.revoked_at is not None


@pytest.mark.django_db(transaction=True)
def test_the_signature_claims_the_moment_of_approval(
    sutera, users, demo_indicators, media, camat_certificate
):
    report = at_approval(sutera, users)
    approve(report, users)

    embedded = PdfFileReader(io.BytesIO(signed_pdf(report))).embedded_signatures[0]

    assert embedded.self_reported_timestamp == APPROVED_AT
    assert DocumentSignature.objects.get(report=report).signed_at == APPROVED_AT
