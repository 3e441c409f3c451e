"""Waktu SOP: a history with known working-time durations, driven through the real services
under a frozen clock (a weekend, the 17-18 August 2025 holidays, Maulid on 5 September 2025
and a return from step 11 to step 10), then read back from the selector, the page and the
workbook.

Office hours are 07:30-16:00, so one working day is 8.5 hours (30 600 s).
"""

import datetime
import io

import pytest
from django.test import Client
from django.urls import include, path, reverse
from openpyxl import load_workbook

from monev import clock, services
from monev import urls as monev_urls
from monev.exports.timing_xlsx import HEADER_ROW
from monev.frozen import sha256_text
from monev.models import DraftVersion, LogAction, Report, Role, Section, Staff, StepLog
from monev.selectors.snapshots import decision_binding, live_content
from monev.selectors.timing import timing_summary
from monev.views import timing as timing_views
from monev.worktime import JAKARTA
from sutera_kinerja import urls as project_urls

from .conftest import make_report

# --- URLs --------------------------------------------------------------------------------------
# The page's routes live in monev/urls.py once merged; until then this module serves as the
# URL conf for its own tests, adding the two routes only if they are missing.
_TIMING_ROUTES = [
    path("sop/waktu/", timing_views.sop_timing, name="sop_timing"),
    path("sop/waktu/xlsx/", timing_views.sop_timing_xlsx, name="sop_timing_xlsx"),
]
_known = {getattr(p, "name", None) for p in monev_urls.urlpatterns}
_monev_routes = monev_urls.urlpatterns + [r for r in _TIMING_ROUTES if r.name not in _known]
urlpatterns = [
    *(p for p in project_urls.urlpatterns if getattr(p, "app_name", None) != "monev"),
    path("", include((_monev_routes, "monev"))),
]
pytestmark = pytest.mark.urls(__name__)

# --- A history with known durations ------------------------------------------------------------

HOUR = 3600
DAY = 30_600  # 07:30-16:00
ACTOR = {1: "sekretaris", 9: "sekretaris", 11: "sekretaris", 12: "camat"}  # else the Kasubag
KASI_ORDER = ["kasi_pemerintahan", "kasi_trantibum", "kasi_pmn", "kasi_kesos", "kasi_pelayanan"]
NOW = datetime.datetime(2025, 9, 8, 12, 0, tzinfo=JAKARTA)  # Monday


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2025):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=JAKARTA)


def open_report(user, moment, year: int, quarter: int) -> Report:
    staff = Staff.objects.get(user=user)
    with clock.frozen_at(moment):
        return services.report_open(office=staff.office, year=year, quarter=quarter, actor=user)


def complete(users, report, step: int, moment) -> None:
    """Complete ``step`` at ``moment``; drafting steps first make their draft version."""
    user = users[ACTOR.get(step, "kasubag")]
    with clock.frozen_at(moment):
        if step in (8, 10):
            snapshot = live_content(report).as_json()
            DraftVersion.objects.create(
                report=report,
                number=report.versions.count() + 1,
                step_number=step,
                html="<p>draf</p>",
                snapshot=snapshot,
                snapshot_sha256=sha256_text(snapshot),
                created_by=user,
                created_at=moment,
            )
        services.report_complete_step(
            report_id=report.pk, actor=user, from_step=step, **decision_binding(report)
        )


def give_back(users, report, step: int, moment, note="Perbaiki tabel capaian.") -> None:
    with clock.frozen_at(moment):
        services.report_return(
            report_id=report.pk, actor=users[ACTOR[step]], from_step=step, note=note
        )


def submit(users, report, step: int, name: str, moment) -> None:
    user = users[name]
    with clock.frozen_at(moment):
        services.report_submit_section(
            report_id=report.pk,
            actor=user,
            from_step=step,
            section_id=Staff.objects.get(user=user).section_id,
        )


