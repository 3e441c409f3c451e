from decimal import Decimal

import pytest

from monev.numbers import (
    NumberError,
    format_decimal,
    format_rupiah,
    parse_decimal,
    parse_rupiah,
)

# --- parse_decimal: accepted ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("85,5", "85.5"),
        ("85.5", "85.5"),
        ("85", "85"),
        ("0", "0"),
        ("100", "100"),
        ("1234", "1234"),
        ("1234,5", "1234.5"),
        ("1.234,5", "1234.5"),
        ("1,234.5", "1234.5"),
        ("1.234.567", "1234567"),
        ("1,234,567", "1234567"),
        ("1.234.567,89", "1234567.89"),
        ("1,234,567.89", "1234567.89"),
        ("1.234,567", "1234.567"),  # both separators: the last one is the decimal mark
        ("-3,5", "-3.5"),
        ("-1.234,5", "-1234.5"),
        ("  85,5  ", "85.5"),
        ("\t12,25\n", "12.25"),
        ("85,5%", "85.5"),
        ("85,5 %", "85.5"),
        ("100%", "100"),
        ("Rp 1.234.567", "1234567"),
        ("Rp. 1.234.567", "1234567"),
        ("Rp1.234.567", "1234567"),
        ("rp 1.500", "1500"),  # with Rp a single "." before three digits is grouping
        ("Rp 12.500", "12500"),
        ("Rp 1.234,5", "1234.5"),
        ("0,125", "0.125"),
        ("0.125", "0.125"),
        ("1234.567", "1234.567"),  # four integer digits cannot be a thousands group
        ("1.2345", "1.2345"),
        ("12,50", "12.50"),
        ("12.5", "12.5"),
        ("1,23", "1.23"),
        ("007", "7"),
        ("-0", "0"),
    ],
)
def test_parse_decimal_accepts(text, expected):
    assert parse_decimal(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", " ", "   \t\n", "\u00a0"])
def test_parse_decimal_blank_is_none(text):
    assert parse_decimal(text) is None


def test_parse_decimal_none_is_none():
    assert parse_decimal(None) is None


def test_parse_decimal_never_returns_negative_zero():
    assert str(parse_decimal("-0")) == "0"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("85.5"), Decimal("85.5")),
        (42, Decimal(42)),
        (0, Decimal(0)),
        (85.5, Decimal("85.5")),
        (0.1, Decimal("0.1")),  # via str, not the float's binary expansion
        (-3.25, Decimal("-3.25")),
    ],
)
def test_parse_decimal_passes_numbers_through(value, expected):
    result = parse_decimal(value)
    assert isinstance(result, Decimal)
    assert result == expected
    assert str(result) == str(expected)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), Decimal("NaN"), Decimal("-Inf")])
def test_parse_decimal_rejects_non_finite_numbers(value):
    with pytest.raises(NumberError):
        parse_decimal(value)


def test_parse_decimal_rejects_booleans_as_a_bug():
    with pytest.raises(TypeError):
        parse_decimal(True)


# --- parse_decimal: rejected ----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "12a",
        "a12",
        "1e5",
        "tiga",
        "1..2",
        "1,,2",
        ".5",
        "5.",
        "5,",
        ",",
        "-",
        "%",
        "Rp",
        "--5",
        "-Rp -5",
        "1 234",
        "12-3",
        "½",
        "١٢",  # Arabic-Indic digits are not what the form means
    ],
)
def test_parse_decimal_rejects_text(text):
    with pytest.raises(NumberError) as caught:
        parse_decimal(text)
    assert f"“{text.strip()}”" in str(caught.value)
    assert "bukan angka" in str(caught.value)
    assert caught.value.text == text.strip()


@pytest.mark.parametrize(
    "text",
    [
        "1,2,3.4.5",  # the decimal mark repeats
        "1.23.456",  # a group of two
        "1.2345.678",  # a group of four
        "1234.567.890",  # a first group of four
        "1.234.56",
        "1,234.567,8",
        "0.123.456",  # a leading zero is not a thousands group
        "1.234,5.6",
        "12,34.5",
    ],
)
def test_parse_decimal_rejects_malformed_grouping(text):
    with pytest.raises(NumberError) as caught:
        parse_decimal(text)
    message = str(caught.value)
    assert f"“{text}”" in message
    assert "pemisah ribuan" in message
    assert "tiga angka" in message


@pytest.mark.parametrize(
    ("text", "thousands", "decimal", "hint"),
    [
        ("1.234", "1234", "1,234", "1,2340"),
        ("1,234", "1234", "1,234", "1,2340"),
        ("12.500", "12500", "12,500", "12,5"),
        ("123.456", "123456", "123,456", "123,4560"),
        ("1.000", "1000", "1,000", "1,0"),
        ("-1.234", "-1234", "-1,234", "-1,2340"),
        ("99,900 %", "99900", "99,900", "99,9"),
    ],
)
def test_parse_decimal_rejects_ambiguous_text_explaining_both_readings(
    text, thousands, decimal, hint
):
    with pytest.raises(NumberError) as caught:
        parse_decimal(text)
    message = str(caught.value)
    assert f"Angka “{text}” meragukan" in message
    assert f"dibaca {thousands} (" in message
    assert "pemisah ribuan" in message
    assert f"atau {decimal} (" in message
    assert "tanda desimal" in message
    assert f"Tulis {thousands} tanpa pemisah ribuan" in message
    assert f"atau {hint} jika maksudnya bilangan desimal" in message


