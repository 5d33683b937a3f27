"""Encryption of sensitive values at rest (AES-256-GCM) and blind indexes for exact search.

A value is stored as `v1.<key id>.<nonce+ciphertext, base64>`. The key id names which of
ENCRYPTION_KEYS sealed it, so keys can be rotated: new values use the first key, old values stay
readable while their key is still listed, and `reencrypt` moves a value to the current key
(passage.core.rotation does it for every encrypted column and file; files are sealed by file_crypto).

A blind index is an HMAC-SHA256 of a normalised value under BLIND_INDEX_KEY: equal inputs give
equal indexes, so "find the person with passport P1234567" is an indexed equality query, while the
database never holds the number itself. The index key is separate from the encryption keys so that
rotating those does not invalidate every index.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

VERSION = "v1"
NONCE_BYTES = 12


class DecryptionError(Exception):
    """A stored value could not be opened: unknown key, or altered ciphertext."""


def _decode_key(value: str) -> bytes:
    key = base64.urlsafe_b64decode(value.encode("ascii") + b"==")
    if len(key) != 32:
        raise ImproperlyConfigured("Encryption keys must be base64 of 32 bytes (AES-256).")
    return key


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"passage-key-id" + key).hexdigest()[:10]


@lru_cache(maxsize=8)
def _keyring(keys: tuple[str, ...]) -> tuple[str, dict[str, AESGCM]]:
    if not keys:
        raise ImproperlyConfigured("PASSAGE_ENCRYPTION_KEYS is empty: sensitive values cannot be encrypted.")
    decoded = [_decode_key(k) for k in keys]
    return key_id(decoded[0]), {key_id(k): AESGCM(k) for k in decoded}


def keyring() -> tuple[str, dict[str, AESGCM]]:
    """(id of the current key, every usable key by id)."""
    return _keyring(tuple(settings.ENCRYPTION_KEYS))


def current_key_id() -> str:
    """The id of the key new values and files are sealed with (the first of PASSAGE_ENCRYPTION_KEYS)."""
    return keyring()[0]


def key_ids() -> list[str]:
    """The ids of every listed key, in the order of PASSAGE_ENCRYPTION_KEYS (newest first)."""
    return list(keyring()[1])


def key_id_of(token: str) -> str | None:
    """The id of the key that sealed `token`, or None if it is not an encrypted value."""
    version, _sep, rest = token.partition(".")
    kid, dot, _body = rest.partition(".")
    return kid if version == VERSION and dot and kid else None


def encrypt(plaintext: str, *, context: str = "") -> str:
    """Seal `plaintext`. `context` (e.g. "person.phone") is bound to the ciphertext as associated data,
    so a value copied into another column does not decrypt there."""
    current, keys = keyring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = keys[current].encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
    return f"{VERSION}.{current}.{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"


def decrypt(token: str, *, context: str = "") -> str:
    try:
        version, kid, body = token.split(".", 2)
    except ValueError as exc:
        raise DecryptionError("not an encrypted value") from exc
    if version != VERSION:
        raise DecryptionError(f"unknown format {version!r}")
    _current, keys = keyring()
    if kid not in keys:
        raise DecryptionError(f"key {kid} is not among PASSAGE_ENCRYPTION_KEYS (was it removed too early?)")
    raw = base64.urlsafe_b64decode(body.encode("ascii"))
    try:
        return keys[kid].decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode("utf-8")).decode("utf-8")
    except InvalidTag as exc:
        raise DecryptionError("the value was altered, or belongs to another field") from exc


def needs_reencryption(token: str) -> bool:
    current, _keys = keyring()
    return not token.startswith(f"{VERSION}.{current}.")


def reencrypt(token: str, *, context: str = "") -> str:
    """The same value sealed with the current key (unchanged if it already is)."""
    return encrypt(decrypt(token, context=context), context=context) if needs_reencryption(token) else token


def blind_index(normalised: str, *, purpose: str) -> str:
    """HMAC-SHA256 of an already-normalised value; `purpose` keeps indexes of different fields apart."""
    key = settings.BLIND_INDEX_KEY
    if not key:
        raise ImproperlyConfigured("PASSAGE_BLIND_INDEX_KEY is not set.")
    message = f"{purpose}\x1f{normalised}".encode()
    return hmac.new(_decode_key(key), message, hashlib.sha256).hexdigest()