@pytest.fixture
def history(sutera, users, other_office):
    """Five Sutera reports and one of another office. Durations are in the comments."""
    sekretaris = users["sekretaris"]

    # A, 2025 TW II: the whole path to step 12, with one return from 11 to 10.
    a = open_report(sekretaris, at(8, 15, 15), 2025, 2)  # Friday 15:00
    complete(users, a, 1, at(8, 19, 8))  # 1 h Fri + weekend + 17-18 Aug + 0.5 h Tue = 5400 late
    for name, moment in zip(
        KASI_ORDER,
        [at(8, 19, 9), at(8, 19, 10), at(8, 19, 11), at(8, 19, 12), at(8, 21, 10)],
        strict=True,
    ):
        submit(users, a, 2, name, moment)  # 1 h, 2 h, 3 h, 4 h, 8 h + 1 day + 2.5 h (late)
    complete(users, a, 3, at(8, 22, 10))  # 6 h + 2.5 h = 1 day
    complete(users, a, 4, at(8, 22, 11))
    for name in KASI_ORDER:
        submit(users, a, 5, name, at(8, 22, 12))  # 1 h each
    complete(users, a, 6, at(8, 22, 13))
    complete(users, a, 7, at(8, 22, 14))
    complete(users, a, 8, at(8, 22, 15))
    complete(users, a, 9, at(8, 25, 9, 30))  # 1 h Fri + 2 h Mon = 10800
    complete(users, a, 10, at(8, 28, 12))  # 6.5 h + 2 days + 4.5 h = 100800 > 3 days: late
    give_back(users, a, 11, at(8, 29, 12, 30))  # 4 h + 5 h = 32400 > 1 day: late
    complete(users, a, 10, at(8, 29, 14, 30))  # 7200
    complete(users, a, 11, at(8, 29, 15, 30))  # 3600; A waits at step 12 from here

    # B, 2025 TW III: step 2 finishes exactly at its standard; waits at step 3.
    b = open_report(sekretaris, at(8, 4, 8), 2025, 3)  # Monday
    complete(users, b, 1, at(8, 4, 8, 10))  # 600
    for name, moment in zip(
        KASI_ORDER,
        [at(8, 4, 9, 10), at(8, 4, 10, 10), at(8, 5, 8, 10), at(8, 5, 16), at(8, 6, 8, 10)],
        strict=True,
    ):
        submit(users, b, 2, name, moment)  # 3600, 7200, 30600, 58800, 61200 (= 2 days)

    # C, 2025 TW I: waits at step 2 with Kesos and Pelayanan Umum missing.
    c = open_report(sekretaris, at(8, 5, 8), 2025, 1)
    complete(users, c, 1, at(8, 5, 8, 15))  # 900 = the standard: on time
    submit(users, c, 2, "kasi_pemerintahan", at(8, 5, 9, 15))  # 3600
    submit(users, c, 2, "kasi_trantibum", at(8, 5, 10, 15))  # 7200
    submit(users, c, 2, "kasi_pmn", at(8, 7, 9, 15))  # 7.75 h + 1 day + 1.75 h = 64800: late

    # E, 2025 TW IV: placed at step 10; across Maulid (Fri 5 Sep); waits at step 12.
    e = make_report(sutera, year=2025, quarter=4, step=10, started=at(9, 1, 8))
    complete(users, e, 10, at(9, 4, 12))  # 8 h + 2 days + 4.5 h = 106200: late
    complete(users, e, 11, at(9, 8, 8))  # 4 h Thu + 0.5 h Mon = 16200

    # D, 2024 TW IV: another year, archived since.
    d = open_report(sekretaris, at(10, 7, 8, year=2024), 2024, 4)
    complete(users, d, 1, at(10, 7, 12, year=2024))  # 4 h = 14400: late
    Report.objects.filter(pk=d.pk).update(archived_at=at(10, 8, 8, year=2024))

    # Another office: a very late step 1 in 2025 that must not count for Sutera.
    other = Staff.objects.get(office=other_office, role=Role.SEKRETARIS).user
    f = open_report(other, at(8, 4, 8), 2025, 2)
    with clock.frozen_at(at(8, 29, 8)):
        services.report_complete_step(report_id=f.pk, actor=other, from_step=1)

    return {"a": a, "b": b, "c": c, "d": d, "e": e}


@pytest.fixture
def summary(history, sutera):
    with clock.frozen_at(NOW):
        return timing_summary(sutera, 2025)


def by_number(summary):
    return {step.number: step for step in summary.steps}


def stats(durations):
    return (
        durations.count,
        durations.median_seconds,
        durations.slowest_seconds,
        durations.on_time,
        durations.rated,
    )


# --- The selector ------------------------------------------------------------------------------


