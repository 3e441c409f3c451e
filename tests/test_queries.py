"""The inbox, the report list and the report page run a fixed number of queries."""

import re

import pytest
from django.urls import reverse

from monev import clock, services
from monev.models import DraftVersion

from .conftest import make_report, submit_sections


def fill(office, count):
    reports = []
    for index in range(count):
        report = make_report(office, year=2000 + index // 4, quarter=index % 4 + 1, step=2)
        submit_sections(report, 2, ["pemerintahan"])
        reports.append(report)
    return reports


@pytest.mark.parametrize("count", [5, 50])
@pytest.mark.parametrize("name", ["kasi_kesos", "kasubag"])
def test_inbox_and_list_queries_do_not_grow(sutera, users, client_for, count, name,
                                            django_assert_max_num_queries):  # fmt: skip
    fill(sutera, count)
    client = client_for(name)
    client.get(reverse("monev:inbox"))  # warm the session
    # Session, user, the open reports, at a per-section step their sections and submissions,
    # and the session save that the idle timeout needs on every request (three statements).
    with django_assert_max_num_queries(8):
        response = client.get(reverse("monev:inbox"))
    assert len(response.context["items"]) == (count if name == "kasi_kesos" else 0)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("monev:report_list"))
    assert len(response.context["rows"]) == count


@pytest.mark.parametrize("returns", [0, 5])
def test_report_page_queries_do_not_grow_with_history(sutera, users, client_for, returns,
                                                      django_assert_max_num_queries):  # fmt: skip
    report = make_report(sutera, step=10)
    for number in range(1, returns + 1):
        DraftVersion.objects.create(
            report=report,
            number=number,
            step_number=10,
            html="<p>draf</p>",
            created_by=users["kasubag"],
            created_at=clock.now(),
        )
        services.report_complete_step(report_id=report.pk, actor=users["kasubag"], from_step=10)
        services.report_return(
            report_id=report.pk, actor=users["sekretaris"], from_step=11, note="Perbaiki."
        )
    client = client_for("kasubag")
    # At a drafting step one query more: whether the step has made its own version yet.
    with django_assert_max_num_queries(17):
        cold = client.get(report.get_absolute_url())  # renders the history and caches it
    # The step log is read on every view: its hash chain is checked outside the cache.
    with django_assert_max_num_queries(8):
        warm = client.get(report.get_absolute_url())  # the history from the cache
    for response in (cold, warm):
        assert response.content.count(b'class="log-entry') == 2 * returns
    assert cold.content == warm.content.replace(_csrf(warm), _csrf(cold))


def _csrf(response) -> bytes:
    return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', response.content).group(1)


def test_the_report_list_filters_by_year_and_sorts(sutera, users, client_for):
    fill(sutera, 8)  # 2000 I..IV, 2001 I..IV
    client = client_for("kasubag")

    only_2001 = client.get(reverse("monev:report_list"), {"year": 2001})
    newest_first = client.get(reverse("monev:report_list"), {"sort": "-laporan"})
    oldest_first = client.get(reverse("monev:report_list"), {"sort": "laporan", "quarter": 2})

    assert {r.year for r, _ in only_2001.context["rows"]} == {2001}
    assert [(r.year, r.quarter) for r, _ in newest_first.context["rows"]][:2] == [
        (2001, 4),
        (2001, 3),
    ]
    assert [(r.year, r.quarter) for r, _ in oldest_first.context["rows"]] == [(2000, 2), (2001, 2)]


def test_tugas_saya_sorts_by_due_time(sutera, users, client_for):
    fill(sutera, 3)
    client = client_for("kasi_kesos")
    ascending = client.get(reverse("monev:inbox"), {"sort": "batas"}).context["items"]
    descending = client.get(reverse("monev:inbox"), {"sort": "-laporan"}).context["items"]
    assert [i.due_at for i in ascending] == sorted(i.due_at for i in ascending)
    assert [(i.report.year, i.report.quarter) for i in descending] == [
        (2000, 3),
        (2000, 2),
        (2000, 1),
    ]
