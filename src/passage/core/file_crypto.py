"""Files at rest, encrypted as a stream of AES-256-GCM chunks: uploaded import files, job results.

A value fits in memory and is sealed whole (passage.core.crypto); a file may be a gigabyte, so it is cut into
chunks of a fixed size, each sealed on its own, and read back a chunk at a time. Memory stays flat, and a reader
can seek (openpyxl needs to: an XLSX file is a zip archive read from its end).

Layout of a sealed file:

    header   MAGIC (8 bytes) ‖ format (1) ‖ key id length (1) ‖ key id ‖ chunk size (4, big-endian)
             ‖ nonce prefix (8 random bytes)
    chunks   AES-GCM(plaintext chunk) ‖ its 16-byte tag, for every chunk; each chunk holds `chunk size`
             plaintext bytes except the last, which holds 0 to `chunk size`

Chunk i is sealed with nonce = prefix ‖ i (4 bytes, big-endian) and associated data = header ‖ final flag ‖
context. The nonce ties each chunk to its place (chunks cannot be reordered or copied between files); the header
in the associated data ties the key id and chunk size to every chunk; the final flag (1 for the last chunk, 0
for the others) means a file cut short, even at a chunk boundary, or with chunks added, fails to open; the
context (e.g. "registry.registrationimport.file:<id>") means a file copied onto another record fails too.

The key id names which of PASSAGE_ENCRYPTION_KEYS sealed the file, so keys rotate as they do for values
(passage.core.rotation re-seals files under the current key). Files stored before encryption existed have no
MAGIC and are read as they are.
"""

from __future__ import annotations

import io
import math
import os
import shutil
from collections import OrderedDict
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from django.core.files import File

from passage.core import crypto

MAGIC = b"\x89PSG\r\n\x1a\n"  # like PNG's: not text, and changed by any newline conversion
FORMAT = 1
CHUNK_SIZE = 64 * 1024
MIN_CHUNK_SIZE = 1024
MAX_CHUNK_SIZE = 16 * 1024 * 1024
TAG_BYTES = 16
PREFIX_BYTES = 8
_CACHED_CHUNKS = 4  # a zip reader jumps between its directory and a member: keep a few chunks decrypted


class SealedFileError(crypto.DecryptionError):
    """A sealed file could not be opened: unknown key, altered or truncated, or it belongs to another record."""


def _header(kid: str, chunk_size: int, prefix: bytes) -> bytes:
    kid_bytes = kid.encode("ascii")
    return b"".join([MAGIC, bytes([FORMAT, len(kid_bytes)]), kid_bytes, chunk_size.to_bytes(4, "big"), prefix])


def _read_full(source: Any, size: int) -> bytes:
    """`size` bytes, fewer only at the end of the stream (a raw stream may return less than asked)."""
    parts: list[bytes] = []
    wanted = size
    while wanted > 0:
        part = source.read(wanted)
        if not part:
            break
        parts.append(part)
        wanted -= len(part)
    return b"".join(parts)


def sealed_size(plain_size: int, *, chunk_size: int = CHUNK_SIZE, kid: str | None = None) -> int:
    """How many bytes a file of `plain_size` bytes takes once sealed."""
    kid = kid or crypto.current_key_id()
    chunks = max(1, math.ceil(plain_size / chunk_size))
    return len(_header(kid, chunk_size, bytes(PREFIX_BYTES))) + plain_size + chunks * TAG_BYTES


# Writing ------------------------------------------------------------------------------------------------------


