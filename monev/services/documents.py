"""Writes for the report's documents: the Kasubag PKP's analysis, numbered draft versions,
and the discussion of a version."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import clock, workflow
from ..models import Comment, DraftVersion, Role, SectionAnalysis
from ..numbers import format_decimal
from ..selectors.office_data import QuarterFigures, quarter_figures
from ..validation import MAX_LONG_TEXT, text_too_long
from ..workflow import WorkflowError
from .locking import lock_report


def _ensure_kasubag(report, actor):
    staff = workflow.staff_of(actor)
    workflow.ensure_may_view(report, staff)
    if staff.role != Role.KASUBAG_PKP:
        raise PermissionDenied(_("Hanya Kasubag PKP yang dapat melakukan ini."))
    if report.is_archived:
        raise WorkflowError(_("Laporan ini sudah diarsipkan dan tidak dapat diubah lagi."))
    return staff


@transaction.atomic
def analysis_save(*, report_id: int, actor, texts: dict[int, str]) -> None:
    """Save the analysis box of each section (section id -> text)."""
    report = lock_report(report_id)
    _ensure_kasubag(report, actor)
    sections = {s.pk for s in workflow.active_sections(report)}
    unknown = set(texts) - sections
    if unknown:
        raise WorkflowError(_("Seksi tidak dikenal untuk laporan ini."))
    for text in texts.values():
        if problem := text_too_long(text, MAX_LONG_TEXT):
            raise WorkflowError(problem)
    now = clock.now()
    for section_id, text in texts.items():
        SectionAnalysis.objects.update_or_create(
            report=report,
            section_id=section_id,
            defaults={"text": text.strip(), "updated_by": actor, "updated_at": now},
        )


def analysis_texts(report) -> dict[int, str]:
    return dict(SectionAnalysis.objects.filter(report=report).values_list("section_id", "text"))


def summary_of(figures: QuarterFigures, analysis: dict[int, str]) -> dict:
    """The figures a reader compares between versions, as plain JSON."""
    return {
        "average": format_decimal(figures.average),
        "band": figures.band.label if figures.band else "",
        "indicators": {
            i.code: {
                "name": i.name,
                "section": i.section_name,
                "target": format_decimal(i.target),
                "value": format_decimal(i.value),
                "capaian": i.achievement.label,
                "predikat": i.band.label if i.band else "",
                "driving": i.driving,
                "inhibiting": i.inhibiting,
                "follow_up": i.follow_up,
            }
            for i in figures.indicators
        },
        "analysis": {s.name: analysis.get(s.section_id, "") for s in figures.sections},
    }


def drafting_step(report) -> bool:
    """The steps that produce a version: the drafting step and the step returns go back to."""
    step = workflow.current_step(report)
    return_targets = {s.return_to for s in report.steps if s.return_to}
    return step.drafts_report or step.number in return_targets


def render_draft_html(report, figures, analysis, *, number: int) -> str:
    from ..exports.pdf import render_report_html  # weasyprint loads only when a draft is made

    return render_report_html(
        figures,
        draft=True,
        version=number,
        place=report.office.place or report.office.name,
        signed_on=timezone.localdate(clock.now()),
        analysis=analysis,
    )


@transaction.atomic
def draft_generate(*, report_id: int, actor, from_step: int) -> DraftVersion:
    """The Kasubag PKP freezes the current figures and analysis as the next draft version."""
    report = lock_report(report_id)
    _ensure_kasubag(report, actor)
    if report.current_step != from_step:
        raise WorkflowError(
            _("Laporan sudah berada di langkah %(current)s; halaman Anda sudah usang.")
            % {"current": report.current_step}
        )
    if not drafting_step(report) or workflow.current_step(report).role != Role.KASUBAG_PKP:
        raise WorkflowError(_("Draf laporan hanya dibuat pada langkah penyusunan atau perbaikan."))
    figures = quarter_figures(report)
    analysis = analysis_texts(report)
    number = (report.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    return DraftVersion.objects.create(
        report=report,
        number=number,
        step_number=report.current_step,
        html=render_draft_html(report, figures, analysis, number=number),
        summary=summary_of(figures, analysis),
        created_by=actor,
        created_at=clock.now(),
    )


def ensure_new_version(report) -> None:
    """A drafting step is done only once it has produced a version of its own."""
    if not drafting_step(report):
        return
    if not report.versions.filter(created_at__gte=report.step_started_at).exists():
        raise WorkflowError(
            _("Buat draf laporan (versi baru) dulu sebelum menyelesaikan langkah ini.")
        )


@transaction.atomic
def comment_add(*, version_id: int, actor, body: str, parent_id: int | None = None) -> Comment:
    """Anyone of the office comments on the newest draft version while the report is open."""
    version = DraftVersion.objects.select_related("report").get(pk=version_id)
    report = lock_report(version.report_id)
    workflow.ensure_may_view(report, workflow.staff_of(actor))
    if report.is_archived:
        raise WorkflowError(_("Laporan ini sudah diarsipkan; diskusi ditutup."))
    latest = report.versions.order_by("-number").values_list("pk", flat=True).first()
    if version.pk != latest:
        raise WorkflowError(_("Komentar hanya untuk versi draf terbaru."))
    body = body.strip()
    if not body:
        raise WorkflowError(_("Komentar tidak boleh kosong."))
    if problem := text_too_long(body, MAX_LONG_TEXT):
        raise WorkflowError(problem)
    parent = None
    if parent_id is not None:
        parent = version.comments.filter(pk=parent_id).first()
        if parent is None:
            raise WorkflowError(_("Komentar yang dibalas tidak ditemukan pada versi ini."))
    return Comment.objects.create(
        version=version, parent=parent, author=actor, body=body, created_at=clock.now()
    )
