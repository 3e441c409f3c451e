"""Writes for the report's documents: the analysis, numbered draft versions,
and the discussion of a version."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import clock, permissions, workflow
from ..frozen import sha256_text
from ..models import Comment, DraftVersion, SectionAnalysis
from ..numbers import format_decimal
from ..selectors.documents import version_due
from ..selectors.office_data import QuarterFigures
from ..selectors.snapshots import DocumentContent, live_content
from ..validation import MAX_LONG_TEXT, text_too_long
from ..workflow import ActionKind, WorkflowError
from .locking import lock_report, read_report, saved_by


def _ensure_open(report, actor, action: str):
    """403 unless the SOP gives ``actor``'s role this act on the report; then refuse an
    archived report with a message."""
    staff = workflow.staff_of(actor)
    workflow.ensure_may_view(report, staff)
    if report.is_archived:
        raise WorkflowError(_("Laporan ini sudah diarsipkan dan tidak dapat diubah lagi."))
    ensure_not_approved(report)
    # A drafter at another step gets a message below, not a 403.
    if action != ActionKind.MAKE_DRAFT or staff.role not in workflow.drafting_roles(report):
        permissions.ensure(staff, action, report)
    return staff


@transaction.atomic
def analysis_save(
    *, report_id: int, actor, texts: dict[int, str], revisions: dict[int, int] | None = None
) -> None:
    """Save the analysis box of the sections given (section id -> text); others stay as
    they are. ``revisions`` are the ones the user's page showed: a section saved by someone
    else since then is refused, naming who and when, rather than overwritten."""
    report = lock_report(report_id)
    _ensure_open(report, actor, ActionKind.EDIT_ANALYSIS)
    sections = {s.pk for s in workflow.active_sections(report)}
    unknown = set(texts) - sections
    if unknown:
        raise WorkflowError(_("Seksi tidak dikenal untuk laporan ini."))
    for text in texts.values():
        if problem := text_too_long(text, MAX_LONG_TEXT):
            raise WorkflowError(problem)
    existing = {
        a.section_id: a
        for a in SectionAnalysis.objects.select_for_update()
        .select_related("updated_by", "section")
        .filter(report=report, section_id__in=list(texts))
    }
    changed = {
        section_id: text.strip()
        for section_id, text in texts.items()
        if text.strip() != getattr(existing.get(section_id), "text", "")
    }
    for section_id in changed:
        current = existing.get(section_id)
        seen = (revisions or {}).get(section_id, 0)
        if current is not None and current.revision != seen:
            raise WorkflowError(
                _(
                    "Analisis seksi %(section)s telah diubah oleh %(who)s pada %(when)s setelah "
                    "Anda membuka halaman. Tidak ada yang disimpan: muat ulang halaman, lalu "
                    "isi kembali."
                )
                % {"section": current.section, **saved_by(current)}
            )
    now = clock.now()
    for section_id, text in changed.items():
        current = existing.get(section_id) or SectionAnalysis(report=report, section_id=section_id)
        current.text, current.updated_by, current.updated_at = text, actor, now
        current.revision += 1
        current.save()


def ensure_not_approved(report) -> None:
    """After the approval only a return reopens the data and analysis."""
    if workflow.is_approved(report):
        raise WorkflowError(
            _(
                "Laporan ini sudah disetujui; data dan analisisnya tidak dapat diubah lagi. "
                "Hanya pengembalian ke langkah perbaikan yang membukanya kembali."
            )
        )


def analysis_texts(report) -> dict[int, str]:
    return dict(SectionAnalysis.objects.filter(report=report).values_list("section_id", "text"))


def analysis_revisions(report) -> dict[int, int]:
    return dict(SectionAnalysis.objects.filter(report=report).values_list("section_id", "revision"))


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
    """The current step must produce a draft version of its own before it is done."""
    return workflow.current_step(report).requires_new_version


def render_draft_html(content: DocumentContent, *, number: int, drafted_on) -> str:
    from ..exports.pdf import render_report_html  # weasyprint loads only when a draft is made

    return render_report_html(
        content.figures,
        draft=True,
        version=number,
        place=content.place,
        signed_on=drafted_on,
        analysis=content.analysis,
    )


def _check_draft(report, actor, from_step: int) -> None:
    staff = _ensure_open(report, actor, ActionKind.MAKE_DRAFT)
    if report.current_step != from_step:
        raise WorkflowError(
            _("Laporan sudah berada di langkah %(current)s; halaman Anda sudah usang.")
            % {"current": report.current_step}
        )
    if not permissions.can(staff, ActionKind.MAKE_DRAFT, report):
        raise WorkflowError(_("Draf laporan hanya dibuat pada langkah penyusunan atau perbaikan."))


def _next_number(report) -> int:
    return (report.versions.aggregate(n=Max("number"))["n"] or 0) + 1


def draft_generate(*, report_id: int, actor, from_step: int) -> DraftVersion:
    """The drafting step's role freezes the figures and analysis as the next draft version.

    The HTML is rendered before the lock; the short transaction re-checks the state and that
    the figures and the version number are still the ones rendered."""
    report = read_report(report_id)
    _check_draft(report, actor, from_step)
    content = live_content(report)
    snapshot = content.as_json()
    number = _next_number(report)
    now = clock.now()
    html = render_draft_html(content, number=number, drafted_on=timezone.localdate(now))
    with transaction.atomic():
        report = lock_report(report_id)
        _check_draft(report, actor, from_step)
        if _next_number(report) != number or live_content(report).as_json() != snapshot:
            raise WorkflowError(
                _("Data atau draf laporan berubah saat draf dibuat; buat draf sekali lagi.")
            )
        return DraftVersion.objects.create(
            report=report,
            number=number,
            step_number=report.current_step,
            html=html,
            summary=summary_of(content.figures, content.analysis),
            snapshot=snapshot,
            snapshot_sha256=sha256_text(snapshot),
            created_by=actor,
            created_at=now,
        )


def ensure_new_version(report) -> None:
    """A drafting step is done only once it has produced a version of its own."""
    if version_due(report) is not None:
        raise WorkflowError(
            _("Buat draf laporan (versi baru) dulu sebelum menyelesaikan langkah ini.")
        )


def ensure_bound_version(report, step, *, version: int | None, content_hash: str) -> None:
    """A decision on the draft (verification, approval) is about one version: the newest,
    with the content hash the decider's page showed, and the data and analysis must still
    be what that version froze. Otherwise nothing is decided."""
    if not workflow.approval_binding_required(step):
        return
    latest = report.versions.order_by("-number").first()
    if latest is None or version is None:
        raise WorkflowError(
            _("Keputusan harus menyebut versi draf yang dibaca; muat ulang halaman.")
        )
    if latest.number != version:
        raise WorkflowError(
            _(
                "Sudah ada draf versi %(latest)s; Anda memutuskan versi %(version)s. Baca versi "
                "terbaru dulu; tidak ada yang diubah."
            )
            % {"latest": latest.number, "version": version}
        )
    if not latest.snapshot_sha256:
        raise WorkflowError(
            _(
                "Draf versi %(version)s dibuat sebelum isi draf dibekukan dan tidak dapat "
                "disetujui. Kembalikan ke langkah perbaikan agar dibuat versi baru."
            )
            % {"version": version}
        )
    if latest.snapshot_sha256 != content_hash:
        raise WorkflowError(
            _("Isi draf versi %(version)s tidak sama dengan yang Anda baca; muat ulang halaman.")
            % {"version": version}
        )
    if live_content(report).sha256 != latest.snapshot_sha256:
        raise WorkflowError(
            _(
                "Data atau analisis laporan berubah setelah draf versi %(version)s dibuat. "
                "Kembalikan ke langkah perbaikan agar dibuat versi baru; tidak ada yang diubah."
            )
            % {"version": version}
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
