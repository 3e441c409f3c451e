"""The report page keeps its heading and history in the cache; no write leaves them stale.

The cache key is made of revisions that database triggers raise on every write to the rows the
page shows (monev.page_revisions), so every write path counts: services, the admin, management
commands, plain ORM saves, QuerySet.update and bulk_create, raw SQL, loaddata and restore.
Every test warms the cache with a first visit, writes by one path, then checks that the next
visit shows the change and is exactly what a visit with an empty cache renders.
"""

import datetime
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.urls import reverse

from monev import clock, page_revisions, services
from monev.models import (
    DraftVersion,
    Office,
    OfficeHoliday,
    Report,
    Section,
    SectionSubmission,
    Sop,
    SopStep,
    StepLog,
    WorkDay,
)
from monev.worktime import JAKARTA

from .conftest import make_report, submit_sections
from .test_admin import form_data
from .test_work_hours import add_schedule

MONDAY_10 = datetime.datetime(2025, 4, 7, 10, 0, tzinfo=JAKARTA)


def _page(client, report) -> str:
    response = client.get(report.get_absolute_url())
    assert response.status_code == 200
    # The CSRF token differs per response; everything else must match byte for byte.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def _fresh(client, report) -> str:
    caches["pages"].clear()
    return _page(client, report)


def test_every_revision_trigger_is_installed(db):
    assert page_revisions.installed(connection) == page_revisions.expected(connection.vendor)


def test_triggers_come_back_after_migrate_drops_them(db):
    page_revisions.drop(connection)
    assert not page_revisions.installed(connection)

    call_command("migrate", "monev", verbosity=0)

    assert page_revisions.installed(connection) == page_revisions.expected(connection.vendor)


def test_a_full_save_cannot_take_a_revision_back(sutera, users):
    report = make_report(sutera, step=3)
    stale = Report.objects.get(pk=report.pk)
    SopStep.objects.filter(sop=report.sop, number=4).update(name="Langkah baru")
    raised = Report.objects.get(pk=report.pk).revision
    assert raised > stale.revision

    stale.save()  # writes the old revision back with every other field

    assert Report.objects.get(pk=report.pk).revision > raised


def test_a_completed_step_shows_at_once(sutera, users, client_for):
    report = make_report(sutera, step=9)
    client = client_for("kasubag")
    before = _page(client, report)

    services.report_complete_step(
        report_id=report.pk, actor=users["sekretaris"], from_step=9, note="Sudah dibahas."
    )

    after = _page(client, report)
    assert "Sudah dibahas." not in before
    assert "Sudah dibahas." in after
    assert after == _fresh(client, report)


def test_a_section_handing_in_shows_while_the_step_stays(sutera, users, client_for):
    report = make_report(sutera, step=2)
    client = client_for("kasubag")
    before = _page(client, report)

    submit_sections(report, 2, ["trantibum"])

    after = _page(client, report)
    assert "✓ Ketenteraman dan Ketertiban Umum" not in before
    assert "✓ Ketenteraman dan Ketertiban Umum" in after
    assert after == _fresh(client, report)


def test_a_new_draft_version_is_listed(sutera, users, client_for):
    report = make_report(sutera, step=9)
    client = client_for("sekretaris")
    before = _page(client, report)

    DraftVersion.objects.create(
        report=report,
        number=1,
        step_number=8,
        html="<p>draf</p>",
        created_by=users["kasubag"],
        created_at=clock.now(),
    )

    after = _page(client, report)
    assert "Draf versi 1" not in before
    assert "Draf versi 1" in after
    assert "Baca draf terbaru (versi 1)" in after  # the action card reads it from the cache too
    assert after == _fresh(client, report)


def test_step_wording_edited_in_place_shows(sutera, client_for):
    report = make_report(sutera, step=9)
    client = client_for("kasubag")
    _page(client, report)

    step = SopStep.objects.get(sop=report.sop, number=4)
    step.name = "Menyusun rencana monev (diperbarui)"
    step.save()

    after = _page(client, report)
    assert "Menyusun rencana monev (diperbarui)" in after
    assert after == _fresh(client, report)


