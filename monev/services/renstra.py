"""The Renstra budget of a programme, kegiatan or sub-kegiatan, loaded in bulk."""

from collections.abc import Iterable

from django.db import transaction

from ..models import Activity, Office, RenstraBudget

COLUMNS = ("kode", "tahun", "pagu_renstra", "realisasi_sd_tahun_lalu")


class RenstraImportError(ValueError):
    """The file was refused; ``problems`` names every bad row, in Indonesian."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _rupiah(text: str) -> int | None:
    """Whole rupiah as typed in Indonesia: "1.296.000.000" or "1296000000"."""
    digits = (text or "").strip().replace(".", "").replace(" ", "")
    return int(digits) if digits.isdigit() else None


def import_renstra_budget(office: Office, rows: Iterable[dict]) -> int:
    """Create or update one RenstraBudget per row; every row is checked before any is saved."""
    activities = {a.code: a for a in Activity.objects.filter(office=office)}
    problems, records = [], {}
    for line, row in enumerate(rows, start=2):
        row = {(key or "").strip().lower(): (value or "").strip() for key, value in row.items()}
        missing = [c for c in COLUMNS if c not in row]
        if missing:
            raise RenstraImportError([f"Kolom tidak ada: {', '.join(missing)}."])
        activity = activities.get(row["kode"])
        year = int(row["tahun"]) if row["tahun"].isdigit() else None
        budget, before = _rupiah(row["pagu_renstra"]), _rupiah(row["realisasi_sd_tahun_lalu"])
        if activity is None:
            problems.append(
                f"Baris {line}: kode {row['kode']!r} bukan program/kegiatan kantor ini."
            )
        elif year is None or not 2000 <= year <= 2100:
            problems.append(f"Baris {line}: tahun {row['tahun']!r} tidak sah.")
        elif budget is None or before is None:
            problems.append(f"Baris {line}: nilai rupiah harus bilangan bulat tanpa sen.")
        elif (activity.pk, year) in records:
            problems.append(f"Baris {line}: {row['kode']} tahun {year} muncul dua kali.")
        else:
            records[(activity.pk, year)] = (budget, before)
    if problems:
        raise RenstraImportError(problems)
    with transaction.atomic():
        for (activity_id, year), (budget, before) in records.items():
            RenstraBudget.objects.update_or_create(
                activity_id=activity_id,
                year=year,
                defaults={"period_budget": budget, "realised_before": before},
            )
    return len(records)
