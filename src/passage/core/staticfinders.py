"""Only the front-end files the pages use, out of node_modules.

Pointing STATICFILES_DIRS at whole `dist` folders collected 130 MB (ECharts alone ships 109 MB of builds, maps and
language packs), which `collectstatic` then hashed and compressed on every first run: about 20 CPU seconds of a
newcomer's `make run`. This finder offers exactly the files settings.VENDOR_STATIC names, under the same URLs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any, Literal, overload

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage, Error
from django.core.files.storage import FileSystemStorage


class VendorFinder(BaseFinder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.files: dict[str, Path] = {url: Path(source) for url, source in settings.VENDOR_STATIC.items()}

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        return [
            Error(
                f"{source} is missing: run `make install` (npm ci) to install the front-end assets.", id="passage.E101"
            )
            for source in self.files.values()
            if not source.is_file()
        ]

    @overload
    def find(self, path: str, find_all: Literal[False] = False) -> str | None: ...
    @overload
    def find(self, path: str, find_all: Literal[True]) -> list[str]: ...
    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> str | list[str] | None:
        source = self.files.get(path)
        found = [str(source)] if source is not None and source.is_file() else []
        if find_all or kwargs.get("all"):
            return found
        return found[0] if found else None

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        for url, source in self.files.items():
            if not source.is_file():
                continue
            storage = FileSystemStorage(location=str(source.parent))
            storage.prefix = str(PurePosixPath(url).parent)  # type: ignore[attr-defined]
            yield source.name, storage