def test_an_edited_role_of_the_current_step_changes_who_may_act(sutera, client_for):
    report = make_report(sutera, step=9)
    client = client_for("kasubag")
    assert "Tindakan Anda sekarang" not in _page(client, report)

    step = SopStep.objects.get(sop=report.sop, number=9)
    step.role = "kasubag_pkp"
    step.save()

    after = _page(client, report)
    assert "Tindakan Anda sekarang" in after
    assert after == _fresh(client, report)


def test_a_renamed_section_shows(sutera, client_for):
    report = make_report(sutera, step=3)
    client = client_for("kasubag")
    _page(client, report)

    section = Section.objects.get(office=sutera, code="pmn")
    section.name = "Pemberdayaan Nagari (baru)"
    section.save()

    after = _page(client, report)
    assert "Pemberdayaan Nagari (baru)" in after
    assert after == _fresh(client, report)


def test_a_renamed_office_shows_in_the_heading(sutera, client_for):
    report = make_report(sutera, step=3, archived=True)
    client = client_for("camat")
    _page(client, report)

    sutera.name = "Kecamatan Sutera Baru"
    sutera.save()

    after = _page(client, report)
    assert "Kecamatan Sutera Baru ·" in after
    assert after == _fresh(client, report)


def test_an_edited_sop_number_shows_in_the_heading(sutera, client_for):
    report = make_report(sutera, step=3, archived=True)
    client = client_for("camat")
    _page(client, report)

    report.sop.number = "700/99/STR-CS/2026"
    report.sop.save()

    after = _page(client, report)
    assert "SOP 700/99/STR-CS/2026" in after
    assert after == _fresh(client, report)


def test_a_renamed_actor_keeps_the_name_they_acted_under(sutera, users, client_for):
    """The log copies the actor's name like the step's: renaming an account later does not
    rewrite who acted in the history."""
    users["sekretaris"].first_name, users["sekretaris"].last_name = "Yulia", "Sari"
    users["sekretaris"].save()
    report = make_report(sutera, step=9)
    services.report_complete_step(report_id=report.pk, actor=users["sekretaris"], from_step=9)
    client = client_for("kasubag")
    before = _page(client, report)

    users["sekretaris"].first_name = "Rahmat"
    users["sekretaris"].last_name = "Hidayat"
    users["sekretaris"].save()

    after = _page(client, report)
    assert "Yulia Sari" in after and "Rahmat Hidayat" not in after
    assert after == before == _fresh(client, report)


def test_a_new_holiday_moves_the_due_time(sutera, client_for):
    report = make_report(sutera, step=11)  # 1 working day from Monday 7 April 2025, 08:00
    client = client_for("kasubag")
    with clock.frozen_at(MONDAY_10):
        before = _page(client, report)
        OfficeHoliday.objects.create(office=sutera, date=datetime.date(2025, 4, 8), name="Libur")
        after = _page(client, report)
        assert after == _fresh(client, report)
    due = re.compile(r"batas [^<]* WIB")
    assert due.search(before).group(0) != due.search(after).group(0)


def test_the_badge_turns_late_at_the_due_time(sutera, client_for):
    report = make_report(sutera, step=11)
    client = client_for("kasubag")
    with clock.frozen_at(MONDAY_10):
        assert "Dalam waktu baku" in _page(client, report)
    with clock.frozen_at(MONDAY_10 + datetime.timedelta(days=3)):
        late = _page(client, report)
        assert late == _fresh(client, report)
    assert "Terlambat" in late
    assert "Dalam waktu baku" not in late


