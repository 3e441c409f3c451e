"""What a report's documents show, frozen with each draft version, and which content a page
reads: the approved version's snapshot once the Camat has approved, the live rows before."""

import json
from dataclasses import dataclass

from .. import workflow
from ..frozen import canonical_json, from_plain, sha256_text, to_plain
from ..models import DocumentSignature, DraftVersion, Report, SectionAnalysis
from .office_data import QuarterFigures, quarter_figures


@dataclass(frozen=True)
class DocumentContent:
    """Everything a version's document shows besides its date and watermark."""

    figures: QuarterFigures
    analysis: dict[int, str]  # section id -> the Kasubag PKP's analysis
    place: str

    def as_json(self) -> str:
        return canonical_json(
            {
                "figures": to_plain(self.figures),
                # Only the sections the document shows: a stray row of a retired section
                # must not make the live content differ from a version.
                "analysis": {
                    str(s.section_id): self.analysis.get(s.section_id, "")
                    for s in self.figures.sections
                },
                "place": self.place,
            }
        )

    @property
    def sha256(self) -> str:
        return sha256_text(self.as_json())


def from_json(text: str) -> DocumentContent:
    plain = json.loads(text)
    return DocumentContent(
        figures=from_plain(QuarterFigures, plain["figures"]),
        analysis={int(k): v for k, v in plain["analysis"].items()},
        place=plain["place"],
    )


def live_content(report: Report) -> DocumentContent:
    """The content as the rows stand now: what the next version would freeze."""
    return DocumentContent(
        figures=quarter_figures(report),
        analysis=dict(
            SectionAnalysis.objects.filter(report=report).values_list("section_id", "text")
        ),
        place=report.office.place or report.office.name,
    )


def version_content(version: DraftVersion) -> DocumentContent | None:
    """The version's frozen content; None for a version made before snapshots existed."""
    return from_json(version.snapshot) if version.snapshot else None


def latest_version(report: Report) -> DraftVersion | None:
    return report.versions.order_by("-number").first()


def approved_version(report: Report) -> DraftVersion | None:
    """The version the decision steps were bound to: the newest one, since a decision refuses
    a version that is not the newest and no version can be made after the approval."""
    if not workflow.is_approved(report):
        return None
    return latest_version(report)


def report_content(report: Report) -> DocumentContent:
    """What pages and files show for the report: the approved snapshot, else the live rows.

    An approved report whose version predates snapshots (an old database) falls back to the
    rows; its archived files stay the frozen originals either way.
    """
    version = approved_version(report)
    content = version_content(version) if version else None
    return content or live_content(report)


@dataclass(frozen=True)
class RecordNames:
    """The names an approved report's document carries, for the pages around it."""

    office: str
    sections: dict[int, str]  # section id -> its name in the document
    signature: DocumentSignature | None  # the electronic signature, as recorded at signing


def record_names(report: Report) -> RecordNames | None:
    """The office and section names of the approved version, so that a renamed office or
    section leaves an approved quarter's pages as the Camat signed them; None while the
    report is open (or its version predates snapshots) and the pages show the rows."""
    version = approved_version(report)
    if version is None or not version.snapshot:
        return None
    figures = json.loads(version.snapshot)["figures"]  # two names: no need to rebuild it all
    return RecordNames(
        office=figures["office_name"],
        sections={s["section_id"]: s["name"] for s in figures["sections"]},
        signature=report.signatures.order_by("-signed_at").first(),
    )


def decision_binding(report: Report) -> dict:
    """The newest version's number and content hash, as a decision form carries them."""
    newest = report.versions.order_by("-number").values_list("number", "snapshot_sha256").first()
    number, content_hash = newest or (None, "")
    return {"version": number, "content_hash": content_hash}
