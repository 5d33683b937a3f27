"""`passage workflow`: check, show and draw workflow files (YAML). Needs no database and no Django settings,
so an administrator can check a file on any machine before loading it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

NOT_CHECKED_NOTE = (
    "note: {what} not checked against a list of known codes (give {options}, or --catalogue for the codes "
    "of Passage's shipped workflows)"
)


def add_parser(sub: Any) -> None:
    workflow = sub.add_parser(
        "workflow", help="workflow files (YAML): check them, show their states and transitions, draw them"
    )
    workflow_sub = workflow.add_subparsers(dest="workflow_command", required=True, metavar="ACTION")

    check = workflow_sub.add_parser(
        "check", help="validate workflow files; exit 1 with every problem listed (line and path) when one has errors"
    )
    check.add_argument("files", nargs="+", metavar="FILE")
    check.add_argument("--forms", metavar="CODES", help="the known form codes, comma-separated")
    check.add_argument("--documents", metavar="CODES", help="the known document kinds, comma-separated")
    check.add_argument("--fields", metavar="CODES", help="the known case fields, comma-separated")
    check.add_argument("--roles", metavar="CODES", help="the known role codes (default: Passage's roles)")
    check.add_argument(
        "--catalogue",
        action="store_true",
        help="check forms, document kinds and fields against the catalogue of Passage's shipped workflows",
    )
    check.add_argument("--catalogue-file", metavar="FILE", help="... or against another catalogue file (same layout)")
    check.add_argument("--quiet", action="store_true", help="print errors only, not warnings and notes")

    show = workflow_sub.add_parser("show", help="print a workflow's states and transitions")
    show.add_argument("file", metavar="FILE")
    show.add_argument("--language", default="en", help="language of the labels (en, fr, es, ar)")

    diagram = workflow_sub.add_parser("diagram", help="draw a workflow as an SVG file")
    diagram.add_argument("file", metavar="FILE")
    diagram.add_argument("--out", required=True, help="the SVG file to write")
    diagram.add_argument("--language", default="en", help="language of the labels (ar draws right to left)")

    workflow_sub.add_parser("list", help="list the workflows Passage ships, with their files")
    workflow.set_defaults(func=cmd_workflow)


def cmd_workflow(args: argparse.Namespace) -> int:
    if args.workflow_command == "check":
        return _check(args)
    if args.workflow_command == "show":
        return _show(args)
    if args.workflow_command == "diagram":
        return _diagram(args)
    return _list()


def _codes(value: str | None) -> list[str] | None:
    return None if value is None else [code.strip() for code in value.split(",") if code.strip()]


def _known(args: argparse.Namespace) -> tuple[Any, list[str]]:
    """What names are checked against, and the notes saying what is not checked."""
    from passage.cases.workflows.loader import Known
    from passage.cases.workflows.shipped import CATALOGUE_FILE, read_catalogue

    forms, documents, fields = _codes(args.forms), _codes(args.documents), _codes(args.fields)
    if args.catalogue or args.catalogue_file:
        catalogue = read_catalogue(Path(args.catalogue_file) if args.catalogue_file else CATALOGUE_FILE)
        forms = forms if forms is not None else [entry.code for entry in catalogue.forms]
        documents = documents if documents is not None else [entry.code for entry in catalogue.documents]
        fields = fields if fields is not None else [entry.code for entry in catalogue.fields]
    notes = []
    if forms is None:
        notes.append(NOT_CHECKED_NOTE.format(what="forms", options="--forms"))
    if documents is None:
        notes.append(NOT_CHECKED_NOTE.format(what="document kinds", options="--documents"))
    return Known(roles=_codes(args.roles), forms=forms, documents=documents, fields=fields), notes


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(f"{path}: {getattr(error, 'strerror', None) or error}", file=sys.stderr)
        return None


def _check(args: argparse.Namespace) -> int:
    from passage.cases.workflows.loader import check_workflow
    from passage.cases.workflows.shipped import CatalogueError

    try:
        known, notes = _known(args)
    except (OSError, CatalogueError) as error:
        print(f"catalogue: {error}", file=sys.stderr)
        return 1
    failed = False
    for path in args.files:
        text = _read(path)
        if text is None:
            failed = True
            continue
        checked = check_workflow(text, source=path, known=known)
        for problem in checked.problems:
            if problem.is_error:
                print(f"{path}: error: {problem}")
            elif not args.quiet:
                print(f"{path}: warning: {problem}")
        errors, warnings = len(checked.errors), len(checked.warnings)
        if errors:
            failed = True
            print(f"{path}: {errors} error(s), {warnings} warning(s)", file=sys.stderr)
        elif checked.workflow is not None and not args.quiet:
            workflow = checked.workflow
            print(
                f"{path}: {workflow.code} version {workflow.version} is valid: {len(workflow.states)} states, "
                f"{len(workflow.transitions)} transitions" + (f", {warnings} warning(s)" if warnings else "")
            )
    if not args.quiet:
        for note in notes:
            print(note, file=sys.stderr)
    return 1 if failed else 0


def _load(path: str) -> Any:
    from passage.cases.workflows.loader import check_workflow

    text = _read(path)
    if text is None:
        return None
    checked = check_workflow(text, source=path)
    if not checked.ok:
        for problem in checked.errors:
            print(f"{path}: error: {problem}", file=sys.stderr)
        return None
    return checked.workflow


def _show(args: argparse.Namespace) -> int:
    from passage.cases.workflows.outline import outline

    workflow = _load(args.file)
    if workflow is None:
        return 1
    print("\n".join(outline(workflow, language=args.language)))
    return 0


def _diagram(args: argparse.Namespace) -> int:
    from passage.cases.workflows.diagram import workflow_svg

    workflow = _load(args.file)
    if workflow is None:
        return 1
    try:
        Path(args.out).write_text(workflow_svg(workflow, language=args.language), encoding="utf-8")
    except OSError as error:
        print(f"{args.out}: {error.strerror}", file=sys.stderr)
        return 1
    print(f"Wrote {args.out}")
    return 0


def _list() -> int:
    from passage.cases.workflows.shipped import shipped_workflows

    registry = shipped_workflows()
    for code in registry.codes():
        workflow = registry.latest(code)
        print(f"{code:<34} v{workflow.version}  {workflow.name.get('en'):<46} {workflow.source}")
    return 0