@pytest.mark.parametrize("first, second", [("kasi_pmn", "kasubag"), ("kasubag", "kasi_pmn")])
def test_each_role_gets_its_own_copy(sutera, client_for, first, second):
    report = make_report(sutera, step=3)
    _page(client_for(first), report)

    seen = _page(client_for(second), report)

    assert seen == _fresh(client_for(second), report)
    analysis = "Data dan analisis seluruh seksi"
    assert (analysis in seen) == (second == "kasubag")


def test_an_archived_report_is_served_from_the_cache(sutera, client_for,
                                                       django_assert_max_num_queries):  # fmt: skip
    report = make_report(sutera, step=13, archived=True)
    client = client_for("camat")
    cold = _page(client, report)
    # Session and user, the report row, the session's save (begin, update, commit), and the
    # step log, whose hash chain is checked on every view (see test_log_chain).
    with django_assert_max_num_queries(7):
        warm = _page(client, report)
    assert warm == cold


def test_tugas_saya_follows_an_edited_step_role(sutera, client_for):
    """Tugas Saya reads the open reports' steps from the same cache as the report page."""
    report = make_report(sutera, step=9)
    client = client_for("kasubag")
    assert report.get_absolute_url() not in client.get(reverse("monev:inbox")).content.decode()

    step = SopStep.objects.get(sop=report.sop, number=9)
    step.role = "kasubag_pkp"
    step.save()

    assert report.get_absolute_url() in client.get(reverse("monev:inbox")).content.decode()


# --- One test per write path that bypasses model signals -----------------------------------


def _by_update(report, users):
    Section.objects.filter(office=report.office, code="pmn").update(name="Seksi PMN (update)")
    return "Seksi PMN (update)"


def _by_raw_sql(report, users):
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {SopStep._meta.db_table} SET name = %s WHERE sop_id = %s AND number = 4",
            ["Menyusun rencana (SQL)", report.sop_id],
        )
    return "Menyusun rencana (SQL)"


def _log_note_by_update(report, users):
    StepLog.objects.filter(report=report).update(note="Catatan diubah lewat update.")
    return "Catatan diubah lewat update."


def _submission_by_bulk_create(report, users):
    section = Section.objects.get(office=report.office, code="trantibum")
    SectionSubmission.objects.bulk_create(
        [
            SectionSubmission(
                report=report,
                step_number=report.current_step,
                section=section,
                submitted_by=users["kasi_trantibum"],
                submitted_at=report.step_started_at,
            )
        ]
    )
    return "✓ Ketenteraman dan Ketertiban Umum"


def _version_by_bulk_create(report, users):
    DraftVersion.objects.bulk_create(
        [
            DraftVersion(
                report=report,
                number=1,
                step_number=8,
                html="<p>draf</p>",
                created_by=users["kasubag"],
                created_at=clock.now(),
            )
        ]
    )
    return "Draf versi 1"


def _sop_number_by_update(report, users):
    Sop.objects.filter(pk=report.sop_id).update(number="700/77/STR-CS/2026")
    return "SOP 700/77/STR-CS/2026"


def _office_by_update(report, users):
    Office.objects.filter(pk=report.office_id).update(name="Kecamatan Sutera Raya")
    return "Kecamatan Sutera Raya ·"


def _actor_by_update(report, users):
    get_user_model().objects.filter(pk=users["sekretaris"].pk).update(
        first_name="Nurhayati", last_name="Update"
    )
    return "Nurhayati Update"


def _report_row_by_update(report, users):
    # Nothing of the cache key but the revision changes: the quarter is only in the title.
    Report.objects.filter(pk=report.pk).update(quarter=3)
    return "Triwulan III"


def _by_shell_command(report, users):
    call_command(
        "shell",
        command=(
            "from monev.models import SopStep; "
            f"SopStep.objects.filter(sop_id={report.sop_id}, number=6)"
            ".update(name='Langkah dari shell')"
        ),
        stdout=io.StringIO(),
    )
    return "Langkah dari shell"


