"""Petitions domain rules: RSA blind signatures over the FDH, GB 11643 numbers, salted texts, rules."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gzchain.domain.errors import InvalidInput
from gzchain.domain.petitions.blind import TokenPrivateKey, blind, generate_key, new_token, unblind
from gzchain.domain.petitions.fdh import full_domain_hash
from gzchain.domain.petitions.identity import canonical_id_number, gb11643_check_character
from gzchain.domain.petitions.rules import DAY, Rules
from gzchain.domain.petitions.texts import clean_text, salted, text_hash

KEY = generate_key()


@settings(max_examples=20, deadline=None)
@given(petition_id=st.integers(min_value=1, max_value=2**64), token=st.binary(min_size=32, max_size=32))
def test_an_unblinded_signature_verifies_and_equals_the_plain_rsa_signature(petition_id: int, token: bytes):
    request = blind(KEY.public, petition_id, token)
    signature = unblind(KEY.public, request, KEY.sign_blinded(request.blinded))
    m = int.from_bytes(full_domain_hash(petition_id, token, 256), "big")
    assert signature == pow(m, KEY.d, KEY.n).to_bytes(256, "big")
    assert KEY.public.verify(petition_id, token, signature)
    assert not KEY.public.verify(petition_id + 1, token, signature)


def test_signing_without_the_primes_gives_the_same_signature_and_keys_round_trip():
    plain = TokenPrivateKey(KEY.n, KEY.e, KEY.d)
    request = blind(KEY.public, 1, new_token())
    assert plain.sign_blinded(request.blinded) == KEY.sign_blinded(request.blinded)
    assert TokenPrivateKey.from_numbers(KEY.to_numbers()) == KEY
    assert TokenPrivateKey.from_numbers({"n": hex(KEY.n), "e": hex(KEY.e), "d": hex(KEY.d)}) == plain


def test_a_blinded_value_out_of_range_and_a_cheating_signer_are_refused():
    with pytest.raises(InvalidInput):
        KEY.sign_blinded(b"\x00" * 256)
    request = blind(KEY.public, 1, new_token())
    with pytest.raises(InvalidInput) as refused:
        unblind(KEY.public, request, b"\x01" * 256)
    assert refused.value.field == "blind_signature"


def test_the_fdh_is_below_any_full_length_modulus():
    assert all(full_domain_hash(i, new_token(), 256)[0] < 0x80 for i in range(50))


@given(st.text(alphabet="0123456789", min_size=17, max_size=17).filter(lambda s: s[0] != "0"))
def test_gb11643_accepts_its_own_check_character_and_refuses_any_other(first17: str):
    first17 = first17[:6] + "19900101" + first17[14:]
    good = first17 + gb11643_check_character(first17)
    assert canonical_id_number(good) == good
    wrong = next(c for c in "0123456789X" if c != good[-1])
    with pytest.raises(InvalidInput, match="check character"):
        canonical_id_number(first17 + wrong)


def test_gb11643_knows_the_standards_example_and_refuses_bad_shapes_and_dates():
    assert canonical_id_number("11010519491231002x") == "11010519491231002X"
    assert canonical_id_number("１１０１０５１９４９１２３１００２Ｘ") == "11010519491231002X"  # full width
    for bad, why in (("1101051949123100", "17 digits"), ("110105194913310021", "birth date")):
        with pytest.raises(InvalidInput, match=why):
            canonical_id_number(bad)


def test_salted_text_hashes_differ_per_salt_and_bad_text_is_refused():
    one, two = salted("Night buses"), salted("Night buses")
    assert one.hash != two.hash and text_hash(one.text, one.salt) == one.hash
    with pytest.raises(InvalidInput):
        text_hash("x", b"short")
    assert clean_text("line one\r\nline two", field="text") == "line one\nline two"
    for bad in ("", "   ", "a\u200bb", 5):
        with pytest.raises(InvalidInput):
            clean_text(bad, field="text")


def test_rules_are_bounded_like_the_contract():
    assert Rules(1, DAY, 365 * DAY).as_tuple() == (1, DAY, 365 * DAY)
    for args, field in (
        ((0, DAY, DAY), "threshold"),
        ((5, DAY - 1, DAY), "support_period_s"),
        ((5, DAY, 366 * DAY), "response_period_s"),
    ):
        with pytest.raises(InvalidInput) as refused:
            Rules(*args)
        assert refused.value.field == field
