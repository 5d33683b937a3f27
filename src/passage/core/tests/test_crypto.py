"""Sensitive values at rest: AES-GCM with rotation, and blind indexes."""

from __future__ import annotations

import base64
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passage.core import crypto


def _key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


@given(st.text())
def test_any_text_round_trips(text):
    assert crypto.decrypt(crypto.encrypt(text, context="person.phone"), context="person.phone") == text


def test_ciphertext_differs_every_time_and_hides_the_value():
    first, second = crypto.encrypt("+218911234567"), crypto.encrypt("+218911234567")
    assert first != second and "218911234567" not in first


def test_a_value_moved_to_another_field_does_not_open():
    token = crypto.encrypt("P1234567", context="document.number")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, context="person.phone")


def test_tampering_is_detected():
    token = crypto.encrypt("secret")
    version, kid, body = token.split(".", 2)
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[-1] ^= 0x01  # one bit of the authentication tag
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"{version}.{kid}.{base64.urlsafe_b64encode(bytes(raw)).decode()}")


def test_rotation_keeps_old_values_readable_and_moves_them_to_the_new_key(settings):
    old_key, new_key = _key(), _key()
    settings.ENCRYPTION_KEYS = [old_key]
    sealed_with_old = crypto.encrypt("Amina Yusuf")
    settings.ENCRYPTION_KEYS = [new_key, old_key]
    assert crypto.decrypt(sealed_with_old) == "Amina Yusuf"
    assert crypto.needs_reencryption(sealed_with_old)
    moved = crypto.reencrypt(sealed_with_old)
    assert not crypto.needs_reencryption(moved)
    settings.ENCRYPTION_KEYS = [new_key]
    assert crypto.decrypt(moved) == "Amina Yusuf"
    with pytest.raises(crypto.DecryptionError, match="removed too early"):
        crypto.decrypt(sealed_with_old)


def test_blind_index_is_stable_per_purpose_and_survives_key_rotation(settings):
    before = crypto.blind_index("P1234567", purpose="document.number")
    settings.ENCRYPTION_KEYS = [_key()]
    assert crypto.blind_index("P1234567", purpose="document.number") == before
    assert crypto.blind_index("P1234567", purpose="person.phone") != before
    assert crypto.blind_index("P1234568", purpose="document.number") != before
