"""Writes of the SOP's monitoring and evaluation: saved by the penilai, frozen once signed."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

from .. import clock, permissions, workflow
from ..models import Office, SopEvaluation, SopMonitoring, SopMonitoringRow
from ..selectors import sop_review
from ..selectors.reports import office_calendar
from ..signing import SigningError, backend
from ..workflow import WorkflowError
from ..worktime import JAKARTA
from .sop_revisions import copy_revision


@dataclass(frozen=True)
class RowDecision:
    is_ok: bool | None
    note: str
    action: str


def _penilai(actor, sop):
    staff = workflow.staff_of(actor)
    if not permissions.may_review_sop(staff, sop):
        raise PermissionDenied(_("Hanya penilai SOP ini yang dapat mengisi dan memarafnya."))
    return staff


def _sign(review, actor, staff, now=None) -> None:
    review.signed_by = actor
    review.signer_name = actor.get_full_name() or actor.get_username()
    review.signer_title = staff.job_title or str(workflow.role_label(staff.role))
    review.signed_at = now or clock.now()


def save_monitoring(
    *,
    office: Office,
    year: int,
    half: int,
    actor,
    decisions: dict[int, RowDecision],
    sign: bool,
    passphrase: str = "",
) -> SopMonitoring:
    """Store the penilai's penilaian per step with the evidence it rests on; ``sign`` freezes it.

    With the ``passphrase`` of their certificate the penilai also signs the printed monitoring
    electronically (the signer of monev.signing, as the Camat's approval); the signed PDF is
    kept and served as it is. Without it the paraf is their name and the time."""
    start, end = sop_review.half_bounds(year, half)
    existing = SopMonitoring.objects.filter(office=office, year=year, half=half).first()
    sop = existing.sop if existing else sop_review.monitored_sop(office, start, end)
    if sop is None:
        raise WorkflowError(_("Kantor Anda belum memiliki SOP."))
    staff = _penilai(actor, sop)
    if existing and existing.is_signed:
        raise WorkflowError(_("Monitoring ini sudah diparaf dan tidak dapat diubah lagi."))
    undecided = [n for n in _numbers(sop) if n not in decisions or decisions[n].is_ok is None]
    if sign and undecided:
        raise WorkflowError(_("Tentukan penilaian setiap langkah sebelum memaraf."))
    if sign and clock.now() < end:
        # Signing freezes the evidence: a half-year still under way would be frozen half-told.
        raise WorkflowError(
            _("Semester ini belum berakhir; monitoring dapat diparaf mulai %(day)s.")
            % {"day": formats.date_format(end.date(), "j F Y")}
        )
    evidence = sop_review.step_evidence(office, sop, start, end)
    now = clock.now()
    signed_pdf = None
    if sign and passphrase:
        # Rendering and signing take seconds: before the lock, as the Camat's approval does.
        signed_pdf = _signed_monitoring_pdf(
            office, year, half, sop, evidence, decisions, actor, staff, passphrase, now
        )
    with transaction.atomic():
        monitoring, _created = SopMonitoring.objects.select_for_update().get_or_create(
            office=office, year=year, half=half, defaults={"sop": sop}
        )
        if monitoring.is_signed:
            raise WorkflowError(_("Monitoring ini sudah diparaf dan tidak dapat diubah lagi."))
        monitoring.rows.all().delete()
        SopMonitoringRow.objects.bulk_create(
            _row(monitoring, item, decisions.get(item.number)) for item in evidence
        )
        if sign:
            _sign(monitoring, actor, staff, now)
            monitoring.signed_pdf = signed_pdf
            monitoring.save()
    return monitoring


def _signed_monitoring_pdf(
    office, year, half, sop, evidence, decisions, actor, staff, passphrase, now
) -> bytes:
    # weasyprint loads only when a PDF is made
    from ..exports.render_limit import RenderError, render_with_limit
    from ..exports.sop_review_pdf import render_monitoring_html, render_review_pdf

    signer = backend()
    try:
        identity = signer.identity(actor, at=now)
        signer.check_passphrase(actor, passphrase, at=now)
    except SigningError as error:
        raise WorkflowError(str(error)) from error
    # The document as it will be once signed: the decisions, the penilai's name and the time.
    preview = SopMonitoring(office=office, sop=sop, year=year, half=half)
    _sign(preview, actor, staff, now)
    lines = []
    for item in evidence:
        decision = decisions[item.number]  # every step is decided before signing
        lines.append(
            sop_review.MonitoringLine(item, decision.is_ok, decision.note, decision.action)
        )
    page = sop_review.MonitoringPage(office, year, half, sop, preview, lines)
    html = render_monitoring_html(page, sop_review.penilaian_rule(), tte=identity)
    try:
        pdf = render_with_limit(render_review_pdf, html)
        return signer.sign_pdf(pdf, user=actor, passphrase=passphrase, at=now)
    except (RenderError, SigningError) as error:
        raise WorkflowError(str(error)) from error


def _numbers(sop) -> list[int]:
    return [step.number for step in sop.steps.all()]


def _row(monitoring, item, decision: RowDecision | None) -> SopMonitoringRow:
    d = item.durations
    return SopMonitoringRow(
        monitoring=monitoring,
        step_number=item.number,
        step_name=item.name,
        standard_label=item.standard_label,
        standard_seconds=item.standard_seconds,
        samples=d.count,
        rated=d.rated,
        on_time=d.on_time,
        median_seconds=d.median_seconds,
        slowest_seconds=d.slowest_seconds,
        returns=item.returns,
        reopenings=item.reopenings,
        proposed_ok=item.proposed_ok,
        is_ok=decision.is_ok if decision else item.proposed_ok,
        note=decision.note if decision else item.proposed_note(),
        action=decision.action if decision else item.proposed_action(),
    )


def save_evaluation(
    *, office: Office, year: int, actor, answers: dict, conclusion: str, sign: bool
) -> SopEvaluation:
    """The penilai's answers to the evaluation questions; ``sign`` freezes them."""
    existing = SopEvaluation.objects.filter(office=office, year=year).first()
    sop = existing.sop if existing else sop_review.evaluated_sop(office, year)
    if sop is None:
        raise WorkflowError(_("Kantor Anda belum memiliki SOP."))
    staff = _penilai(actor, sop)
    if existing and existing.is_signed:
        raise WorkflowError(_("Evaluasi ini sudah diparaf dan tidak dapat diubah lagi."))
    if sign and any(answers.get(key, {}).get("ok") is None for key, _q in sop_review.QUESTIONS):
        raise WorkflowError(_("Jawab setiap pertanyaan evaluasi sebelum memaraf."))
    year_end = datetime.datetime(year + 1, 1, 1, tzinfo=JAKARTA)
    if sign and clock.now() < year_end:
        # As with the monitoring: a year still under way would be frozen half-told.
        raise WorkflowError(
            _("Tahun ini belum berakhir; evaluasi dapat diparaf mulai %(day)s.")
            % {"day": formats.date_format(year_end.date(), "j F Y")}
        )
    # Read before the lock: the evidence the signature freezes.
    evidence = (
        sop_review.evidence_record(sop_review.year_evidence(office, sop, year)) if sign else []
    )
    with transaction.atomic():
        evaluation, _created = SopEvaluation.objects.select_for_update().get_or_create(
            office=office, year=year, defaults={"sop": sop}
        )
        if evaluation.is_signed:
            raise WorkflowError(_("Evaluasi ini sudah diparaf dan tidak dapat diubah lagi."))
        evaluation.answers = answers
        evaluation.conclusion = conclusion
        if sign:
            _sign(evaluation, actor, staff)
            evaluation.evidence = evidence
        evaluation.save()
    return evaluation


def propose_revision(*, office: Office, year: int, actor):
    """A new, not yet active revision of the evaluated SOP with the proposed standard times,
    for the admin to review and make current."""
    evaluation = (
        SopEvaluation.objects.select_related("sop", "proposed_sop")
        .filter(office=office, year=year)
        .first()
    )
    sop = evaluation.sop if evaluation else sop_review.evaluated_sop(office, year)
    if sop is None:
        raise WorkflowError(_("Kantor Anda belum memiliki SOP."))
    _penilai(actor, sop)
    if evaluation is None:
        raise WorkflowError(_("Simpan evaluasi tahun ini terlebih dahulu."))
    if evaluation.proposed_sop_id:
        raise WorkflowError(_("Draf revisi untuk evaluasi ini sudah dibuat."))
    sop = sop_review.sop_with_steps(evaluation.sop_id)
    # A signed evaluation proposes from the evidence it was signed on, as its print shows.
    evidence = sop_review.evaluation_evidence(evaluation, sop, year)
    proposals = sop_review.standard_proposals(evidence, sop, office_calendar(office))
    if not proposals:
        raise WorkflowError(_("Tidak ada usulan waktu baku baru dari data tahun ini."))
    changes = {p.number: {"standard_amount": p.amount, "standard_unit": p.unit} for p in proposals}
    with transaction.atomic():
        locked = SopEvaluation.objects.select_for_update().get(pk=evaluation.pk)
        if locked.proposed_sop_id:
            raise WorkflowError(_("Draf revisi untuk evaluasi ini sudah dibuat."))
        draft = copy_revision(sop, is_active=False, step_changes=changes)
        locked.proposed_sop = draft
        locked.save(update_fields=["proposed_sop"])
    return draft
