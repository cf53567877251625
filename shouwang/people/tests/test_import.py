"""Importing residents from the spreadsheets community workers keep (``shouwang import residents``)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from stdnum.cn.ric import calc_check_digit

from shouwang.core.models import AuditLog
from shouwang.people.identity import id_hash
from shouwang.people.importing import REPORT_HEADINGS, ImportSummary, import_residents
from shouwang.people.models import Household, Resident

HEADINGS = ["姓名", "性别", "证件类型", "身份证号", "联系电话", "住址", "与户主关系"]


def ric(region: str = "110102", birth: str = "19800101", sequence: str = "001") -> str:
    """A resident ID with a correct check digit (stdnum ignores the last character it is given)."""
    body = region + birth + sequence
    return body + calc_check_digit(body + "0")


def person(name: str, number: Any, *, gender: str = "", id_type: str = "", phone: str = "",
           address: str = "力学胡同 5 号", relation: str = "") -> list[Any]:  # fmt: skip
    return [name, gender, id_type, number, phone, address, relation]


def write_csv(path: Path, rows: list[list[Any]], *, encoding: str = "utf-8-sig",
              delimiter: str = ",") -> Path:  # fmt: skip
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[Any]], *, skip_rows: int = 0) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for _ in range(skip_rows):
        sheet.append([])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def run(world: Any, path: Path, **kwargs: Any) -> ImportSummary:
    return import_residents(path, community=world.community_a, actor=world.worker, **kwargs)


def report_rows(path: Path) -> list[tuple[Any, ...]]:
    """The report's rows after the heading row (which is checked too)."""
    sheet = load_workbook(path).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == REPORT_HEADINGS
    return rows[1:]


def stored(world: Any, number: str) -> Resident:
    return Resident.objects.get(community=world.community_a, id_hash=id_hash("resident_id", number))


def address_of(resident: Resident) -> str:
    assert resident.household is not None
    return resident.household.address


LI_SI = ric("110102", "19850315", "012")
WANG_WU = ric("110102", "19900701", "021")


# --- reading the file --------------------------------------------------------------------------


def test_csv_in_utf8_with_bom(world: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "居民.csv", [
        HEADINGS,
        person("李四", LI_SI, gender="男", phone="138 0013 8000", relation="户主"),
        person("王五", WANG_WU, gender="女", phone="+86 139-0013-9000", relation="配偶"),
    ])  # fmt: skip

    summary = run(world, path)

    assert (summary.imported, summary.rejected, summary.duplicates) == (2, 0, 0)
    li = stored(world, LI_SI)
    assert (li.name, li.gender, li.phone, li.relation_to_head) == ("李四", "M", "+8613800138000", "户主")
    assert li.household is not None and li.household.address == "力学胡同 5 号"
    assert stored(world, WANG_WU).household == li.household
    assert li.id_masked == "110***********" + LI_SI[-4:]


def test_csv_in_gb18030_with_semicolons(world: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "gb.csv", [
        HEADINGS,
        person("李四", LI_SI, gender="男", address="小酱坊胡同 2 号"),
        person("李䶮", WANG_WU, address="小酱坊胡同 2 号"),
    ], encoding="gb18030", delimiter=";")  # fmt: skip
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # really not UTF-8

    summary = run(world, path)

    assert summary.imported == 2
    assert stored(world, WANG_WU).name == "李䶮"
    assert address_of(stored(world, LI_SI)) == "小酱坊胡同 2 号"


def test_csv_with_tabs(world: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "tabs.csv", [HEADINGS, person("李四", LI_SI)], delimiter="\t")
    assert run(world, path).imported == 1


def test_xlsx_with_headings_as_workers_write_them(world: Any, tmp_path: Path) -> None:
    """Blank rows above the headings, full-width spaces, aliases, numbers typed as numbers."""
    rows: list[list[Any]] = [
        ["序号", "姓　名", " 性别 ", "证件号码", "手机号", "家庭住址", "关系", "备注"],
        [1, "李四", "男", LI_SI, 13800138000, "力学胡同 5 号", "户主", "新搬来"],
        [2, "王五", "女", WANG_WU, None, "力学胡同 5 号", "配偶", None],
        [3, "赵六", "男", "110102198001010010", None, "力学胡同 6 号", None, None],
    ]
    path = write_xlsx(tmp_path / "居民.xlsx", rows, skip_rows=2)

    summary = run(world, path)

    assert (summary.imported, summary.rejected) == (2, 1)
    assert stored(world, LI_SI).phone == "+8613800138000"
    assert stored(world, WANG_WU).phone == ""
    # Headings are on sheet row 3, so 赵六 is on row 6, and the column is named as in the file.
    [error] = summary.errors
    assert (error.row, error.column, error.code) == (6, "证件号码", "id_checksum")


