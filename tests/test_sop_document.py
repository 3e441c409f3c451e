"""The printable SOP: the flowchart layout drawn from the steps, its SVG, the PDF and its view."""

import io
import re

import pytest
from django.test import Client
from django.urls import include, path, reverse
from pypdf import PdfReader

from monev.exports import sop_pdf
from monev.exports.sop_flowchart import (
    build_layout,
    flowchart_svg,
    geometry_for,
    row_drawings,
)
from monev.exports.sop_pdf import render_sop_html, render_sop_pdf
from monev.models import Role, Sop, SopStep
from monev.views.sop_document import sop_pdf as sop_pdf_view

from .conftest import make_staff

# The view is not routed in monev/urls.py by this change; the tests mount it here, next to the
# project's own URLs (which provide the login page).
urlpatterns = [
    path("uji/sop/", sop_pdf_view, name="uji_sop_pdf_current"),
    path("uji/sop/<int:pk>/", sop_pdf_view, name="uji_sop_pdf"),
    path("", include("sutera_kinerja.urls")),
]

LANES = [
    ("sekretaris", "Sekretaris"),
    ("kasubag_pkp", "Kasubag PKP"),
    ("kepala_seksi", "Kepala Seksi"),
    ("camat", "Camat"),
]


@pytest.fixture
def sop(sutera) -> Sop:
    """The fixture SOP of Kecamatan Sutera (``sutera`` loads office_sutera and the SOP)."""
    return Sop.objects.get(office=sutera)


def layout_of(sop: Sop):
    return build_layout(SopStep.objects.filter(sop=sop))


def normalised(text: str) -> str:
    return " ".join(text.split())


def test_layout_follows_the_fixture(sop):
    layout = layout_of(sop)

    assert layout.lanes == LANES
    steps = layout.steps
    assert [s.step_number for s in steps] == list(range(1, 14))
    assert [s.row_index for s in steps] == list(range(13))

    def numbers(kind):
        return [s.step_number for s in steps if s.kind == kind]

    assert numbers("capsule") == [1, 13]
    assert numbers("decision") == [11, 12]
    assert len(numbers("process")) == 9
    assert layout.connectors == []

    following = [(a.from_step, a.to_step) for a in layout.arrows if a.kind == "next"]
    assert following == [(n, n + 1) for n in range(1, 13)]
    returns = {(a.from_step, a.to_step, a.label) for a in layout.arrows if a.kind == "return"}
    assert returns == {(11, 10, "Tidak"), (12, 10, "Tidak")}
    labels = {a.from_step: a.label for a in layout.arrows if a.kind == "next" and a.label}
    assert labels == {11: "Ya", 12: "Ya"}


def test_every_symbol_sits_in_its_roles_lane(sop):
    layout = layout_of(sop)
    lane_of = {role: index for index, (role, _label) in enumerate(layout.lanes)}
    for step in SopStep.objects.filter(sop=sop):
        assert layout.symbol_for(step.number).lane_index == lane_of[step.role], step.number


def test_moving_a_step_to_another_role_moves_its_symbol(sop):
    SopStep.objects.filter(sop=sop, number=9).update(role=Role.CAMAT)

    layout = layout_of(sop)

    assert layout.symbol_for(9).lane_index == 3
    assert layout.lanes[3] == ("camat", "Camat")


def test_the_lanes_are_the_roles_the_steps_use_in_the_standard_order():
    steps = [
        SopStep(number=1, name="Mulai", role=Role.CAMAT, kind="start"),
        SopStep(number=2, name="Periksa", role=Role.KASUBAG_PKP, kind="decision", return_to=1),
        SopStep(number=3, name="Olah", role=Role.SEKRETARIS, kind="task"),
        SopStep(number=4, name="Selesai", role=Role.CAMAT, kind="archive"),
    ]

    layout = build_layout(steps)

    assert layout.lanes == [
        ("sekretaris", "Sekretaris"),
        ("kasubag_pkp", "Kasubag PKP"),
        ("camat", "Camat"),
    ]
    assert [s.lane_index for s in layout.steps] == [2, 1, 0, 2]
    assert [(a.from_step, a.to_step, a.kind) for a in layout.arrows] == [
        (1, 2, "next"),
        (2, 3, "next"),
        (2, 1, "return"),
        (3, 4, "next"),
    ]


