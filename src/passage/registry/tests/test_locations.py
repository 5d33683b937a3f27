"""Loading administrative areas from COD-AB style files: the hierarchy, errors by row, encodings, XLSX."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from passage import cli
from passage.core.models import AuditEvent
from passage.registry.actions import import_admin_areas
from passage.registry.models import AdminArea
from passage.registry.tabular import TableError, read_table

DEMO = Path(__file__).resolve().parents[1] / "demo" / "irq_adm2.csv"


def _csv(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "areas.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_the_hierarchy_is_stored_from_the_rows_not_the_codes(db):
    summary = import_admin_areas(table=read_table(DEMO), country="IQ", acting_user=None, source="demo")
    assert summary.by_level == {0: 1, 1: 6, 2: 14}
    mosul = AdminArea.objects.get(pcode="IQD083")
    assert mosul.parent.pcode == "IQG15" and mosul.parent.parent.pcode == "IQ"
    assert mosul.names == {"en": "Mosul", "ar": "الموصل"} and mosul.level == 2
    assert AuditEvent.objects.filter(action="admin_area.import").count() == 1


def test_loading_the_same_file_again_changes_nothing(db):
    import_admin_areas(table=read_table(DEMO), country="IQ", acting_user=None)
    again = import_admin_areas(table=read_table(DEMO), country="IQ", acting_user=None)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 21)


def test_a_renamed_area_is_updated(db, tmp_path):
    import_admin_areas(table=read_table(DEMO), country="IQ", acting_user=None)
    path = _csv(tmp_path, "ADM1_PCODE,ADM1_EN\nIQG15,Nineveh\n")
    summary = import_admin_areas(table=read_table(path), country="IQ", acting_user=None)
    assert summary.updated == 1 and AdminArea.objects.get(pcode="IQG15").name == "Nineveh"


def test_errors_name_the_row_and_column_and_nothing_is_loaded(db, tmp_path):
    path = _csv(
        tmp_path,
        (
            "ADM1_PCODE,ADM1_EN,ADM2_PCODE,ADM2_EN\n"
            "IQG15,Ninewa,IQD083,Mosul\n"
            "IQG07,Baghdad,IQD083,Mosul\n"  # the same district under another governorate
            "IQG11,,IQD057,Erbil\n"  # a governorate with no name
            ",,IQD999,Nowhere\n"  # a district without its governorate
            "IQG02,Basrah,=cmd|' /C calc'!A0,x\n"
        ),
    )
    with pytest.raises(ValidationError) as refused:
        import_admin_areas(table=read_table(path), country="IQ", acting_user=None)
    messages = "\n".join(refused.value.messages)
    assert "row 3, ADM2_PCODE: IQD083 appears under IQG07 here but under IQG15 on row 2" in messages
    assert "row 4, ADM1_PCODE: IQG11 has no name" in messages
    assert "row 5, ADM1_PCODE: Level 1 P-code is empty" in messages
    assert "row 6, ADM2_PCODE" in messages and "is not a P-code" in messages
    assert not AdminArea.objects.exists()


def test_windows_arabic_encoding_and_semicolons_are_recognised(db, tmp_path):
    text = DEMO.read_text(encoding="utf-8").replace(",", ";")
    table = read_table(_csv(tmp_path, text, encoding="cp1256"))
    assert table.encoding in ("cp1256", "windows-1256")
    import_admin_areas(table=table, country="IQ", acting_user=None)
    assert AdminArea.objects.get(pcode="IQD083").names["ar"] == "الموصل"


def test_xlsx_is_read_like_csv(db, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["ADM1_PCODE", "ADM1_EN", "ADM2_PCODE", "ADM2_EN"])
    sheet.append(["IQG01", "Anbar", "IQD002", "Falluja"])
    sheet.append([None, None, None, None])
    path = tmp_path / "areas.xlsx"
    workbook.save(path)
    summary = import_admin_areas(table=read_table(path), country="IQ", acting_user=None)
    assert summary.by_level == {0: 1, 1: 1, 2: 1}


@pytest.mark.parametrize(
    ("content", "name", "problem"),
    [
        (b"", "empty.csv", "empty"),
        (b"\x00\x01PK garbage", "fake.xlsx", "not a readable XLSX"),
        (b"a,b\n1,2\n", "areas.pdf", "not a format"),
    ],
)
def test_unreadable_files_are_refused_clearly(tmp_path, content, name, problem):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(TableError, match=problem):
        read_table(path)


def test_a_file_without_pcodes_says_so(db, tmp_path):
    with pytest.raises(ValidationError, match="No P-code column"):
        import_admin_areas(
            table=read_table(_csv(tmp_path, "name,region\nMosul,North\n")), country="IQ", acting_user=None
        )


def test_only_location_managers_load_areas(caseworker, persona, operation):
    with pytest.raises(PermissionDenied):
        import_admin_areas(table=read_table(DEMO), country="IQ", acting_user=caseworker, operation=operation)
    import_admin_areas(table=read_table(DEMO), country="IQ", acting_user=persona("data_officer"), operation=operation)
    assert AdminArea.objects.count() == 21


def test_command_line_import(db, tmp_path, capsys):
    assert cli.main(["locations", "import", str(DEMO), "--country", "IQ"]) == 0
    assert "21 created" in capsys.readouterr().out
    bad = _csv(tmp_path, "ADM1_PCODE,ADM1_EN\nIQG01,\n")
    assert cli.main(["locations", "import", str(bad), "--country", "IQ"]) == 1
    err = capsys.readouterr().err
    assert "row 2" in err and "Nothing was loaded" in err
