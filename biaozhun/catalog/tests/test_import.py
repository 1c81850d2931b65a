"""Import of catalogue files: validation, atomicity, idempotence, relations, round trip."""

import json
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from biaozhun.catalog.exporting import export_standards
from biaozhun.catalog.importing import FileError, ImportFailed, import_standards
from biaozhun.catalog.models import (
    Adoption,
    ICSClass,
    RelationKind,
    Standard,
    StandardRelation,
    Status,
)

pytestmark = pytest.mark.django_db

HEADER = ("code,title_zh,title_en,status,issued_on,effective_on,abolished_on,replaces,"
          "replaced_by,ics,ccs,issuer,committee,drafting_orgs,adopts,scope")
ZH_HEADER = ("标准号,中文标准名称,英文标准名称,标准状态,发布日期,实施日期,废止日期,代替标准,"
             "被代替标准,ICS,CCS,发布单位,归口单位,起草单位,采标情况,适用范围")

GOOD = f"""{HEADER}
GB/T 19001-2016,质量管理体系 要求,Quality management systems—Requirements,现行,2016-12-30,2017-07-01,,GB/T 19001-2008,,03.120.10,A00,国家质量监督检验检疫总局;国家标准化管理委员会,SAC/TC 151 全国质量管理和质量保证标准化技术委员会,中国标准化研究院,ISO 9001:2015 IDT,规定了质量管理体系要求。
GB/T 19001-2008,质量管理体系 要求,,被代替,2008-10-29,2009-03-01,,,,03.120.10,A00,,,,ISO 9001:2008 IDT,
"""


