"""The report page keeps its heading and history in the cache; no change leaves them stale.

Every test warms the cache with a first visit, changes something the page shows by the usual
path (a service, the admin's model save, a plain ORM write), then checks that the next visit
shows the change and is exactly what a visit with an empty cache renders.
"""

import datetime
import re

import pytest
from django.core.cache import caches
from django.urls import reverse

from monev import clock, services
from monev.models import DraftVersion, OfficeHoliday, Section, SopStep
from monev.worktime import JAKARTA

from .conftest import make_report, submit_sections

MONDAY_10 = datetime.datetime(2025, 4, 7, 10, 0, tzinfo=JAKARTA)


def _page(client, report) -> str:
    response = client.get(report.get_absolute_url())
    assert response.status_code == 200
    # The CSRF token differs per response; everything else must match byte for byte.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def _fresh(client, report) -> str:
    caches["pages"].clear()
    return _page(client, report)


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