def test_step_durations_median_slowest_and_share_on_time(summary):
    steps = by_number(summary)
    assert [s.number for s in summary.steps] == list(range(1, 14))
    assert stats(steps[1].durations) == (3, 900, 5400, 2, 3)
    assert steps[1].durations.on_time_share == pytest.approx(2 / 3)
    assert steps[1].standard_seconds == 900 and steps[1].standard_label == "15 menit"
    # Step 2 as a whole: A late (68400), B exactly at the standard (61200).
    assert stats(steps[2].durations) == (2, 64800, 68400, 1, 2)
    assert steps[2].standard_seconds == 2 * DAY
    # Step 2 per section: 13 hand-ins, two late (A Pelayanan Umum, C PMN).
    assert stats(steps[2].sections) == (13, 3 * HOUR, 68400, 11, 13)
    assert stats(steps[3].durations) == (1, DAY, DAY, 1, 1)
    assert stats(steps[5].durations) == (1, HOUR, HOUR, 1, 1)
    assert stats(steps[5].sections) == (5, HOUR, HOUR, 5, 5)
    assert stats(steps[9].durations) == (1, 10800, 10800, 1, 1)
    # Two passes of step 10 in A, one in E.
    assert stats(steps[10].durations) == (3, 100800, 106200, 1, 3)
    assert steps[10].returns == 0
    # Step 11: A's return (late) counts as a finished review, then A's and E's approvals.
    assert stats(steps[11].durations) == (3, 16200, 32400, 2, 3)
    assert steps[11].returns == 1
    # Steps without a standard time are measured but never judged.
    assert stats(steps[12].durations) == (0, None, None, 0, 0)
    assert steps[12].durations.on_time_share is None
    assert steps[3].sections is None
    assert summary.reports_measured == 4  # A, B, C, E


def test_steps_most_often_late_are_ranked(summary):
    ranking = [(i.rank, i.step.number, i.late, i.rated) for i in summary.late_steps]
    # Step 10 late twice; then the single lates, the higher share first, then step order.
    assert ranking == [(1, 10, 2, 3), (2, 2, 1, 2), (3, 1, 1, 3), (4, 11, 1, 3)]
    step_2 = summary.late_steps[1]
    assert step_2.late_submissions == 2
    assert step_2.late_sections == [
        ("Pemberdayaan Masyarakat dan Nagari", 1),
        ("Pelayanan Umum", 1),
    ]


def test_holding_per_role(summary, history):
    loads = {load.role: load for load in summary.loads}
    assert list(loads) == [Role.CAMAT, Role.KASUBAG_PKP, Role.KEPALA_SEKSI]

    camat = loads[Role.CAMAT]
    # A since Fri 29 Aug 15:30: 0.5 h + 4 days (Mon-Thu; Fri 5 Sep is Maulid) + 4.5 h.
    assert [(h.report.pk, h.held_seconds) for h in camat.holdings] == [
        (history["a"].pk, 1800 + 4 * DAY + 16200),
        (history["e"].pk, 4 * HOUR),
    ]
    assert camat.count == 2 and camat.longest_seconds == 140400
    assert camat.over_standard == 0  # step 12 has no standard time

    (held_b,) = loads[Role.KASUBAG_PKP].holdings
    assert (held_b.report.pk, held_b.step_number) == (history["b"].pk, 3)
    # Wed 6 Aug 08:10 -> Mon 8 Sep 12:00: 7 h 50 min + 20 days (17-18 Aug and 5 Sep off) + 4.5 h.
    assert held_b.held_seconds == 28200 + 20 * DAY + 16200
    assert held_b.over_standard

    (held_c,) = loads[Role.KEPALA_SEKSI].holdings
    assert (held_c.report.pk, held_c.step_number) == (history["c"].pk, 2)
    assert held_c.missing == ["Kesejahteraan Sosial", "Pelayanan Umum"]
    assert held_c.holders == ["kasi_kesos", "kasi_pelayanan"]
    # Tue 5 Aug 08:15 -> Mon 8 Sep 12:00: 7 h 45 min + 21 days + 4.5 h.
    assert held_c.held_seconds == 27900 + 21 * DAY + 16200
    assert held_c.since == at(8, 5, 8, 15)

    # The archived 2024 report and the other office's report hold nobody.
    held = {h.report.pk for h in summary.holdings}
    assert held == {history[k].pk for k in "abce"}


def test_the_period_filter_keeps_other_years_and_quarters_out(history, sutera):
    with clock.frozen_at(NOW):
        year_2024 = timing_summary(sutera, 2024)
        quarter_3 = timing_summary(sutera, 2025, quarter=3)
    steps = by_number(year_2024)
    assert stats(steps[1].durations) == (1, 4 * HOUR, 4 * HOUR, 0, 1)
    assert all(s.durations.count == 0 for s in year_2024.steps if s.number != 1)
    assert year_2024.reports_measured == 1
    assert [i.step.number for i in year_2024.late_steps] == [1]

    steps = by_number(quarter_3)  # B only
    assert stats(steps[1].durations) == (1, 600, 600, 1, 1)
    assert stats(steps[2].durations) == (1, 2 * DAY, 2 * DAY, 1, 1)
    assert steps[2].sections.count == 5
    assert quarter_3.late_steps == []
    # The workload is the present one, whatever the period.
    assert {h.report.pk for h in quarter_3.holdings} == {history[k].pk for k in "abce"}


