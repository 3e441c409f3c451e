"""Dasbor: the year's capaian per section and indicator with predikat, the trend, budget
absorption against physical progress and the open reports; who sees what; the charts carry no
script and every chart's numbers are in a table; the query count does not grow with the data."""

import base64
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse

from monev import urls as monev_urls
from monev.exports.charts import BAND_COLOURS
from monev.models import (
    Activity,
    ActivityBudget,
    ActivityLevel,
    ActivityRealisation,
    Indicator,
    IndicatorTarget,
    Realisation,
    Report,
    Role,
    Staff,
)
from monev.performance import Achievement
from monev.selectors.dashboard import dashboard_for
from monev.views.dashboard import dashboard, home
from sutera_kinerja import urls as project_urls

from .conftest import make_report, make_user, submit_sections

# Until the Dasbor is in monev/urls.py, these tests route it themselves (same names, same app).
_monev = list(monev_urls.urlpatterns)
for _route, _view, _name in (("dasbor/", dashboard, "dashboard"), ("beranda/", home, "home")):
    if not any(getattr(p, "name", None) == _name for p in _monev):
        _monev.append(path(_route, _view, name=_name))
urlpatterns = [p for p in project_urls.urlpatterns if getattr(p, "app_name", None) != "monev"] + [
    path("", include((_monev, "monev")))
]
pytestmark = pytest.mark.urls(__name__)

D = Decimal
YEAR = 2025
M = 1_000_000


def _indicator(office, section, code, direction="higher", **fields):
    return Indicator.objects.create(
        office=office, section=section, code=code, name=fields.pop("name", f"Indikator {code}"),
        unit="%", direction=direction, aggregation="last", **fields,
    )  # fmt: skip


def _target(indicator, year, quarters):
    IndicatorTarget.objects.create(
        indicator=indicator, year=year, annual=quarters[-1],
        **{f"q{q}": value for q, value in enumerate(quarters, 1)},
    )  # fmt: skip


def _activity(office, section, code, level=ActivityLevel.SUB_KEGIATAN, budget=None, year=YEAR):
    activity = Activity.objects.create(
        office=office, section=section, level=level, code=code, name=f"Kegiatan {code}"
    )
    if budget is not None:
        ActivityBudget.objects.create(activity=activity, year=year, budget=budget)
    return activity


