"""Case documents at rest: what a file is (read from its bytes, never from its name), and sealing it.

Accepted: PDF, JPEG, PNG, and Word (DOCX) and Excel (XLSX) files. A DOCX or XLSX file is a zip archive; it is
told apart from any other zip by the parts Office writes ([Content_Types].xml and word/document.xml or
xl/workbook.xml), read from the archive's directory only. A file renamed to look like another type, an old
.doc/.xls, an executable or an archive is refused by what it is. The size limit is
settings.CASE_DOCUMENT_MAX_BYTES.

Files are sealed as a stream of AES-GCM chunks (passage.core.file_crypto), bound to their document row, so a
file copied onto another document does not open; `register` lists them for key rotation.
"""

from __future__ import annotations

import zipfile
from typing import IO, Any, BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from passage.core import file_crypto
from passage.core.rotation import SealedFiles, register_sealed_files

SEALED_NAME = "cases.casedocument.file"
PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png", DOCX: "docx", XLSX: "xlsx"}
ACCEPTED_LABEL = "PDF, JPEG, PNG, Word (DOCX), Excel (XLSX)"
_ZIP_ENTRIES_MAX = 5000  # more parts than any real document: a zip bomb's directory is not walked


def max_bytes() -> int:
    return int(settings.CASE_DOCUMENT_MAX_BYTES)


def sniff(upload: IO[bytes], *, size: int) -> str:
    """The content type of an uploaded file, read from its bytes; ValidationError (on "file") when it is
    empty, too large, or not of an accepted type. The stream is left at its start."""
    if size <= 0:
        raise ValidationError({"file": _("The file is empty.")})
    if size > max_bytes():
        raise ValidationError(
            {"file": _("The file is larger than %(n)s MB.") % {"n": round(max_bytes() / (1024 * 1024))}}
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"PK\x03\x04"):
        kind = _office_kind(upload)
        upload.seek(0)
        if kind:
            return kind
    raise ValidationError(
        {"file": _("This kind of file cannot be added. Accepted: %(types)s.") % {"types": ACCEPTED_LABEL}}
    )


def _office_kind(upload: IO[bytes]) -> str:
    try:
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            if len(infos) > _ZIP_ENTRIES_MAX:
                return ""
            names = {info.filename for info in infos}
    except (zipfile.BadZipFile, OSError, ValueError):
        return ""
    if "[Content_Types].xml" not in names:
        return ""
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return ""


def context_of(document: Any) -> str:
    """Bound to the document: a file copied onto another document does not open there."""
    return f"{SEALED_NAME}:{document.pk}"


def sealed(upload: BinaryIO, document: Any) -> Any:
    """What to hand to the document's FileField: the upload's sealed form, streamed a chunk at a time."""
    upload.seek(0)
    return file_crypto.sealed_file(upload, context=context_of(document))


def open_document(document: Any) -> BinaryIO:
    """The document's plaintext, decrypted as it is read. Callers fetch the document through
    access.get_document_for_user (which audits the opening)."""
    return file_crypto.open_sealed(document.file.open("rb"), context=context_of(document))


def register() -> None:
    from passage.cases.models import CaseDocument

    register_sealed_files(SealedFiles(SEALED_NAME, CaseDocument, "file", context_of))
