"""Transitions through the services and views: stale pages, notes, sections, SOP as data."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from monev import clock, services
from monev.models import LogAction, OfficeHoliday, Report, Role, SectionSubmission, Sop, StepLog
from monev.workflow import WorkflowError
from monev.worktime import JAKARTA

from .conftest import KASI, make_report, submit_sections


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=JAKARTA)


def test_a_double_click_advances_only_once(sutera, users, client_for):
    report = make_report(sutera, step=3)
    kasubag = client_for("kasubag")
    url = reverse("monev:report_complete", args=[report.pk])

    kasubag.post(url, {"from_step": 3})
    response = kasubag.post(url, {"from_step": 3}, follow=True)

    report.refresh_from_db()
    assert report.current_step == 4
    assert StepLog.objects.filter(report=report, step_number=3).count() == 1
    assert "Halaman Anda sudah usang; tidak ada yang diubah." in response.content.decode()


def test_a_post_for_a_step_that_is_not_current_changes_nothing(sutera, users):
    report = make_report(sutera, step=6)
    with pytest.raises(WorkflowError, match="langkah 6, bukan langkah 4"):
        services.report_complete_step(report_id=report.pk, actor=users["kasubag"], from_step=4)
    report.refresh_from_db()
    assert report.current_step == 6
    assert not StepLog.objects.exists()


def test_a_return_without_a_note_is_a_form_error(sutera, users, client_for):
    report = make_report(sutera, step=11)

    response = client_for("sekretaris").post(
        reverse("monev:report_return", args=[report.pk]), {"from_step": 11, "note": "   "}
    )

    assert response.status_code == 200
    assert response.context["action_forms"]
    forms = [form for action, form, html, url, label in response.context["action_forms"]]
    assert [form.errors for form in forms if form.errors] == [
        {"note": ["Catatan pengembalian wajib diisi."]}
    ]
    assert "Catatan pengembalian wajib diisi." in response.content.decode()
    report.refresh_from_db()
    assert report.current_step == 11
    assert not StepLog.objects.exists()


def test_the_service_refuses_a_blank_return_note_too(sutera, users):
    report = make_report(sutera, step=12)
    with pytest.raises(WorkflowError, match="wajib diisi"):
        services.report_return(report_id=report.pk, actor=users["camat"], from_step=12, note="  ")


def test_non_decision_steps_cannot_be_returned(sutera, users):
    report = make_report(sutera, step=10)
    with pytest.raises(WorkflowError, match="tidak tersedia"):
        services.report_return(
            report_id=report.pk, actor=users["kasubag"], from_step=10, note="Kembali"
        )


def test_the_kasubag_sees_which_sections_are_missing(sutera, users, client_for):
    report = make_report(sutera, step=2)
    submit_sections(report, 2, ["pemerintahan", "kesos"])

    page = client_for("kasubag").get(report.get_absolute_url()).content.decode()

    missing = page.split("Belum mengirim:")[1].split("</div>")[0]
    for name in ("Ketenteraman dan Ketertiban Umum", "Pemberdayaan Masyarakat", "Pelayanan Umum"):
        assert name in missing
    assert "Kesejahteraan Sosial" not in missing


def test_the_last_section_completes_the_step(sutera, users):
    report = make_report(sutera, step=5)
    codes = ["pemerintahan", "trantibum", "pmn", "kesos"]
    submit_sections(report, 5, codes)
    last = sutera.sections.get(code="pelayanan")

    services.report_submit_section(
        report_id=report.pk, actor=users["kasi_pelayanan"], from_step=5, section_id=last.pk
    )

    report.refresh_from_db()
    assert report.current_step == 6
    done = StepLog.objects.get(report=report, step_number=5, action=LogAction.COMPLETE)
    assert done.actor == users["kasi_pelayanan"]


def test_a_section_cannot_submit_twice(sutera, users):
    report = make_report(sutera, step=2)
    section = sutera.sections.get(code="pmn")
    services.report_submit_section(
        report_id=report.pk, actor=users["kasi_pmn"], from_step=2, section_id=section.pk
    )
    with pytest.raises(WorkflowError, match="sudah dikirim"):
        services.report_submit_section(
            report_id=report.pk, actor=users["kasi_pmn"], from_step=2, section_id=section.pk
        )
    assert SectionSubmission.objects.count() == 1


def test_inactive_sections_are_not_waited_for(sutera, users):
    sutera.sections.exclude(code__in=["pmn", "kesos"]).update(is_active=False)
    report = make_report(sutera, step=2)
    for name in ("kasi_pmn", "kasi_kesos"):
        section_id = users[name].staff.section_id
        services.report_submit_section(
            report_id=report.pk, actor=users[name], from_step=2, section_id=section_id
        )
    report.refresh_from_db()
    assert report.current_step == 3


def test_opening_the_same_quarter_twice_gives_a_message(sutera, users, client_for):
    sekretaris = client_for("sekretaris")
    sekretaris.post(reverse("monev:report_list"), {"year": 2025, "quarter": 4})

    response = sekretaris.post(reverse("monev:report_list"), {"year": 2025, "quarter": 4})

    assert response.status_code == 200
    assert "Laporan Triwulan 4 tahun 2025 sudah dibuka." in response.content.decode()
    assert Report.objects.filter(year=2025, quarter=4).count() == 1


def test_moving_a_step_to_another_role_changes_who_may_do_it(sutera, users):
    """The SOP is data: the admin gives step 9 to the Camat, and the engine follows."""
    Sop.objects.get(office=sutera).steps.filter(number=9).update(role=Role.CAMAT)
    report = make_report(sutera, step=9)

    with pytest.raises(PermissionDenied):
        services.report_complete_step(report_id=report.pk, actor=users["sekretaris"], from_step=9)
    services.report_complete_step(report_id=report.pk, actor=users["camat"], from_step=9)

    report.refresh_from_db()
    assert report.current_step == 10


def test_a_new_sop_revision_does_not_rewrite_earlier_reports(sutera, users):
    old_sop = Sop.objects.get(office=sutera)
    report = make_report(sutera, step=3, started=at(2025, 4, 7, 8, 0))
    with clock.frozen_at(at(2025, 4, 8, 8, 0)):
        services.report_complete_step(report_id=report.pk, actor=users["kasubag"], from_step=3)

    new_sop = Sop.objects.get(pk=old_sop.pk)
    new_sop.pk, new_sop.revision = None, 1
    new_sop.save()
    for step in old_sop.steps.all():
        step.pk, step.sop = None, new_sop
        if step.number == 3:
            step.standard_amount, step.name = 3, "Mengolah data kinerja kecamatan (revisi)"
        step.save()
    old_sop.is_active = False
    old_sop.save()

    report.refresh_from_db()
    assert report.sop_id == old_sop.pk
    assert report.sop.steps.get(number=3).standard_label == "7 hari"
    log = StepLog.objects.get(report=report, step_number=3)
    assert (log.standard_label, log.step_name) == ("7 hari", "Mengolah data kinerja kecamatan")
    with clock.frozen_at(at(2025, 7, 7, 8, 0)):
        newer = services.report_open(office=sutera, year=2025, quarter=2, actor=users["sekretaris"])
    assert newer.sop_id == new_sop.pk


def test_step_log_measures_working_time_across_weekend_and_holidays(sutera, users):
    """Step 3 starts Thursday 14 Aug 2025 15:00 and ends Wednesday 20 Aug 10:00.

    Sat 16, Sun 17 (Hari Kemerdekaan) and Mon 18 (cuti bersama) are off, and the office
    closed on Tue 19 for a local event: one hour on Thursday, a full Friday, 2.5 h Wednesday.
    """
    OfficeHoliday.objects.create(office=sutera, date=datetime.date(2025, 8, 19), name="Acara")
    report = make_report(sutera, step=3, started=at(2025, 8, 14, 15, 0))

    with clock.frozen_at(at(2025, 8, 20, 10, 0)):
        services.report_complete_step(report_id=report.pk, actor=users["kasubag"], from_step=3)

    log = StepLog.objects.get(report=report, step_number=3)
    assert log.wall_seconds == (6 * 24 - 5) * 3600
    assert log.working_seconds == 3600 + 8.5 * 3600 + 2.5 * 3600
    assert log.standard_seconds == 7 * 8.5 * 3600
    assert log.on_time is True


def test_a_late_step_is_marked_late_and_the_inbox_shows_it_overdue(sutera, users, client_for):
    report = make_report(sutera, step=6, started=at(2025, 8, 20, 8, 0))  # standard: 3 jam
    with clock.frozen_at(at(2025, 8, 20, 12, 0)):
        page = client_for("kasubag").get(reverse("monev:inbox")).content.decode()
        services.report_complete_step(report_id=report.pk, actor=users["kasubag"], from_step=6)
    assert "Terlambat" in page
    assert "20 Agu 2025 11:00" in page  # due time: 3 working hours after 08:00
    log = StepLog.objects.get(report=report, step_number=6)
    assert log.on_time is False
    assert log.working_seconds == 4 * 3600


def test_inbox_lists_only_the_users_own_work(sutera, users, client_for):
    at_step_2 = make_report(sutera, year=2025, quarter=1, step=2)
    submit_sections(at_step_2, 2, ["pemerintahan"])
    at_step_12 = make_report(sutera, year=2025, quarter=2, step=12)
    make_report(sutera, year=2024, quarter=4, step=13, archived=True)

    def listed(name):
        return [
            item.report.pk for item in client_for(name).get(reverse("monev:inbox")).context["items"]
        ]

    assert listed("camat") == [at_step_12.pk]
    assert listed("kasi_pemerintahan") == []
    assert listed("kasi_kesos") == [at_step_2.pk]
    assert listed("sekretaris") == []
    assert listed("kasubag") == []
    assert all(listed(name) == [at_step_2.pk] for name in KASI if name != "kasi_pemerintahan")