@pytest.fixture
def dataset(sutera, users):
    """Kecamatan Sutera's 2025: Triwulan I and II archived, III open at step 5, IV not opened.

    Quarter targets and values, and the capaian they give:
      PEM-A (higher)  target 50/100/100   values 45 / 100 / -    -> 90 / 100 / belum diisi
      PEM-B (lower)   target 10/10/10     values 12 / 25 / 10    -> 80 / 0 (floored) / 100
      PEM-C (higher)  target 0/none/4     values 5 / 5 / 3       -> n.a. / n.a. / 75
      TRA-A (higher)  target 20/20/20     values 19 / 13 / 14    -> 95 / 65 / 70
    Sub kegiatan (spending per quarter, cumulative physical progress):
      1.01.1.1 Pemerintahan, pagu 100 jt: 10 jt 15 % / 30 jt 40 % / not filled
      2.01.1.1 Trantibum,    pagu  50 jt:  5 jt 10 % / 20 jt 50 % / 10 jt 80 %
      2.01.1.2 Trantibum,    no 2025 pagu: 1 jt 20 % in Triwulan I
    """
    call_command("loaddata", "rating_bands", verbosity=0)
    pem = sutera.sections.get(code="pemerintahan")
    tra = sutera.sections.get(code="trantibum")
    ind = {
        "PEM-A": _indicator(sutera, pem, "PEM-A", order=1),
        "PEM-B": _indicator(sutera, pem, "PEM-B", "lower", order=2),
        "PEM-C": _indicator(sutera, pem, "PEM-C", order=3),
        "TRA-A": _indicator(sutera, tra, "TRA-A"),
        "PEM-X": _indicator(sutera, pem, "PEM-X", is_active=False),
    }
    _target(ind["PEM-A"], YEAR, [50, 100, 100, 100])
    _target(ind["PEM-B"], YEAR, [10, 10, 10, 10])
    _target(ind["PEM-C"], YEAR, [0, None, 4, 4])
    _target(ind["TRA-A"], YEAR, [20, 20, 20, 20])
    _target(ind["TRA-A"], YEAR - 1, [1, 1, 1, 1])  # another year: never mixed in
    _activity(sutera, pem, "1.01", level=ActivityLevel.PROGRAM, budget=999 * M)
    act = {
        "1.01.1.1": _activity(sutera, pem, "1.01.1.1", budget=100 * M),
        "2.01.1.1": _activity(sutera, tra, "2.01.1.1", budget=50 * M),
        "2.01.1.2": _activity(sutera, tra, "2.01.1.2", budget=7 * M, year=YEAR - 1),
    }
    values = {
        1: {"PEM-A": 45, "PEM-B": 12, "PEM-C": 5, "TRA-A": 19, "PEM-X": 1},
        2: {"PEM-A": 100, "PEM-B": 25, "PEM-C": 5, "TRA-A": 13},
        3: {"PEM-A": None, "PEM-B": 10, "PEM-C": 3, "TRA-A": 14},
    }
    spending = {
        1: {"1.01.1.1": (10 * M, 15), "2.01.1.1": (5 * M, 10), "2.01.1.2": (1 * M, 20)},
        2: {"1.01.1.1": (30 * M, 40), "2.01.1.1": (20 * M, 50)},
        3: {"1.01.1.1": (None, None), "2.01.1.1": (10 * M, 80)},
    }
    for quarter in (1, 2, 3):
        done = quarter < 3
        report = make_report(
            sutera, year=YEAR, quarter=quarter, step=13 if done else 5, archived=done
        )
        for code, value in values[quarter].items():
            Realisation.objects.create(report=report, indicator=ind[code], value=value)
        for code, (spent, physical) in spending[quarter].items():
            ActivityRealisation.objects.create(
                report=report, activity=act[code], spent=spent, physical_progress=physical
            )
    submit_sections(report, 5, ["pemerintahan"])  # Triwulan III: one section handed in
    return sutera


def _percents(values):
    return [None if v is None else D(v) for v in values]


def test_figures_of_a_year(dataset):
    board = dashboard_for(dataset, YEAR)

    rows = {row.code: row for row in board.indicators}
    assert list(rows) == ["PEM-A", "PEM-B", "PEM-C", "TRA-A"]  # PEM-X is inactive
    assert [a.percent for a in rows["PEM-A"].achievements] == _percents([90, 100, None, None])
    assert rows["PEM-A"].achievements[2].status == Achievement.EMPTY
    assert [a.percent for a in rows["PEM-B"].achievements] == _percents([80, 0, 100, None])
    assert [a.status for a in rows["PEM-C"].achievements[:2]] == [Achievement.NO_TARGET] * 2
    assert rows["PEM-C"].achievements[2].percent == D(75)
    assert [b.label for b in rows["PEM-B"].bands[:3]] == [
        "Tinggi",
        "Sangat Rendah",
        "Sangat Tinggi",
    ]
    assert [b.css for b in rows["TRA-A"].bands[:3]] == ["success", "warning", "info"]

    sections = {row.name: row for row in board.sections}
    assert len(sections) == 5
    pem, tra = sections["Pemerintahan"], sections["Ketenteraman dan Ketertiban Umum"]
    assert pem.averages == (D("85.00"), D("50.00"), D("87.50"), None)
    assert [b and b.label for b in pem.bands] == ["Tinggi", "Sangat Rendah", "Tinggi", None]
    assert tra.averages == (D("95.00"), D("65.00"), D("70.00"), None)
    assert sections["Kesejahteraan Sosial"].averages == (None,) * 4

    # The office trend is the mean of every indicator, not the mean of the section means.
    assert board.trend == (D("88.33"), D("55.00"), D("81.67"), None)
    assert [b and b.label for b in board.trend_bands] == ["Tinggi", "Rendah", "Tinggi", None]

    assert [(s.exists, s.archived, s.step) for s in board.quarters] == [
        (True, True, 13), (True, True, 13), (True, False, 5), (False, False, None)
    ]  # fmt: skip
    assert board.latest_quarter == 3
    assert board.years == [YEAR, YEAR - 1]

    activities = {row.code: row.progress for row in board.activities}
    assert list(activities) == ["1.01.1.1", "2.01.1.1", "2.01.1.2"]  # no programme
    assert activities["1.01.1.1"].spent == (10 * M, 40 * M, 40 * M, None)
    assert activities["1.01.1.1"].absorption == (D(10), D(40), D(40), None)
    assert activities["1.01.1.1"].physical == (D(15), D(40), None, None)
    assert activities["2.01.1.1"].absorption == (D(10), D(50), D(70), None)
    assert activities["2.01.1.2"].budget is None
    assert activities["2.01.1.2"].absorption == (None,) * 4
    assert pem.progress.absorption == (D(10), D(40), D(40), None)
    assert tra.progress.budget == 50 * M  # the activity without a 2025 pagu is left out
    assert tra.progress.physical == (D(10), D(50), D(80), None)
    office = board.progress
    assert office.budget == 150 * M
    assert office.spent == (15 * M, 65 * M, 75 * M, None)
    assert office.absorption == (D("10.00"), D("43.33"), D("50.00"), None)
    # Physical progress weighted by pagu: (15 × 100 + 10 × 50) ÷ 150 = 13,33.
    assert office.physical == (D("13.33"), D("43.33"), D("80.00"), None)

    [status] = board.open_reports
    assert (status.report.quarter, status.step.number) == (3, 5)
    assert len(status.missing) == 4


