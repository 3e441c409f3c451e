"""The printed report: its content read back from the PDF, escaping, and the URL fetcher.

No database: the figures are built directly, as quarter_figures() would return them.
"""

import dataclasses
import datetime
import io
import sys
import urllib.request
from decimal import Decimal

import pytest
from pypdf import PdfReader

from monev.exports import pdf as pdf_export
from monev.exports.charts import achievement_chart_svg
from monev.exports.pdf import (
    STATIC_DIR,
    render_report_html,
    render_report_pdf,
    safe_url_fetcher,
)
from monev.performance import DEFAULT_BANDS, Direction, achievement, rating
from monev.selectors.office_data import (
    ActivityFigures,
    IndicatorFigures,
    QuarterFigures,
    SectionFigures,
    Signer,
    average,
)

D = Decimal
SECTION_NAMES = ["Seksi Pemerintahan", "Seksi Trantibum", "Seksi Kesejahteraan Sosial"]
SIGNED_ON = datetime.date(2026, 10, 5)
CAMAT = Signer(name="Drs. Afrizal Hendri", nip="197501012000031001", title="Camat Sutera")


def make_indicator(section_id: int, section_name: str, number: int, **fields) -> IndicatorFigures:
    """One indicator of the current quarter; the capaian and predikat are computed as in the app."""
    direction = fields.pop("direction", Direction.HIGHER if number % 4 else Direction.LOWER)
    target = fields.pop("target", D(100))
    value = fields.pop("value", D(40 + (number * 7) % 70))
    result = achievement(target, value, direction)
    values = {
        "indicator_id": section_id * 1000 + number,
        "code": f"IK.{section_id}.{number:02d}",
        "name": f"Persentase layanan administrasi yang selesai tepat waktu nomor {number}",
        "goal": "Meningkatnya kualitas pelayanan publik",
        "unit": "%",
        "direction": direction,
        "aggregation": "last",
        "is_iku": number == 1,
        "section_id": section_id,
        "section_name": section_name,
        "activity_code": "",
        "activity_name": "",
        "renstra_target": D(100),
        "renstra_realised_before": D(60),
        "annual_target": target,
        "quarter_targets": (target, target, target, target),
        "quarter_values": (value, value, None, None),
        "target": target,
        "value": value,
        "achievement": result,
        "band": rating(result.percent, DEFAULT_BANDS),
        "year_value": value,
        "year_achievement": result,
        "renstra_realised": value,
        "renstra_achievement": achievement(D(100), value, direction),
        "driving": "Dukungan aparat nagari" if (result.percent or 0) >= 100 else "",
        "inhibiting": "" if (result.percent or 0) >= 100 else "Jaringan internet terputus",
        "follow_up": "Koordinasi dengan Dinas Kominfo",
    }
    values.update(fields)
    return IndicatorFigures(**values)


def make_activity(section_id: int, section_name: str, number: int) -> ActivityFigures:
    return ActivityFigures(
        activity_id=section_id * 1000 + number,
        code=f"7.01.01.2.0{section_id}.{number:04d}",
        name=f"Penyelenggaraan urusan pemerintahan umum {number}",
        level="sub_kegiatan",
        section_name=section_name,
        budget=150_000_000,
        quarter_spent=(20_000_000, 35_500_000, None, None),
        spent=35_500_000,
        year_spent=55_500_000,
        physical=D("42.5"),
    )


def make_figures(
    indicators_per_section: int = 3,
    *,
    sections: list[str] = SECTION_NAMES,
    activities_per_section: int = 2,
    signer: Signer | None = None,
    indicator_fields: dict | None = None,
) -> QuarterFigures:
    """A Triwulan II 2026 report of Kecamatan Sutera; ``indicator_fields`` override the first
    indicator of the first section."""
    built = []
    for section_id, name in enumerate(sections, start=1):
        rows = [
            make_indicator(
                section_id,
                name,
                number,
                **((indicator_fields or {}) if section_id == 1 and number == 1 else {}),
            )
            for number in range(1, indicators_per_section + 1)
        ]
        mean = average(r.achievement.percent for r in rows)
        built.append(
            SectionFigures(
                section_id=section_id,
                name=name,
                indicators=rows,
                activities=[
                    make_activity(section_id, name, n) for n in range(1, activities_per_section + 1)
                ],
                average=mean,
                band=rating(mean, DEFAULT_BANDS),
            )
        )
    office_mean = average(i.achievement.percent for s in built for i in s.indicators)
    return QuarterFigures(
        report_id=1,
        office_name="Kecamatan Sutera",
        regency="Kabupaten Pesisir Selatan",
        province="Sumatera Barat",
        address="Jl. Raya Painan-Inderapura, Kabupaten Pesisir Selatan, Sumatera Barat",
        head_title="Camat Sutera",
        year=2026,
        quarter=2,
        sections=built,
        average=office_mean,
        band=rating(office_mean, DEFAULT_BANDS),
        signer=signer or CAMAT,
        bands=DEFAULT_BANDS,
    )


