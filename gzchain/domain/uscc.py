"""Unified Social Credit Code (统一社会信用代码, GB 32100-2015): validation and structure.

A USCC has 18 characters from a 31-character alphabet:

    position 1      registration authority (登记管理部门)
    position 2      institution type (机构类别), constrained by the authority
    positions 3-8   administrative division code (GB/T 2260), digits
    positions 9-17  organisation code (GB 11714); position 17 is its own check character
    position 18     check character over positions 1-17

Unlike python-stdnum's ``stdnum.cn.uscc``, this accepts authorities A, N and Y and checks the inner
GB 11714 check character too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from gzchain.domain.errors import InvalidInput

USCC_LENGTH: Final = 18
ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"

_FIELD: Final = "uscc"
_VALUES: Final[Mapping[str, int]] = MappingProxyType({char: value for value, char in enumerate(ALPHABET)})
_WEIGHTS: Final = tuple(pow(3, index, 31) for index in range(USCC_LENGTH - 1))
_ORGANISATION_WEIGHTS: Final = (3, 7, 9, 10, 5, 8, 4, 2)
_ORGANISATION_ALPHABET: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIVISION_POSITIONS: Final = range(3, 9)

REGISTRATION_AUTHORITIES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "1": "institutional establishment (机构编制)",
        "2": "foreign affairs (外交)",
        "3": "judicial administration (司法行政)",
        "4": "culture (文化)",
        "5": "civil affairs (民政)",
        "6": "tourism (旅游)",
        "7": "religious affairs (宗教)",
        "8": "trade unions (工会)",
        "9": "market regulation (工商/市场监管)",
        "A": "CMC establishment office (军委编制办)",
        "N": "agriculture (农业)",
        "Y": "other (其他)",
    }
)

# Only these authorities' institution types are pinned down by our reference (reference/uscc.md). Under
# the others any alphabet character is accepted: rejecting a genuine code is worse than missing a typo
# there, and the final check character still catches every single-character typo.
INSTITUTION_TYPES: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {
        "1": MappingProxyType(
            {
                "1": "government organ (机关)",
                "2": "public institution (事业单位)",
                "3": "mass organisation (群众团体)",
                "9": "other (其他)",
            }
        ),
        "5": MappingProxyType(
            {
                "1": "social organisation (社会团体)",
                "2": "private non-enterprise unit (民办非企业单位)",
                "3": "foundation (基金会)",
                "9": "other (其他)",
            }
        ),
        "9": MappingProxyType(
            {
                "1": "enterprise (企业)",
                "2": "individual business (个体工商户)",
                "3": "farmers' specialised cooperative (农民专业合作社)",
            }
        ),
    }
)


def validate_uscc(code: str) -> str:
    """Return `code` normalised (surrounding whitespace stripped, upper case) if it is a valid USCC.

    Raises `InvalidInput` (field ``uscc``) saying what is wrong and at which position.
    """
    normalised = _normalise(code)
    if len(normalised) != USCC_LENGTH:
        raise InvalidInput(
            f"a USCC has {USCC_LENGTH} characters, this one has {len(normalised)}", field=_FIELD
        )
    _check_structure(normalised)
    problems = []
    inner_check = organisation_code_check_character(normalised[8:16])
    if normalised[16] != inner_check:
        problems.append(
            f"position 17 is {normalised[16]!r}, the GB 11714 check character should be {inner_check!r}"
        )
    final_check = uscc_check_character(normalised[:17])
    if normalised[17] != final_check:
        problems.append(f"position 18 is {normalised[17]!r}, the check character should be {final_check!r}")
    if problems:
        raise InvalidInput("; ".join(problems), field=_FIELD)
    return normalised


def is_valid_uscc(code: str) -> bool:
    """Whether `code` is a valid USCC (surrounding whitespace and lower case tolerated)."""
    try:
        validate_uscc(code)
    except InvalidInput:
        return False
    return True


def uscc_check_character(first17: str) -> str:
    """The GB 32100 check character (position 18) for the first 17 characters of a USCC."""
    if len(first17) != USCC_LENGTH - 1:
        raise InvalidInput(
            f"the check character needs the first {USCC_LENGTH - 1} characters, got {len(first17)}",
            field=_FIELD,
        )
    _check_alphabet(first17)
    total = sum(_VALUES[char] * weight for char, weight in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def organisation_code_check_character(eight: str) -> str:
    """The GB 11714 check character for the 8-character body of an organisation code."""
    if len(eight) != len(_ORGANISATION_WEIGHTS):
        raise InvalidInput(
            f"a GB 11714 check character needs {len(_ORGANISATION_WEIGHTS)} characters, got {len(eight)}",
            field=_FIELD,
        )
    for position, char in enumerate(eight, start=1):
        if char not in _ORGANISATION_ALPHABET:
            raise InvalidInput(
                f"character {position} of the organisation code is {char!r}, not a digit or capital letter",
                field=_FIELD,
            )
    total = sum(
        _ORGANISATION_ALPHABET.index(char) * weight
        for char, weight in zip(eight, _ORGANISATION_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    if check == 10:
        return "X"
    if check == 11:
        return "0"
    return str(check)


def uscc_from_prefix(prefix16: str) -> str:
    """Complete a 16-character prefix (positions 1-16) into a valid USCC by adding both check characters.

    For sample data in tests and scenarios; the prefix must itself be well formed.
    """
    prefix = _normalise(prefix16)
    if len(prefix) != USCC_LENGTH - 2:
        raise InvalidInput(
            f"a USCC prefix has {USCC_LENGTH - 2} characters (positions 1-16), this one has {len(prefix)}",
            field=_FIELD,
        )
    _check_structure(prefix)
    first17 = prefix + organisation_code_check_character(prefix[8:])
    return first17 + uscc_check_character(first17)


@dataclass(frozen=True)
class Uscc:
    """A valid USCC and its parts; constructing one validates and normalises the code."""

    code: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", validate_uscc(self.code))

    @classmethod
    def parse(cls, code: str) -> Uscc:
        return cls(code)

    def __str__(self) -> str:
        return self.code

    @property
    def authority(self) -> str:
        return self.code[0]

    @property
    def authority_name(self) -> str:
        return REGISTRATION_AUTHORITIES[self.authority]

    @property
    def institution_type(self) -> str:
        return self.code[1]

    @property
    def institution_type_name(self) -> str | None:
        """The institution type's name where the reference defines one for this authority."""
        return INSTITUTION_TYPES.get(self.authority, {}).get(self.institution_type)

    @property
    def division_code(self) -> str:
        return self.code[2:8]

    @property
    def organisation_code(self) -> str:
        """Positions 9-17: the GB 11714 organisation code including its check character."""
        return self.code[8:17]