def test_section_scope(dataset):
    tra = dataset.sections.get(code="trantibum")
    board = dashboard_for(dataset, YEAR, section=tra)
    assert [row.name for row in board.sections] == [tra.name]
    assert [row.code for row in board.indicators] == ["TRA-A"]
    assert [row.code for row in board.activities] == ["2.01.1.1", "2.01.1.2"]
    assert board.trend == (D("95.00"), D("65.00"), D("70.00"), None)
    assert board.progress.absorption == (D(10), D(50), D(70), None)
    assert [s.name for s in board.open_reports[0].missing] == [tra.name]


PEM_ONLY = ["PEM-A", "PEM-B", "PEM-C", "1.01.1.1", "Pemerintahan"]


def test_kepala_seksi_sees_only_their_section(dataset, client_for):
    response = client_for("kasi_trantibum").get(reverse("monev:dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    assert [row.code for row in response.context["rows"]["indicators"]] == ["TRA-A"]
    assert "TRA-A" in page and "2.01.1.1" in page
    for text in PEM_ONLY:
        assert text not in page, text
    # Their own section has not handed in step 5: that is all they are told about the others.
    assert "Belum mengirim: Ketenteraman dan Ketertiban Umum" in page

    page = client_for("kasi_pemerintahan").get(reverse("monev:dashboard")).content.decode()
    assert "PEM-A" in page and "TRA-A" not in page and "Belum mengirim" not in page


def test_another_office_never_appears(dataset, other_office, client_for):
    section = other_office.sections.get()
    indicator = _indicator(other_office, section, "LGY-01", name="Indikator Lengayang")
    _target(indicator, YEAR, [1, 1, 1, 1])
    activity = _activity(other_office, section, "9.99.9.9", budget=1000)
    for quarter in (1, 2):
        report = make_report(other_office, year=YEAR, quarter=quarter, step=13, archived=True)
        Realisation.objects.create(report=report, indicator=indicator, value=999)
        ActivityRealisation.objects.create(report=report, activity=activity, spent=999)
    make_report(other_office, year=YEAR + 3, quarter=4, step=3)

    board = dashboard_for(dataset, YEAR)
    assert board.trend == (D("88.33"), D("55.00"), D("81.67"), None)
    assert board.progress.spent == (15 * M, 65 * M, 75 * M, None)
    assert board.years == [YEAR, YEAR - 1]
    assert [s.report.office_id for s in board.open_reports] == [dataset.pk]

    page = client_for("camat").get(reverse("monev:dashboard")).content.decode()
    for text in ("LGY-01", "Lengayang", "9.99.9.9", "99.900", str(YEAR + 3)):
        assert text not in page, text
    assert "PEM-A" in page and "TRA-A" in page

    client = client_for("camat")
    client.force_login(Staff.objects.get(office=other_office, role=Role.CAMAT).user)
    response = client.get(reverse("monev:dashboard"), {"year": YEAR})
    page = response.content.decode()
    assert "LGY-01" in page and "PEM-A" not in page and "TRA-A" not in page
    assert response.context["board"].trend == (D(99900), D(99900), None, None)


@pytest.mark.parametrize(
    "name", ["camat", "sekretaris", "kasubag", "admin", "kasi_pemerintahan", "kasi_pelayanan"]
)
def test_every_role_of_the_office_may_open_it(sutera, client_for, name):
    response = client_for(name).get(reverse("monev:dashboard"))
    assert response.status_code == 200
    # No reports yet: the calendar year, empty figures, no crash.
    assert response.context["board"].trend == (None,) * 4


def test_strangers_may_not(sutera, users, client):
    url = reverse("monev:dashboard")
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    client.force_login(make_user())  # a user with no place in any office
    assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    "name, target", [("camat", "monev:dashboard"), ("kasubag", "monev:inbox"),
                     ("kasi_kesos", "monev:inbox"), ("admin", "monev:inbox")],
)  # fmt: skip
def test_home_sends_the_camat_to_the_dashboard(sutera, client_for, name, target):
    response = client_for(name).get(reverse("monev:home"))
    if target == "monev:dashboard":
        assert response.status_code == 302 and response.url == reverse(target)
    else:  # everyone else's front page is Tugas Saya itself
        assert response.status_code == 200
        assert "monev/inbox.html" in [t.name for t in response.templates]


def _chart(page: str, alt_start: str) -> str:
    match = re.search(
        r'<img[^>]*src="data:image/svg\+xml;base64,([^"]+)"[^>]*alt="' + alt_start, page
    )
    assert match, alt_start
    return base64.b64decode(match.group(1)).decode()


def _table(page: str, table_id: str) -> str:
    match = re.search(rf'<table[^>]*id="{table_id}".*?<tbody>(.*?)</tbody>', page, re.S)
    assert match, table_id
    return match.group(1)


NUMBER = r"(\d[\d.]*(?:,\d+)?) %"


def _value(text: str) -> Decimal:
    return Decimal(text.replace(".", "").replace(",", "."))


@pytest.mark.parametrize("name", ["camat", "kasi_trantibum"])
def test_charts_hold_no_script_and_their_numbers_are_in_tables(dataset, client_for, name):
    page = client_for(name).get(reverse("monev:dashboard")).content.decode()
    charts = {
        "tabel-sections": _chart(page, "Grafik batang rata-rata capaian"),
        "tabel-trend": _chart(page, "Grafik garis"),
        "tabel-progress": _chart(page, "Grafik batang serapan"),
    }
    for table_id, svg in charts.items():
        assert svg.startswith("<svg") and "<script" not in svg.lower()
        assert 'xlink:href="http' not in svg and "@import" not in svg
        printed = re.findall(r'<text[^>]*class="value[^"]*"[^>]*>([^<]*)</text>', svg)
        # The same values; tables show two decimals ("87,50 %"), the charts as few as needed.
        in_chart = sorted(_value(re.search(NUMBER, text).group(1)) for text in printed)
        in_table = sorted(_value(t) for t in re.findall(NUMBER, _table(page, table_id)))
        assert in_chart and in_chart == in_table, table_id
    if name == "camat":
        # Bars in the predikat's colour: Pemerintahan's Triwulan II (50 %) is Sangat Rendah.
        assert f"fill: {BAND_COLOURS['danger']}" in charts["tabel-sections"]
        assert sorted(re.findall(NUMBER, _table(page, "tabel-trend"))) == [
            "55,00", "81,67", "88,33"
        ]  # fmt: skip


def test_charts_follow_a_changed_realisation(dataset, client_for):
    """The drawn charts are kept per figures: a new value must give a new chart at once."""
    client = client_for("camat")
    before = client.get(reverse("monev:dashboard")).content.decode()
    # Triwulan III is still open: TRA-A goes from 14 to 20 of 20 (70 % -> 100 %).
    Realisation.objects.filter(report__quarter=3, indicator__code="TRA-A").update(value=20)

    after = client.get(reverse("monev:dashboard")).content.decode()

    for alt in ("Grafik batang rata-rata capaian", "Grafik garis"):
        svg = _chart(after, alt)
        assert svg != _chart(before, alt)
        printed = re.findall(r'<text[^>]*class="value[^"]*"[^>]*>([^<]*)</text>', svg)
        in_chart = sorted(_value(re.search(NUMBER, text).group(1)) for text in printed)
        table = "tabel-sections" if alt.startswith("Grafik batang") else "tabel-trend"
        assert in_chart == sorted(_value(t) for t in re.findall(NUMBER, _table(after, table)))
    assert _chart(after, "Grafik batang serapan") == _chart(before, "Grafik batang serapan")


def test_sorting_and_highlight(dataset, client_for):
    client = client_for("camat")
    url = reverse("monev:dashboard")
    response = client.get(url, {"year": YEAR, "quarter": 2, "sort": "-indicators.q2"})
    # Highest capaian first; "tidak dapat dihitung" always last, whichever the direction.
    assert [r.code for r in response.context["rows"]["indicators"]] == [
        "PEM-A", "TRA-A", "PEM-B", "PEM-C"
    ]  # fmt: skip
    header = response.context["headers"]["indicators"]["q2"]
    assert header["aria"] == "descending"
    assert header["url"] == "?year=2025&quarter=2&sort=indicators.q2#tabel-indicators"
    assert response.context["summary"]["average"] == D("55.00")
    assert response.context["summary"]["absorption"] == D("43.33")
    page = response.content.decode()
    assert 'aria-sort="descending"' in page and "table-active" in page

    response = client.get(url, {"sort": "indicators.q2"})
    assert [r.code for r in response.context["rows"]["indicators"]] == [
        "PEM-B", "TRA-A", "PEM-A", "PEM-C"
    ]  # fmt: skip
    response = client.get(url, {"sort": "activities.-budget"})  # not a key: table order
    assert [r.code for r in response.context["rows"]["activities"]] == [
        "1.01.1.1", "2.01.1.1", "2.01.1.2"
    ]  # fmt: skip
    response = client.get(url, {"sort": "sections.q1", "year": "abc", "quarter": "9"})
    assert response.context["year"] == YEAR  # the newest year with a report
    assert response.context["highlight"] is None
    assert response.context["summary"]["quarter"] == "TW III"  # the latest report's
    assert [r.name for r in response.context["rows"]["sections"]][:2] == [
        "Pemerintahan", "Ketenteraman dan Ketertiban Umum"
    ]  # fmt: skip
    response = client.get(url, {"year": 2031})
    assert (
        response.status_code == 200
        and response.context["board"].indicators[0].values == (None,) * 4
    )


# --- Queries ------------------------------------------------------------------------------

INDICATORS = 62
ACTIVITIES = 12
# 9 for the rows the figures come from (the office's reports, sections, indicators with their
# targets, sub kegiatan with their pagu, realisations, spending, predikat, years, approved
# versions), 2 for the open reports at a per-section step (sections, submissions) and 1 for
# the approved snapshots.
SELECTOR_QUERIES = 12
# The same rows (the figures themselves come from the cache), plus session, user and the
# session save; what must hold whatever the layout adds is that the count never changes with
# the data.
PAGE_QUERIES = 17


def _grow(office, years, indicators=INDICATORS, activities=ACTIVITIES, open_quarter=None):
    """Add indicators and sub kegiatan up to the given numbers, then for each of ``years``
    targets, budgets and four archived reports with every figure filled (one left open at step
    5 if asked)."""
    sections = list(office.sections.order_by("order"))
    have = Indicator.objects.filter(office=office).count()
    Indicator.objects.bulk_create(
        Indicator(
            office=office, section=sections[i % len(sections)], code=f"B-{i:03d}",
            name=f"Indikator {i}", unit="%", aggregation="last",
            direction="lower" if i % 7 == 0 else "higher",
        )
        for i in range(have, indicators)
    )  # fmt: skip
    have = Activity.objects.filter(office=office).count()
    Activity.objects.bulk_create(
        Activity(office=office, section=sections[i % len(sections)], code=f"A.{i:03d}",
                 name=f"Sub kegiatan {i}", level=ActivityLevel.SUB_KEGIATAN)
        for i in range(have, activities)
    )  # fmt: skip
    all_indicators = list(Indicator.objects.filter(office=office))
    all_activities = list(Activity.objects.filter(office=office))
    for year in years:
        IndicatorTarget.objects.bulk_create(
            IndicatorTarget(indicator=i, year=year, annual=100, q1=40, q2=60, q3=80, q4=100)
            for i in all_indicators
        )
        ActivityBudget.objects.bulk_create(
            ActivityBudget(activity=a, year=year, budget=100 * M) for a in all_activities
        )
        for quarter in (1, 2, 3, 4):
            is_open = quarter == open_quarter
            report = make_report(office, year=year, quarter=quarter,
                                 step=5 if is_open else 13, archived=not is_open)  # fmt: skip
            Realisation.objects.bulk_create(
                Realisation(report=report, indicator=i, value=10 * quarter + i.pk % 50)
                for i in all_indicators
            )
            ActivityRealisation.objects.bulk_create(
                ActivityRealisation(report=report, activity=a, spent=20 * M,
                                    physical_progress=25 * quarter)
                for a in all_activities
            )  # fmt: skip


def _count(function) -> int:
    with CaptureQueriesContext(connection) as context:
        function()
    return len(context.captured_queries)


def test_queries_do_not_grow_with_years_or_rows(sutera, users, client_for,
                                                django_assert_max_num_queries):  # fmt: skip
    client = client_for("camat")
    kasi = client_for("kasi_kesos")
    url = reverse("monev:dashboard")
    section = sutera.sections.get(code="kesos")
    counts = []

    def measure():
        client.get(url)  # warm the session
        with django_assert_max_num_queries(SELECTOR_QUERIES):
            board = dashboard_for(sutera, 2025)
        with django_assert_max_num_queries(SELECTOR_QUERIES):
            dashboard_for(sutera, 2025, section=section)
        with django_assert_max_num_queries(PAGE_QUERIES):
            response = client.get(url, {"year": 2025, "sort": "-activities.a2"})
        with django_assert_max_num_queries(PAGE_QUERIES):
            kasi.get(url, {"year": 2025, "sort": "indicators.q1"})
        assert response.status_code == 200
        counts.append(
            (_count(lambda: dashboard_for(sutera, 2025)), _count(lambda: client.get(url)))
        )
        return board

    _grow(sutera, [2025], indicators=1, activities=1, open_quarter=4)
    measure()
    # Start the year again with the full set: 62 indicators, 12 sub kegiatan, 4 reports.
    Report.objects.all().delete()
    IndicatorTarget.objects.all().delete()
    ActivityBudget.objects.all().delete()
    _grow(sutera, [2025], open_quarter=4)
    board = measure()
    assert len(board.indicators) == INDICATORS and len(board.open_reports) == 1
    _grow(sutera, range(2016, 2025), open_quarter=None)  # ten years: 40 reports
    Report.objects.filter(year=2019, quarter=4).update(archived_at=None, current_step=11)
    board = measure()
    assert Report.objects.filter(office=sutera).count() == 40
    assert len(board.indicators) == INDICATORS and len(board.open_reports) == 2
    assert len(board.activities) == ACTIVITIES
    assert len({selector for selector, _ in counts}) == 1, counts
    assert len({page for _, page in counts}) == 1, counts
