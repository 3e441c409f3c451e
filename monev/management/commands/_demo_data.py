"""Plausible quarterly data for the demo office, written through the same service as the form."""

import random
from decimal import ROUND_HALF_UP, Decimal

from monev import workflow
from monev.models import (
    ActivityLevel,
    Direction,
    Indicator,
    IndicatorTarget,
    Role,
    Section,
    Staff,
    StepKind,
)
from monev.performance import achievement
from monev.services.data_checks import ActivityEntry, IndicatorEntry
from monev.services.documents import (
    analysis_revisions,
    analysis_save,
    analysis_texts,
    comment_add,
    draft_generate,
    drafting_step,
)
from monev.services.monev_sheet import MonevInput, monev_sheet_save
from monev.services.section_data import section_data_save

DRIVING = [
    "Koordinasi yang baik dengan wali nagari dan perangkat nagari.",
    "Dukungan aplikasi dan petugas yang terlatih.",
    "Partisipasi aktif masyarakat dan tokoh adat.",
]
INHIBITING = [
    "Keterbatasan jumlah personel di lapangan.",
    "Jarak tempuh ke nagari terjauh dan cuaca yang kurang mendukung.",
    "Data dari nagari terlambat masuk.",
]
FOLLOW_UP = [
    "Menjadwalkan ulang kegiatan pada awal triwulan berikutnya.",
    "Meningkatkan koordinasi dengan nagari melalui rapat bulanan.",
    "Menambah petugas pendamping dari staf kecamatan.",
]

FINDINGS = [
    "Pelaksanaan %(code)s sesuai jadwal; data dukung lengkap di seksi.",
    "Kegiatan pendukung %(code)s berjalan, sebagian laporan nagari masih menyusul.",
    "Capaian %(code)s dipantau langsung ke lapangan bersama perangkat nagari.",
]


def _round(value: float, unit: str) -> Decimal:
    places = Decimal("0.01") if unit in {"%", "indeks", "jam", "hari"} else Decimal("1")
    return Decimal(str(value)).quantize(places, rounding=ROUND_HALF_UP)


ANALYSIS = [
    "Capaian seksi umumnya sesuai target. Indikator yang di bawah target dipengaruhi "
    "keterlambatan data dari nagari; koordinasi bulanan akan diperkuat.",
    "Sebagian besar kegiatan berjalan sesuai jadwal. Serapan anggaran masih di bawah rencana "
    "karena pembayaran kegiatan lapangan dilakukan pada akhir triwulan.",
    "Kinerja seksi meningkat dibanding triwulan lalu berkat dukungan wali nagari dan "
    "partisipasi masyarakat.",
]
REVISIONS = [
    "Data kejadian per nagari telah dilampirkan sesuai arahan Sekretaris.",
    "Angka IKM disesuaikan dengan hasil survei kepuasan masyarakat terbaru.",
    "Penjelasan penyebab capaian di bawah target telah diperinci.",
]
COMMENTS = {
    Role.SEKRETARIS: "Mohon analisis Seksi Trantibum dilengkapi dengan data kejadian per nagari.",
    Role.CAMAT: "Secara umum sudah baik; pastikan angka IKM sesuai hasil survei terbaru.",
}


class DemoData:
    def __init__(self, office, years):
        self.office = office
        self._ensure_targets(years)

    def _ensure_targets(self, years) -> None:
        """Copy the newest targets to years the fixture does not cover, so any date works."""
        for indicator in Indicator.objects.filter(office=self.office).prefetch_related("targets"):
            known = {t.year: t for t in indicator.targets.all()}
            for year in years:
                if year in known or not known:
                    continue
                source = known[min(known, key=lambda y: abs(y - year))]
                source.pk, source.year = None, year
                source.save()

    def fill(self, report, section: Section, user, rng: random.Random) -> None:
        indicators = []
        for indicator in Indicator.objects.filter(section=section, is_active=True):
            target_row = IndicatorTarget.objects.filter(
                indicator=indicator, year=report.year
            ).first()
            target = target_row.for_quarter(report.quarter) if target_row else None
            if target is None:
                continue
            spread = (0.88, 1.08) if indicator.direction == Direction.HIGHER else (0.92, 1.15)
            value = _round(float(target) * rng.uniform(*spread), indicator.unit)
            if indicator.unit == "%":
                value = min(value, Decimal(100))
            result = achievement(target, value, indicator.direction)
            below = result.percent is not None and result.percent < 100
            indicators.append(
                IndicatorEntry(
                    indicator_id=indicator.pk,
                    value=value,
                    driving="" if below else rng.choice(DRIVING),
                    inhibiting=rng.choice(INHIBITING) if below else "",
                    follow_up=rng.choice(FOLLOW_UP) if below else "",
                )
            )
        activities = []
        for activity in section.activities.filter(level=ActivityLevel.SUB_KEGIATAN):
            budget = next((b.budget for b in activity.budgets.all() if b.year == report.year), 0)
            # Spending is the quarter's own; physical progress is cumulative to this quarter.
            progress = report.quarter / 4 * rng.uniform(0.75, 0.98)
            activities.append(
                ActivityEntry(
                    activity_id=activity.pk,
                    spent=int(budget / 4 * rng.uniform(0.7, 0.98)),
                    physical=min(Decimal(100), _round(progress * 100, "%")),
                )
            )
        section_data_save(
            report_id=report.pk,
            section_id=section.pk,
            actor=user,
            revision=0,
            indicators=indicators,
            activities=activities,
        )

    def fill_monev(self, report, section: Section, user, rng: random.Random) -> None:
        entries = [
            MonevInput(
                indicator_id=indicator.pk,
                findings=rng.choice(FINDINGS) % {"code": indicator.code},
                problems=rng.choice(INHIBITING),
                recommendation=rng.choice(FOLLOW_UP),
            )
            for indicator in Indicator.objects.filter(section=section, is_active=True)
        ]
        monev_sheet_save(
            report_id=report.pk,
            section_id=section.pk,
            actor=user,
            revision=0,
            entries=entries,
        )

    def before_completing(self, report, step, user, rng: random.Random) -> None:
        """What the step's people do in the app before they close it."""
        first_analysis = workflow.data_collected(report) and not analysis_texts(report)
        if step.role in workflow.analysis_roles(report) and (
            step.requires_analysis or first_analysis
        ):
            texts = {s.pk: rng.choice(ANALYSIS) for s in workflow.active_sections(report)}
            analysis_save(report_id=report.pk, actor=user, texts=texts)
        if drafting_step(report):
            if report.versions.exists():
                # A revision after discussion or a return: the Kasubag sharpens one analysis.
                section = rng.choice(workflow.active_sections(report))
                text = analysis_texts(report).get(section.pk, "")
                analysis_save(
                    report_id=report.pk,
                    actor=user,
                    texts={section.pk: f"{text} {rng.choice(REVISIONS)}".strip()},
                    revisions=analysis_revisions(report),
                )
            draft_generate(report_id=report.pk, actor=user, from_step=step.number)
        version = report.versions.order_by("-number").first()
        if step.kind == StepKind.TASK and version and not version.comments.exists():
            # The discussion of the first draft.
            for role, text in COMMENTS.items():
                author = Staff.objects.filter(office=report.office, role=role).first()
                if author:
                    comment_add(version_id=version.pk, actor=author.user, body=text)
