"""gzchain.domain.reasons: the reason codes each action takes, and the salted hash that binds the words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gzchain.domain.errors import InvalidInput
from gzchain.domain.keccak import keccak
from gzchain.domain.reasons import (
    REASON_SALT_BYTES,
    ReasonAction,
    SuspensionReason,
    reason_hash,
    salt_reason,
    state_reason,
)

SALT = bytes(range(32))


def test_the_hash_is_the_documented_preimage():
    expected = keccak(b"gzchain:reason:v1\x00suspend\x00\x03" + SALT + "无法联系".encode())
    assert reason_hash(ReasonAction.SUSPEND, 3, SALT, "无法联系") == expected


@given(words=st.text(max_size=40), other=st.text(max_size=40))
def test_the_hash_binds_the_action_the_code_the_salt_and_the_words(words: str, other: str):
    digest = reason_hash(ReasonAction.RECALL, 1, SALT, words)
    assert reason_hash(ReasonAction.RELEASE, 1, SALT, words) != digest
    assert reason_hash(ReasonAction.RECALL, 2, SALT, words) != digest
    assert reason_hash(ReasonAction.RECALL, 1, bytes(32), words) != digest
    if other != words:
        assert reason_hash(ReasonAction.RECALL, 1, SALT, other) != digest


@pytest.mark.parametrize("salt", [b"", bytes(16), bytes(33)])
def test_a_salt_of_the_wrong_size_is_refused(salt: bytes):
    with pytest.raises(InvalidInput, match=f"must be {REASON_SALT_BYTES} bytes"):
        reason_hash(ReasonAction.SUSPEND, 0, salt, "x")


def test_fresh_salts_differ_and_the_reason_states_itself_verified():
    first = salt_reason(ReasonAction.SUSPEND, "court-order", "frozen")
    second = salt_reason(ReasonAction.SUSPEND, "court-order", "frozen")
    assert first.code is SuspensionReason.COURT_ORDER and len(first.salt) == REASON_SALT_BYTES
    assert first.salt != second.salt and first.digest != second.digest
    assert first.stated().verified and first.stated().salt == first.salt


@pytest.mark.parametrize("action", list(ReasonAction))
def test_every_action_takes_its_codes_by_slug_name_or_number_and_they_run_from_zero(action: ReasonAction):
    codes = list(action.codes)
    assert [int(code) for code in codes] == list(range(len(codes))), "the contract checks code <= max"
    assert codes[-1].slug == "other"
    for code in codes:
        assert action.code(code.slug) is code
        assert action.code(code.name) is code
        assert action.code(int(code)) is code
        assert action.code(str(int(code))) is code


@pytest.mark.parametrize(
    ("action", "value"),
    [
        (ReasonAction.SUSPEND, "reachable-again"),
        (ReasonAction.RELEASE, "pathogen-detected"),
        (ReasonAction.RECALL, 7),
        (ReasonAction.REINSTATE, -1),
        (ReasonAction.DEREGISTER, ""),
        (ReasonAction.REVOKE_NOTARISATION, True),
    ],
)
def test_a_code_another_action_uses_or_none_uses_is_refused_naming_the_known_ones(
    action: ReasonAction, value: object
):
    with pytest.raises(InvalidInput) as refused:
        action.code(value)  # type: ignore[arg-type]
    assert refused.value.field == "reason_code"
    assert ", ".join(code.slug for code in action.codes) in str(refused.value)


def test_stated_reasons_are_verified_not_verified_or_withheld():
    salted = salt_reason(ReasonAction.RELEASE, "sensor-fault", "probe outside the carton")
    code, digest = int(salted.code), salted.digest
    assert state_reason(ReasonAction.RELEASE, code, digest, salted.words, salted.salt).state == "verified"
    altered = state_reason(ReasonAction.RELEASE, code, digest, "all fine", salted.salt)
    assert (altered.state, altered.words, altered.verified) == ("not verified", "all fine", False)
    assert state_reason(ReasonAction.RELEASE, code, digest, salted.words, b"short").state == "not verified"
    assert state_reason(ReasonAction.RECALL, code, digest, salted.words, salted.salt).state == "not verified"
    withheld = state_reason(ReasonAction.RELEASE, code, digest, None, None)
    assert (withheld.state, withheld.words, withheld.code.slug) == ("withheld", None, "sensor-fault")
