from decimal import Decimal

import pytest

from monev.performance import (
    DEFAULT_BANDS,
    Achievement,
    Aggregation,
    Direction,
    RatingBand,
    achievement,
    needs_explanation,
    rating,
    yearly_realisation,
)

D = Decimal
HIGHER = Direction.HIGHER
LOWER = Direction.LOWER

# Every rating boundary, with the predikat it must earn.
BOUNDARIES = [
    ("50", "Sangat Rendah"),
    ("51", "Rendah"),
    ("65", "Rendah"),
    ("66", "Sedang"),
    ("75", "Sedang"),
    ("76", "Tinggi"),
    ("90", "Tinggi"),
    ("90.5", "Tinggi"),
    ("91", "Sangat Tinggi"),
    ("100", "Sangat Tinggi"),
    ("120", "Sangat Tinggi"),
]
# Targets that keep the test arithmetic exact, including awkward ones.
TARGETS = ["100", "40", "8", "2.5", "1250"]


def test_constants_are_the_stored_strings():
    assert (Direction.HIGHER, Direction.LOWER) == ("higher", "lower")
    assert (Aggregation.SUM, Aggregation.LAST, Aggregation.AVERAGE) == ("sum", "last", "average")


# --- achievement: higher is better -------------------------------------------------


@pytest.mark.parametrize(
    ("target", "realisation", "percent"),
    [
        ("100", "50", "50"),
        ("100", "51", "51"),
        ("100", "65", "65"),
        ("100", "66", "66"),
        ("100", "75", "75"),
        ("100", "76", "76"),
        ("100", "90", "90"),
        ("100", "90.5", "90.5"),
        ("100", "91", "91"),
        ("100", "100", "100"),
        ("100", "120", "120"),
        ("40", "36.2", "90.5"),
        ("8", "4", "50"),
        ("200", "0", "0"),
        ("3", "1", "33.33"),
        ("3", "2", "66.67"),
        ("1000", "123.45", "12.35"),  # 12.345 rounds half up (half even would give 12.34)
        ("200", "0.01", "0.01"),  # 0.005 rounds up
        ("0.5", "1", "200"),
    ],
)
def test_achievement_higher(target, realisation, percent):
    result = achievement(D(target), D(realisation), HIGHER)
    assert result == Achievement(percent=D(percent), status="ok")
    assert result.percent.as_tuple().exponent == -2  # stored with two places


# --- achievement: lower is better (PermenPAN-RB 8/2021) -----------------------------


@pytest.mark.parametrize(
    ("target", "realisation", "percent"),
    [
        ("100", "150", "50"),
        ("100", "149", "51"),
        ("100", "135", "65"),
        ("100", "134", "66"),
        ("100", "125", "75"),
        ("100", "124", "76"),
        ("100", "110", "90"),
        ("100", "109.5", "90.5"),
        ("100", "109", "91"),
        ("100", "100", "100"),
        ("100", "80", "120"),
        ("100", "0", "200"),
        ("40", "43.8", "90.5"),
        ("3", "4", "66.67"),
        ("100", "200", "0"),  # exactly twice the target
        ("10", "25", "0"),  # worse than twice the target is floored at 0, not negative
        ("10", "1000", "0"),
    ],
)
def test_achievement_lower(target, realisation, percent):
    result = achievement(D(target), D(realisation), LOWER)
    assert result == Achievement(percent=D(percent), status="ok")


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize(("percent", "label"), BOUNDARIES)
def test_every_boundary_in_both_directions(target, percent, label):
    target, percent = D(target), D(percent)
    higher = achievement(target, target * percent / 100, HIGHER)
    lower = achievement(target, target * (2 - percent / 100), LOWER)
    for result in (higher, lower):
        assert result.status == Achievement.OK
        assert result.percent == percent
        assert rating(result.percent).label == label


# --- achievement: nothing to compute -----------------------------------------------


@pytest.mark.parametrize("direction", [HIGHER, LOWER])
@pytest.mark.parametrize("target", [D(0), D("0.00"), None])
def test_zero_or_missing_target_cannot_be_computed(direction, target):
    result = achievement(target, D(5), direction)
    assert result == Achievement(percent=None, status="no_target")
    assert result.label == "tidak dapat dihitung"
    assert rating(result.percent) is None


@pytest.mark.parametrize("direction", [HIGHER, LOWER])
@pytest.mark.parametrize("target", [D(100), D(0), None])
def test_empty_realisation_stays_belum_diisi(direction, target):
    result = achievement(target, None, direction)
    assert result == Achievement(percent=None, status="empty")
    assert result.label == "belum diisi"
    assert result.percent != 0
    assert rating(result.percent) is None


@pytest.mark.parametrize("direction", [HIGHER, LOWER])
def test_zero_realisation_is_a_value_not_empty(direction):
    assert achievement(D(100), D(0), direction).status == "ok"


def test_unknown_direction_is_refused():
    with pytest.raises(ValueError):
        achievement(D(100), D(50), "sideways")


