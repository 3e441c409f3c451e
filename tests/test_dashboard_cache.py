"""The Dasbor's figures are rendered once per state of the rows they come from: whatever
changes those rows, and however (here behind the app's back, with QuerySet.update, which no
signal sees), the next page shows it and equals a page rendered from an empty cache."""

import re
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monev import clock
from monev.models import (
    ActivityBudget,
    ActivityRealisation,
    DraftVersion,
    Indicator,
    IndicatorTarget,
    Office,
    RatingBand,
    Realisation,
    Report,
    Section,
)
from monev.selectors.dashboard import dashboard_inputs, office_reports
from monev.selectors.snapshots import live_content

from .test_dashboard import PAGE_QUERIES, YEAR, dataset  # noqa: F401  (the fixture)

TW3 = {"report__year": YEAR, "report__quarter": 3}


def _open_quarter():
    return Report.objects.filter(year=YEAR, quarter=3)


def _approve_with_snapshot():
    """Triwulan III approved (past its signing step) on a version that froze its figures."""
    report = _open_quarter().get()
    content = live_content(report)
    DraftVersion.objects.create(
        report=report, number=1, step_number=10, html="<p>draf</p>",
        snapshot=content.as_json(), snapshot_sha256=content.sha256,
        created_by=report.opened_by, created_at=clock.now(),
    )  # fmt: skip
    _open_quarter().update(current_step=13)


CHANGES = {
    "realisation": lambda: Realisation.objects.filter(**TW3, indicator__code="TRA-A").update(
        value=20
    ),
    "empty realisation filled": lambda: Realisation.objects.filter(
        **TW3, indicator__code="PEM-A"
    ).update(value=100),
    "target": lambda: IndicatorTarget.objects.filter(indicator__code="PEM-A", year=YEAR).update(
        q3=Decimal(80)
    ),
    "indicator name": lambda: Indicator.objects.filter(code="TRA-A").update(name="Nama Baru"),
    "indicator retired": lambda: Indicator.objects.filter(code="PEM-C").update(is_active=False),
    "spending": lambda: ActivityRealisation.objects.filter(**TW3, activity__code="2.01.1.1").update(
        spent=40_000_000, physical_progress=Decimal(95)
    ),
    "pagu": lambda: ActivityBudget.objects.filter(activity__code="1.01.1.1").update(
        budget=300_000_000
    ),
    "section name": lambda: Section.objects.filter(code="trantibum").update(name="Trantib Baru"),
    "office name": lambda: Office.objects.filter(code="sutera").update(name="Kecamatan Baru"),
    "step": lambda: _open_quarter().update(current_step=6),
    "approval": _approve_with_snapshot,
    "archived": lambda: _open_quarter().update(archived_at=clock.now(), current_step=13),
    "predikat": lambda: RatingBand.objects.filter(css="danger").update(label="Kurang Sekali"),
    "another year's target": lambda: IndicatorTarget.objects.create(
        indicator=Indicator.objects.get(code="PEM-A"), year=YEAR + 3, annual=1, q1=1
    ),
}


# Changes the Kepala Seksi Trantibum's page does not show (other sections' rows).
PEMERINTAHAN_ONLY = {"empty realisation filled", "target", "indicator retired", "pagu"}


def _page(client, **query) -> str:
    response = client.get(reverse("monev:dashboard"), query)
    assert response.status_code == 200
    # The logout form's token is masked afresh on every page.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def _figures(page: str) -> str:
    """The cached part: everything before the open reports' section."""
    return page.split('aria-labelledby="laporan-berjalan"')[0]


@pytest.mark.parametrize("change", CHANGES)
@pytest.mark.parametrize("who", ["camat", "kasi_trantibum"])
def test_the_next_page_shows_every_change_and_equals_a_fresh_one(dataset, client_for, change, who):  # noqa: F811
    client = client_for(who)
    before = _page(client, year=YEAR)
    assert _page(client, year=YEAR) == before  # from the cache
    CHANGES[change]()

    after = _page(client, year=YEAR)
    caches["pages"].clear()
    fresh = _page(client, year=YEAR)

    assert after == fresh
    if who == "camat" or change not in PEMERINTAHAN_ONLY:
        assert _figures(after) != _figures(before)


