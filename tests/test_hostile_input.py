"""No query string and no form value gives a 5xx: every GET URL of the URL matrix is walked
with hostile query values, and every form is posted with hostile field values. Values a page
does not understand fall back to its defaults (monev.listing) or get a message."""

import io

import pytest
from django.test import Client
from django.urls import reverse

from monev.models import Realisation

from .conftest import SectionDataForm, make_report, section_url
from .test_url_matrix import ACTIONS, PAGES, client_of, drain, url_for, world  # noqa: F401

HOSTILE = [
    "²",
    "¹",
    "١٢",  # Arabic-Indic digits
    "9" * 5000,
    "-" + "9" * 30,
    "-x",
    "--year",
    "",
    "-",
    "0",
    "1e9999",
    "NaN",
    "nama; drop table",
    "\x00",
    "%",
]
PARAMS = [
    "year",
    "quarter",
    "sort",
    "sort_late",
    "sort_role",
    "sort_hold",
    "value",
    "ind-0-value",
    "page",
    "next",
]
# Rendering a PDF takes seconds; its query string is not read, two walks are enough.
SLOW = {"draft_pdf", "sop_pdf", "sop_current_pdf"}


def viewer(name: str) -> str:
    """Someone who gets the page (200), so the walk reaches the code that reads the query."""
    return "kasubag" if "kasubag" in PAGES[name] else sorted(PAGES[name])[0]


def query_sets():
    for value in HOSTILE:
        yield dict.fromkeys(PARAMS, value)
    # Repeated parameters: a browser sends them all, QueryDict keeps all of them.
    yield {param: ["2025", "²", "-x", "9" * 5000] for param in PARAMS}
    yield {param: ["-x", "2025"] for param in PARAMS}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_no_query_string_gives_a_server_error(world, users, other_office, name):  # noqa: F811
    client = client_of(viewer(name), users, other_office)
    url = url_for(name, world)
    sets = list(query_sets())
    for query in sets[:2] if name in SLOW else sets:
        response = client.get(url, query)
        drain(response)
        assert response.status_code < 500, (name, query)
        assert response.status_code == 200, (name, query)


FIELDS = [
    "from_step",
    "note",
    "reason",
    "year",
    "quarter",
    "body",
    "parent",
    "revision",
    "ind-TOTAL_FORMS",
    "ind-INITIAL_FORMS",
    "ind-0-indicator_id",
    "ind-0-value",
    "act-TOTAL_FORMS",
    "act-INITIAL_FORMS",
    "act-0-activity_id",
    "act-0-spent",
    "act-0-physical",
    "mon-TOTAL_FORMS",
    "mon-0-indicator_id",
]


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_no_form_value_gives_a_server_error(world, users, other_office, name):  # noqa: F811
    allowed = ACTIONS[name] or {"kasubag"}
    client = client_of(sorted(allowed)[0], users, other_office)
    url = url_for(name, world)
    for value in HOSTILE:
        data = dict.fromkeys(FIELDS, value)
        data[f"analysis-{world['section'].pk}"] = value * 3
        if name == "section_sheet_upload":
            data["workbook"] = io.BytesIO(value.encode() or b"x")
        response = client.post(url, data)
        assert response.status_code < 500, (name, value[:20])


def test_pages_with_forms_take_hostile_posts(world, users, other_office):  # noqa: F811
    """The forms on GET pages: opening a cycle, the section data and monev sheets."""
    section = world["section"]
    report = world["report"]
    posts = {
        "kasubag": [reverse("monev:report_list")],
        "kasi_pemerintahan": [
            reverse("monev:section_data", args=[report.pk, section.pk]),
            reverse("monev:monev_sheet", args=[report.pk, section.pk]),
        ],
    }
    for who, urls in posts.items():
        client = client_of(who, users, other_office)
        for url in urls:
            for value in HOSTILE:
                data = dict.fromkeys(FIELDS, value) | {"open": "", "submit": ""}
                response = client.post(url, data)
                assert response.status_code < 500, (url, value[:20])


# --- the number inputs themselves ---------------------------------------------------------


@pytest.fixture
def open_report(demo_indicators, users):
    return make_report(demo_indicators, step=2)


def preview(client: Client, report, value: str):
    indicator = report.office.indicators.get(code="PEM-01")
    url = reverse("monev:capaian_preview", args=[report.pk, indicator.pk])
    return client.get(url, {"ind-0-value": value})


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1" * 30, "terlalu besar"),
        ("9" * 5000, "terlalu besar"),
        ("1,123456789", "Paling banyak 4 angka di belakang koma"),
        ("-5", "tidak boleh negatif"),
        ("²", "bukan angka"),
    ],
)
def test_capaian_preview_explains_values_the_save_would_refuse(
    open_report, client_for, value, message
):
    response = preview(client_for("kasi_pemerintahan"), open_report, value)

    assert response.status_code == 200
    assert message in response.content.decode()


def test_the_web_form_refuses_more_than_four_decimals_like_the_excel_sheet(open_report, client_for):
    client = client_for("kasi_pemerintahan")
    url = section_url(open_report, "pemerintahan")
    form = SectionDataForm(client.get(url)).indicator("IKU-03", value="1,123456789")

    response = form.post(client, url)

    assert response.status_code == 200
    assert "Paling banyak 4 angka di belakang koma (tertulis 1,123456789)." in (
        response.content.decode()
    )
    assert not Realisation.objects.filter(report=open_report, value__isnull=False).exists()

    explained = {"driving": "Rutin.", "inhibiting": "Hujan.", "follow_up": "Jadwal ulang."}
    form.indicator("IKU-03", value="1,1234", **explained)
    assert form.post(client, url).status_code == 302
    saved = Realisation.objects.get(report=open_report, indicator__code="IKU-03")
    assert str(saved.value) == "1.1234"


def test_physical_progress_keeps_two_decimals_on_the_web_too(open_report, client_for):
    client = client_for("kasi_pemerintahan")
    url = section_url(open_report, "pemerintahan")
    form = SectionDataForm(client.get(url)).activity("7.01.02.2.01.0001", physical="12,3456")

    response = form.post(client, url)

    assert "Paling banyak 2 angka di belakang koma (tertulis 12,3456)." in response.content.decode()
