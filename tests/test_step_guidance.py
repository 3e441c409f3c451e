"""The section sheets name their SOP step and show its guidance (kelengkapan, output), as the
action box on the report page does."""

import pytest
from django.urls import reverse

from monev.models import SopStep

from .conftest import make_report


@pytest.mark.parametrize("step,page", [(2, "monev:section_data"), (5, "monev:monev_sheet")])
def test_a_section_sheet_shows_its_steps_guidance(
    sutera, users, demo_indicators, client_for, step, page
):
    report = make_report(sutera, step=step)
    pmn = sutera.sections.get(code="pmn")
    sop_step = SopStep.objects.get(sop=report.sop, number=step)
    assert sop_step.equipment and sop_step.output

    html = client_for("kasi_pmn").get(reverse(page, args=[report.pk, pmn.pk])).content.decode()

    header = html.split('class="breadcrumb"', 1)[1].split("<form", 1)[0]
    assert f"{step}. {sop_step.name}" in header
    assert "Kelengkapan" in header and sop_step.equipment in header
    assert "Output" in header and sop_step.output in header