def write(tmp_path: Path, text: str, name: str = "standards.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def snapshot():
    return (sorted(Standard.objects.values_list("code", "title_zh", "status")),
            sorted(StandardRelation.objects.values_list("source_code", "kind", "target_code")))


def test_good_file_creates_editions_fields_and_relations(tmp_path):
    report = import_standards(write(tmp_path, GOOD))
    assert (report.total_rows, report.imported, report.created, report.updated) == (2, 2, 2, 0)
    new = Standard.objects.get(code="GB/T 19001-2016")
    assert (new.level, new.nature, new.year, new.title_en) == (
        "national", "recommended", 2016, "Quality management systems—Requirements")
    assert (new.issued_on, new.effective_on) == (date(2016, 12, 30), date(2017, 7, 1))
    assert [c.code for c in new.ics.all()] == ["03.120.10"]
    assert new.ccs.code == "A00"
    assert sorted(o.name for o in new.issuing_bodies.all()) == ["国家标准化管理委员会",
                                                                 "国家质量监督检验检疫总局"]
    assert (new.committee.code, new.committee.name) == ("SAC/TC 151",
                                                        "全国质量管理和质量保证标准化技术委员会")
    assert [o.name for o in new.drafting_orgs.all()] == ["中国标准化研究院"]
    assert list(new.adoptions.values_list("adopted_code", "degree")) == [("ISO 9001:2015", "IDT")]
    old = Standard.objects.get(code="GB/T 19001-2008")
    relation = StandardRelation.objects.get()
    assert (relation.source, relation.kind, relation.target) == (new, RelationKind.REPLACES, old)
    assert (old.status, new.status) == (Status.SUPERSEDED, Status.CURRENT)
    assert new.import_run is None and new.imported_at is not None


def test_ics_parents_are_created_for_unknown_codes(tmp_path):
    import_standards(write(tmp_path, GOOD))
    node = ICSClass.objects.get(code="03.120.10")
    assert (node.parent.code, node.parent.parent.code, node.depth) == ("03.120", "03", 3)


def test_portal_headers_and_chinese_statuses(tmp_path):
    text = f"{ZH_HEADER}\nＧＢ／Ｔ　１．１－２０２０,标准化工作导则 第1部分：标准化文件的结构和起草规则,,现行,2020年3月31日,2020/10/01,,GB/T 1.1—2009,,01.120,A00,,,,,\n"
    import_standards(write(tmp_path, text))
    standard = Standard.objects.get()
    assert (standard.code, standard.issued_on, standard.effective_on) == (
        "GB/T 1.1-2020", date(2020, 3, 31), date(2020, 10, 1))
    assert StandardRelation.objects.get().target_code == "GB/T 1.1-2009"


def test_errors_name_row_column_and_reason_and_nothing_is_written(tmp_path):
    import_standards(write(tmp_path, GOOD, "first.csv"))
    before = snapshot()
    bad = f"""{HEADER}
GB/T 19001-2016,质量管理体系 要求 改,,现行,2016-12-30,2017-07-01,,,,,,,,,,
XYZ?,名称,,现行,,,,,,,,,,,,
GB/T 2-2020,名称,,在用,2020-02-30,,,GB/T !,,1.2.3,AAA,,,,,
"""
    with pytest.raises(ImportFailed) as failure:
        import_standards(write(tmp_path, bad, "bad.csv"))
    found = [(e.row, e.column) for e in failure.value.errors]
    assert found == [(3, "code"), (4, "status"), (4, "issued_on"), (4, "replaces"),
                     (4, "ics"), (4, "ccs")]
    assert "日期" in failure.value.errors[2].reason
    assert [(e.row, e.column, e.reason, e.value) for e in failure.value.errors
            if e.column in ("code", "replaces")] == [
        (3, "code", "标准号无法识别：未知的标准代号“XYZ”", "XYZ?"),
        (4, "replaces", "无法识别的标准号：标准代号“GB”后缺少有效的顺序号", "GB/T !")]
    assert snapshot() == before


def test_unreadable_adopted_standard_is_a_row_error_in_chinese(tmp_path):
    text = f"{HEADER}\nGB/T 2-2020,名称,,,,,,,,,,,,,XYZ 1:2020 IDT,\n"
    with pytest.raises(ImportFailed) as failure:
        import_standards(write(tmp_path, text))
    assert [str(e) for e in failure.value.errors] == [
        "第 2 行，列“adopts”：无法识别采用的标准：未知的标准代号“XYZ”（值：XYZ 1:2020 IDT）"]


def test_duplicate_code_in_one_file_is_an_error(tmp_path):
    text = f"{HEADER}\nGB 2760-2014,a,,,,,,,,,,,,,,\nGB 2760—2014,b,,,,,,,,,,,,,,\n"
    with pytest.raises(ImportFailed) as failure:
        import_standards(write(tmp_path, text))
    assert [(e.row, e.column, e.reason) for e in failure.value.errors] == [
        (3, "code", "与第 2 行重复")]
    assert Standard.objects.count() == 0


def test_skip_invalid_imports_good_rows_and_writes_rejects(tmp_path):
    text = f"{HEADER}\nGB 2760-2014,食品安全国家标准 食品添加剂使用标准,,,,,,,,,,,,,,\nNOPE,坏,,,,,,,,,,,,,,\n"
    report = import_standards(write(tmp_path, text), skip_invalid=True)
    assert (report.imported, report.rejected_rows) == (1, 1)
    rejects = Path(report.rejects_path).read_text(encoding="utf-8-sig").splitlines()
    assert rejects[0].startswith("row,code,")
    assert rejects[1] == "3,NOPE,坏" + "," * 14 + (
        ",第 3 行，列“code”：标准号无法识别：未知的标准代号“NOPE”（值：NOPE）")
    assert list(Standard.objects.values_list("code", flat=True)) == ["GB 2760-2014"]


def test_rerun_is_an_idempotent_upsert(tmp_path):
    path = write(tmp_path, GOOD)
    import_standards(path)
    first = snapshot()
    report = import_standards(path)
    assert (report.created, report.updated) == (0, 2)
    assert snapshot() == first
    assert Adoption.objects.count() == 2


def test_update_changes_fields_of_existing_edition(tmp_path):
    import_standards(write(tmp_path, GOOD))
    changed = GOOD.replace("规定了质量管理体系要求。", "新的范围。")
    import_standards(write(tmp_path, changed, "second.csv"))
    assert Standard.objects.get(code="GB/T 19001-2016").scope == "新的范围。"


def test_dangling_reference_is_kept_and_resolved_later(tmp_path):
    text = f"{HEADER}\nGB 5749-2022,生活饮用水卫生标准,,,2022-03-15,2023-04-01,,GB 5749-2006,,,,,,,,\n"
    report = import_standards(write(tmp_path, text))
    assert report.dangling == [("GB 5749-2022", "replaces", "GB 5749-2006")]
    relation = StandardRelation.objects.get()
    assert relation.target is None
    older = f"{HEADER}\nGB 5749-2006,生活饮用水卫生标准,,,2006-12-29,2007-07-01,,,,,,,,,,\n"
    import_standards(write(tmp_path, older, "older.csv"))
    relation.refresh_from_db()
    assert relation.target.code == "GB 5749-2006"
    assert Standard.objects.get(code="GB 5749-2006").status == Status.SUPERSEDED


def test_replaced_by_and_partial_marks(tmp_path):
    text = (f"{HEADER}\nGB/T 10-2000,甲,,,2000-01-01,,,,GB/T 11-2010;~GB/T 12-2012,,,,,,,\n"
            "GB/T 11-2010,乙,,,2010-01-01,,,,,,,,,,,\nGB/T 12-2012,丙,,,2012-01-01,,,,,,,,,,,\n")
    import_standards(write(tmp_path, text))
    assert sorted(StandardRelation.objects.values_list("source_code", "kind", "target_code")) == [
        ("GB/T 11-2010", "replaces", "GB/T 10-2000"),
        ("GB/T 12-2012", "partially_replaces", "GB/T 10-2000")]


def test_amendment_row_amends_its_base(tmp_path):
    text = (f"{HEADER}\nGB 2762-2017,食品中污染物限量,,,2017-03-17,2017-09-17,,,,,,,,,,\n"
            "GB 2762-2017/XG1-2021,第1号修改单,,,2021-02-22,2021-03-01,,,,,,,,,,\n")
    import_standards(write(tmp_path, text))
    relation = StandardRelation.objects.get()
    assert (relation.source.code, relation.kind, relation.target.code) == (
        "GB 2762-2017/XG1-2021", "amends", "GB 2762-2017")


def test_xlsx_and_json_files(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["标准号", "中文标准名称", "发布日期"])
    sheet.append(["DB31/T 1234-2020", "上海地方标准", date(2020, 5, 6)])
    workbook.save(tmp_path / "a.xlsx")
    import_standards(tmp_path / "a.xlsx")
    (tmp_path / "b.json").write_text(json.dumps(
        [{"code": "T/CAS 290-2017", "title_zh": "团体标准", "ics": ["01.120"]}]),
        encoding="utf-8")
    import_standards(tmp_path / "b.json")
    assert dict(Standard.objects.values_list("code", "issued_on")) == {
        "DB31/T 1234-2020": date(2020, 5, 6), "T/CAS 290-2017": None}
    assert Standard.objects.get(code="T/CAS 290-2017").level == "group"


def test_file_that_is_not_xlsx_is_a_clear_error(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("not a workbook")
    with pytest.raises(FileError, match="不是有效的 XLSX 文件"):
        import_standards(path)


def test_file_without_code_column_is_a_clear_error(tmp_path):
    with pytest.raises(FileError, match="缺少“标准号”"):
        import_standards(write(tmp_path, "name,date\na,b\n"))


def test_round_trip_export_import_export_is_exact(tmp_path):
    import_standards(write(tmp_path, GOOD))
    for fmt in ("csv", "json", "xlsx"):
        first = export_standards(Standard.objects.all(), fmt)
        path = tmp_path / f"export.{fmt}"
        path.write_bytes(first)
        Standard.objects.all().delete()
        StandardRelation.objects.all().delete()
        import_standards(path)
        assert export_standards(Standard.objects.all(), "json") == export_standards(
            Standard.objects.all(), "json")
        second = export_standards(Standard.objects.all(), fmt)
        if fmt == "xlsx":  # zip timestamps differ; compare the cells
            assert _cells(first) == _cells(second)
        else:
            assert first == second


def test_chinese_export_round_trips(tmp_path):
    import_standards(write(tmp_path, GOOD))
    first = export_standards(Standard.objects.all(), "csv", chinese=True)
    assert first.decode("utf-8-sig").startswith("标准号,中文标准名称,")
    path = tmp_path / "zh.csv"
    path.write_bytes(first)
    Standard.objects.all().delete()
    import_standards(path)
    assert export_standards(Standard.objects.all(), "csv", chinese=True) == first


def _cells(data: bytes):
    import io

    from openpyxl import load_workbook

    return [list(row) for row in load_workbook(io.BytesIO(data)).active.iter_rows(
        values_only=True)]


def test_command_reports_summary(tmp_path, capsys):
    call_command("import", str(write(tmp_path, GOOD)))
    out = capsys.readouterr().out
    assert "共 2 行，导入 2 行（新增 2，更新 0），拒绝 0 行" in out


def test_command_fails_with_row_errors_and_exit_status(tmp_path, capsys):
    bad = f"{HEADER}\nGB 1-2020,名称,,坏状态,,,,,,,,,,,,\n"
    with pytest.raises(CommandError, match="1 处错误，未导入任何数据"):
        call_command("import", str(write(tmp_path, bad)))
    assert "第 2 行，列“status”：无法识别的标准状态" in capsys.readouterr().err
    assert Standard.objects.count() == 0


def test_command_missing_file(tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import", str(tmp_path / "missing.csv"))


def test_export_command_filters_and_writes_file(tmp_path):
    import_standards(write(tmp_path, GOOD))
    out = tmp_path / "out.csv"
    call_command("export", format="csv", output=str(out), status="superseded")
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 2
    assert lines[1].startswith("GB/T 19001-2008,质量管理体系 要求,,superseded,")


def test_export_command_needs_output_for_xlsx():
    with pytest.raises(CommandError, match="XLSX 导出需要"):
        call_command("export", format="xlsx")


def test_code_columns_sort_by_bytes_on_postgresql():
    """Range filters on codes assume byte order (migration catalog.0003)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("collation is a PostgreSQL concern; SQLite compares bytes already")
    with connection.cursor() as cursor:
        cursor.execute("SELECT column_name, collation_name FROM information_schema.columns "
                       "WHERE table_name = 'catalog_standard' AND column_name IN "
                       "('code', 'code_norm', 'undated_norm', 'prefix') ORDER BY column_name")
        assert cursor.fetchall() == [("code", "C"), ("code_norm", "C"), ("prefix", "C"),
                                     ("undated_norm", "C")]


@pytest.mark.parametrize(("text", "code", "name"), [
    ("SAC/TC 151 全国质量管理和质量保证标准化技术委员会", "SAC/TC 151",
     "全国质量管理和质量保证标准化技术委员会"),
    ("SAC/TC1/SC2 分会", "SAC/TC 1/SC 2", "分会"),
    ("TC291", "TC 291", "TC 291"),
    ("全国信息与文献标准化技术委员会", "", "全国信息与文献标准化技术委员会"),
])
def test_committee_spellings(text, code, name):
    from biaozhun.catalog.importing.records import parse_committee

    committee = parse_committee(text)
    assert (committee.code, committee.name) == (code, name)


def test_mandatory_local_numbers_keep_the_space_where_two_digits_meet(tmp_path, client):
    import_standards(write(tmp_path, f"""{HEADER}
DB31 123-2020,上海强制性地方标准,,现行,2020-01-01,2020-03-01,,DB31 123-2010,,,,,,,,
DB4301 2-2020,长沙市强制性地方标准,,现行,2020-01-01,2020-03-01,,,,,,,,,,
DB43 012-2020,湖南省强制性地方标准,,现行,2020-01-01,2020-03-01,,,,,,,,,,
DB31 123-2010,上海强制性地方标准,,被代替,2010-01-01,2010-03-01,,,,,,,,,,
"""))
    # Stripped of every space, the last two would share one key, DB43012-2020.
    assert sorted(Standard.objects.values_list("code_norm", "undated_norm")) == [
        ("DB31 123-2010", "DB31 123"), ("DB31 123-2020", "DB31 123"),
        ("DB43 012-2020", "DB43 012"), ("DB4301 2-2020", "DB4301 2")]
    relation = StandardRelation.objects.get()
    assert (relation.source_code_norm, relation.target_code_norm) == (
        "DB31 123-2020", "DB31 123-2010")
    assert relation.target.code == "DB31 123-2010"
    # Found by number in any spelling, on the detail page and through the API (search:
    # search/tests/test_numbers.py).
    assert client.get("/standards/DB31 123—2020")["Location"] == "/standards/DB31%20123-2020"
    assert client.get("/api/v1/standards/db31 123-2010").json()["code"] == "DB31 123-2010"
