"""Signed web numbers (contract §2): the HMAC the lender's web backend makes, checked here."""

import hashlib
import hmac

import pytest

from bot.core.web_signing import sign, verify

KEY = "test-signing-key-0123456789"
NOW = 1_796_000_000


def test_signature_is_hex_hmac_sha256_of_sender_number_and_expiry():
    expected = hmac.new(KEY.encode(), b"web-1|13800000001|1796000300", hashlib.sha256).hexdigest()
    assert sign(KEY, "web-1", "13800000001", 1796000300) == expected


def test_a_good_signature_within_its_expiry_verifies():
    sig = sign(KEY, "web-1", "13800000001", NOW + 300)
    assert verify(KEY, "web-1", "13800000001", NOW + 300, sig, NOW)
    assert verify(KEY, "web-1", "13800000001", str(NOW + 300), sig.upper(), NOW)  # exp as a string, hex any case
    assert verify(KEY, "web-1", "13800000001", NOW + 300, sig, NOW + 300)  # not yet past


@pytest.mark.parametrize(
    "sender, number, exp, now",
    [
        ("web-2", "13800000001", NOW + 300, NOW),  # signed for another conversation
        ("web-1", "13800000002", NOW + 300, NOW),  # another number
        ("web-1", "13800000001", NOW + 301, NOW),  # the expiry moved
        ("web-1", "13800000001", NOW + 300, NOW + 301),  # expired
    ],
)
def test_anything_changed_or_expired_does_not_verify(sender, number, exp, now):
    sig = sign(KEY, "web-1", "13800000001", NOW + 300)
    assert not verify(KEY, sender, number, exp, sig, now)


@pytest.mark.parametrize(
    "exp, sig",
    [
        (None, "0" * 64),
        (NOW + 300, None),
        (NOW + 300, ""),
        (NOW + 300, "zz" * 32),
        (float(NOW + 300), "x"),
        (True, "0" * 64),
        ("soon", "0" * 64),
        ([NOW], "0" * 64),
    ],
)
def test_malformed_expiry_or_signature_does_not_verify(exp, sig):
    assert not verify(KEY, "web-1", "13800000001", exp, sig, NOW)


def test_another_key_does_not_verify():
    sig = sign("another-key-0123456789", "web-1", "13800000001", NOW + 300)
    assert not verify(KEY, "web-1", "13800000001", NOW + 300, sig, NOW)
    assert not verify("", "web-1", "13800000001", NOW + 300, sig, NOW)