def _normalise(code: object) -> str:
    if not isinstance(code, str):
        raise InvalidInput(f"a USCC must be a string, got {type(code).__name__}", field=_FIELD)
    # Upper-casing only ASCII keeps positions stable and stops look-alikes such as the ligature 'ﬀ'
    # (which upper-cases to 'FF') from turning into alphabet characters.
    return "".join(char.upper() if char.isascii() else char for char in code.strip())


def _check_alphabet(characters: str) -> None:
    for position, char in enumerate(characters, start=1):
        if char not in _VALUES:
            raise InvalidInput(
                f"position {position} is {char!r}, which is not a USCC character "
                f"(allowed: {ALPHABET}; I, O, S, V and Z are never used)",
                field=_FIELD,
            )


def _check_structure(characters: str) -> None:
    """Check positions 1-16 (or fewer) of a normalised code: alphabet, authority, type, division."""
    _check_alphabet(characters)
    authority, institution_type = characters[0], characters[1]
    if authority not in REGISTRATION_AUTHORITIES:
        raise InvalidInput(
            f"position 1 is {authority!r}, which is not a registration authority "
            f"(allowed: {', '.join(REGISTRATION_AUTHORITIES)})",
            field=_FIELD,
        )
    allowed_types = INSTITUTION_TYPES.get(authority)
    if allowed_types is not None and institution_type not in allowed_types:
        raise InvalidInput(
            f"position 2 is {institution_type!r}, which is not an institution type under registration "
            f"authority {authority!r} ({REGISTRATION_AUTHORITIES[authority]}); "
            f"allowed: {', '.join(allowed_types)}",
            field=_FIELD,
        )
    for position in _DIVISION_POSITIONS:
        char = characters[position - 1]
        if not char.isdigit():
            raise InvalidInput(
                f"position {position} is {char!r}, but positions 3-8 are the administrative division code "
                "(GB/T 2260) and must be digits",
                field=_FIELD,
            )
