"""`passage`: run, set up and look after a Passage installation from the command line."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence

DEMO_SEED = 7  # the same seed builds the same demo people


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "passage.config.settings")
    import django

    django.setup()


def _manage(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


def cmd_run(args: argparse.Namespace) -> int:
    """Prepare the installation (migrate, static files, translations, demo) and serve it with a worker."""
    _setup_django()
    from django.conf import settings

    from passage.core import demo
    from passage.core.i18n import compile_messages
    from passage.core.models import Operation

    _manage("migrate", "--no-input", "-v", "0")
    compile_messages()
    _manage("collectstatic", "--no-input", "-v", "0")
    if settings.DEMO_ON_FIRST_RUN and not Operation.objects.exists():
        people = settings.DEMO_PEOPLE
        print(f"First run: loading the demo operation ({people:,} people, their cases and duplicates)…", flush=True)
        _build_demo(people=people, seed=DEMO_SEED, again=False)
    elif Operation.objects.filter(code="demo-irq").exists():
        print("\n".join(demo.demo_lines()))
    url = f"http://{args.host}:{args.port}"
    print(f"\nPassage is at {url}  (Ctrl+C stops it; data in {settings.DATA_DIR})\n", flush=True)
    server = subprocess.Popen(  # noqa: S603  (our own interpreter and module)
        [
            sys.executable,
            "-m",
            "gunicorn",
            "passage.config.wsgi:application",
            "--bind",
            f"{args.host}:{args.port}",
            "--workers",
            str(args.workers),
            "--threads",
            "4",
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
        ]
    )
    processes = [server]
    if not args.no_worker:
        worker = [sys.executable, "-m", "passage.cli", "worker"]
        processes.append(subprocess.Popen(worker))  # noqa: S603  (our own interpreter and module)
    return _supervise(processes)


def _load_demo_areas() -> None:
    """Administrative areas for the demo operation (a small COD-AB extract for Iraq)."""
    from pathlib import Path

    from passage.registry.actions import import_admin_areas
    from passage.registry.tabular import read_table

    demo_file = Path(__file__).parent / "registry" / "demo" / "irq_adm2.csv"
    import_admin_areas(table=read_table(demo_file), country="IQ", acting_user=None, source="demo extract")


def _supervise(processes: list[subprocess.Popen[bytes]]) -> int:
    """Wait until one child stops (or we are told to stop), then stop the others."""
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = 0
    while not stopping:
        for process in processes:
            if process.poll() is not None:
                code = process.returncode or 0
                stopping = True
        time.sleep(0.3)
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    return code


def cmd_worker(args: argparse.Namespace) -> int:
    _setup_django()
    _manage("run_huey")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    _setup_django()
    _manage("migrate", "--no-input", "-v", "0")
    return _build_demo(people=args.people, seed=args.seed, again=bool(args.people))


def _build_demo(*, people: int, seed: int, again: bool) -> int:
    """The demo operations and users; with `people`, a registry of that many, its groups, cases and a search for
    duplicates. What `passage demo` does, and what the first `passage run` does with PASSAGE_DEMO_PEOPLE people."""
    from passage.core import demo

    operation = demo.load_demo()
    _load_demo_areas()
    print(f"Demo operation ready: {operation.name}")
    if people:
        import resource

        from passage.registry.demo_registry import DemoAlreadyLoaded, build_demo_registry

        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            rate = done / max(time.perf_counter() - started, 1e-9)
            print(f"\r  {done:,} / {total:,} people ({rate:,.0f} people/s)", end="", flush=True)

        try:
            built = build_demo_registry(operation=operation, people=people, seed=seed, progress=progress)
        except DemoAlreadyLoaded as refused:
            print(f"\n{refused}", file=sys.stderr)
            return 1
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"\nRegistered {built.people:,} people in {built.households:,} households in {seconds:.1f} s "
            f"({built.people / seconds:,.0f} people/s, peak memory {peak:,.0f} MB); {built.duplicates:,} "
            f"registered again ({built.duplicates / built.people:.1%}). Truth (not shown to users): {built.truth_file}"
        )
    _manage("demo_groups", "--operation", operation.code, "--seed", str(seed))  # registry.demo_groups
    # About one person in seven has a case (a few hundred at most: each is opened and moved by the real actions).
    cases = 300 if not people else min(300, max(20, people // 7))
    _manage("demo_cases", "--operation", operation.code, "--seed", str(seed), "--cases", str(cases))  # cases.demo
    from passage.matching.demo import demo_match_run

    run = demo_match_run(operation, again=again)
    if run is not None:
        found = f"{run.pairs_probable + run.pairs_review:,} pairs of possible duplicates" if run.state == "done" else ""
        print(f"Duplicates: {found or 'the search runs in the worker'} (Duplicates page).")
    print("\n".join(demo.demo_lines()))
    return 0


def cmd_totp(args: argparse.Namespace) -> int:
    _setup_django()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from passage.core import demo

    try:
        print(demo.current_demo_code(args.username))
    except TOTPDevice.DoesNotExist:
        print(f"{args.username} has no demo authenticator (this works only for demo users).", file=sys.stderr)
        return 1
    return 0


def cmd_locations(args: argparse.Namespace) -> int:
    _setup_django()
    from pathlib import Path

    from django.core.exceptions import ValidationError

    from passage.registry.actions import import_admin_areas
    from passage.registry.tabular import TableError, read_table

    try:
        table = read_table(Path(args.file))
        summary = import_admin_areas(
            table=table, country=args.country, acting_user=None, source=args.source or Path(args.file).name
        )
    except (TableError, OSError) as error:
        print(f"{args.file}: {error}", file=sys.stderr)
        return 1
    except ValidationError as error:
        for message in error.messages[:50]:
            print(message, file=sys.stderr)
        print("Nothing was loaded.", file=sys.stderr)
        return 1
    levels = ", ".join(f"level {level}: {count}" for level, count in sorted(summary.by_level.items()))
    print(f"{summary.created} created, {summary.updated} updated, {summary.unchanged} unchanged ({levels}).")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Stage and check a registration file; with --commit, add its sound households to the registry and apply
    the corrections it carries for people already registered."""
    _setup_django()
    from pathlib import Path

    from django.core.exceptions import ValidationError

    from passage.core.models import Office, Operation
    from passage.registry.import_actions import (
        approve_registration_import,
        stage_registration_import,
        upload_registration_import,
    )
    from passage.registry.models import ImportState, ImportTemplate
    from passage.registry.tabular import TableError, read_table

    try:
        operation = Operation.objects.get(code=args.operation)
        office = Office.objects.get(operation=operation, code=args.office) if args.office else None
    except (Operation.DoesNotExist, Office.DoesNotExist):
        print(f"No operation {args.operation!r} (or no office {args.office!r} in it).", file=sys.stderr)
        return 1
    mapping = None
    if args.template:
        template = ImportTemplate.objects.filter(operation=operation, name=args.template).first()
        if template is None:
            names = ", ".join(ImportTemplate.objects.filter(operation=operation).values_list("name", flat=True))
            print(
                f"No template {args.template!r} in {operation.code}; saved templates: {names or 'none'}.",
                file=sys.stderr,
            )
            return 1
        try:
            columns = read_table(Path(args.file)).header
        except (TableError, OSError) as error:
            print(f"{args.file}: {getattr(error, 'strerror', None) or error}", file=sys.stderr)
            return 1
        mapping = {column: field for column, field in template.mapping.items() if column in columns}
        if not mapping:
            print(f"None of the columns of the template {args.template!r} are in {args.file}.", file=sys.stderr)
            return 1
    try:
        content = Path(args.file).read_bytes()
        registration_import = upload_registration_import(
            acting_user=None, operation=operation, filename=args.file, content=content, office=office, mapping=mapping
        )
    except OSError as error:
        print(f"{args.file}: {error.strerror}", file=sys.stderr)
        return 1
    except ValidationError as error:
        print(" ".join(error.messages), file=sys.stderr)
        return 1
    registration_import = stage_registration_import(registration_import=registration_import)
    if registration_import.state == ImportState.FAILED:
        print(f"{args.file}: {registration_import.problem}", file=sys.stderr)
        return 1
    mapped = ", ".join(f"{column} → {field}" for column, field in registration_import.mapping.items())
    print(f"Columns: {mapped or 'none recognised'}")
    print(
        f"{registration_import.rows_total} rows: {registration_import.rows_valid} new, "
        f"{registration_import.rows_update} with corrections to registered people, "
        f"{registration_import.rows_invalid} with errors, "
        f"{registration_import.rows_already_registered} already registered."
    )
    if registration_import.problem:
        print(registration_import.problem)
    for row in registration_import.rows.exclude(errors=[]).order_by("row_number")[:20]:
        for problem in row.errors[:3]:
            print(f"  row {row.row_number}, {problem['field']}: {problem['message']}")
    if registration_import.duplicates_checked_at is not None:
        print(
            f"{registration_import.rows_with_duplicates} of {registration_import.rows_valid} new people "
            f"({registration_import.duplicate_share or 0:.0%}) look like someone already registered or another row "
            f"(held above {registration_import.duplicate_ceiling or 0:.0%})."
        )
        for row in registration_import.rows.filter(duplicate_probability__isnull=False).order_by("row_number")[:20]:
            alike = f"row {row.duplicate_row}" if row.duplicate_row else "a registered person"
            if row.duplicate_person_id:
                alike = row.duplicate_person.reference if row.duplicate_person else alike
            print(f"  row {row.row_number} looks like {alike} ({row.duplicate_probability:.0%})")
    to_apply = registration_import.rows_valid + registration_import.rows_update
    if args.commit and to_apply:
        try:
            registration_import = approve_registration_import(
                registration_import=registration_import, acting_user=None, accept_duplicates=args.accept_duplicates
            )
        except ValidationError as error:
            print(" ".join(error.messages), file=sys.stderr)
            if registration_import.awaits_duplicates_decision:
                print('Nothing was added. To add it anyway, run again with --accept-duplicates "why".', file=sys.stderr)
            return 1
        print(
            f"Registered {registration_import.households_created} households, "
            f"{registration_import.people_created} people; corrected {registration_import.people_updated} people."
        )
    elif to_apply:
        print(f"Staged as import {registration_import.pk}; run again with --commit to add it to the registry.")
    return 0 if to_apply else 1