def test_hints_in_the_ambiguity_message_are_themselves_unambiguous():
    for text in ["1.234", "12.500", "1.000", "123,456"]:
        message = str(pytest.raises(NumberError, parse_decimal, text).value)
        hint = message.rsplit("atau ", 1)[1].split(" jika")[0]
        parse_decimal(hint)  # must not raise


@pytest.mark.parametrize("text", ["0.125", "0,125", "0.500", "1.2345", "1234.567", "1.23"])
def test_parse_decimal_reads_unambiguous_decimals(text):
    assert parse_decimal(text) == Decimal(text.replace(",", "."))


def test_number_error_is_a_value_error():
    assert issubclass(NumberError, ValueError)


# --- parse_rupiah ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rp 1.234.567", 1234567),
        ("Rp. 1.234.567", 1234567),
        ("Rp1.234.567", 1234567),
        ("rp 1.234.567", 1234567),
        ("1234567", 1234567),
        ("1.234.567", 1234567),
        ("1,234,567", 1234567),
        ("1.234.567,00", 1234567),
        ("1.234.567,0", 1234567),
        ("1,234,567.00", 1234567),
        ("12.500", 12500),  # whole Rupiah: a single "." before three digits is grouping
        ("1.234", 1234),
        ("12,500", 12500),
        ("0", 0),
        ("  Rp 500  ", 500),
        ("-0", 0),
        (1234567, 1234567),
        (Decimal("1234567"), 1234567),
        (Decimal("1234567.00"), 1234567),
        (1234567.0, 1234567),
    ],
)
def test_parse_rupiah_accepts(text, expected):
    result = parse_rupiah(text)
    assert isinstance(result, int)
    assert result == expected


@pytest.mark.parametrize("text", [None, "", "   "])
def test_parse_rupiah_blank_is_none(text):
    assert parse_rupiah(text) is None


@pytest.mark.parametrize(
    "value", ["1.234,50", "1.234,5", "Rp 12,5", "0,5", "1234,567", Decimal("10.5"), 0.5]
)
def test_parse_rupiah_rejects_fractions(value):
    with pytest.raises(NumberError) as caught:
        parse_rupiah(value)
    message = str(caught.value)
    assert "bilangan bulat" in message
    assert "tanpa sen" in message
    assert f"“{value}”" in message


@pytest.mark.parametrize("value", ["-1.000", "Rp -5.000", "-Rp 5.000", "-1", -1])
def test_parse_rupiah_rejects_negatives(value):
    with pytest.raises(NumberError) as caught:
        parse_rupiah(value)
    assert "tidak boleh negatif" in str(caught.value)
    assert f"“{value}”" in str(caught.value)


@pytest.mark.parametrize("text", ["abc", "Rp", "1.23.456", "1..000", "Rp 1.234,5.6"])
def test_parse_rupiah_rejects_text(text):
    with pytest.raises(NumberError) as caught:
        parse_rupiah(text)
    assert f"“{text}”" in str(caught.value)


def test_parse_rupiah_rejects_percent():
    with pytest.raises(NumberError) as caught:
        parse_rupiah("50%")
    assert "“50%”" in str(caught.value)


# --- format_decimal / format_rupiah --------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("85.5"), "85,5"),
        (Decimal("85.50"), "85,5"),
        (Decimal("1234.5"), "1.234,5"),
        (Decimal("1234567.89"), "1.234.567,89"),
        (Decimal("100"), "100"),
        (Decimal("100.00"), "100"),
        (Decimal("1E+3"), "1.000"),
        (Decimal("0"), "0"),
        (Decimal("0.125"), "0,13"),  # half up, not half even
        (Decimal("0.5"), "0,5"),
        (Decimal("-3.5"), "-3,5"),
        (Decimal("-1234.5"), "-1.234,5"),
        (Decimal("-0.001"), "0"),  # no "-0"
        (Decimal("99.999"), "100"),
        (100, "100"),
        (None, "-"),
    ],
)
def test_format_decimal(value, expected):
    assert format_decimal(value) == expected


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("12.345"), 0, "12"),
        (Decimal("12.5"), 0, "13"),
        (Decimal("12.3456"), 3, "12,346"),
        (Decimal("12.3"), 4, "12,3"),
    ],
)
def test_format_decimal_places(value, places, expected):
    assert format_decimal(value, places=places) == expected


@pytest.mark.parametrize("text", ["85,5", "1.234,5", "1.234.567,89", "-3,5", "100", "0,5"])
def test_format_decimal_output_parses_back(text):
    assert format_decimal(parse_decimal(text)) == text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1234567, "Rp 1.234.567"),
        (0, "Rp 0"),
        (500, "Rp 500"),
        (1000, "Rp 1.000"),
        (Decimal("1234567"), "Rp 1.234.567"),
        (-1500, "-Rp 1.500"),
        (None, "-"),
    ],
)
def test_format_rupiah(value, expected):
    assert format_rupiah(value) == expected


def test_format_rupiah_refuses_cents():
    with pytest.raises(ValueError):
        format_rupiah(Decimal("10.5"))


@pytest.mark.parametrize("amount", [0, 7, 1234, 12500, 1234567, 9876543210])
def test_format_rupiah_output_parses_back(amount):
    assert parse_rupiah(format_rupiah(amount)) == amount