def render(figures=None, *, draft=False, version=None, analysis=None, **options) -> bytes:
    return render_report_pdf(
        figures or make_figures(),
        draft=draft,
        version=version,
        place="Painan",
        signed_on=SIGNED_ON,
        analysis=analysis if analysis is not None else {1: "Capaian naik karena layanan daring."},
        **options,
    )


def pages_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def squash(text: str) -> str:
    """Text with all whitespace runs made single spaces (PDF text breaks lines anywhere)."""
    return " ".join(text.split())


def compact(text: str) -> str:
    """Text without any whitespace, for user text that a narrow cell may break anywhere."""
    return "".join(text.split())


@pytest.fixture(scope="module")
def approved() -> list[str]:
    return pages_text(render())


@pytest.fixture(scope="module")
def draft() -> list[str]:
    return pages_text(render(draft=True, version=3))


def test_letterhead_and_title_on_first_page(approved):
    first = squash(approved[0])
    assert "PEMERINTAH KABUPATEN PESISIR SELATAN" in first
    assert "KECAMATAN SUTERA" in first
    assert "Jl. Raya Painan-Inderapura" in first
    assert "LAPORAN MONITORING DAN EVALUASI KINERJA" in first
    assert "TRIWULAN II TAHUN 2026" in first


def test_sections_indicators_and_ratings_are_printed(approved):
    text = squash(" ".join(approved))
    for name in SECTION_NAMES:
        assert name in text
    for code in ("IK.1.01", "IK.2.03", "IK.3.02"):
        assert code in text
    figures = make_figures()
    first = figures.sections[0].indicators[0]
    assert first.achievement.label in text
    assert first.band.label in text
    assert "Sangat Rendah" in text  # the predikat bands in the notes
    assert "Rp 150.000.000" in text
    assert "Capaian naik karena layanan daring." in text


def test_notes_print_both_capaian_formulas(approved):
    text = squash(" ".join(approved))
    assert "PermenPAN-RB Nomor 8 Tahun 2021" in text
    assert "realisasi ÷ target × 100" in text
    assert "(1 + (1 − realisasi ÷ target)) × 100" in text


def test_signature_block_in_indonesian_on_last_page(approved):
    last = squash(approved[-1])
    assert "Painan, 5 Oktober 2026" in last
    assert "Camat Sutera" in last
    assert "Drs. Afrizal Hendri" in last
    assert "NIP. 197501012000031001" in last


def test_every_page_is_numbered_with_the_total(approved):
    total = len(approved)
    assert total >= 2
    for number, text in enumerate(approved, start=1):
        assert f"Halaman {number} dari {total}" in squash(text)


def test_draft_has_watermark_and_version_on_every_page(draft):
    for text in draft:
        assert "DRAF" in text
        assert "Draf versi 3" in squash(text)


def test_approved_has_no_draft_marks(approved):
    for text in approved:
        assert "DRAF" not in text
        assert "Draf versi" not in text


def test_user_text_is_escaped():
    attack = '<script>alert("x")</script><b>tebal</b>'
    figures = make_figures(1, indicator_fields={"name": attack, "follow_up": "<i>miring</i>"})
    options = {
        "draft": False,
        "version": None,
        "place": "Painan",
        "signed_on": SIGNED_ON,
        "analysis": {1: "<h1>Besar</h1>"},
    }
    html = render_report_html(figures, **options)
    assert "<script>" not in html and "<b>tebal</b>" not in html and "<h1>Besar" not in html
    assert "&lt;script&gt;" in html
    text = compact(" ".join(pages_text(render_report_pdf(figures, **options))))
    # The markup is printed as the officer typed it, not interpreted.
    assert compact(attack) in text
    assert "<i>miring</i>" in text
    assert "<h1>Besar</h1>" in text