def test_an_approved_quarter_keeps_its_frozen_figures_on_the_cached_page(dataset, client_for):  # noqa: F811
    client = client_for("camat")
    _approve_with_snapshot()
    approved = _page(client, year=YEAR)
    assert "70,00 %" in _figures(approved)  # TRA-A, Triwulan III: 14 of 20

    Realisation.objects.filter(**TW3, indicator__code="TRA-A").update(value=20)

    assert _page(client, year=YEAR) == approved
    caches["pages"].clear()
    assert _page(client, year=YEAR) == approved


def test_sorting_and_highlight_have_their_own_copies(dataset, client_for):  # noqa: F811
    client = client_for("camat")
    plain = _page(client, year=YEAR)
    sorted_ = _page(client, year=YEAR, sort="-indicators.q1")
    highlighted = _page(client, year=YEAR, quarter=2)
    assert len({plain, sorted_, highlighted}) == 3
    assert '<details class="dashboard-numbers" open>' in sorted_
    assert '<details class="dashboard-numbers" open>' not in plain
    caches["pages"].clear()
    assert _page(client, year=YEAR, sort="-indicators.q1") == sorted_
    assert _page(client, year=YEAR, quarter=2) == highlighted


def test_a_cached_page_reads_no_snapshot(dataset, client_for, django_assert_max_num_queries):  # noqa: F811
    _approve_with_snapshot()
    client = client_for("camat")
    client.get(reverse("monev:inbox"))  # the session, the SOP steps and the calendar cached
    with CaptureQueriesContext(connection) as cold:
        client.get(reverse("monev:dashboard"))
    with django_assert_max_num_queries(PAGE_QUERIES), CaptureQueriesContext(connection) as warm:
        client.get(reverse("monev:dashboard"))
    snapshot_reads = [q for q in cold.captured_queries if '"snapshot"' in q["sql"]]
    assert len(snapshot_reads) == 1
    assert not [q for q in warm.captured_queries if '"snapshot"' in q["sql"]]
    assert len(warm.captured_queries) == len(cold.captured_queries) - 1


def test_the_rows_read_for_the_key_are_the_orm_values(dataset):  # noqa: F811
    """Decimals read with plain SQL come back as the ORM gives them (SQLite stores floats)."""
    Realisation.objects.filter(**TW3, indicator__code="TRA-A").update(value=Decimal("12.3456"))
    ActivityRealisation.objects.filter(**TW3, activity__code="2.01.1.1").update(
        physical_progress=Decimal("33.3")
    )
    IndicatorTarget.objects.filter(indicator__code="PEM-A", year=YEAR).update(q3=Decimal("0.1"))
    reports = office_reports(dataset)
    inputs = dashboard_inputs(dataset, YEAR, None, reports)
    quarter = {r.pk: r.quarter for r in reports if r.year == YEAR}

    assert set(inputs.values) == {
        (r.indicator_id, quarter[r.report_id], r.value)
        for r in Realisation.objects.filter(report__year=YEAR)
    }
    assert set(inputs.spending) == {
        (a.activity_id, quarter[a.report_id], a.spent, a.physical_progress)
        for a in ActivityRealisation.objects.filter(report__year=YEAR)
    }
    pem_a = next(row for row in inputs.indicators if row[1] == "PEM-A")
    target = IndicatorTarget.objects.get(indicator__code="PEM-A", year=YEAR)
    assert pem_a[6:] == (target.q1, target.q2, target.q3, target.q4)
    assert [str(v) for v in pem_a[6:]] == ["50.0000", "100.0000", "0.1000", "100.0000"]