def test_xlsx_id_stored_as_a_number_by_excel_is_explained(world: Any, tmp_path: Path) -> None:
    number = ric("110102", "19800101", "033")
    path = write_xlsx(tmp_path / "numbers.xlsx", [HEADINGS, person("李四", float(number))])

    summary = run(world, path)

    assert summary.rejected == 1
    assert summary.errors[0].code == "import_id_numeric"
    assert "文本" in summary.errors[0].reason_zh


def test_building_and_door_headings_make_the_address(world: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "楼栋.csv", [
        ["姓名", "身份证号", "楼栋", "单元", "门牌"],
        ["李四", LI_SI, "3", "2", "301"],
        ["王五", WANG_WU, "力学胡同", "", "5号"],
    ])  # fmt: skip

    summary = run(world, path)

    assert summary.imported == 2
    assert address_of(stored(world, LI_SI)) == "3号楼2单元301号"
    assert address_of(stored(world, WANG_WU)) == "力学胡同5号"


@pytest.mark.parametrize(
    ("headings", "missing"),
    [
        (["姓名", "电话", "住址"], "证件号码"),
        (["身份证号", "住址"], "姓名"),
        (["姓名", "身份证号"], "住址"),
        (["姓名", "身份证号", "楼栋"], "门牌"),
    ],
)
def test_missing_headings_write_nothing(
    world: Any, tmp_path: Path, headings: list[str], missing: str
) -> None:
    path = write_csv(tmp_path / "bad.csv", [headings, ["李四", LI_SI, "x"]])
    before = Resident.objects.count()

    with pytest.raises(CommandError) as info:
        call_command("import", "residents", str(path), "--community", "tps")

    assert missing in str(info.value)
    assert "Missing headings" in str(info.value)
    assert "\n" not in str(info.value)
    assert Resident.objects.count() == before
    assert not (tmp_path / "bad.errors.xlsx").exists()
    assert not AuditLog.objects.filter(action="resident.import").exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("old.xls", b"\xd0\xcf\x11\xe0 not a modern workbook"),
        ("list.txt", "姓名,身份证号,住址\n".encode()),
        ("broken.xlsx", b"this is not a zip file"),
        ("binary.csv", b"\x81\x30\xff\xfe\x00\x00\x81"),
    ],
)
def test_files_that_cannot_be_read(world: Any, tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(CommandError) as info:
        call_command("import", "residents", str(path), "--community", "tps")

    assert "仅支持 .xlsx 和 .csv" in str(info.value)
    assert Resident.objects.count() == 1  # 张三 of the fixture only


def test_missing_file_and_unknown_community(world: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import", "residents", str(tmp_path / "nope.csv"), "--community", "tps")
    path = write_csv(tmp_path / "ok.csv", [HEADINGS, person("李四", LI_SI)])
    with pytest.raises(CommandError, match="没有名为或编号为“东城”的社区"):
        call_command("import", "residents", str(path), "--community", "东城")
    assert not Resident.objects.filter(name="李四").exists()


# --- checking rows -----------------------------------------------------------------------------


def test_good_rows_are_kept_and_every_bad_row_is_reported(world: Any, tmp_path: Path) -> None:
    today = timezone.localdate()
    wrong_check = LI_SI[:17] + ("0" if LI_SI[17] != "0" else "1")
    future = ric("110102", (today + dt.timedelta(days=400)).strftime("%Y%m%d"), "001")
    good = [ric("110102", "19700101", f"{n:03d}") for n in range(3)]
    path = write_csv(tmp_path / "mixed.csv", [
        HEADINGS,
        person("好一", good[0]),  # row 2
        person("校验", wrong_check),  # row 3
        person("未来", future),  # row 4
        person("电话", good[1], phone="12345"),  # row 5
        person("性别", ric("110102", "19700101", "101"), gender="未知"),  # row 6
        person("", ric("110102", "19700101", "102")),  # row 7
        person("好二", good[2], gender="F"),  # row 8
        person("多错", "123", gender="X", phone="1"),  # row 9: three faults at once
    ])  # fmt: skip

    summary = run(world, path)

    assert (summary.imported, summary.rejected, summary.duplicates) == (2, 6, 0)
    assert {(e.row, e.column, e.code) for e in summary.errors} == {
        (3, "身份证号", "id_checksum"),
        (4, "身份证号", "id_birth_future"),
        (5, "联系电话", "phone_invalid"),
        (6, "性别", "gender_invalid"),
        (7, "姓名", "name_invalid"),
        (9, "身份证号", "id_length"),
        (9, "性别", "gender_invalid"),
        (9, "联系电话", "phone_invalid"),
    }
    for number in (good[0], good[2]):
        assert stored(world, number).name in ("好一", "好二")
    assert stored(world, good[2]).gender == "F"

    rows = report_rows(summary.report_path)
    assert summary.report_path == tmp_path / "mixed.errors.xlsx"
    assert {r[0] for r in rows} == {3, 4, 5, 6, 7, 9}
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)
    by_row = {r[0]: r for r in rows}
    assert by_row[3][1:] == (
        "身份证号",
        "110***********" + wrong_check[-4:],
        f"身份证号校验位错误：应为 {LI_SI[17]}，实际为 {wrong_check[17]}。请核对号码。",
        f"Resident ID check digit is wrong: expected {LI_SI[17]}, got {wrong_check[17]}. Check the number.",
        "error",
    )
    assert "晚于今天" in by_row[4][3] and "in the future" in by_row[4][4]
    assert by_row[5][2] == "12345" and "位数或号段不对" in by_row[5][3]
    assert "请填 男 或 女" in by_row[6][3]
    # No full ID number anywhere in the report.
    text = " ".join(str(cell) for row in rows for cell in row)
    for number in (wrong_check, future, *good):
        assert number not in text


def test_lowercase_x_is_accepted(world: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", [HEADINGS, person("王芳", "11010519491231002x")])

    assert run(world, path).imported == 1
    resident = stored(world, "11010519491231002X")
    assert (resident.name, resident.id_masked, resident.gender) == ("王芳", "110***********002X", "F")


def test_fifteen_digit_number_is_stored_as_its_eighteen_digit_hash(world: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "old.csv", [HEADINGS, person("老王", "610104620927690")])

    assert run(world, path).imported == 1
    assert stored(world, "610104196209276908").id_masked == "610***********6908"


def test_unknown_region_is_imported_with_a_warning(world: Any, tmp_path: Path) -> None:
    number = ric("999999", "19800101", "001")
    path = write_csv(tmp_path / "region.csv", [HEADINGS, person("补登", number)])

    summary = run(world, path)

    assert (summary.imported, summary.rejected) == (1, 0)
    assert summary.errors == []
    [warning] = summary.warnings
    assert (warning.row, warning.code, warning.level) == (2, "id_region_unknown", "warning")
    assert report_rows(summary.report_path) == [
        (2, "身份证号", "999***********" + number[-4:], warning.reason_zh, warning.reason_en,
         "warning"),
    ]  # fmt: skip
    assert stored(world, number).name == "补登"


def test_unknown_county_in_a_known_province_is_imported_with_a_warning(world: Any, tmp_path: Path) -> None:
    odd = ric("119999", "19800101", "001")
    path = write_csv(tmp_path / "odd.csv", [HEADINGS, person("补登", odd)])

    summary = run(world, path)

    assert (summary.imported, [w.code for w in summary.warnings]) == (1, ["id_region_unknown"])


def test_a_validator_crash_costs_one_row_not_the_import(
    world: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shouwang.people.services import prepare_resident as real

    def fragile(data: Any, **kwargs: Any) -> Any:
        if data.name == "炸":
            raise KeyError("county")  # as stdnum once did for an unknown county code
        return real(data, **kwargs)

    monkeypatch.setattr("shouwang.people.importing.prepare_resident", fragile)
    path = write_csv(tmp_path / "crash.csv", [
        HEADINGS, person("炸", WANG_WU), person("李四", LI_SI),
    ])  # fmt: skip

    summary = run(world, path)

    assert (summary.imported, summary.rejected) == (1, 1)
    [error] = summary.errors
    assert (error.row, error.code) == (2, "import_row_unexpected")
    assert "KeyError" in error.reason_en
    assert stored(world, LI_SI).name == "李四"


@pytest.mark.parametrize("digits", ["\u0661\u0661\u0660\u0661\u0660\u0665", "\u1369" * 6])
def test_digits_of_other_scripts_are_an_id_format_error(world: Any, tmp_path: Path, digits: str) -> None:
    path = write_csv(tmp_path / "script.csv", [HEADINGS, person("李四", digits + LI_SI[6:])])

    summary = run(world, path)

    assert [(e.row, e.code) for e in summary.errors] == [(2, "id_format")]


def test_document_types_by_their_chinese_names(world: Any, tmp_path: Path) -> None:
    permit = ric("810000", "19900101", "001")
    path = write_csv(tmp_path / "types.csv", [
        HEADINGS,
        person("Smith John", "E12345678", id_type="护照"),
        person("陈港", permit, id_type="港澳台居民居住证"),
        person("某人", "E12345679", id_type="军官证"),
    ])  # fmt: skip

    summary = run(world, path)

    assert (summary.imported, summary.rejected) == (2, 1)
    assert Resident.objects.get(id_hash=id_hash("passport", "E12345678")).id_type == "passport"
    assert stored(world, permit).id_type == "hkmotw_residence_permit"
    assert [(e.row, e.column, e.code) for e in summary.errors] == [(4, "证件类型", "id_type_unknown")]


def test_same_number_twice_in_the_file(world: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "dup.csv", [
        HEADINGS,
        person("李四", LI_SI),
        person("王五", WANG_WU),
        person("李四", LI_SI.lower(), phone="13800138000"),  # row 4 repeats row 2
    ])  # fmt: skip

    summary = run(world, path)

    assert (summary.imported, summary.duplicates, summary.rejected) == (2, 1, 0)
    [error] = summary.errors
    assert (error.row, error.code) == (4, "import_duplicate")
    assert error.reason_zh == "与第 2 行证件号重复，已跳过。"
    assert stored(world, LI_SI).phone == ""  # the first row wins


def test_empty_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers(world: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "gaps.csv", [
        HEADINGS,
        ["", "", "", "", "", "", ""],
        person("李四", LI_SI),
        [],
        ["  ", "\u3000"],
        person("", WANG_WU),  # row 6
    ])  # fmt: skip

    summary = run(world, path)

    assert (summary.imported, summary.rejected) == (1, 1)
    assert [e.row for e in summary.errors] == [6]


def test_existing_resident_is_updated(world: Any, tmp_path: Path) -> None:
    from conftest import ZHANG_SAN_ID

    path = write_csv(tmp_path / "zs.csv", [
        HEADINGS, person("张三", ZHANG_SAN_ID, phone="13800138000", address="力学胡同 3 号"),
    ])  # fmt: skip

    summary = run(world, path)

    assert (summary.imported, summary.updated) == (0, 1)
    world.resident.refresh_from_db()
    assert world.resident.phone == "+8613800138000"


def test_importing_the_same_file_twice_changes_nothing(world: Any, tmp_path: Path) -> None:
    rows = [HEADINGS] + [
        person(f"居民{n}", ric("110102", "19700101", f"{n:03d}"), gender="男", phone="13800138000",
               address=f"力学胡同 {n % 3} 号")
        for n in range(10)
    ]  # fmt: skip
    path = write_csv(tmp_path / "twice.csv", rows)
    first = run(world, path)
    snapshot = list(Resident.objects.order_by("pk").values())
    households = Household.objects.count()

    second = run(world, path)

    assert (first.imported, first.updated, first.unchanged) == (10, 0, 0)
    assert (second.imported, second.updated, second.unchanged, second.rejected) == (0, 0, 10, 0)
    assert list(Resident.objects.order_by("pk").values()) == snapshot
    assert Household.objects.count() == households


def test_one_audit_entry_per_import(world: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "audit.csv", [
        HEADINGS, person("李四", LI_SI), person("王五", WANG_WU), person("", LI_SI[:-1] + "0"),
    ])  # fmt: skip
    before = AuditLog.objects.count()

    run(world, path)

    entry = AuditLog.objects.get(action="resident.import")
    assert AuditLog.objects.count() == before + 1  # no resident.register per row
    assert entry.actor == world.worker
    assert entry.community == world.community_a
    assert entry.detail["imported"] == 2
    assert entry.detail["rejected"] == 1
    assert entry.detail["file"] == "audit.csv"


def test_names_round_trip_exactly(world: Any, tmp_path: Path) -> None:
    for path in (
        write_csv(tmp_path / "names.csv", [HEADINGS, person("买买提·艾力", LI_SI),
                                           person("李䶮", WANG_WU)]),
        write_xlsx(tmp_path / "names.xlsx", [HEADINGS, person("买买提·艾力", LI_SI),
                                             person("李䶮", WANG_WU)]),
    ):  # fmt: skip
        run(world, path)
        assert stored(world, LI_SI).name == "买买提·艾力"
        assert stored(world, WANG_WU).name == "李䶮"
    resident = stored(world, LI_SI)
    assert (resident.name_pinyin, resident.name_initials) == ("maimaitiaili", "mmtal")


# --- the report --------------------------------------------------------------------------------


def test_formula_looking_names_are_rejected_and_neutralised_in_the_report(world: Any, tmp_path: Path) -> None:
    names = ['=HYPERLINK("http://evil.example","点我")', "+1+2", "-2+3", "@SUM(A1)"]
    rows = [HEADINGS] + [person(name, ric("110102", "19700101", f"{n:03d}")) for n, name in enumerate(names)]
    path = write_csv(tmp_path / "formula.csv", rows)

    summary = run(world, path)

    assert (summary.imported, summary.rejected) == (0, 4)
    sheet = load_workbook(summary.report_path).worksheets[0]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    values = [row[2] for row in report_rows(summary.report_path)]
    assert values == ["'" + name for name in names]


def test_report_is_always_written_and_can_be_placed_elsewhere(world: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "clean.csv", [HEADINGS, person("李四", LI_SI)])
    elsewhere = tmp_path / "out" / "report.xlsx"
    elsewhere.parent.mkdir()

    summary = run(world, path, report_path=elsewhere)

    assert summary.report_path == elsewhere
    assert report_rows(elsewhere) == []
    assert not (tmp_path / "clean.errors.xlsx").exists()


# --- the command -------------------------------------------------------------------------------


def test_command_prints_one_summary_line(world: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cli.csv", [
        HEADINGS, person("李四", LI_SI), person("李四", LI_SI), person("", WANG_WU),
    ])  # fmt: skip
    out, err = io.StringIO(), io.StringIO()

    call_command("import", "residents", str(path), "--community", "太仆寺街社区", stdout=out, stderr=err)

    report = tmp_path / "cli.errors.xlsx"
    assert out.getvalue().splitlines() == [
        f"imported=1 updated=0 unchanged=0 rejected=1 duplicates=1 report={report}"
    ]
    assert report.exists()
    assert "2 行未导入" in err.getvalue()

    out = io.StringIO()
    call_command("import", "residents", str(path), "--community", "tps", "--report",
                 str(tmp_path / "r.xlsx"), stdout=out, stderr=io.StringIO())  # fmt: skip
    assert out.getvalue().splitlines() == [
        f"imported=0 updated=0 unchanged=1 rejected=1 duplicates=1 report={tmp_path / 'r.xlsx'}"
    ]


# --- scale -------------------------------------------------------------------------------------


def test_three_thousand_rows_in_a_few_seconds(
    world: Any, tmp_path: Path, django_assert_max_num_queries: Any
) -> None:
    start = dt.date(1940, 1, 1)
    rows = [["姓名", "性别", "身份证号", "手机", "楼栋", "单元", "门牌"]]
    for n in range(3000):
        birth = (start + dt.timedelta(days=n * 7)).strftime("%Y%m%d")
        rows.append([f"居民{n}", "男女"[n % 2], ric("110102", birth, f"{n % 1000:03d}"),
                     f"138{n:08d}", str(n % 40 + 1), str(n % 3 + 1), str(n % 25 + 101)])  # fmt: skip
    path = write_csv(tmp_path / "big.csv", rows)

    began = time.perf_counter()
    first = run(world, path)
    first_seconds = time.perf_counter() - began
    began = time.perf_counter()
    with django_assert_max_num_queries(60):  # the re-import reads in chunks, writes nothing
        second = run(world, path)
    second_seconds = time.perf_counter() - began

    print(f"3,000 rows: first import {first_seconds:.2f} s, re-import {second_seconds:.2f} s")
    assert (first.imported, first.rejected) == (3000, 0)
    assert second.unchanged == 3000
    assert first_seconds < 30  # a few seconds on a quiet machine; generous for busy CI
    assert second_seconds < 10
