"""Files at rest: sealed in AES-GCM chunks, read back a chunk at a time, refused when altered, cut short, moved
to another record or sealed by a key that is no longer listed; files stored in clear before still read."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tracemalloc

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passage.core import crypto, file_crypto
from passage.core.file_crypto import CHUNK_SIZE, MAGIC, SealedFileError

CONTEXT = "registry.registrationimport.file:1"


def _key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def _seal(data: bytes, context: str = CONTEXT, chunk_size: int = CHUNK_SIZE) -> bytes:
    return file_crypto.seal_bytes(data, context=context, chunk_size=chunk_size)


def _open(sealed: bytes, context: str = CONTEXT) -> bytes:
    with file_crypto.open_sealed(io.BytesIO(sealed), context=context) as plain:
        return plain.read()


def _header_length(sealed: bytes) -> int:
    return len(MAGIC) + 2 + sealed[len(MAGIC) + 1] + 4 + file_crypto.PREFIX_BYTES


@given(st.binary(max_size=5000), st.sampled_from([1024, 1500, 4096]))
def test_any_content_round_trips_whatever_the_chunk_size(data, chunk_size):
    sealed = _seal(data, chunk_size=chunk_size)
    assert sealed.startswith(MAGIC)
    assert len(sealed) == file_crypto.sealed_size(len(data), chunk_size=chunk_size)
    assert _open(sealed) == data


@pytest.mark.parametrize("size", [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE])
def test_sizes_at_chunk_boundaries_round_trip(size):
    data = os.urandom(size)
    assert _open(_seal(data)) == data


def test_the_same_content_seals_differently_each_time():
    assert _seal(b"name,phone\nAmina,+252615551234\n") != _seal(b"name,phone\nAmina,+252615551234\n")
    assert b"Amina" not in _seal(b"name,phone\nAmina,+252615551234\n")


class _Pattern(io.RawIOBase):
    """Megabytes produced as they are read (never held whole; the same bytes however they are read), and the
    largest read asked of it."""

    def __init__(self, size: int) -> None:
        self.size, self.position, self.largest = size, 0, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        self.largest = max(self.largest, len(buffer))
        block, offset = divmod(self.position, 4096)
        size = min(len(buffer), self.size - self.position, 4096 - offset)
        buffer[:size] = (hashlib.sha256(str(block).encode()).digest() * 128)[offset : offset + size]
        self.position += size
        return size


class _Digest(io.RawIOBase):
    """A sink that keeps only a hash of what is written."""

    def __init__(self) -> None:
        self.hash, self.size = hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[no-untyped-def]
        self.hash.update(data)
        self.size += len(data)
        return len(data)


def test_a_file_of_megabytes_is_sealed_and_read_in_chunks_with_flat_memory(tmp_path):
    size = 6 * 1024 * 1024 + 123
    path = tmp_path / "big.csv.sealed"
    source = _Pattern(size)
    tracemalloc.start()
    try:
        with path.open("wb") as target:
            assert file_crypto.seal_stream(source, target, context=CONTEXT) == size  # type: ignore[arg-type]
        _current, sealing_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        digest = _Digest()
        with file_crypto.open_path(path, context=CONTEXT) as plain:
            while block := plain.read(10_000):
                digest.write(block)
        _current, reading_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    chunks = -(-size // CHUNK_SIZE)
    assert chunks == 97
    assert path.stat().st_size == file_crypto.sealed_size(size)  # one 16-byte tag per chunk, one header
    assert source.largest <= CHUNK_SIZE  # never asked for more than a chunk at a time
    assert digest.size == size
    expected = _Digest()
    regenerated = _Pattern(size)
    while block := regenerated.read(CHUNK_SIZE):
        expected.write(block)
    assert digest.hash.digest() == expected.hash.digest()
    # A few chunks in memory at most, whatever the file's size.
    assert sealing_peak < 8 * CHUNK_SIZE, sealing_peak
    assert reading_peak < 12 * CHUNK_SIZE, reading_peak


def test_the_reader_seeks_like_a_file():
    data = os.urandom(5 * CHUNK_SIZE + 77)
    with file_crypto.open_sealed(io.BytesIO(_seal(data)), context=CONTEXT) as plain:
        assert plain.seekable()
        assert plain.seek(0, io.SEEK_END) == len(data)
        for position in (0, CHUNK_SIZE - 3, 3 * CHUNK_SIZE, len(data) - 10, 17):
            plain.seek(position)
            assert plain.read(40) == data[position : position + 40]
        plain.seek(-5, io.SEEK_END)
        assert plain.read() == data[-5:]
        assert plain.read() == b""


def test_a_flipped_bit_in_any_chunk_is_refused():
    data = os.urandom(3 * CHUNK_SIZE)
    sealed = bytearray(_seal(data))
    sealed[_header_length(bytes(sealed)) + CHUNK_SIZE + 16 + 100] ^= 0x01  # in the second chunk
    with file_crypto.open_sealed(io.BytesIO(bytes(sealed)), context=CONTEXT) as plain:
        assert plain.read(CHUNK_SIZE) == data[:CHUNK_SIZE]  # the first chunk is sound
        with pytest.raises(SealedFileError, match="chunk 2 of 3"):
            plain.read()


def test_an_altered_header_is_refused():
    sealed = bytearray(_seal(os.urandom(2000)))
    sealed[_header_length(bytes(sealed)) - 1] ^= 0x01  # the nonce prefix
    with pytest.raises(SealedFileError):
        _open(bytes(sealed))


@pytest.mark.parametrize("cut", ["at a chunk boundary", "inside a chunk", "inside the header", "to the header"])
def test_a_file_cut_short_is_refused_when_it_is_opened(cut):
    sealed = _seal(os.urandom(3 * CHUNK_SIZE + 500))
    header = _header_length(sealed)
    length = {
        "at a chunk boundary": header + 2 * (CHUNK_SIZE + 16),
        "inside a chunk": len(sealed) - 200,
        "inside the header": header - 3,
        "to the header": header,
    }[cut]
    with pytest.raises(SealedFileError):
        file_crypto.open_sealed(io.BytesIO(sealed[:length]), context=CONTEXT)


def test_chunks_added_or_swapped_are_refused():
    first, second = _seal(os.urandom(2 * CHUNK_SIZE)), _seal(os.urandom(2 * CHUNK_SIZE))
    header, stride = _header_length(first), CHUNK_SIZE + 16
    with pytest.raises(SealedFileError):  # another file's last chunk appended
        _open(first + second[header + stride :])
    swapped = first[:header] + first[header + stride :] + first[header : header + stride]
    with pytest.raises(SealedFileError):
        _open(swapped)


def test_a_file_copied_onto_another_record_does_not_open_there():
    sealed = _seal(b"given_name\nAmina\n")
    with pytest.raises(SealedFileError):
        _open(sealed, context="registry.registrationimport.file:2")


def test_a_file_stored_in_clear_before_encryption_is_read_as_it_is():
    legacy = "given_name,family_name\nمحمد,الجبوري\n".encode()
    with file_crypto.open_sealed(io.BytesIO(legacy), context=CONTEXT) as plain:
        assert plain.read() == legacy
    assert file_crypto.key_id_of(io.BytesIO(legacy)) is None
    assert not file_crypto.is_sealed(io.BytesIO(legacy))


def test_rotation_reseals_under_the_new_key_and_old_files_need_the_old_key_listed(settings):
    old, new = _key(), _key()
    settings.ENCRYPTION_KEYS = [old]
    data = os.urandom(CHUNK_SIZE + 10)
    sealed_with_old = _seal(data)
    old_id = crypto.current_key_id()
    assert file_crypto.key_id_of(io.BytesIO(sealed_with_old)) == old_id
    settings.ENCRYPTION_KEYS = [new, old]
    assert _open(sealed_with_old) == data  # still readable while the old key is listed
    moved = io.BytesIO()
    file_crypto.reseal(io.BytesIO(sealed_with_old), moved, context=CONTEXT)
    assert file_crypto.key_id_of(io.BytesIO(moved.getvalue())) == crypto.current_key_id() != old_id
    settings.ENCRYPTION_KEYS = [new]
    assert _open(moved.getvalue()) == data
    with pytest.raises(SealedFileError, match="removed too early"):
        _open(sealed_with_old)


def test_a_clear_file_is_sealed_by_reseal():
    moved = io.BytesIO()
    file_crypto.reseal(io.BytesIO(b"a,b\n1,2\n"), moved, context=CONTEXT)
    assert moved.getvalue().startswith(MAGIC)
    assert _open(moved.getvalue()) == b"a,b\n1,2\n"
