"""`passage match` end to end: a CSV in, clusters (and pairs) out, clear errors for bad files."""

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from passage.cli import main
from passage.matching.synthetic import generate


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


@pytest.fixture
def registry_csv(tmp_path):
    frame = generate(400, seed=5)
    frame = frame.with_columns(notes=frame["record_id"])  # an extra column, ignored
    path = tmp_path / "people.csv"
    frame.write_csv(path)
    return path


def test_clusters_and_pairs_with_explanations(registry_csv, tmp_path, capsys):
    out, pairs = tmp_path / "clusters.csv", tmp_path / "pairs.csv"
    assert main(["match", str(registry_csv), "--out", str(out), "--pairs", str(pairs), "--threshold", "0.8"]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == ["record_id", "cluster_id"]
    assert sorted(r["record_id"] for r in rows) == sorted(r["record_id"] for r in csv.DictReader(registry_csv.open()))
    assert any(r["record_id"] != r["cluster_id"] for r in rows)  # some duplicates were found
    scored = list(csv.DictReader(pairs.open(encoding="utf-8")))
    assert {
        "record_id_1",
        "record_id_2",
        "probability",
        "match_weight",
        "kept_apart",
        "given_name",
        "given_name_weight",
    } <= set(scored[0])
    assert "group(s) of duplicates" in capsys.readouterr().out


def test_runs_without_a_database_or_django(tmp_path):
    people = write(
        tmp_path / "p.csv",
        "record_id,given_name,family_name,date_of_birth\n1,Mohammed,Al-Tamimi,1980-02-03\n2,Muhammad,Tamimi,1980\n3,Fatima,Haddad,\n",
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    code = (
        "import sys; from passage.cli import main; r = main(sys.argv[1:]); "
        "assert 'django' not in sys.modules; sys.exit(r)"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code, "match", str(people), "--out", str(tmp_path / "c.csv")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader((tmp_path / "c.csv").open()))
    assert rows[0] == ["record_id", "cluster_id"] and len(rows) == 4


def test_a_small_file_finds_its_obvious_duplicates(tmp_path):
    # Too few pairs to learn from: the engine leans on the weights it starts from.
    people = write(
        tmp_path / "p.csv",
        "record_id,given_name,father_name,family_name,full_name,sex,date_of_birth,phone\n"
        "1,Mohammed,Abdul Rahman,Al-Tamimi,,M,1980-03-02,+964 770 123 4567\n"
        "2,محمد,عبد الرحمن,التميمي,,M,1980,07701234567\n"
        "3,Fatima,Ali,Haddad,,F,1990-05-01,\n"
        "4,,,,Muhammad Abdulrahman Tamimi,M,1980-02-03,\n",
    )
    assert main(["match", str(people), "--out", str(tmp_path / "c.csv")]) == 0
    clusters = dict(csv.reader((tmp_path / "c.csv").open(encoding="utf-8")))
    assert clusters["1"] == clusters["2"] == clusters["4"] == "1"
    assert clusters["3"] == "3"


def test_missing_record_id_column(tmp_path, capsys):
    people = write(tmp_path / "p.csv", "id,given_name\n1,Ali\n")
    assert main(["match", str(people), "--out", str(tmp_path / "c.csv")]) == 1
    assert "no record_id column" in capsys.readouterr().err


def test_duplicate_record_ids_are_named(tmp_path, capsys):
    people = write(tmp_path / "p.csv", "record_id,given_name\nA1,Ali\nB2,Omar\nA1,Hassan\n")
    assert main(["match", str(people), "--out", str(tmp_path / "c.csv")]) == 1
    err = capsys.readouterr().err
    assert "'A1' on lines 2, 4" in err
    assert not (tmp_path / "c.csv").exists()


def test_non_utf8_names_the_line(tmp_path, capsys):
    people = write(tmp_path / "p.csv", b"record_id,given_name\n1,Ali\n2," + "Müller".encode("latin-1") + b"\n")
    assert main(["match", str(people), "--out", str(tmp_path / "c.csv")]) == 1
    assert "line 3 is not UTF-8" in capsys.readouterr().err


def test_bad_date_is_a_warning_naming_line_and_field(tmp_path, capsys):
    people = write(
        tmp_path / "p.csv", "record_id,given_name,date_of_birth\nx1,Ali,1980-02-03\nx2,Omar,03/02/1980\nx3,Hassan,\n"
    )
    assert main(["match", str(people), "--out", str(tmp_path / "c.csv")]) == 0
    err = capsys.readouterr().err
    assert "line 3 (record_id x2), date_of_birth: '03/02/1980' is not a date" in err
    assert len(list(csv.reader((tmp_path / "c.csv").open()))) == 4


def test_empty_record_id_and_bad_threshold(tmp_path, capsys):
    people = write(tmp_path / "p.csv", "record_id,given_name\n1,Ali\n,Omar\n")
    assert main(["match", str(people), "--out", str(tmp_path / "c.csv")]) == 1
    assert "record_id is empty on line 3" in capsys.readouterr().err
    assert main(["match", str(people), "--out", str(tmp_path / "c.csv"), "--threshold", "1.5"]) == 2


def test_a_line_with_too_many_fields_is_named(tmp_path, capsys):
    people = write(tmp_path / "p.csv", "record_id,given_name\n1,Ali\n2,Omar,extra\n")
    assert main(["match", str(people), "--out", str(tmp_path / "c.csv")]) == 1
    assert "line 3 has 3 fields where the header has 2" in capsys.readouterr().err


def test_missing_file(tmp_path, capsys):
    assert main(["match", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "c.csv")]) == 1
    assert "nope.csv" in capsys.readouterr().err