def test_the_other_office_sees_only_its_own_times(history, other_office):
    with clock.frozen_at(NOW):
        summary = timing_summary(other_office, 2025)
    step_1 = by_number(summary)[1]
    # Mon 4 Aug 08:00 -> Fri 29 Aug 08:00: 8 h + 17 days (18 Aug off) + 0.5 h.
    assert stats(step_1.durations) == (1, 28800 + 17 * DAY + 1800, 550800, 0, 1)
    assert [load.role for load in summary.loads] == [Role.KEPALA_SEKSI]


# --- The page ----------------------------------------------------------------------------------


def test_the_page_of_another_office_shows_its_own_reports(history, client_as):
    with clock.frozen_at(NOW):
        response = client_as("other_office").get(reverse("monev:sop_timing"))
    summary = response.context["summary"]
    assert response.status_code == 200
    assert summary.office.code == "lengayang"
    assert not {h.report.pk for h in summary.holdings} & {r.pk for r in history.values()}


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("camat", 200),
        ("sekretaris", 200),
        ("kasubag", 200),
        ("kasi_pemerintahan", 403),
        ("kasi_kesos", 403),
        ("admin", 403),
    ],
)
@pytest.mark.parametrize("url_name", ["monev:sop_timing", "monev:sop_timing_xlsx"])
def test_who_may_see_the_timing(sutera, client_for, name, status, url_name):
    assert client_for(name).get(reverse(url_name)).status_code == status


@pytest.mark.parametrize("url_name", ["monev:sop_timing", "monev:sop_timing_xlsx"])
def test_anonymous_users_are_sent_to_the_login_page(db, url_name):
    response = Client().get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_page_shows_the_three_tables(history, client_for):
    with clock.frozen_at(NOW):
        response = client_for("kasubag").get(reverse("monev:sop_timing"), {"year": 2025})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Durasi per langkah" in page
    assert "Langkah yang paling sering terlambat" in page
    assert "Beban per peran" in page
    assert "Belum mengirim: Kesejahteraan Sosial, Pelayanan Umum" in page
    assert "3 hari 2 jam" in page  # step 10's median, 100800 s
    assert "4 hari 5 jam" in page  # the Camat's longest hold, 140400 s
    summary = response.context["summary"]
    assert summary.year == 2025 and summary.quarter is None


def test_the_year_defaults_to_the_latest_and_bad_filters_fall_back(history, client_for):
    client = client_for("camat")
    with clock.frozen_at(NOW):
        default = client.get(reverse("monev:sop_timing"))
        bad = client.get(reverse("monev:sop_timing"), {"year": "1999", "quarter": "9"})
        quarter = client.get(reverse("monev:sop_timing"), {"year": 2025, "quarter": 3})
    assert default.context["summary"].year == 2025
    assert bad.status_code == 200 and bad.context["summary"].year == 2025
    assert bad.context["form"].errors
    assert quarter.context["summary"].quarter == 3


def test_tables_sort_on_the_server(history, client_for):
    client = client_for("sekretaris")
    with clock.frozen_at(NOW):
        slowest_first = client.get(reverse("monev:sop_timing"), {"sort": "-median"})
        by_role = client.get(reverse("monev:sop_timing"), {"sort_role": "count"})
        unknown = client.get(reverse("monev:sop_timing"), {"sort": "nama; drop"})
    numbers = [s.number for s in slowest_first.context["rows"]["steps"]]
    assert numbers[:4] == [10, 2, 3, 11]  # medians 100800, 64800, 30600, 16200
    assert numbers[-2:] == [12, 13]  # no samples: last
    header = next(h for h in slowest_first.context["headers"]["steps"] if h.label == "Median")
    assert header.aria_sort == "descending"
    assert "sort=median" in header.url  # a second click reverses
    assert [r.count for r in by_role.context["rows"]["roles"]] == [1, 1, 2]
    assert [s.number for s in unknown.context["rows"]["steps"]] == list(range(1, 14))


# --- The workbook ------------------------------------------------------------------------------


def read_sheet(sheet, first_row=HEADER_ROW):
    """Rows below the header at ``first_row`` as dicts, until the first empty row."""
    rows = sheet.iter_rows(min_row=first_row, values_only=True)
    headers = next(rows)
    records = []
    for row in rows:
        if all(value is None for value in row):
            break
        records.append(dict(zip(headers, row, strict=False)))
    return records