class SealingReader(io.RawIOBase):
    """The sealed form of `source` (a readable binary stream), produced as it is read: a chunk of plaintext
    is read, sealed and handed out, so nothing is held but one chunk and the one after it (to know which is
    the last). Always under the current key."""

    def __init__(self, source: BinaryIO, *, context: str = "", chunk_size: int = CHUNK_SIZE) -> None:
        super().__init__()
        if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
            raise ValueError(f"chunk size must be between {MIN_CHUNK_SIZE} and {MAX_CHUNK_SIZE} bytes")
        kid, keys = crypto.keyring()
        self._source = source
        self._aead = keys[kid]
        self._chunk_size = chunk_size
        self._prefix = os.urandom(PREFIX_BYTES)
        self._header = _header(kid, chunk_size, self._prefix)
        self._context = context.encode("utf-8")
        self._pending = bytearray(self._header)
        self._next = _read_full(source, chunk_size)
        self._index = 0
        self._done = False
        self.plain_bytes = 0

    def readable(self) -> bool:
        return True

    def _seal_next(self) -> None:
        current = self._next
        self._next = _read_full(self._source, self._chunk_size) if len(current) == self._chunk_size else b""
        final = not self._next
        if self._index >= 2**32:
            raise ValueError("file too large for one sealed stream")
        nonce = self._prefix + self._index.to_bytes(4, "big")
        associated = self._header + (b"\x01" if final else b"\x00") + self._context
        self._pending += self._aead.encrypt(nonce, current, associated)
        self._index += 1
        self.plain_bytes += len(current)
        self._done = final

    def readinto(self, buffer: Any) -> int:
        while not self._pending and not self._done:
            self._seal_next()
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        del self._pending[:size]
        return size


def seal_stream(source: BinaryIO, target: BinaryIO, *, context: str = "", chunk_size: int = CHUNK_SIZE) -> int:
    """Write the sealed form of `source` to `target`; returns how many plaintext bytes were sealed."""
    reader = SealingReader(source, context=context, chunk_size=chunk_size)
    shutil.copyfileobj(reader, target, chunk_size)
    return reader.plain_bytes


def seal_bytes(content: bytes, *, context: str = "", chunk_size: int = CHUNK_SIZE) -> bytes:
    out = io.BytesIO()
    seal_stream(io.BytesIO(content), out, context=context, chunk_size=chunk_size)
    return out.getvalue()


def sealed_file(source: BinaryIO, *, context: str = "", name: str | None = None) -> File:  # type: ignore[type-arg]
    """What to hand to a FileField's save() or a Storage's save(): the file's sealed form, streamed."""
    return File(SealingReader(source, context=context), name=name)  # type: ignore[arg-type]


# Reading ------------------------------------------------------------------------------------------------------


class _Header:
    def __init__(self, raw: BinaryIO) -> None:
        start = raw.read(len(MAGIC) + 2)
        if len(start) < len(MAGIC) + 2 or start[len(MAGIC)] != FORMAT:
            raise SealedFileError("the sealed file's header is damaged or of an unknown format")
        kid_length = start[len(MAGIC) + 1]
        rest = _read_full(raw, kid_length + 4 + PREFIX_BYTES)
        if len(rest) != kid_length + 4 + PREFIX_BYTES:
            raise SealedFileError("the sealed file's header is cut short")
        self.kid = rest[:kid_length].decode("ascii", errors="replace")
        self.chunk_size = int.from_bytes(rest[kid_length : kid_length + 4], "big")
        self.prefix = rest[kid_length + 4 :]
        self.raw = start + rest
        if not MIN_CHUNK_SIZE <= self.chunk_size <= MAX_CHUNK_SIZE:
            raise SealedFileError("the sealed file's header names an impossible chunk size")


