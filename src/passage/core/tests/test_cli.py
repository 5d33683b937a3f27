"""The `passage` command, called as a person would (in-process, through main())."""

from __future__ import annotations

import pytest
from django.db import connection

from passage import cli
from passage.core import audit
from passage.core.models import ApiToken, User


def test_help_lists_the_subcommands(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    for command in ("run", "demo", "createuser", "token", "audit", "check", "manage", "worker", "totp"):
        assert command in out


def test_createuser_and_token_create(operation, capsys):
    assert cli.main(["createuser", "hala", "--operation", operation.code, "--role", "caseworker"]) == 0
    assert "First password:" in capsys.readouterr().out
    assert cli.main(["token", "create", "hala", "--days", "7"]) == 0
    plaintext = capsys.readouterr().out.strip()
    assert plaintext.startswith("psg_")
    token = ApiToken.objects.get(user__username="hala")
    assert (token.expires_at - token.created_at).days in (6, 7)
    assert cli.main(["token", "list", "hala"]) == 0
    assert token.prefix in capsys.readouterr().out


def test_createuser_names_what_is_wrong(operation, capsys):
    assert cli.main(["createuser", "x", "--operation", "nowhere", "--role", "caseworker"]) == 1
    assert "No operation with code 'nowhere'" in capsys.readouterr().err
    assert cli.main(["createuser", "x", "--operation", operation.code, "--role", "wizard"]) == 1
    assert "No role 'wizard'" in capsys.readouterr().err


def test_audit_verify_reports_an_intact_chain_and_names_a_broken_link(administrator, operation, capsys):
    events = [audit.record(administrator, f"test.{n}", operation) for n in range(3)]
    assert cli.main(["audit", "verify"]) == 0
    assert "intact" in capsys.readouterr().out
    _tamper(events[1].pk)
    assert cli.main(["audit", "verify"]) == 2
    assert f"BROKEN at event #{events[1].pk}" in capsys.readouterr().err


def _tamper(event_id: int) -> None:
    """What an attacker with database access would do: lift the trigger, edit a row."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
            cursor.execute("UPDATE core_auditevent SET note = 'edited' WHERE id = %s", [event_id])
            cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")
        else:
            cursor.execute("DROP TRIGGER core_auditevent_no_update")
            cursor.execute("UPDATE core_auditevent SET note = 'edited' WHERE id = %s", [event_id])


def test_demo_loads_every_programme_type_and_one_user_per_role(db, capsys, settings, tmp_path):
    from passage.core.models import Programme
    from passage.core.models.operations import ProgrammeType
    from passage.core.roles import ROLE_CODES

    settings.DATA_DIR = tmp_path
    assert cli.main(["demo"]) == 0
    assert cli.main(["demo"]) == 0  # again: nothing duplicated
    out = capsys.readouterr().out
    assert "password for all:" in out
    types = set(Programme.objects.filter(operation__code="demo-irq").values_list("type", flat=True))
    assert types == set(ProgrammeType.values)
    roles = set(
        User.objects.filter(memberships__operation__code="demo-irq").values_list("memberships__role__code", flat=True)
    )
    assert roles == set(ROLE_CODES)
    assert User.objects.count() == len(ROLE_CODES)
    assert cli.main(["totp", "admin"]) == 0
    assert capsys.readouterr().out.strip().isdigit()
    assert cli.main(["totp", "caseworker"]) == 1


def test_check_flags_unsafe_production_settings(settings, capsys):
    settings.PRODUCTION = True
    settings.DEBUG = True
    settings.SESSION_COOKIE_SECURE = False
    settings.ENCRYPTION_KEYS = []
    assert cli.main(["check"]) == 1
    err = capsys.readouterr().err
    for code in ("passage.E001", "passage.E003", "passage.E005"):
        assert code in err


def test_check_accepts_a_safe_production_configuration(settings, capsys):
    import base64
    import os

    settings.PRODUCTION = True
    settings.DEBUG = False
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.ENCRYPTION_KEYS = [base64.urlsafe_b64encode(os.urandom(32)).decode()]
    assert cli.main(["check"]) == 0, capsys.readouterr()


def test_createoperation_then_an_administrator(db, capsys):
    assert cli.main(["createoperation", "som", "Somalia", "--country", "so"]) == 0
    assert "passage createuser" in capsys.readouterr().out
    assert cli.main(["createuser", "amina", "--operation", "som", "--role", "administrator"]) == 0
    assert cli.main(["createoperation", "som", "Again", "--country", "SO"]) == 1
    assert cli.main(["createoperation", "xx", "Nowhere", "--country", "123"]) == 1
    assert "country" in capsys.readouterr().err


def test_check_in_production_without_a_secret_key_explains_itself(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "PASSAGE_PRODUCTION": "true", "PASSAGE_DATA_DIR": str(tmp_path)}
    for name in ("PASSAGE_SECRET_KEY", "DJANGO_SETTINGS_MODULE", "PASSAGE_TESTING", "PASSAGE_JOBS_IMMEDIATE"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-m", "passage.cli", "check"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 1
    assert "passage.E002" in result.stderr and "Traceback" not in result.stderr


def test_the_first_runs_demo_has_people_cases_and_duplicates_to_review(db, settings, tmp_path, capsys):
    """What the first `passage run` loads (cli._build_demo with PASSAGE_DEMO_PEOPLE people): not an empty registry."""
    from passage.cases.models import Case
    from passage.matching.models import MatchRun
    from passage.registry.models import Person

    settings.DATA_DIR = tmp_path
    assert cli._build_demo(people=140, seed=cli.DEMO_SEED, again=False) == 0
    out = capsys.readouterr().out
    assert "Registered 140 people" in out and "Demo users" in out
    assert Person.objects.filter(operation__code="demo-irq").count() == 140
    assert Case.objects.filter(operation__code="demo-irq").exists()
    assert MatchRun.objects.filter(operation__code="demo-irq", state="done").exists()
