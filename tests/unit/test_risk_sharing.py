"""Industry sharing: numbers travel as HMAC-SHA256 over the normalised number."""

import hashlib
import hmac

import pytest

from bot.core.risk import hash_phone, hash_phones, match_phone_hash, normalize_phone

KEY = "partner-key-2024"


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        "+8613800138000",
        "+86 138 0013 8000",
        "008613800138000",
        "0086-138-0013-8000",
        "8613800138000",
        "138-0013-8000",
        "（138）0013 8000",
        "１３８００１３８０００",
    ],
)
def test_normalize_phone_strips_prefix_and_punctuation(raw):
    assert normalize_phone(raw) == "13800138000"


def test_normalize_phone_keeps_domestic_landline_zero():
    assert normalize_phone("010-6500 1001") == "01065001001"
    assert normalize_phone("+86 10 6500 1001") == "1065001001"


def test_normalize_phone_reads_spoken_digits():
    assert normalize_phone("幺三八零零幺三八零零零") == "13800138000"


def test_hash_is_hmac_sha256_of_normalised_number():
    expected = hmac.new(KEY.encode(), b"13800138000", hashlib.sha256).hexdigest()
    assert hash_phone("+86 138-0013-8000", KEY) == expected
    assert len(expected) == 64


def test_same_number_in_any_format_hashes_the_same():
    assert hash_phone("0086 13800138000", KEY) == hash_phone("13800138000", KEY)


def test_key_matters():
    assert hash_phone("13800138000", KEY) != hash_phone("13800138000", "other-key")
    assert hash_phone("13800138000", KEY.encode()) == hash_phone("13800138000", KEY)


def test_match_against_partner_hashes():
    shared = hash_phones(["+86 171 0017 1013", "17100171014"], KEY)
    assert match_phone_hash("17100171013", shared, KEY)
    assert match_phone_hash("0086 171 0017 1014", {h.upper() for h in shared}, KEY)
    assert not match_phone_hash("13800138000", shared, KEY)
    assert not match_phone_hash("17100171013", shared, "wrong-key")


@pytest.mark.parametrize("number, key", [("", KEY), ("无号码", KEY), ("13800138000", ""), ("13800138000", b"")])
def test_bad_input_is_refused(number, key):
    with pytest.raises(ValueError):
        hash_phone(number, key)
