"""USCC validation (GB 32100-2015) against the vectors of reference/uscc.md and Hypothesis properties."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gzchain.domain.errors import InvalidInput
from gzchain.domain.uscc import (
    ALPHABET,
    INSTITUTION_TYPES,
    REGISTRATION_AUTHORITIES,
    Uscc,
    is_valid_uscc,
    organisation_code_check_character,
    uscc_check_character,
    uscc_from_prefix,
    validate_uscc,
)

REFERENCE_VALID_CODES = [
    "914403001922038216",
    "91440300708461136T",
    "9144030071526726XG",
    "91330100716105852F",
    "91110000802100433B",
    "91440101MA59LU9AX1",
    "91350100M000100Y43",
]
REFERENCE_INVALID_CODE = "91440101MA59A1B2C3"
REFERENCE_INVALID_CODE_CORRECT_LAST = "6"


def rejection(code: object) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        validate_uscc(code)  # type: ignore[arg-type]
    assert caught.value.field == "uscc"
    return caught.value


def with_consistent_final_check(first17: str) -> str:
    return first17 + uscc_check_character(first17)


@pytest.mark.parametrize("code", REFERENCE_VALID_CODES)
def test_accepts_every_valid_reference_code(code: str) -> None:
    assert validate_uscc(code) == code
    assert is_valid_uscc(code)


@pytest.mark.parametrize("code", REFERENCE_VALID_CODES)
def test_computes_both_check_characters_of_every_valid_reference_code(code: str) -> None:
    assert organisation_code_check_character(code[8:16]) == code[16]
    assert uscc_check_character(code[:17]) == code[17]


@pytest.mark.parametrize("code", REFERENCE_VALID_CODES)
def test_rebuilds_every_valid_reference_code_from_its_16_character_prefix(code: str) -> None:
    assert uscc_from_prefix(code[:16]) == code


def test_rejects_the_invalid_reference_code_saying_its_last_character_should_be_6() -> None:
    error = rejection(REFERENCE_INVALID_CODE)

    assert "position 18 is '3', the check character should be '6'" in error.reason
    assert uscc_check_character(REFERENCE_INVALID_CODE[:17]) == REFERENCE_INVALID_CODE_CORRECT_LAST
    assert not is_valid_uscc(REFERENCE_INVALID_CODE)


def test_reports_both_check_characters_when_both_are_wrong() -> None:
    error = rejection(REFERENCE_INVALID_CODE)

    assert error.reason == (
        "position 17 is 'C', the GB 11714 check character should be '8'; "
        "position 18 is '3', the check character should be '6'"
    )


def test_normalises_surrounding_whitespace_and_lower_case() -> None:
    assert validate_uscc("  91440101ma59lu9ax1\n") == "91440101MA59LU9AX1"
    assert validate_uscc("\u300091350100m000100y43\u3000") == "91350100M000100Y43"


@pytest.mark.parametrize("code", ["", "9144010", "91440101MA59LU9AX", "91440101MA59LU9AX12"])
def test_rejects_a_code_of_the_wrong_length_saying_its_length(code: str) -> None:
    error = rejection(code)

    assert error.reason == f"a USCC has 18 characters, this one has {len(code)}"


def test_rejects_a_value_that_is_not_a_string() -> None:
    assert "must be a string" in rejection(914403001922038216).reason
    assert not is_valid_uscc(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("code", "position", "character"),
    [
        ("91440101MA59LU9AI1", 17, "I"),
        ("9144010OMA59LU9AX1", 8, "O"),
        ("S1440101MA59LU9AX1", 1, "S"),
        ("91440101MA59LV9AX1", 14, "V"),
        ("91440101MA59LU9AXZ", 18, "Z"),
        ("91440101MA59-U9AX1", 13, "-"),
        ("91440101MA5 LU9AX1", 12, " "),
    ],
)
def test_rejects_a_character_outside_the_alphabet_naming_its_position_and_character(
    code: str, position: int, character: str
) -> None:
    error = rejection(code)

    assert error.reason.startswith(f"position {position} is {character!r}, which is not a USCC character")


def test_does_not_upper_case_non_ascii_look_alikes_into_alphabet_characters() -> None:
    # U+FB00 (ﬀ) upper-cases to "FF": str.upper() would turn this 17-character string into a valid code.
    code = uscc_from_prefix("91440101MA59LUFF")
    look_alike = code.replace("FF", "\ufb00")

    assert look_alike.upper() == code
    assert rejection(look_alike).reason == "a USCC has 18 characters, this one has 17"


def test_rejects_a_full_width_digit() -> None:
    assert rejection("９1440101MA59LU9AX1").reason.startswith("position 1 is '９'")


@pytest.mark.parametrize("authority", ["0", "B", "C", "M", "X"])
def test_rejects_an_unknown_registration_authority_at_position_1(authority: str) -> None:
    error = rejection(authority + "1440101MA59LU9AX1")

    assert error.reason.startswith(f"position 1 is {authority!r}, which is not a registration authority")


@pytest.mark.parametrize(
    ("authority", "institution_type"), [("9", "4"), ("9", "9"), ("9", "0"), ("1", "4"), ("5", "A")]
)
def test_rejects_an_institution_type_its_registration_authority_does_not_have(
    authority: str, institution_type: str
) -> None:
    error = rejection(authority + institution_type + "440101MA59LU9AX1")

    assert error.reason.startswith(
        f"position 2 is {institution_type!r}, which is not an institution type under registration "
        f"authority {authority!r}"
    )
    assert "allowed: " + ", ".join(INSTITUTION_TYPES[authority]) in error.reason


@pytest.mark.parametrize(
    ("authority", "institution_type"),
    [("9", "1"), ("9", "2"), ("9", "3"), ("1", "9"), ("5", "3"), ("5", "9")],
)
def test_accepts_every_institution_type_the_reference_lists(authority: str, institution_type: str) -> None:
    code = uscc_from_prefix(authority + institution_type + "440101MA59LU9A")

    assert validate_uscc(code) == code


@pytest.mark.parametrize("authority", ["A", "N", "Y", "2", "8"])
def test_accepts_codes_from_authorities_that_python_stdnum_wrongly_rejects_or_leaves_unconstrained(
    authority: str,
) -> None:
    code = uscc_from_prefix(authority + "1440101MA59LU9A")

    assert is_valid_uscc(code)


@pytest.mark.parametrize(("code", "position"), [("9144A101MA59LU9AX1", 5), ("91L40101MA59LU9AX1", 3)])
def test_rejects_a_division_code_with_a_non_digit_naming_its_position(code: str, position: int) -> None:
    error = rejection(code)

    assert error.reason.startswith(f"position {position} is {code[position - 1]!r}")
    assert "positions 3-8 are the administrative division code (GB/T 2260) and must be digits" in error.reason


def test_rejects_a_code_whose_organisation_check_character_is_wrong() -> None:
    code = with_consistent_final_check("9111000080210043X")

    assert rejection(code).reason == "position 17 is 'X', the GB 11714 check character should be '3'"


def test_rejects_a_code_whose_final_check_character_is_wrong() -> None:
    assert rejection("91440101MA59LU9AX2").reason == "position 18 is '2', the check character should be '1'"


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("80210043", "3"),
        ("71526726", "X"),
        ("MA59LU9A", "X"),
        ("M000100Y", "4"),
        ("19220382", "1"),
        ("70846113", "6"),
        ("71610585", "2"),
        ("00000000", "0"),
        ("00000001", "9"),
    ],
)
def test_computes_the_gb_11714_check_character(body: str, check: str) -> None:
    assert organisation_code_check_character(body) == check


def test_gb_11714_check_writes_10_as_x_and_11_as_0() -> None:
    # The last weight is 2: 6 * 2 = 12 leaves 11 - 1 = 10 -> X; B (11) * 2 = 22 leaves 11 - 0 = 11 -> 0.
    assert organisation_code_check_character("00000006") == "X"
    assert organisation_code_check_character("0000000B") == "0"


def test_gb_11714_check_values_letters_the_whole_latin_alphabet_a_10_to_z_35() -> None:
    # Z (35) * 2 = 70 = 6*11 + 4 -> 11 - 4 = 7; I (18) * 2 = 36 = 3*11 + 3 -> 8
    assert organisation_code_check_character("0000000Z") == "7"
    assert organisation_code_check_character("0000000I") == "8"


@pytest.mark.parametrize("bad", ["8021004", "802100433", "8021004a", "8021004-"])
def test_gb_11714_check_rejects_a_malformed_body(bad: str) -> None:
    with pytest.raises(InvalidInput):
        organisation_code_check_character(bad)


@pytest.mark.parametrize("bad", ["91440101MA59LU9A", "91440101MA59LU9AX1", "91440101MA59LU9AI"])
def test_final_check_rejects_anything_but_17_alphabet_characters(bad: str) -> None:
    with pytest.raises(InvalidInput):
        uscc_check_character(bad)


@pytest.mark.parametrize(
    ("prefix", "reason_start"),
    [
        ("91440101MA59LU9", "a USCC prefix has 16 characters (positions 1-16), this one has 15"),
        ("94440101MA59LU9A", "position 2 is '4'"),
        ("9144010AMA59LU9A", "position 8 is 'A'"),
        ("91440101MA59LU9I", "position 16 is 'I'"),
    ],
)
def test_refuses_to_complete_a_malformed_prefix(prefix: str, reason_start: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        uscc_from_prefix(prefix)

    assert caught.value.reason.startswith(reason_start)


def test_completes_a_lower_case_prefix_into_a_normalised_code() -> None:
    assert uscc_from_prefix(" 91440101ma59lu9a ") == "91440101MA59LU9AX1"


def test_parses_a_code_into_its_parts() -> None:
    uscc = Uscc.parse(" 91440101ma59lu9ax1 ")

    assert uscc.code == "91440101MA59LU9AX1"
    assert str(uscc) == "91440101MA59LU9AX1"
    assert uscc.authority == "9"
    assert uscc.authority_name == "market regulation (工商/市场监管)"
    assert uscc.institution_type == "1"
    assert uscc.institution_type_name == "enterprise (企业)"
    assert uscc.division_code == "440101"
    assert uscc.organisation_code == "MA59LU9AX"


def test_leaves_the_institution_type_name_empty_where_the_reference_defines_none() -> None:
    uscc = Uscc.parse(uscc_from_prefix("N1440101MA59LU9A"))

    assert uscc.authority_name == "agriculture (农业)"
    assert uscc.institution_type_name is None


def test_parsed_codes_are_immutable_and_equal_by_normalised_code() -> None:
    uscc = Uscc.parse("914403001922038216")

    assert uscc == Uscc("914403001922038216 ")
    with pytest.raises(dataclasses.FrozenInstanceError):
        uscc.code = "91440300708461136T"  # type: ignore[misc]


def test_refuses_to_parse_an_invalid_code() -> None:
    with pytest.raises(InvalidInput):
        Uscc.parse(REFERENCE_INVALID_CODE)


def test_every_registration_authority_and_listed_institution_type_is_in_the_alphabet() -> None:
    assert set(REGISTRATION_AUTHORITIES) <= set(ALPHABET)
    assert all(set(types) <= set(ALPHABET) for types in INSTITUTION_TYPES.values())
    assert set(INSTITUTION_TYPES) <= set(REGISTRATION_AUTHORITIES)


@st.composite
def valid_codes(draw: st.DrawFn) -> str:
    authority = draw(st.sampled_from(sorted(REGISTRATION_AUTHORITIES)))
    institution_type = draw(st.sampled_from(sorted(INSTITUTION_TYPES.get(authority, ALPHABET))))
    division = draw(st.text(alphabet="0123456789", min_size=6, max_size=6))
    organisation_body = draw(st.text(alphabet=ALPHABET, min_size=8, max_size=8))
    return uscc_from_prefix(authority + institution_type + division + organisation_body)


@given(valid_codes())
def test_every_generated_valid_code_passes(code: str) -> None:
    assert validate_uscc(code) == code
    assert Uscc.parse(code.lower()).code == code


@given(valid_codes(), st.data())
def test_every_single_character_change_of_a_valid_code_fails(code: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(min_value=0, max_value=17), label="index")
    replacement = data.draw(st.sampled_from([char for char in ALPHABET if char != code[position]]))
    changed = code[:position] + replacement + code[position + 1 :]

    assert not is_valid_uscc(changed)
