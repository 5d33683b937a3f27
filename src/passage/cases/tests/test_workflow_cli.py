"""`passage workflow`: check exits 0 when clean (warnings shown) and 1 with every problem listed; no database."""

import os
import subprocess
import sys
from pathlib import Path

from passage.cases.workflows.shipped import LIBRARY, workflow_files
from passage.cli import main

GOOD = """\
code: sample
version: 1
name: Sample
states:
  open: {kind: initial}
  closed:
    kind: final
    deadline: {days: 2}
transitions:
  close: {from: open, to: closed, roles: [caseworker], requires: {forms: [rss]}}
"""
BAD = """\
code: sample
version: 1
name: Sample
states:
  open: {kind: initial}
  waiting: {}
  closed: {kind: final}
transitions:
  close:
    from: open
    to: closed
    roles: [caseworkr]
    requires: {forms: [rsss]}
"""


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_check_a_clean_file_exits_0_and_shows_warnings_and_what_was_not_checked(tmp_path, capsys):
    path = write(tmp_path, "good.yaml", GOOD)
    assert main(["workflow", "check", path]) == 0
    out, err = capsys.readouterr()
    assert f"{path}: warning: line 8, states.closed.deadline: a final state's deadline never matters" in out
    assert f"{path}: sample version 1 is valid: 2 states, 1 transitions, 1 warning(s)" in out
    assert "note: forms not checked" in err and "note: document kinds not checked" in err


def test_check_lists_every_problem_with_its_line_and_exits_1(tmp_path, capsys):
    good, bad = write(tmp_path, "good.yaml", GOOD), write(tmp_path, "bad.yaml", BAD)
    assert main(["workflow", "check", good, bad, "--forms", "rss,vulnerability_domv", "--documents", ""]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines()[-5:] == [
        f"{bad}: error: line 6, states.waiting: unreachable: no transition leads here from the initial state 'open'",
        f"{bad}: error: line 6, states.waiting: a dead end: no transition leaves this state, and it is not final",
        f"{bad}: error: line 12, transitions.close.roles: unknown role 'caseworkr' (did you mean caseworker?)",
        f"{bad}: error: line 12, transitions.close.roles: no role may take this transition",
        f"{bad}: error: line 13, transitions.close.requires.forms: unknown form 'rsss' (did you mean rss?)",
    ]
    assert f"{bad}: 5 error(s), 0 warning(s)" in err
    assert "not checked" not in err


def test_check_against_the_shipped_catalogue(tmp_path, capsys):
    files = [str(path) for path in workflow_files()]
    assert main(["workflow", "check", "--catalogue", "--quiet", *files]) == 0
    assert capsys.readouterr().out == ""
    unknown = write(tmp_path, "unknown_form.yaml", GOOD.replace("forms: [rss]", "forms: [rss_survey]"))
    assert main(["workflow", "check", "--catalogue", unknown]) == 1
    assert "unknown form 'rss_survey' (did you mean rss?)" in capsys.readouterr().out


def test_check_a_missing_file_or_a_broken_one(tmp_path, capsys):
    assert main(["workflow", "check", str(tmp_path / "nowhere.yaml")]) == 1
    assert "No such file or directory" in capsys.readouterr().err
    broken = write(tmp_path, "broken.yaml", "code: x\nstates: [unclosed\n")
    assert main(["workflow", "check", broken]) == 1
    assert f"{broken}: error: line 3: " in capsys.readouterr().out


def test_show_prints_states_and_transitions(capsys):
    assert main(["workflow", "show", str(LIBRARY / "reparation_claims.yaml")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Reparation claims — reparation_claims version 1\n")
    assert "  deficiency_notice       Deficiency notice sent" in out
    assert "deadline 60 d, then a task for claims_officer" in out
    assert "  decide_appeal: appeal -> appeal_decided  “Decide the appeal”" in out
    assert "needs: fields appeal_outcome; not by whoever took decide, reject_incomplete; a reason" in out
    assert "  withdraw: any open state -> closed" in out


def test_show_refuses_a_file_with_errors(tmp_path, capsys):
    assert main(["workflow", "show", write(tmp_path, "bad.yaml", BAD)]) == 1
    assert "unknown role 'caseworkr'" in capsys.readouterr().err


def test_diagram_writes_an_svg(tmp_path, capsys):
    out = tmp_path / "avrr.svg"
    assert main(["workflow", "diagram", str(LIBRARY / "avrr.yaml"), "--out", str(out), "--language", "ar"]) == 0
    assert out.read_text(encoding="utf-8").startswith("<svg ")


def test_list_names_the_shipped_workflows(capsys):
    assert main(["workflow", "list"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 7


def test_runs_without_django_settings_or_a_database(tmp_path):
    path = write(tmp_path, "bad.yaml", BAD)
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    code = (
        "import sys; from passage.cli import main; r = main(sys.argv[1:]); "
        "from django.conf import settings; assert not settings.configured; "
        "assert 'django.db' not in sys.modules; sys.exit(r)"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code, "workflow", "check", path], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1, result.stderr
    assert "line 12, transitions.close.roles: unknown role 'caseworkr'" in result.stdout