def test_image_markup_in_user_text_fetches_nothing(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the PDF renderer tried to open a URL")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    image = '<img src="http://example.com/x.png">'
    figures = make_figures(1, indicator_fields={"name": image})
    text = compact(" ".join(pages_text(render(figures, analysis={1: image}))))
    assert compact(image) in text


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.com/x.png",
        "https://example.com/x.css",
        "ftp://example.com/x",
        f"file://{STATIC_DIR}/pdf/../../manage.py",
        f"file://{STATIC_DIR}/../manage.py",
        f"file://{STATIC_DIR}/pdf/%2e%2e/%2e%2e/manage.py",
        f"file://{STATIC_DIR}/pdf/no-such-file.css",
        "report.css",
        "file://example.com/etc/passwd",
    ],
)
def test_fetcher_refuses(url):
    with pytest.raises(ValueError):
        safe_url_fetcher(url)


def test_fetcher_refuses_symlink_out_of_static(tmp_path, monkeypatch):
    static = tmp_path / "static"
    static.mkdir()
    (static / "ok.css").write_text("p {}")
    (static / "leak.css").symlink_to("/etc/passwd")
    monkeypatch.setattr(pdf_export, "STATIC_DIR", static)
    assert safe_url_fetcher((static / "ok.css").as_uri()).read() == b"p {}"
    with pytest.raises(ValueError):
        safe_url_fetcher((static / "leak.css").as_uri())


def test_fetcher_allows_static_files_and_data_uris():
    css = safe_url_fetcher((STATIC_DIR / "pdf" / "report.css").as_uri())
    assert css.content_type == "text/css"
    assert b"@page" in css.read()
    png = safe_url_fetcher("data:image/png;base64,iVBORw0KGgo=")
    assert png.content_type == "image/png"
    assert png.read() == b"\x89PNG\r\n\x1a\n"
    plain = safe_url_fetcher("data:,Halo%20dunia")
    assert plain.read() == b"Halo dunia"


def test_pdf_a_3b_embeds_the_workbook():
    workbook = b"PK\x03\x04 not really a workbook"
    data = render(
        pdf_a=True,
        attachments=[("E81-2026-TW2.xlsx", workbook, "Formulir E.81 Permendagri 86/2017")],
    )
    reader = PdfReader(io.BytesIO(data))
    assert reader.attachments["E81-2026-TW2.xlsx"] == [workbook]
    metadata = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfaid" in metadata
    assert b"<pdfaid:part>3</pdfaid:part>" in metadata or b'pdfaid:part="3"' in metadata
    assert b"<pdfaid:conformance>B</pdfaid:conformance>" in metadata or (
        b'pdfaid:conformance="B"' in metadata
    )


def test_missing_values_unsigned_and_unversioned_draft():
    figures = make_figures(2, sections=["Seksi Pelayanan"], activities_per_section=0)
    section = figures.sections[0]
    empty = make_indicator(1, section.name, 3, value=None)
    no_target = make_indicator(1, section.name, 4, target=D(0))
    section.indicators.extend([empty, no_target])
    unsigned = dataclasses.replace(figures, signer=None)
    text = squash(" ".join(pages_text(render(unsigned, draft=True))))
    assert "belum diisi" in text
    assert "tidak dapat dihitung" in text
    assert "Belum ada sub kegiatan" in text
    assert "Draf" in text and "Draf versi" not in text
    assert "NIP. ....." in text


def test_band_ranges_cover_every_capaian():
    assert pdf_export.band_ranges(DEFAULT_BANDS) == [
        ("Sangat Tinggi", "capaian ≥ 91 %"),
        ("Tinggi", "76 % ≤ capaian < 91 %"),
        ("Sedang", "66 % ≤ capaian < 76 %"),
        ("Rendah", "51 % ≤ capaian < 66 %"),
        ("Sangat Rendah", "capaian < 51 %"),
    ]


def test_chart_is_self_contained_and_escaped():
    figures = make_figures(1, sections=["<script>x</script> Seksi", "Seksi Trantibum"])
    svg = achievement_chart_svg(figures.sections)
    assert "<script>x" not in svg and "&lt;script&gt;x" in svg
    assert "href" not in svg and "src=" not in svg  # nothing to fetch
    assert not any(type(f).__name__ == "PluginImportFixer" for f in sys.meta_path)


def test_importing_the_pdf_module_keeps_pillow_strict():
    # WeasyPrint relaxes this on import; the evidence upload checks need it strict.
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_the_office_paper_size_f4_is_used():
    reader = PdfReader(io.BytesIO(render(dataclasses.replace(make_figures(), paper_size="F4"))))
    sizes = {
        (round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages
    }
    # F4 = 215 x 330 mm, portrait pages and the landscape tables.
    assert sizes == {(609, 935), (935, 609)}