def cmd_match(args: argparse.Namespace) -> int:
    """Find duplicate people in a CSV file (no database, no Django): clusters, and optionally scored pairs."""
    from pathlib import Path

    from passage.matching.engine import match_people
    from passage.matching.files import MatchFileError, date_warnings, read_people_csv, write_csv

    if not 0 < args.threshold < 1:
        print(f"--threshold must be a probability between 0 and 1 (not {args.threshold}).", file=sys.stderr)
        return 2
    try:
        people_file = read_people_csv(Path(args.input))
        if people_file.missing_columns:
            print(f"No column {', '.join(people_file.missing_columns)}: read as unknown.", file=sys.stderr)
        result = match_people(
            people_file.frame,
            threshold=args.threshold,
            progress=(lambda line: print(f"  {line}", file=sys.stderr)) if args.verbose else None,
        )
        warnings = date_warnings(people_file, result.people.date_issues)
        for warning in warnings[:20]:
            print(warning, file=sys.stderr)
        if len(warnings) > 20:
            print(f"... and {len(warnings) - 20} more dates read as unknown.", file=sys.stderr)
        clusters = result.clusters()
        write_csv(clusters, Path(args.out))
        if args.pairs:
            write_csv(result.pairs(), Path(args.pairs))
    except MatchFileError as error:
        print(str(error), file=sys.stderr)
        return 1
    sizes = clusters.group_by("cluster_id").len()
    shared = sizes.filter(sizes["len"] > 1)
    together = int(shared["len"].sum() or 0)
    print(
        f"{clusters.height:,} records: {shared.height:,} group(s) of duplicates holding {together:,} "
        f"records, {clusters.height - together:,} records alone; "
        f"{len(result.left):,} candidate pairs scored in {sum(result.seconds.values()):.1f} s. "
        f"Clusters written to {args.out}" + (f", pairs to {args.pairs}." if args.pairs else ".")
    )
    return 0


