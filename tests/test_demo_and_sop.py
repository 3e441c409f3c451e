"""The demo office as `make run` loads it, and the SOP page built from the fixture."""

import datetime
import io

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from monev import clock
from monev.models import LogAction, Report, StepLog
from monev.worktime import JAKARTA

DEMO_USERS = [
    "camat", "sekretaris", "kasubag", "kasi_pemerintahan", "kasi_trantibum", "kasi_pmn",
    "kasi_kesos", "kasi_pelayanan", "admin",
]  # fmt: skip


def test_seed_demo_builds_history_and_a_running_quarter(db):
    with clock.frozen_at(datetime.datetime(2026, 11, 26, 10, 0, tzinfo=JAKARTA)):
        call_command("seed_demo", stdout=io.StringIO())

    reports = list(Report.objects.order_by("year", "quarter"))
    archived = [r for r in reports if r.is_archived]
    assert archived == reports[:-2]  # every past quarter but the last is in the archive
    waiting = reports[-2]
    assert (waiting.year, waiting.quarter, waiting.current_step) == (2026, 3, 12)
    assert waiting.versions.count() >= 2  # returned once at step 11: a change to compare
    current = reports[-1]
    assert (current.year, current.quarter, current.current_step) == (2026, 4, 2)
    assert not current.is_archived
    assert current.submissions.exists()
    assert StepLog.objects.filter(action=LogAction.RETURN, step_number=11).exists()
    assert StepLog.objects.filter(action=LogAction.RETURN, step_number=12).exists()
    assert not StepLog.objects.filter(finished_at__gt=clock.now()).exists()
    for report in archived:
        numbers = set(report.logs.values_list("step_number", flat=True))
        assert numbers == set(range(1, 14))

    # Idempotent: a second run keeps the history as it is.
    call_command("seed_demo", stdout=io.StringIO())
    assert Report.objects.count() == len(reports)


def test_every_demo_user_logs_in_with_the_demo_password(db):
    call_command("loaddata", "office_sutera", "demo_users", verbosity=0)
    for username in DEMO_USERS:
        client = Client()
        response = client.post(
            reverse("login"), {"username": username, "password": "sutera-demo-2025"}
        )
        assert response.status_code == 302, username
        assert response["Location"] == reverse("monev:home")
        assert client.get(reverse("monev:inbox")).status_code == 200


def test_the_sop_page_shows_the_whole_sop(sutera, users, client_for):
    page = client_for("kasi_pmn").get(reverse("monev:sop_current")).content.decode()

    for text in (
        "700/24.a/STR-CS/2025",
        "14 Maret 2025",
        "Camat Sutera",
        "Pengukuran Kinerja dan Pengumpulan Data Kinerja",
        "Nomor 35 Tahun 2012",
        "Nomor 86 Tahun 2017",
        "Memiliki kemampuan pengolahan data",
        "SOP Penyusunan Laporan Evaluasi Kinerja",
        "Format Indikator Kinerja Utama",
        "tidak tercapainya kinerja sesuai target",
        "Disimpan sebagai Dokumen pengendalian dan evaluasi kinerja",
        "Membuat format isian monitoring evaluasi kinerja",
        "Menyimpan dokumen monitoring evaluasi kinerja kecamatan",
        "15 menit",
        "1 minggu",
        "Blangko monev",
    ):
        assert text in page, text
    assert page.count("<tr>") >= 13 + 6