def test_the_workbook_holds_the_same_tables(history, client_for):
    # Text from users that starts like a formula must arrive as text.
    Section.objects.filter(code="kesos").update(name='=HYPERLINK("http://x")')
    with clock.frozen_at(NOW):
        response = client_for("camat").get(reverse("monev:sop_timing_xlsx"), {"year": 2025})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "waktu-sop-sutera-2025.xlsx" in response["Content-Disposition"]

    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Per langkah", "Sering terlambat", "Beban per peran"]
    for sheet in book:  # each prints landscape, one page wide, header row repeated
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.page_setup.fitToWidth == 1
        assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"

    steps = read_sheet(book["Per langkah"])
    first = next(r for r in steps if r["Langkah"] == 1 and r["Jenis"] == "Langkah")
    assert first["Median (jam kerja)"] == 0.25
    assert first["Median"] == "15 menit"
    assert first["Terlama (jam kerja)"] == 1.5
    assert first["Tepat waktu (%)"] == pytest.approx(2 / 3)
    sections = next(r for r in steps if r["Langkah"] == 2 and r["Jenis"] == "Kiriman per seksi")
    assert (sections["Jumlah"], sections["Median (jam kerja)"], sections["Median"]) == (
        13,
        3.0,
        "3 jam",
    )
    step_10 = next(r for r in steps if r["Langkah"] == 10)
    assert (step_10["Median (jam kerja)"], step_10["Median"]) == (28.0, "3 hari 2 jam")

    late = read_sheet(book["Sering terlambat"])
    assert [(r["Peringkat"], r["Langkah"], r["Terlambat"]) for r in late] == [
        (1, 10, 2),
        (2, 2, 1),
        (3, 1, 1),
        (4, 11, 1),
    ]

    load_sheet = book["Beban per peran"]
    roles = read_sheet(load_sheet)
    assert [(r["Peran"], r["Jumlah laporan"]) for r in roles] == [
        ("Kepala Seksi", 1),
        ("Kasubag PKP", 1),
        ("Camat", 2),
    ]  # the page's default order: longest hold first
    held = read_sheet(load_sheet, HEADER_ROW + len(roles) + 2)
    c = next(r for r in held if r["Peran"] == "Kepala Seksi")
    # As typed, in a string cell: no visible apostrophe, never a formula.
    assert c["Seksi belum mengirim"] == '=HYPERLINK("http://x"), Pelayanan Umum'
    assert all(cell.data_type != "f" for sheet in book for row in sheet.iter_rows() for cell in row)
    assert c["Sejak"] == datetime.datetime(2025, 8, 5, 8, 15)
    assert c["Ditahan (jam kerja)"] == round((27900 + 21 * DAY + 16200) / 3600, 2)
    assert c["Melewati waktu baku"] == "Ya"


# --- Queries -----------------------------------------------------------------------------------


def fill(office, users, count: int) -> None:
    """``count`` reports: half waiting at step 2 with some sections in, half at step 10; each
    with complete, return and submit logs."""
    for index in range(count):
        step = 2 if index % 2 else 10
        report = make_report(office, year=2025 - index // 4, quarter=index % 4 + 1, step=step)
        if step == 2:
            submit(users, report, 2, "kasi_pmn", report.step_started_at)
        StepLog.objects.bulk_create(
            StepLog(
                report=report,
                step_number=number,
                step_name="langkah",
                role=Role.KASUBAG_PKP,
                action=action,
                actor=users["kasubag"],
                started_at=report.step_started_at,
                finished_at=report.step_started_at,
                working_seconds=600 * number,
                standard_seconds=3000,
                on_time=600 * number <= 3000,
            )
            for number, action in [(3, LogAction.COMPLETE), (11, LogAction.RETURN)]
        )


@pytest.mark.parametrize("count", [2, 12])
def test_queries_do_not_grow_with_reports(sutera, users, client_for, count,
                                          django_assert_max_num_queries):  # fmt: skip
    fill(sutera, users, count)
    with clock.frozen_at(NOW), django_assert_max_num_queries(9):
        summary = timing_summary(sutera, 2025)
    assert len(summary.holdings) == count
    client = client_for("kasubag")
    client.get(reverse("monev:sop_timing"))  # warm the session
    # The selector's 9, plus the session (read and save), user, staff, office, the years
    # offered in the filter and the navigation's notification count.
    for url_name in ("monev:sop_timing", "monev:sop_timing_xlsx"):
        with clock.frozen_at(NOW), django_assert_max_num_queries(18):
            response = client.get(reverse(url_name), {"year": 2025})
        assert response.status_code == 200
