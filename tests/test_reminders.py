"""Notifications when a report reaches a step, and once-a-working-day reminders when late."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from monev import clock, services
from monev.models import Notification, Report
from monev.worktime import JAKARTA

from .conftest import make_report, submit_sections


def at(*args):
    return datetime.datetime(*args, tzinfo=JAKARTA)


@pytest.fixture
def emails(users):
    for user in users.values():
        user.email = f"{user.username}@kecamatan.example"
        user.save()


def remind(moment):
    with clock.frozen_at(moment):
        call_command("send_reminders", stdout=io.StringIO())


def test_entering_a_step_notifies_its_role_after_commit(
    sutera, users, emails, django_capture_on_commit_callbacks
):
    report = make_report(sutera, step=5)
    with django_capture_on_commit_callbacks(execute=True):
        submit_sections(report, 5, ["pemerintahan", "trantibum", "pmn", "kesos"])
        services.report_submit_section(
            report_id=report.pk,
            actor=users["kasi_pelayanan"],
            from_step=5,
            section_id=sutera.sections.get(code="pelayanan").pk,
        )

    assert [n.user.username for n in Notification.objects.all()] == ["kasubag"]
    assert Notification.objects.get().step_number == 6
    assert [m.to for m in mail.outbox] == [["kasubag@kecamatan.example"]]
    assert f"/laporan/{report.pk}/" in mail.outbox[0].body


def test_nobody_is_told_about_a_move_they_made_themself(
    sutera, users, emails, django_capture_on_commit_callbacks
):
    report = make_report(sutera, step=3)  # steps 3 and 4 both belong to the Kasubag PKP
    with django_capture_on_commit_callbacks(execute=True):
        services.report_complete_step(report_id=report.pk, actor=users["kasubag"], from_step=3)

    assert Report.objects.get(pk=report.pk).current_step == 4
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_a_per_section_step_notifies_every_kepala_seksi(
    sutera, users, emails, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_open(
            office=sutera, year=2025, quarter=3, actor=users["sekretaris"]
        )
        services.report_complete_step(report_id=report.pk, actor=users["sekretaris"], from_step=1)

    notified = sorted(n.user.username for n in Notification.objects.filter(step_number=2))
    assert notified == sorted(name for name in users if name.startswith("kasi_"))


def test_an_overdue_step_is_reminded_once_per_working_day(sutera, users, emails):
    # Step 6 (3 jam) started Wednesday 20 Aug 2025 08:00: due 11:00 the same day.
    make_report(sutera, step=6, started=at(2025, 8, 20, 8, 0))

    remind(at(2025, 8, 20, 10, 0))  # not yet late
    assert not Notification.objects.exists()
    remind(at(2025, 8, 20, 12, 0))
    remind(at(2025, 8, 20, 15, 0))  # same day: nothing new
    first_day = sorted(n.user.username for n in Notification.objects.all())
    remind(at(2025, 8, 23, 9, 0))  # Saturday: no reminders
    remind(at(2025, 8, 25, 9, 0))  # Monday: one more each

    assert first_day == ["kasubag", "sekretaris"]
    assert Notification.objects.filter(kind="overdue").count() == 4
    assert len(mail.outbox) == 4
    assert "melewati batas waktu" in mail.outbox[0].subject
    # Due Wednesday 20 August 2025 11:00, as a date with its time zone.
    assert "sejak Rabu, 20 Agu 2025 11:00 WIB." in Notification.objects.first().message


def test_reminders_go_only_to_sections_still_missing(sutera, users, emails):
    report = make_report(sutera, step=2, started=at(2025, 8, 4, 8, 0))
    submit_sections(report, 2, ["pemerintahan", "kesos", "pmn", "pelayanan"])

    remind(at(2025, 8, 8, 9, 0))

    assert sorted(n.user.username for n in Notification.objects.all()) == [
        "kasi_trantibum",
        "sekretaris",
    ]


def test_no_reminders_for_archived_reports(sutera, users, emails):
    make_report(sutera, step=6, started=at(2025, 8, 20, 8, 0), archived=True)
    remind(at(2025, 8, 21, 9, 0))
    assert not Notification.objects.exists()


def _notice(user, report, message="Laporan menunggu Anda"):
    return Notification.objects.create(
        user=user, report=report, step_number=report.current_step, kind="step",
        message=message, created_at=clock.now(),
    )  # fmt: skip


def test_following_a_notice_marks_it_read(sutera, users, client_for):
    report = make_report(sutera, step=4)
    first, second = _notice(users["kasubag"], report), _notice(users["kasubag"], report, "Kedua")
    client = client_for("kasubag")

    assert ">2<" in client.get(reverse("monev:inbox")).content.decode()
    page = client.get(reverse("monev:notification_list")).content.decode()
    assert "Laporan menunggu Anda" in page and "Tandai semua dibaca" in page
    assert page.count("Langkah baru") == 2  # one badge per item, no "baru" beside it
    assert Notification.objects.filter(read_at__isnull=True).count() == 2  # glancing is not reading

    response = client.get(reverse("monev:notification_open", args=[first.pk]))
    assert response.url == report.get_absolute_url()
    first.refresh_from_db(), second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    assert client_for("camat").get(reverse("monev:notification_list")).context["items"] == []


def test_mark_all_read(sutera, users, client_for):
    report = make_report(sutera, step=4)
    _notice(users["kasubag"], report), _notice(users["kasubag"], report, "Kedua")
    camats = _notice(users["camat"], report)
    client = client_for("kasubag")

    response = client.post(reverse("monev:notification_read_all"), follow=True)

    assert "Semua notifikasi ditandai sudah dibaca." in response.content.decode()
    assert not Notification.objects.filter(user=users["kasubag"], read_at__isnull=True).exists()
    camats.refresh_from_db()
    assert camats.read_at is None
    assert client.get(reverse("monev:notification_read_all")).status_code == 405


def test_nobody_opens_another_users_notice(sutera, users, client_for):
    notice = _notice(users["kasubag"], make_report(sutera, step=4))
    response = client_for("camat").get(reverse("monev:notification_open", args=[notice.pk]))
    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None