def test_achievement_is_immutable():
    result = achievement(D(100), D(50), HIGHER)
    with pytest.raises(AttributeError):
        result.percent = D(99)


@pytest.mark.parametrize(
    ("result", "label"),
    [
        (Achievement(D("85.50"), "ok"), "85,5 %"),
        (Achievement(D("100.00"), "ok"), "100 %"),
        (Achievement(D("1234.50"), "ok"), "1.234,5 %"),
        (Achievement(D("0.00"), "ok"), "0 %"),
        (Achievement(D("66.67"), "ok"), "66,67 %"),
        (Achievement(None, "empty"), "belum diisi"),
        (Achievement(None, "no_target"), "tidak dapat dihitung"),
    ],
)
def test_achievement_label(result, label):
    assert result.label == label


# --- rating -------------------------------------------------------------------------


@pytest.mark.parametrize(("percent", "label"), BOUNDARIES)
def test_rating_at_every_boundary(percent, label):
    assert rating(D(percent)).label == label


@pytest.mark.parametrize(
    ("percent", "label", "css"),
    [
        ("0", "Sangat Rendah", "danger"),
        ("50.99", "Sangat Rendah", "danger"),
        ("51", "Rendah", "warning"),
        ("65.99", "Rendah", "warning"),
        ("66", "Sedang", "info"),
        ("75.99", "Sedang", "info"),
        ("76", "Tinggi", "primary"),
        ("90.99", "Tinggi", "primary"),
        ("91", "Sangat Tinggi", "success"),
        ("250", "Sangat Tinggi", "success"),
        ("-5", "Sangat Rendah", "danger"),  # below every band: still the lowest
    ],
)
def test_rating_between_boundaries(percent, label, css):
    band = rating(D(percent))
    assert (band.label, band.css) == (label, css)


def test_rating_of_nothing_is_none():
    assert rating(None) is None


def test_rating_uses_custom_bands_in_any_order():
    bands = [
        RatingBand(D(0), "Kurang", "danger"),
        RatingBand(D(100), "Tercapai", "success"),
    ]
    assert rating(D("99.99"), bands).label == "Kurang"
    assert rating(D(100), bands).label == "Tercapai"


def test_default_bands_run_from_highest_to_lowest():
    minimums = [band.minimum for band in DEFAULT_BANDS]
    assert minimums == [D(91), D(76), D(66), D(51), D(0)]


# --- yearly realisation -------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "method", "expected"),
    [
        ([D(10), D(20), D(30), D(40)], Aggregation.SUM, D(100)),
        ([D(10), None, D(30), None], Aggregation.SUM, D(40)),
        ([None, None, None, D(5)], Aggregation.SUM, D(5)),
        ([D("1.5"), D("2.25"), None, None], Aggregation.SUM, D("3.75")),
        ([D(10), D(20), D(30), D(40)], Aggregation.LAST, D(40)),
        ([D(10), None, D(30), None], Aggregation.LAST, D(30)),
        ([D(80), D(0), None, None], Aggregation.LAST, D(0)),  # a filled 0 counts as filled
        ([D(10), D(20), D(30), D(40)], Aggregation.AVERAGE, D(25)),
        ([D(10), None, D(30), None], Aggregation.AVERAGE, D(20)),
        ([None, D(7), None, None], Aggregation.AVERAGE, D(7)),
        ([D(0), D(10), None, None], Aggregation.AVERAGE, D(5)),
        ([D(10), D(20)], Aggregation.SUM, D(30)),  # mid-year: only quarters so far
    ],
)
def test_yearly_realisation(values, method, expected):
    assert yearly_realisation(values, method) == expected


def test_yearly_average_is_not_rounded():
    result = yearly_realisation([D(1), D(1), D(2), None], Aggregation.AVERAGE)
    assert result == D(4) / D(3)


@pytest.mark.parametrize("method", [Aggregation.SUM, Aggregation.LAST, Aggregation.AVERAGE])
@pytest.mark.parametrize("values", [[None, None, None, None], []])
def test_yearly_realisation_with_nothing_filled_is_none(values, method):
    assert yearly_realisation(values, method) is None


def test_unknown_aggregation_is_refused():
    with pytest.raises(ValueError):
        yearly_realisation([D(1)], "median")


# --- which explanations the form asks for -----------------------------------------


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (Achievement(D("99.99"), "ok"), (False, True, True)),
        (Achievement(D("0.00"), "ok"), (False, True, True)),
        (Achievement(D("100.00"), "ok"), (True, False, False)),
        (Achievement(D("120.00"), "ok"), (True, False, False)),
        (Achievement(None, "empty"), (False, False, False)),
        (Achievement(None, "no_target"), (False, False, False)),
    ],
)
def test_needs_explanation(result, expected):
    assert needs_explanation(result) == expected


def test_needs_explanation_follows_direction():
    # 80 against a target of 100 is below target when higher is better, above when lower is.
    assert needs_explanation(achievement(D(100), D(80), HIGHER)) == (False, True, True)
    assert needs_explanation(achievement(D(100), D(80), LOWER)) == (True, False, False)
