"""The snapshot codec reads the dataclasses' own type hints, so fields added later need no code."""

import dataclasses
import datetime
from decimal import Decimal

from monev.frozen import canonical_json, from_plain, to_plain


@dataclasses.dataclass(frozen=True)
class Budget:
    year: int
    amount: Decimal | None


@dataclasses.dataclass(frozen=True)
class Programme:
    code: str
    budgets: list[Budget]
    per_quarter: tuple[Decimal | None, ...]
    pair: tuple[int, str]
    by_code: dict[str, Decimal]
    approved_on: datetime.date | None


@dataclasses.dataclass(frozen=True)
class Later(Programme):
    """The same structure after a helper added two fields."""

    note: str = "tanpa catatan"
    renstra: Decimal | None = None


def sample() -> Programme:
    return Programme(
        code="7.01.02",
        budgets=[Budget(2026, Decimal("102500000")), Budget(2027, None)],
        per_quarter=(Decimal("78.50"), None, Decimal("0.00"), None),
        pair=(3, "tiga"),
        by_code={"KES-01": Decimal("85")},
        approved_on=datetime.date(2026, 8, 3),
    )


def test_a_tree_survives_the_round_trip_with_its_exact_types():
    plain = to_plain(sample())

    rebuilt = from_plain(Programme, plain)

    assert rebuilt == sample()
    assert isinstance(rebuilt.budgets[0], Budget) and isinstance(rebuilt.per_quarter, tuple)
    assert rebuilt.per_quarter[0] == Decimal("78.50") and str(rebuilt.per_quarter[0]) == "78.50"
    assert plain["budgets"][0]["amount"] == "102500000"  # Decimals as strings, never floats
    assert plain["approved_on"] == "2026-08-03"


def test_the_canonical_json_is_one_spelling_per_content():
    first = canonical_json(to_plain(sample()))
    shuffled = dict(reversed(list(to_plain(sample()).items())))

    assert canonical_json(shuffled) == first
    assert canonical_json(to_plain(from_plain(Programme, to_plain(sample())))) == first


def test_fields_added_later_are_written_and_an_older_snapshot_still_loads():
    older = to_plain(sample())

    loaded = from_plain(Later, older)
    fields = {f.name: getattr(sample(), f.name) for f in dataclasses.fields(Programme)}
    newer = to_plain(Later(**fields, note="baru", renstra=Decimal("90")))

    assert loaded.note == "tanpa catatan" and loaded.renstra is None
    assert newer["note"] == "baru" and newer["renstra"] == "90"
    assert from_plain(Later, newer).renstra == Decimal("90")