def _by_loaddata(report, users, tmp_path):
    section = Section.objects.get(office=report.office, code="pmn")
    section.name = "Seksi PMN (fixture)"
    fixture = tmp_path / "seksi.json"
    fixture.write_text(serializers.serialize("json", [section]))
    call_command("loaddata", str(fixture), verbosity=0)
    return "Seksi PMN (fixture)"


WRITES = {
    "queryset-update-section": _by_update,
    "raw-sql-sop-step": _by_raw_sql,
    "queryset-update-step-log": _log_note_by_update,
    "bulk-create-draft-version": _version_by_bulk_create,
    "queryset-update-sop": _sop_number_by_update,
    "queryset-update-office": _office_by_update,
    "queryset-update-report": _report_row_by_update,
    "management-command-shell": _by_shell_command,
    "loaddata": _by_loaddata,
}


@pytest.mark.parametrize("path", WRITES)
def test_a_write_that_sends_no_signal_shows_at_once(path, sutera, users, client_for, tmp_path):
    report = make_report(sutera, step=9)
    services.report_complete_step(report_id=report.pk, actor=users["sekretaris"], from_step=9)
    report.refresh_from_db()
    client = client_for("kasubag")
    before = _page(client, report)

    write = WRITES[path]
    shown = write(report, users, tmp_path) if path == "loaddata" else write(report, users)

    after = _page(client, report)
    assert shown not in before
    assert shown in after
    assert after == _fresh(client, report)


def test_a_user_renamed_behind_the_apps_back_leaves_the_recorded_history(sutera, users, client_for):
    """The step log keeps the name the actor had (as it keeps the step's name): a rename by
    QuerySet.update changes nothing in the history, and the page still equals a fresh one."""
    report = make_report(sutera, step=9)
    services.report_complete_step(report_id=report.pk, actor=users["sekretaris"], from_step=9)
    report.refresh_from_db()
    client = client_for("kasubag")
    before = _page(client, report)
    recorded = users["sekretaris"].get_full_name()
    assert recorded in before

    renamed = _actor_by_update(report, users)

    after = _page(client, report)
    assert recorded in after and renamed not in after
    assert after == _fresh(client, report)


def test_a_submission_bulk_created_shows(sutera, users, client_for):
    report = make_report(sutera, step=2)
    client = client_for("kasubag")
    before = _page(client, report)

    shown = _submission_by_bulk_create(report, users)

    after = _page(client, report)
    assert shown not in before and shown in after
    assert after == _fresh(client, report)


def test_a_submission_deleted_by_queryset_disappears(sutera, users, client_for):
    report = make_report(sutera, step=2)
    submit_sections(report, 2, ["trantibum"])
    client = client_for("kasubag")
    assert "✓ Ketenteraman dan Ketertiban Umum" in _page(client, report)

    SectionSubmission.objects.filter(report=report).delete()

    after = _page(client, report)
    assert "✓ Ketenteraman dan Ketertiban Umum" not in after
    assert after == _fresh(client, report)


def test_holidays_bulk_created_and_hours_updated_move_the_due_time(sutera, client_for):
    add_schedule(sutera)
    report = make_report(sutera, step=11)
    client = client_for("kasubag")
    due = re.compile(r"batas [^<]* WIB")
    with clock.frozen_at(MONDAY_10):
        first = due.search(_page(client, report)).group(0)
        OfficeHoliday.objects.bulk_create(
            [OfficeHoliday(office=sutera, date=datetime.date(2025, 4, 8), name="Libur")]
        )
        second_page = _page(client, report)
        assert second_page == _fresh(client, report)
        WorkDay.objects.filter(schedule__office=sutera).update(end=datetime.time(15, 0))
        third_page = _page(client, report)
        assert third_page == _fresh(client, report)
    second, third = due.search(second_page).group(0), due.search(third_page).group(0)
    assert first != second != third