def cmd_createoperation(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.exceptions import ValidationError

    from passage.core import actions

    try:
        operation = actions.create_operation(acting_user=None, code=args.code, name=args.name, country=args.country)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            print(f"{field}: {' '.join(messages)}", file=sys.stderr)
        return 1
    print(f"Created operation {operation.name} ({operation.code}).")
    print(f"Next: passage createuser USERNAME --operation {operation.code} --role administrator")
    return 0


def cmd_createuser(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.exceptions import ValidationError

    from passage.core import actions
    from passage.core.models import Operation, Role

    try:
        operation = Operation.objects.get(code=args.operation)
    except Operation.DoesNotExist:
        codes = ", ".join(Operation.objects.values_list("code", flat=True)) or "none yet"
        print(f"No operation with code {args.operation!r} (there are: {codes}).", file=sys.stderr)
        return 1
    try:
        role = Role.objects.get(code=args.role)
    except Role.DoesNotExist:
        print(
            f"No role {args.role!r}. Roles: {', '.join(Role.objects.values_list('code', flat=True))}", file=sys.stderr
        )
        return 1
    try:
        user, password = actions.create_user(
            acting_user=None,
            operation=operation,
            username=args.username,
            role=role,
            email=args.email or "",
            first_name=args.first_name or "",
            last_name=args.last_name or "",
        )
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            print(f"{field}: {' '.join(messages)}", file=sys.stderr)
        return 1
    if args.superuser:
        from passage.core.models import User

        User.objects.filter(pk=user.pk).update(is_superuser=True, is_staff=True)
    print(f"Created {user.username} ({role.name} in {operation.name}). First password: {password}")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.exceptions import ValidationError

    from passage.core import actions
    from passage.core.models import ApiToken, User

    try:
        user = User.objects.get(username=args.username)
    except User.DoesNotExist:
        print(f"No user {args.username!r}.", file=sys.stderr)
        return 1
    if args.token_command == "create":  # noqa: S105
        try:
            token, plaintext = actions.create_api_token(acting_user=user, name=args.name, days=args.days)
        except ValidationError as error:
            print(" ".join(error.messages), file=sys.stderr)
            return 1
        print(plaintext)
        print(f"(expires {token.expires_at:%Y-%m-%d}; shown once, stored only as a hash)", file=sys.stderr)
        return 0
    for token in ApiToken.objects.filter(user=user):
        state = "revoked" if token.revoked_at else ("active" if token.is_usable else "expired")
        print(f"{token.pk}  {token.prefix}…  {token.name:<30} expires {token.expires_at:%Y-%m-%d}  {state}")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    _setup_django()
    from passage.core import audit

    report = audit.verify_chain(audit.iter_chain())
    if report.ok:
        print(f"Audit chain intact: {report.checked} events checked (last #{report.last_id}).")
        return 0
    print(f"Audit chain BROKEN at event #{report.broken_at}: {report.problem}.", file=sys.stderr)
    print(f"{report.checked} events before it are intact.", file=sys.stderr)
    return 2


def cmd_check(args: argparse.Namespace) -> int:
    from django.core.exceptions import ImproperlyConfigured

    try:
        _setup_django()
        from django.conf import settings

        settings.SECRET_KEY  # noqa: B018  (Django refuses an empty key only when it is first read)
    except ImproperlyConfigured as error:
        print(f"passage.E002: {error}", file=sys.stderr)
        print(
            "HINT: set PASSAGE_SECRET_KEY to a long random value (production mode never generates one).",
            file=sys.stderr,
        )
        return 1
    from django.core.management import CommandError

    try:
        _manage("check", "--deploy", "--fail-level", "ERROR")
    except (CommandError, SystemExit) as error:
        print(str(error), file=sys.stderr)
        return 1
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "passage.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["passage manage", *args.args])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="passage", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="migrate, load the demo on first run, and serve Passage with a worker")
    run.add_argument("--host", default=os.environ.get("PASSAGE_HOST", "127.0.0.1"))
    run.add_argument("--port", type=int, default=int(os.environ.get("PASSAGE_PORT", "8000")))
    run.add_argument(
        "--workers", type=int, default=int(os.environ.get("PASSAGE_WEB_WORKERS", "2")), help="web worker processes"
    )
    run.add_argument("--no-worker", action="store_true", help="do not start the background job worker")
    run.set_defaults(func=cmd_run)

    sub.add_parser("worker", help="run the background job worker only").set_defaults(func=cmd_worker)
    demo_parser = sub.add_parser("demo", help="load (or complete) the demo operation and print how to sign in")
    demo_parser.add_argument("--people", type=int, default=0, help="also build a registry of N demo people")
    demo_parser.add_argument(
        "--seed", type=int, default=DEMO_SEED, help="random seed of the demo registry (the same seed, the same people)"
    )
    demo_parser.set_defaults(func=cmd_demo)

    totp = sub.add_parser("totp", help="print the current two-factor code of a demo user")
    totp.add_argument("username")
    totp.set_defaults(func=cmd_totp)

    locations = sub.add_parser("locations", help="administrative areas (P-codes)")
    locations_sub = locations.add_subparsers(dest="locations_command", required=True, metavar="ACTION")
    locations_import = locations_sub.add_parser(
        "import",
        help="load a COD-AB style CSV or XLSX (P-code and name columns per level, e.g. ADM1_PCODE, ADM1_EN, ADM1_AR)",
    )
    locations_import.add_argument("file")
    locations_import.add_argument("--country", required=True, help="ISO 3166-1 alpha-2 code, e.g. IQ")
    locations_import.add_argument("--source", help="dataset name and version (default: the file name)")
    locations.set_defaults(func=cmd_locations)

    registration = sub.add_parser(
        "import",
        help="check a registration file (CSV, XLSX, Kobo export) and, with "
        "--commit, add its sound households to the registry",
    )
    registration.add_argument("file")
    registration.add_argument("--operation", required=True, help="operation code")
    registration.add_argument("--office", help="office code")
    registration.add_argument("--template", help="a column mapping saved in the browser, by its name")
    registration.add_argument("--commit", action="store_true", help="register the households whose rows are sound")
    registration.add_argument(
        "--accept-duplicates",
        metavar="REASON",
        default="",
        help="with --commit: add an import held for its duplicates anyway, for this reason (audited)",
    )
    registration.set_defaults(func=cmd_import)

    match = sub.add_parser(
        "match",
        help="find duplicate people in a CSV file (needs no database): writes record_id,cluster_id",
        description="Columns read: record_id (required, unique), given_name, father_name, grandfather_name, "
        "family_name, full_name, sex, date_of_birth (YYYY-MM-DD, YYYY-MM or YYYY), phone, document_number, "
        "admin1, admin2; any may be empty or absent, other columns are ignored.",
    )
    match.add_argument("input", help="UTF-8 CSV with a header line")
    match.add_argument("--out", required=True, help="where to write record_id,cluster_id (every record once)")
    match.add_argument("--pairs", help="also write the scored pairs with what each field added")
    match.add_argument(
        "--threshold",
        type=float,
        default=0.9,
        help="probability from which a pair is the same person (default 0.9)",
    )
    match.add_argument("--verbose", action="store_true", help="print the time each step takes")
    match.set_defaults(func=cmd_match)

    new_operation = sub.add_parser("createoperation", help="create an operation (a country mission)")
    new_operation.add_argument("code", help="short code, e.g. irq or lby-tripoli")
    new_operation.add_argument("name")
    new_operation.add_argument("--country", required=True, help="ISO 3166-1 alpha-2 code, e.g. IQ")
    new_operation.set_defaults(func=cmd_createoperation)

    create = sub.add_parser("createuser", help="create a user with a role in an operation")
    create.add_argument("username")
    create.add_argument("--operation", required=True, help="operation code")
    create.add_argument("--role", required=True, help="role code, e.g. administrator")
    create.add_argument("--email")
    create.add_argument("--first-name")
    create.add_argument("--last-name")
    create.add_argument("--superuser", action="store_true", help="platform administrator (all operations)")
    create.set_defaults(func=cmd_createuser)

    token = sub.add_parser("token", help="API tokens")
    token_sub = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    token_create = token_sub.add_parser("create", help="create a token and print it")
    token_create.add_argument("username")
    token_create.add_argument("--days", type=int, default=None, help="validity in days (default 90)")
    token_create.add_argument("--name", default="command line")
    token_list = token_sub.add_parser("list", help="list a user's tokens")
    token_list.add_argument("username")
    token.set_defaults(func=cmd_token)

    audit = sub.add_parser("audit", help="the audit trail")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    audit_sub.add_parser("verify", help="check the hash chain and name the first broken link")
    audit.set_defaults(func=cmd_audit)

    sub.add_parser("check", help="report unsafe configuration (Django's check --deploy and ours)").set_defaults(
        func=cmd_check
    )

    from passage import cli_keys, cli_workflows

    cli_keys.add_parser(sub)
    cli_workflows.add_parser(sub)

    manage = sub.add_parser("manage", help="run one of Django's management commands", add_help=False)
    manage.add_argument("args", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
