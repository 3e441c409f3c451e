"""A drafting step's primary action makes the step's own draft version and completes the step:
no button that can only fail."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from monev.models import DraftVersion, Report, SectionSubmission
from monev.services.drafting import report_draft_and_complete
from monev.workflow import WorkflowError

from .test_documents import at_step, draft


def action_labels(response) -> list[str]:
    return [label for action, form, html, url, label in response.context["action_forms"]]


@pytest.mark.parametrize("step", [8, 10])
def test_the_primary_button_makes_the_draft_and_completes_the_step(
    sutera, users, demo_indicators, client_for, step
):
    report = at_step(sutera, step)
    kasubag = client_for("kasubag")
    page = kasubag.get(report.get_absolute_url())
    assert action_labels(page) == ["Buat draf versi 1 dan selesaikan langkah"]
    assert reverse("monev:draft_and_complete", args=[report.pk]) in page.content.decode()

    response = kasubag.post(
        reverse("monev:draft_and_complete", args=[report.pk]),
        {"from_step": step, "note": "Siap dibahas."},
        follow=True,
    )

    version = DraftVersion.objects.get(report=report)
    assert (version.number, version.step_number) == (1, step)
    assert Report.objects.get(pk=report.pk).current_step == step + 1
    assert f"Draf versi 1 dibuat dan langkah {step} selesai." in response.content.decode()


def test_with_its_own_version_the_step_completes_as_usual(
    sutera, users, demo_indicators, client_for
):
    report = at_step(sutera, 8)
    kasubag = client_for("kasubag")
    draft(kasubag, report)

    page = kasubag.get(report.get_absolute_url())

    assert action_labels(page) == ["Draf laporan selesai"]
    assert "Baca draf versi 1 yang dibuat pada langkah ini" in page.content.decode()


def test_an_earlier_steps_version_does_not_count(sutera, users, demo_indicators, client_for):
    report = at_step(sutera, 8)
    report_draft_and_complete(report_id=report.pk, actor=users["kasubag"], from_step=8)
    Report.objects.filter(pk=report.pk).update(current_step=10)

    page = client_for("kasubag").get(report.get_absolute_url())

    assert action_labels(page) == ["Buat draf versi 2 dan selesaikan langkah"]


def test_nothing_is_drafted_for_a_move_that_would_be_refused(sutera, users, demo_indicators):
    report = at_step(sutera, 8)
    # A section's data was reopened: step 8 needs every section handed in.
    SectionSubmission.objects.filter(report=report, section__code="kesos").delete()

    with pytest.raises(WorkflowError, match="dibuka kembali"):
        report_draft_and_complete(report_id=report.pk, actor=users["kasubag"], from_step=8)
    with pytest.raises(PermissionDenied):
        report_draft_and_complete(report_id=report.pk, actor=users["sekretaris"], from_step=8)
    with pytest.raises(WorkflowError, match="usang"):
        report_draft_and_complete(report_id=report.pk, actor=users["kasubag"], from_step=10)

    assert not DraftVersion.objects.exists()
    assert Report.objects.get(pk=report.pk).current_step == 8


def test_a_stale_page_gets_a_message_and_changes_nothing(
    sutera, users, demo_indicators, client_for
):
    report = at_step(sutera, 9)

    response = client_for("kasubag").post(
        reverse("monev:draft_and_complete", args=[report.pk]), {"from_step": 8}, follow=True
    )

    assert "sudah usang" in response.content.decode()
    assert not DraftVersion.objects.exists()


def test_the_confirmation_names_the_step(sutera, users, demo_indicators, client_for):
    report = at_step(sutera, 10)

    html = client_for("kasubag").get(report.get_absolute_url()).content.decode()

    assert "Langkah 10 – " in html
    assert "Buat draf versi 1 dan selesaikan langkah?" in html


def test_a_completion_refused_after_the_draft_keeps_the_draft_and_says_so(
    sutera, users, demo_indicators, client_for, monkeypatch
):
    report = at_step(sutera, 8)

    def moved_meanwhile(**kwargs):
        raise WorkflowError("Laporan sudah berada di langkah 9.")

    monkeypatch.setattr("monev.services.drafting.report_complete_step", moved_meanwhile)
    response = client_for("kasubag").post(
        reverse("monev:draft_and_complete", args=[report.pk]), {"from_step": 8}, follow=True
    )

    html = response.content.decode()
    assert (
        "Draf versi 1 sudah dibuat, tetapi langkah belum selesai: Laporan sudah berada di "
        "langkah 9." in html
    )
    assert DraftVersion.objects.filter(report=report).count() == 1
    assert Report.objects.get(pk=report.pk).current_step == 8


def test_at_a_step_that_does_not_draft_the_drafter_gets_a_message(
    sutera, users, demo_indicators, client_for
):
    report = at_step(sutera, 7)

    response = client_for("kasubag").post(
        reverse("monev:draft_and_complete", args=[report.pk]), {"from_step": 7}, follow=True
    )

    assert "Draf laporan hanya dibuat pada langkah penyusunan atau perbaikan." in (
        response.content.decode()
    )
    assert not DraftVersion.objects.exists()
    assert Report.objects.get(pk=report.pk).current_step == 7
