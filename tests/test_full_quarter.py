"""A whole quarter driven through the views, one client per role, with both kinds of return."""

import re

import pytest
from django.urls import reverse

from monev.models import LogAction, Report, StepLog

from .conftest import KASI
from .test_signing import PASSPHRASE, camat_certificate  # noqa: F401

RETURN_11 = "Faktor penghambat Seksi Kesos belum diisi."
RETURN_12 = "Analisis capaian IKM perlu diperjelas."


def complete(client, report, step, **extra):
    """Post the step's form with the hidden fields the report page gave it (a decision on
    the draft carries the version read and its content hash)."""
    page = client.get(report.get_absolute_url()).content.decode()
    data = {"from_step": step, **extra}
    for name in ("version", "content_hash"):
        found = re.search(rf'name="{name}" value="([^"]*)"', page)
        if found:
            data[name] = found.group(1)
    return client.post(reverse("monev:report_complete", args=[report.pk]), data, follow=True)


def give_back(client, report, step, note):
    return client.post(
        reverse("monev:report_return", args=[report.pk]),
        {"from_step": step, "note": note},
        follow=True,
    )


def submit_all_sections(client_for, report, step):
    for name in KASI:
        kasi = client_for(name)
        section_id = report.office.staff.get(user__username=name).section_id
        response = kasi.post(
            reverse("monev:report_submit_section", args=[report.pk, section_id]),
            {"from_step": step},
            follow=True,
        )
        assert response.status_code == 200


def draft(client, report):
    step = step_of(report)
    response = client.post(reverse("monev:draft_create", args=[report.pk]), {"from_step": step})
    assert response.status_code == 302
    return response


def step_of(report) -> int:
    report.refresh_from_db()
    return report.current_step


@pytest.mark.usefixtures("camat_certificate")
def test_a_quarter_runs_from_step_1_to_the_archive(sutera, users, client_for):
    sekretaris, kasubag, camat = (client_for(n) for n in ("sekretaris", "kasubag", "camat"))

    response = sekretaris.post(
        reverse("monev:report_list"), {"year": 2025, "quarter": 2}, follow=True
    )
    assert response.status_code == 200
    report = Report.objects.get(office=sutera, year=2025, quarter=2)
    assert report.current_step == 1
    assert "Siklus Laporan Triwulan II 2025 dibuka." in response.content.decode()

    complete(sekretaris, report, 1)
    assert step_of(report) == 2
    submit_all_sections(client_for, report, 2)
    assert step_of(report) == 3
    complete(kasubag, report, 3)
    complete(kasubag, report, 4)
    assert step_of(report) == 5
    submit_all_sections(client_for, report, 5)
    for step in (6, 7):
        complete(kasubag, report, step)
    page = complete(kasubag, report, 8).content.decode()
    assert "Buat draf laporan (versi baru) dulu" in page
    draft(kasubag, report)
    complete(kasubag, report, 8)
    complete(sekretaris, report, 9)
    draft(kasubag, report)
    complete(kasubag, report, 10)
    assert step_of(report) == 11

    give_back(sekretaris, report, 11, RETURN_11)
    assert step_of(report) == 10
    draft(kasubag, report)
    complete(kasubag, report, 10)
    complete(sekretaris, report, 11)
    assert step_of(report) == 12

    give_back(camat, report, 12, RETURN_12)
    assert step_of(report) == 10
    draft(kasubag, report)
    complete(kasubag, report, 10)
    complete(sekretaris, report, 11)
    complete(camat, report, 12, passphrase=PASSPHRASE)
    assert step_of(report) == 13

    response = complete(kasubag, report, 13)
    report.refresh_from_db()
    assert report.is_archived
    page = response.content.decode()
    assert RETURN_11 in page and RETURN_12 in page
    assert "hanya baca" in page

    returns = StepLog.objects.filter(report=report, action=LogAction.RETURN)
    assert [(r.step_number, r.note, r.actor.username) for r in returns] == [
        (11, RETURN_11, "sekretaris"),
        (12, RETURN_12, "camat"),
    ]
    completes = StepLog.objects.filter(report=report, action=LogAction.COMPLETE)
    assert [log.step_number for log in completes] == [
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 11, 10, 11, 12, 13
    ]  # fmt: skip
    submits = StepLog.objects.filter(report=report, action=LogAction.SUBMIT)
    assert submits.count() == 2 * len(KASI)
    assert list(report.versions.values_list("number", "step_number")) == [
        (1, 8), (2, 10), (3, 10), (4, 10)
    ]  # fmt: skip


def test_an_archived_report_is_read_only(sutera, users, client_for):
    sekretaris = client_for("sekretaris")
    sekretaris.post(reverse("monev:report_list"), {"year": 2025, "quarter": 3})
    report = Report.objects.get(year=2025, quarter=3)
    report.current_step = 13
    report.save()
    kasubag = client_for("kasubag")
    complete(kasubag, report, 13)
    logs_before = StepLog.objects.count()

    response = complete(kasubag, report, 13)

    assert "sudah diarsipkan" in response.content.decode()
    assert StepLog.objects.count() == logs_before
    page = kasubag.get(report.get_absolute_url()).content.decode()
    assert "Simpan ke arsip" not in page
    assert "Tindakan Anda sekarang" not in page