def test_a_step_renamed_in_the_admin_change_form_shows(sutera, users, client, client_for):
    report = make_report(sutera, step=9)
    reader = client_for("kasubag")
    _page(reader, report)
    users["admin"].is_staff = users["admin"].is_superuser = True
    users["admin"].save()
    client.force_login(users["admin"])
    url = reverse("admin:monev_sop_change", args=[report.sop_id])
    page = client.get(url)
    data = form_data(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        data.update(form_data(inline.formset.management_form))
        for form in inline.formset.forms:
            data.update(form_data(form))
            if form.instance.number == 4:
                data[form.add_prefix("name")] = "Menyusun rencana monev (admin)"

    assert client.post(url, data).status_code == 302

    after = _page(reader, report)
    assert "Menyusun rencana monev (admin)" in after
    assert after == _fresh(reader, report)


@pytest.mark.django_db(transaction=True)
def test_a_restore_lifts_every_revision_above_what_any_server_has_cached(
    sutera, users, client_for, tmp_path, settings
):
    """Restore empties this process's caches; other servers' copies stay, so the restored
    rows must come back under revisions no one has seen."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    report = make_report(sutera, step=9)
    client = client_for("kasubag")
    _page(client, report)
    backup = tmp_path / "cadangan.tar.gz"
    call_command("backup", str(backup), stdout=io.StringIO())
    services.report_complete_step(report_id=report.pk, actor=users["sekretaris"], from_step=9)
    _page(client, report)
    seen = Report.objects.get(pk=report.pk).revision
    calendar_seen = Office.objects.get(pk=sutera.pk).calendar_revision
    call_command("flush", interactive=False, verbosity=0)

    call_command("restore", str(backup), stdout=io.StringIO())

    restored = Report.objects.get(pk=report.pk)
    assert restored.current_step == 9
    assert restored.revision > seen
    assert Office.objects.get(pk=sutera.pk).calendar_revision > calendar_seen
    client = client_for("kasubag")  # the flush ended the session
    after = _page(client, restored)
    assert after == _fresh(client, restored)


ROWS_SHOWN = {
    "step log": lambda r: StepLog.objects.filter(report=r),
    "submission": lambda r: SectionSubmission.objects.filter(report=r),
    "draft version": lambda r: DraftVersion.objects.filter(report=r),
    "section": lambda r: Section.objects.filter(office=r.office_id),
    "sop step": lambda r: SopStep.objects.filter(sop=r.sop_id),
    "sop": lambda r: Sop.objects.filter(pk=r.sop_id),
    "office": lambda r: Office.objects.filter(pk=r.office_id),
}


@pytest.mark.parametrize("rows", ROWS_SHOWN)
def test_any_update_of_a_row_shown_raises_the_revision(rows, sutera, users):
    """Triggers fire on the statement, whatever it changes: even rewriting a row unchanged
    (as a full save() does) renews the page."""
    report = make_report(sutera, step=9)
    services.report_complete_step(report_id=report.pk, actor=users["sekretaris"], from_step=9)
    DraftVersion.objects.create(
        report=report, number=1, step_number=8, html="", created_by=users["kasubag"],
        created_at=clock.now(),
    )  # fmt: skip
    queryset = ROWS_SHOWN[rows](report)
    assert queryset.exists()
    before = Report.objects.get(pk=report.pk).revision

    queryset.update(id=F("id"))

    assert Report.objects.get(pk=report.pk).revision > before


@pytest.mark.parametrize("rows", ["step log", "submission", "draft version"])
def test_deleting_a_row_shown_raises_the_revision(rows, sutera, users):
    report = make_report(sutera, step=9)
    services.report_complete_step(report_id=report.pk, actor=users["sekretaris"], from_step=9)
    DraftVersion.objects.create(
        report=report, number=1, step_number=8, html="", created_by=users["kasubag"],
        created_at=clock.now(),
    )  # fmt: skip
    before = Report.objects.get(pk=report.pk).revision

    ROWS_SHOWN[rows](report)._raw_delete(using="default")  # no collector, no signals

    assert Report.objects.get(pk=report.pk).revision > before