class SealedReader(io.RawIOBase):
    """Plaintext of a sealed file, read and verified a chunk at a time; seekable. Opened by `open_sealed`."""

    def __init__(self, raw: BinaryIO, header: _Header, *, context: str, total: int) -> None:
        super().__init__()
        _current, keys = crypto.keyring()
        if header.kid not in keys:
            raise SealedFileError(f"key {header.kid} is not among PASSAGE_ENCRYPTION_KEYS (was it removed too early?)")
        self._raw = raw
        self._aead = keys[header.kid]
        self._header = header
        self._context = context.encode("utf-8")
        self._stride = header.chunk_size + TAG_BYTES
        body = total - len(header.raw)
        if body < TAG_BYTES:
            raise SealedFileError("the sealed file is cut short")
        self._chunks = math.ceil(body / self._stride)
        last = body - (self._chunks - 1) * self._stride
        if last < TAG_BYTES:
            raise SealedFileError("the sealed file is cut short")
        self.size = (self._chunks - 1) * header.chunk_size + last - TAG_BYTES
        self._cache: OrderedDict[int, bytes] = OrderedDict()
        self._position = 0
        self._chunk(self._chunks - 1)  # the last chunk proves the file is whole before anything is read

    @property
    def key_id(self) -> str:
        return self._header.kid

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            position = offset
        elif whence == io.SEEK_CUR:
            position = self._position + offset
        elif whence == io.SEEK_END:
            position = self.size + offset
        else:
            raise ValueError(f"invalid whence ({whence})")
        if position < 0:
            raise ValueError("negative seek position")
        self._position = position
        return position

    def _chunk(self, index: int) -> bytes:
        cached = self._cache.get(index)
        if cached is not None:
            self._cache.move_to_end(index)
            return cached
        final = index == self._chunks - 1
        self._raw.seek(len(self._header.raw) + index * self._stride)
        sealed = _read_full(self._raw, self._stride)
        if not final and len(sealed) != self._stride:
            raise SealedFileError("the sealed file is cut short")
        nonce = self._header.prefix + index.to_bytes(4, "big")
        associated = self._header.raw + (b"\x01" if final else b"\x00") + self._context
        try:
            plain = self._aead.decrypt(nonce, sealed, associated)
        except InvalidTag as exc:
            raise SealedFileError(
                f"chunk {index + 1} of {self._chunks} does not open: the file was altered or cut short, "
                "or belongs to another record"
            ) from exc
        self._cache[index] = plain
        if len(self._cache) > _CACHED_CHUNKS:
            self._cache.popitem(last=False)
        return plain

    def readinto(self, buffer: Any) -> int:
        if self._position >= self.size or not len(buffer):
            return 0
        index, offset = divmod(self._position, self._header.chunk_size)
        plain = self._chunk(index)
        size = min(len(buffer), len(plain) - offset)
        buffer[:size] = plain[offset : offset + size]
        self._position += size
        return size

    def close(self) -> None:
        if not self.closed:
            self._cache.clear()
            self._raw.close()
        super().close()


def is_sealed(raw: BinaryIO) -> bool:
    """Whether the stream starts with a sealed file's header (it is left at its start)."""
    raw.seek(0)
    start = raw.read(len(MAGIC))
    raw.seek(0)
    return start == MAGIC


def open_sealed(raw: BinaryIO, *, context: str = "") -> BinaryIO:
    """A readable, seekable binary stream of the plaintext of `raw` (a seekable stream of the stored file).

    A sealed file is verified chunk by chunk as it is read (its last chunk at once, so a truncated file is refused
    here); a file stored in clear before encryption existed is returned as it is. Closing the result closes `raw`.
    Raises SealedFileError if the file does not open."""
    if not is_sealed(raw):
        return raw
    try:
        header = _Header(raw)
        total = raw.seek(0, io.SEEK_END)
        reader = SealedReader(raw, header, context=context, total=total)
    except BaseException:
        raw.close()
        raise
    return io.BufferedReader(reader, buffer_size=header.chunk_size)  # type: ignore[return-value]


def open_path(path: Path | str, *, context: str = "") -> BinaryIO:
    """open_sealed() of a file on disk."""
    return open_sealed(Path(path).open("rb"), context=context)


def key_id_of(raw: BinaryIO) -> str | None:
    """The id of the key that sealed the stream, or None for a file stored in clear (the stream is rewound)."""
    raw.seek(0)
    start = raw.read(64)
    raw.seek(0)
    if not start.startswith(MAGIC):
        return None
    try:
        return _Header(io.BytesIO(start)).kid
    except SealedFileError:
        return "?"


def reseal(raw: BinaryIO, target: BinaryIO, *, context: str = "", chunk_size: int = CHUNK_SIZE) -> int:
    """Write `raw` (sealed under any listed key, or in clear) to `target` sealed under the current key."""
    with open_sealed(raw, context=context) as plain:
        return seal_stream(plain, target, context=context, chunk_size=chunk_size)
