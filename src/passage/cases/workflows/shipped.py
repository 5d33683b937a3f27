"""The workflows Passage ships (library/*.yaml) and the catalogue of form codes, document kinds and case
fields they name (library/catalogue.yaml)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

from passage.cases.workflows.engine import WorkflowRegistry
from passage.cases.workflows.loader import Known, load_workflow_file

LIBRARY = Path(__file__).parent / "library"
CATALOGUE_FILE = LIBRARY / "catalogue.yaml"


@dataclass(frozen=True)
class Entry:
    code: str
    title: str
    about: str = ""


@dataclass(frozen=True)
class Catalogue:
    forms: tuple[Entry, ...]
    documents: tuple[Entry, ...]
    fields: tuple[Entry, ...]

    @property
    def known(self) -> Known:
        """What the shipped workflows are checked against (roles: Passage's role codes)."""
        return Known(
            forms=[entry.code for entry in self.forms],
            documents=[entry.code for entry in self.documents],
            fields=[entry.code for entry in self.fields],
        )

    @property
    def names(self) -> dict[str, str]:
        """Readable names by code, for the engine's reasons (a form named, not its code)."""
        return {entry.code: entry.title for entry in (*self.forms, *self.documents, *self.fields)}


class CatalogueError(ValueError):
    pass


def read_catalogue(path: Path) -> Catalogue:
    """A catalogue file: sections forms, documents and fields, each mapping a code to its title and about."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise CatalogueError(f"{path}: {error}") from error
    if not isinstance(data, dict) or not set(data) <= {"forms", "documents", "fields"}:
        raise CatalogueError(f"{path}: expected the sections forms, documents and fields")
    sections: dict[str, tuple[Entry, ...]] = {}
    for section in ("forms", "documents", "fields"):
        entries = data.get(section) or {}
        if not isinstance(entries, dict):
            raise CatalogueError(f"{path}: {section} must map codes to a title")
        sections[section] = tuple(
            Entry(str(code), str((value or {}).get("title", code)), str((value or {}).get("about", "")))
            for code, value in entries.items()
        )
    return Catalogue(**sections)


@functools.cache
def catalogue() -> Catalogue:
    return read_catalogue(CATALOGUE_FILE)


def workflow_files() -> list[Path]:
    return sorted(path for path in LIBRARY.glob("*.yaml") if path != CATALOGUE_FILE)


@functools.cache
def shipped_workflows() -> WorkflowRegistry:
    """Every shipped workflow, checked against the catalogue (an error in one is a bug: its test fails)."""
    known = catalogue().known
    return WorkflowRegistry(load_workflow_file(path, known=known) for path in workflow_files())
