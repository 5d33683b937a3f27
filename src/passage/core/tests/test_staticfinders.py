"""The front-end files come out of node_modules one by one: every one the templates name, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

from passage.core.staticfinders import VendorFinder

SOURCE = Path(__file__).resolve().parents[2]  # src/passage


def test_every_vendor_file_the_templates_name_is_offered_and_found():
    named = set()
    for template in SOURCE.rglob("*.html"):
        named |= set(re.findall(r"""static ['"](vendor/[^'"]+)['"]""", template.read_text(encoding="utf-8")))
    assert named, "the base template names its front-end files"
    assert named <= set(settings.VENDOR_STATIC)
    for url in settings.VENDOR_STATIC:
        found = finders.find(url)
        assert found and Path(found).is_file(), url


def test_the_finder_lists_only_the_named_files_under_their_urls():
    finder = VendorFinder()
    listed = {f"{storage.prefix}/{name}" for name, storage in finder.list([])}
    assert listed == set(settings.VENDOR_STATIC)
    assert finder.find("vendor/echarts/echarts.esm.js") is None
    assert finder.find("vendor/echarts/echarts.min.js", find_all=True) == [
        str(settings.VENDOR_STATIC["vendor/echarts/echarts.min.js"])
    ]
    assert finder.check() == []


def test_a_missing_asset_is_named_with_how_to_install_it(settings, tmp_path):
    settings.VENDOR_STATIC = {"vendor/x/x.js": tmp_path / "x.js"}
    problems = VendorFinder().check()
    assert len(problems) == 1 and "make install" in problems[0].msg and problems[0].id == "passage.E101"