def test_the_svg_draws_one_shape_per_symbol_and_one_head_per_arrow(sop):
    layout = layout_of(sop)
    geo = geometry_for(layout, 300, 110)

    svg = flowchart_svg(layout, geo)

    assert svg.count('class="capsule"') == 2
    assert svg.count('class="process"') == 9
    assert svg.count('class="decision"') == 2
    assert svg.count('class="head"') == 14  # 12 next + 2 return
    assert svg.count('class="connector"') == 0
    assert svg.count("<rect") == 11
    assert svg.count("<polygon") == 2 + 14
    assert svg.count('class="lane"') == 13 * 3  # the lane borders, in every row
    assert ">Mulai<" in svg and ">Selesai<" in svg
    assert svg.count(">Ya<") == 2 and svg.count(">Tidak<") == 2


def test_a_page_break_gets_a_pair_of_off_page_connectors(sop):
    layout = layout_of(sop).with_page_breaks({7})
    geo = geometry_for(layout, 300, 110)

    rows = row_drawings(layout, geo)

    assert [(c.row_index, c.step_number, c.label) for c in layout.connectors] == [
        (6, 7, "A"),
        (7, 8, "A"),
    ]
    assert [r.svg.count('class="connector"') for r in rows[5:9]] == [0, 1, 1, 0]
    # The line into the foot-of-page connector stops there: nothing runs on below row 7.
    centre = geo.center_x(layout.symbol_for(7).lane_index)
    assert all(drop.x != centre or drop.y == 0 for drop in rows[6].drops)


def test_a_return_loop_is_kept_on_one_page(sop):
    # Rows 11 and 12 (indexes 10, 11) carry the return lines to 10: no page break before them.
    assert layout_of(sop).loop_rows() == {10, 11}
    html = render_sop_html(sop)
    assert re.findall(r'id="langkah-(\d+)" class="keep"', html) == ["10", "11"]


def test_the_html_escapes_sop_text(sop):
    sop.name = 'Uji <script>alert("x")</script> & co'
    sop.save()
    SopStep.objects.filter(sop=sop, number=3).update(output="<b>tebal</b>")

    html = render_sop_html(sop)

    assert "<script>" not in html and "<b>tebal</b>" not in html
    assert "&lt;b&gt;tebal&lt;/b&gt;" in html
    assert html.count("<img ") == 13


def test_the_pdf_has_the_identity_the_lanes_and_the_steps(sop, monkeypatch):
    drawn = []

    def spy(layout, geo):
        drawn.append(layout)
        return row_drawings(layout, geo)

    monkeypatch.setattr(sop_pdf, "row_drawings", spy)

    reader = PdfReader(io.BytesIO(render_sop_pdf(sop)))

    pages = [normalised(page.extract_text()) for page in reader.pages]
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # landscape
    first = pages[0]
    assert "700/24.a/STR-CS/2025" in first
    assert "Camat Sutera" in first
    assert "14 Maret 2025" in first
    assert "Nomor 35 Tahun 2012" in first
    for heading in ("Dasar Hukum", "Kualifikasi Pelaksana", "Peringatan", "Pencatatan"):
        assert heading in first
    assert f"Halaman 1 dari {len(pages)}" in first

    procedure = " ".join(pages[1:])
    for lane in ("Sekretaris", "Kasubag PKP", "Kepala Seksi", "Camat", "Mutu Baku"):
        assert lane in procedure
    for step in SopStep.objects.filter(sop=sop):
        assert step.name in procedure, step.number
    assert "15 menit" in procedure and "1 minggu" in procedure

    # The procedure runs over two pages, so the second drawing carries a connector pair.
    assert len(pages) >= 3
    assert drawn[-1].page_starts and len(drawn[-1].connectors) == 2 * len(drawn[-1].page_starts)


@pytest.mark.urls(__name__)
def test_an_office_user_gets_the_pdf_inline(sop):
    office = sop.office
    client = Client()
    client.force_login(make_staff(office, Role.KEPALA_SEKSI, office.sections.first()))

    response = client.get(f"/uji/sop/{sop.pk}/")
    current = client.get("/uji/sop/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="sop-700-24.a-STR-CS-2025.pdf"'
    assert response.getvalue().startswith(b"%PDF-")
    assert current.status_code == 200 and current.getvalue().startswith(b"%PDF-")


@pytest.mark.urls(__name__)
def test_another_offices_user_is_refused(client_as, sop):
    response = client_as("other_office").get(f"/uji/sop/{sop.pk}/")

    assert response.status_code == 403


@pytest.mark.urls(__name__)
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, sop):
    response = client.get(f"/uji/sop/{sop.pk}/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
