"""The registry's files at rest: uploaded import files (sealed as streams, passage.core.file_crypto) and photos
(one encrypted token each, see person_actions.set_photo). Each opens only with its own record's context, and
both are registered with passage.core.rotation so that `passage keys rotate` moves them to the current key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from passage.core.rotation import SealedFiles, register_sealed_files
from passage.registry.models import Person, RegistrationImport
from passage.registry.tabular import Table, read_table

IMPORT_FILE = "registry.registrationimport.file"


def import_file_context(registration_import: RegistrationImport) -> str:
    """Bound to the import: a file copied onto another import does not open there."""
    return f"{IMPORT_FILE}:{registration_import.pk}"


def read_import_file(registration_import: RegistrationImport) -> Table:
    """The import's uploaded file as a table, decrypted as it streams (a file stored in clear is read as is)."""
    return read_table(Path(registration_import.file.path), context=import_file_context(registration_import))


def _photo_context(person: Any) -> str:
    from passage.registry.person_actions import _photo_context as context_of_photo

    return context_of_photo(person)


def register() -> None:
    register_sealed_files(SealedFiles(IMPORT_FILE, RegistrationImport, "file", import_file_context))
    register_sealed_files(SealedFiles("registry.person.photo", Person, "photo_file", _photo_context, whole_token=True))
