"""Reference-list imports: ICS, CCS, regions, industry codes, ISO / IEC catalogues, relations."""

from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import QuerySet

from biaozhun.catalog.importing import ImportFailed
from biaozhun.catalog.importing import loader as loader_module
from biaozhun.catalog.importing.dispatch import detect_kind, import_path
from biaozhun.catalog.importing.international import import_iso_relations
from biaozhun.catalog.importing.reference import (
    import_ccs,
    import_ics,
    import_industry_codes,
    import_regions,
)
from biaozhun.catalog.models import (
    CCSClass,
    ICSClass,
    IndustryCode,
    Region,
    RelationKind,
    Standard,
    StandardRelation,
    Status,
)

pytestmark = pytest.mark.django_db


def shared_data() -> Path:
    """../shared/data beside the repository (CI has it; a user's machine does not)."""
    return Path(__file__).resolve().parents[3].parent / "shared" / "data"


def real_file(relative: str) -> Path:
    path = shared_data() / relative
    if not path.exists():
        pytest.skip(f"../shared/data not present: {path} is needed for this test")
    return path


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def tree(model) -> list[tuple]:
    return list(model.objects.order_by("code").values_list("code", "parent__code", "depth"))


# --- ICS -------------------------------------------------------------------------------------

ICS_ED7 = """code,edition,description_en,notes
01,7,Generalities. Terminology. Standardization. Documentation,
01.040,7,Vocabularies,
01.040.01,7,Generalities. Terminology. Standardization. Documentation (Vocabularies),
03,7,Services. Company organization,
"""
ICS_SAMPLE = """code,title_zh,title_en
01,综合、术语学、标准化、文献,
01.040,词汇,
"""


def test_ics_published_list_builds_the_tree_with_english_titles(tmp_path):
    report = import_ics(write(tmp_path, "ics_ed7.csv", ICS_ED7))
    assert (report.total_rows, report.imported, report.created, report.updated) == (4, 4, 4, 0)
    assert tree(ICSClass) == [("01", None, 1), ("01.040", "01", 2), ("01.040.01", "01.040", 3),
                              ("03", None, 1)]
    assert ICSClass.objects.get(code="01.040").title_en == "Vocabularies"
    assert report.notes == ["ICS 版本：7"]


def test_ics_chinese_and_english_titles_come_from_different_files(tmp_path):
    import_ics(write(tmp_path, "ics_ed7.csv", ICS_ED7))
    report = import_ics(write(tmp_path, "ics.csv", ICS_SAMPLE))
    assert (report.created, report.updated) == (0, 2)
    node = ICSClass.objects.get(code="01.040")
    assert (node.title_zh, node.title_en) == ("词汇", "Vocabularies")

    again = import_ics(write(tmp_path, "ics_ed7.csv", ICS_ED7))
    node.refresh_from_db()
    assert (again.created, again.updated) == (0, 0)
    assert (node.title_zh, node.title_en) == ("词汇", "Vocabularies")


def test_ics_reimport_changes_nothing(tmp_path):
    path = write(tmp_path, "ics_ed7.csv", ICS_ED7)
    import_ics(path)
    before = list(ICSClass.objects.order_by("code").values())
    report = import_ics(path)
    assert (report.created, report.updated) == (0, 0)
    assert report.notes == ["ICS 版本：7", "未变化 4 条"]
    assert list(ICSClass.objects.order_by("code").values()) == before


def test_ics_missing_parents_are_created_without_titles(tmp_path):
    report = import_ics(write(tmp_path, "ics.csv", "code,title_zh,title_en\n"
                                                   "13.120.10,家用电器安全,\n"))
    assert tree(ICSClass) == [("13", None, 1), ("13.120", "13", 2), ("13.120.10", "13.120", 3)]
    assert ICSClass.objects.get(code="13").title == ""
    assert report.notes == ["补建无名称的上级分类 2 个"]


def test_ics_sample_with_an_invalid_code_imports_nothing(tmp_path):
    path = write(tmp_path, "ics.csv", "code,title_zh,title_en\n01,综合,\n1.2,错,\n")
    with pytest.raises(ImportFailed) as caught:
        import_ics(path)
    assert [(e.row, e.column, e.value) for e in caught.value.errors] == [(3, "code", "1.2")]
    assert ICSClass.objects.count() == 0

    report = import_ics(path, skip_invalid=True)
    assert (report.imported, report.rejected_rows) == (1, 1)
    assert list(ICSClass.objects.values_list("code", flat=True)) == ["01"]


def test_ics_published_list_skips_and_reports_a_bad_row(tmp_path):
    report = import_ics(write(tmp_path, "ics_ed7.csv", ICS_ED7 + "XX,7,Broken,\n"))
    assert (report.imported, report.rejected_rows) == (4, 1)
    assert [(e.row, e.value) for e in report.errors] == [(6, "XX")]
    assert ICSClass.objects.count() == 4


# --- CCS -------------------------------------------------------------------------------------

CCS1 = "\ufeff代码 / Code,名称 / Name\nA,综合\nB,农业、林业\n"
CCS2 = ("\ufeff代码 / Code,名称 / Name,类 / Category,注释 /Notes\n"
        "A00/09,标准化管理与一般规定,A,\nA10/19,经济、文化,A,\n")
CCS3 = ("\ufeff代码 / Code,名称 / Name,代码 / Code,备注 / Notes\n"
        "A00,标准化、质量管理,A00/09,标准化工作法规、导则。\n"
        "A01,技术管理,A00/09,技术文件管理。\n"
        "A10,经济管理综合,A10/19,\n")


def test_ccs_three_published_levels_make_a_three_level_tree(tmp_path):
    reports = [import_ccs(write(tmp_path, f"ccs_cat-level{i}.csv", text))
               for i, text in ((1, CCS1), (2, CCS2), (3, CCS3))]
    assert [(r.total_rows, r.created, r.updated) for r in reports] == [(2, 2, 0), (2, 2, 0),
                                                                       (3, 3, 0)]
    assert tree(CCSClass) == [
        ("A", None, 1), ("A00", "A00/09", 3), ("A00/09", "A", 2), ("A01", "A00/09", 3),
        ("A10", "A10/19", 3), ("A10/19", "A", 2), ("B", None, 1)]
    a00 = CCSClass.objects.get(code="A00")
    assert (a00.title_zh, a00.notes) == ("标准化、质量管理", "标准化工作法规、导则。")


def test_ccs_level3_before_level2_creates_ranges_that_level2_then_names(tmp_path):
    first = import_ccs(write(tmp_path, "ccs_cat-level3.csv", CCS3))
    assert first.notes == ["补建无名称的上级分类 3 个"]  # A00/09, A10/19 and A
    import_ccs(write(tmp_path, "ccs_cat-level2.csv", CCS2))
    assert CCSClass.objects.get(code="A00/09").title_zh == "标准化管理与一般规定"
    assert tree(CCSClass)[:3] == [("A", None, 1), ("A00", "A00/09", 3), ("A00/09", "A", 2)]


def test_ccs_sample_codes_hang_under_the_range_that_covers_them(tmp_path):
    import_ccs(write(tmp_path, "l1.csv", CCS1))
    import_ccs(write(tmp_path, "l2.csv", CCS2))
    report = import_ccs(write(tmp_path, "ccs.csv", "code,title_zh\nA05,样例\nB01,林业样例\n"))
    assert (report.created, report.updated) == (2, 0)
    assert CCSClass.objects.get(code="A05").parent.code == "A00/09"
    b01 = CCSClass.objects.get(code="B01")
    assert (b01.parent.code, b01.depth) == ("B", 2)


def test_ccs_published_oddities_are_reported_not_fatal(tmp_path):
    text = CCS3 + "FF2,异步电机,K20/29,\nD47,非金属矿综合,D50/59,\n"
    report = import_ccs(write(tmp_path, "ccs_cat-level3.csv", text))
    assert [(e.row, e.value) for e in report.errors] == [(5, "FF2")]
    assert report.imported == 4
    assert "上级范围不包含本类目（按文件保留）：D47→D50/59" in report.notes


def test_ccs_failure_while_writing_leaves_the_table_unchanged(tmp_path, monkeypatch):
    import_ccs(write(tmp_path, "l1.csv", CCS1))
    before = list(CCSClass.objects.order_by("code").values())

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(QuerySet, "bulk_update", boom)
    # Creates the ranges first, then fails updating the letters' titles: all rolled back.
    with pytest.raises(RuntimeError):
        import_ccs(write(tmp_path, "mixed.csv", "code,title_zh\nA,综合（新）\nA00/09,范围\n"))
    assert list(CCSClass.objects.order_by("code").values()) == before


# --- regions ---------------------------------------------------------------------------------

GB2260_2019 = ("Source\tRevision\tCode\tName\nmca\t201904\t110000\t北京市\n"
               "mca\t201904\t110101\t东城区\nmca\t201904\t430100\t长沙市\n"
               "mca\t201904\t430111\t雨花区\n")
GB2260_2007 = ("Source\tRevision\tCode\tName\ngb\t200712\t110000\t北京市\n"
               "gb\t200712\t110101\t东城区（旧）\ngb\t200712\t110103\t崇文区\n"
               "gb\t200712\t430100\t长沙市\n")


@pytest.mark.parametrize("order", [("2019", "2007"), ("2007", "2019")])
def test_regions_short_codes_and_the_newer_name_wins(tmp_path, order):
    files = {"2019": ("gb2260_mca_201904.tsv", GB2260_2019), "2007": ("gb2260_2007.tsv",
                                                                       GB2260_2007)}
    for key in order:
        import_regions(write(tmp_path, *files[key]))
    assert list(Region.objects.values_list("code", "name", "edition")) == [
        ("11", "北京市", "201904"), ("110101", "东城区", "201904"),
        ("110103", "崇文区", "200712"), ("4301", "长沙市", "201904"),
        ("430111", "雨花区", "201904")]


def test_regions_reimport_changes_nothing_and_sample_format_is_read(tmp_path):
    path = write(tmp_path, "gb.tsv", GB2260_2019)
    import_regions(path)
    again = import_regions(path)
    assert (again.created, again.updated) == (0, 0)
    sample = import_regions(write(tmp_path, "regions.csv", "code,name\n31,上海市\n320500,苏州市\n"))
    assert (sample.created, sample.updated) == (2, 0)
    assert Region.objects.get(code="3205").name == "苏州市"


def test_regions_sample_with_a_bad_code_fails_whole(tmp_path):
    with pytest.raises(ImportFailed):
        import_regions(write(tmp_path, "regions.csv", "code,name\n31,上海市\n3A,错\n"))
    assert Region.objects.count() == 0


# --- industry codes --------------------------------------------------------------------------

INDUSTRY = ("code\tindustry_zh\tindustry_en\tadmin_historical (gb-agencies, ~2008)\t"
            "admin_current (compiled, post-2018, unverified)\tcurrent_admin_confidence\tsource\n"
            "AQ\t安全生产\tProduction Safety\t国家安全生产管理局\t应急管理部\thigh\tx\n"
            "JB\t机械\tMachinery\t国家发改委\t工业和信息化部\tmedium\tx\n"
            "TB 1xxxx\t铁路工程\t\t\t国家铁路局\tmedium\tx\n")


def test_industry_codes_take_the_current_ministry(tmp_path):
    report = import_industry_codes(write(tmp_path, "industry_standard_codes.tsv", INDUSTRY))
    assert (report.imported, report.created, report.rejected_rows) == (2, 2, 1)
    assert list(IndustryCode.objects.values_list("code", "industry", "ministry")) == [
        ("AQ", "安全生产", "应急管理部"), ("JB", "机械", "工业和信息化部")]


# --- ISO catalogue ---------------------------------------------------------------------------

ISO_HEADER = "docid,title_en,published,stage,substage,edition,ics,tc,file\n"
ISO_ROWS = """ISO/IEC DIR 2 ISO:1992,,,,,2,,,a.yaml
ISO 9001:2008,Quality management systems - Requirements,2008-11,95,99,4,03.120.10,Quality systems,b.yaml
ISO 9001:2008,Quality management systems - Requirements,2008-11,90,92,4,03.120.10,Quality systems,c.yaml
ISO 9001:2008/Cor 1:2009,Quality management systems - Technical Corrigendum 1,2008,95,99,4,03.120.10,Quality systems,d.yaml
ISO 9001:2015,Quality management systems - Requirements,2015-09,90,92,5,03.100.70;03.120.10,Quality systems,e.yaml
ISO 9001:2015/Amd 1:2024,Quality management systems - Amendment 1,2015,60,60,5,03.120.10,Quality systems,f.yaml
ISO 9001:2015/Amd 1,Quality management systems - Amendment 1,2015,60,00,5,03.120.10,,g.yaml
ISO/DIS 9001,Quality management systems - Requirements,,40,20,6,03.120.10,Quality systems,h.yaml
ISO 5459:2011/DAM 1,Geometrical product specifications - Amendment 1,2011,40,99,1,17.040.40,,i.yaml
ISO 1234:1990,Withdrawn without successor,1990-01-15,95,99,1,,,j.yaml
ISO 777:1980,Old edition,1980,95,99,1,,,k.yaml
CD IWA 45,Broken number,,30,60,1,,,l.yaml
ISO/ABC,Unparseable but published,2020-01,60,60,1,,,m.yaml
"""


def _iso(tmp_path: Path, rows: str = ISO_ROWS, name: str = "iso_catalog.csv") -> Path:
    return write(tmp_path, name, ISO_HEADER + rows)


def test_iso_catalogue_keeps_published_documents_only(tmp_path):
    report = import_path(_iso(tmp_path))
    assert (report.total_rows, report.imported, report.created) == (13, 6, 6)
    assert sorted(Standard.objects.values_list("code", flat=True)) == [
        "ISO 1234:1990", "ISO 777:1980", "ISO 9001:2008", "ISO 9001:2008/Cor 1:2009",
        "ISO 9001:2015", "ISO 9001:2015/Amd 1:2024"]
    assert report.notes == [
        "重复的文献 1 行（同一标准号保留阶段最靠后、信息最全的一行）",
        "跳过草案（阶段 00–50）3 个",
        "跳过出版中（阶段 60.00，尚无年号）1 个",
        "跳过无阶段的文献 1 个",
        "跳过标准号无法识别的文献 1 个（见错误列表）",
        "发布日期只有年份、未填 3 个；早于修改单年号、未填 0 个",
    ]
    assert [(e.row, e.column, e.reason, e.value) for e in report.errors] == [
        (14, "docid", "标准号无法识别：标准代号“ISO”后缺少有效的顺序号", "ISO/ABC")]


def test_iso_catalogue_fields_statuses_and_amendments(tmp_path):
    import_path(_iso(tmp_path))
    new = Standard.objects.get(code="ISO 9001:2015")
    assert (new.level, new.year, new.issued_on, new.edition_note) == (
        "international", 2015, date(2015, 9, 1), "第5版")
    assert sorted(new.ics.values_list("code", flat=True)) == ["03.100.70", "03.120.10"]
    assert (new.committee.code, new.committee.name) == ("", "Quality systems")
    assert (new.declared_status, new.status) == (Status.CURRENT, Status.CURRENT)
    old = Standard.objects.get(code="ISO 9001:2008")  # 95.99 beat 90.92
    assert (old.declared_status, old.status) == (Status.ABOLISHED, Status.ABOLISHED)
    assert Standard.objects.get(code="ISO 1234:1990").issued_on == date(1990, 1, 15)
    amendment = Standard.objects.get(code="ISO 9001:2015/Amd 1:2024")
    assert (amendment.amendment, amendment.issued_on) == ("Amd 1:2024", None)
    assert list(StandardRelation.objects.filter(kind=RelationKind.AMENDS).order_by(
        "source_code").values_list("source__code", "target__code")) == [
        ("ISO 9001:2008/Cor 1:2009", "ISO 9001:2008"),
        ("ISO 9001:2015/Amd 1:2024", "ISO 9001:2015")]


def test_iso_catalogue_reimport_changes_nothing(tmp_path):
    path = _iso(tmp_path)
    import_path(path)
    fields = ("code", "title_en", "status", "declared_status", "issued_on", "committee_id",
              "edition_note")
    before = list(Standard.objects.order_by("code").values_list(*fields))
    relations = list(StandardRelation.objects.order_by("pk").values_list())
    report = import_path(path)
    assert (report.created, report.updated) == (0, 6)
    assert list(Standard.objects.order_by("code").values_list(*fields)) == before
    assert list(StandardRelation.objects.order_by("pk").values_list()) == relations


def test_iso_catalogue_failure_leaves_the_database_unchanged(tmp_path, monkeypatch):
    import_path(_iso(tmp_path, "ISO 1:2000,Existing,2000-01,60,60,1,,,x.yaml\n", "first.csv"))

    def boom(ids):
        raise RuntimeError("connection lost")

    monkeypatch.setattr(loader_module, "refresh_after_import", boom)
    with pytest.raises(RuntimeError):
        import_path(_iso(tmp_path))
    assert list(Standard.objects.values_list("code", flat=True)) == ["ISO 1:2000"]
    assert StandardRelation.objects.count() == 0


# --- ISO relations ---------------------------------------------------------------------------

RELATIONS = """docid,relation_type,target_docid,file
ISO 9001:2015,obsoletes,ISO 9001:2008,e.yaml
ISO 9001:2008,updates,ISO 9001:2015,b.yaml
ISO 9001:2008,updates,ISO 9001:2008/Cor 1:2009,b.yaml
ISO 9001:2015,updates,ISO 9001:2015/Amd 1:2024,e.yaml
ISO 9001:2015,obsoletes,ISO/CD 9001.2,e.yaml
ISO/CD 9001.2,obsoletes,ISO 9001:2015,x.yaml
ISO 777:1980,updates,ISO 777:1985,k.yaml
ISO 777:1980,obsoletes,ISO 777:1980,k.yaml
ISO/IEC DIR 2 ISO:1992,partOf,ISO/IEC DIR 2 IEC,a.yaml
"""


def test_iso_relations_make_replacements_in_the_right_direction(tmp_path):
    import_path(_iso(tmp_path))
    report = import_path(write(tmp_path, "iso_relations.csv", RELATIONS))
    assert (report.total_rows, report.imported, report.created) == (9, 2, 2)
    assert sorted(StandardRelation.objects.filter(kind=RelationKind.REPLACES).values_list(
        "source_code", "target_code", "source__code", "target__code")) == [
        ("ISO 777:1985", "ISO 777:1980", None, "ISO 777:1980"),
        ("ISO 9001:2015", "ISO 9001:2008", "ISO 9001:2015", "ISO 9001:2008")]
    assert report.dangling == [("ISO 777:1985", RelationKind.REPLACES, "ISO 777:1980")]
    assert report.notes == [
        "跳过涉及草案或无年号项目的关系 2 条",
        "跳过版本与其修改单/勘误之间的关系 2 条（已由“修改”关系表示）",
        "跳过指向自身的关系 1 条",
        "重复的关系 1 条",
        "忽略 partOf 关系 1 条",
        "一端不在目录中的关系 1 条（已保留，导入该标准后自动关联）",
    ]
    status = dict(Standard.objects.values_list("code", "status"))
    assert status == {
        "ISO 9001:2015": Status.CURRENT, "ISO 9001:2015/Amd 1:2024": Status.CURRENT,
        "ISO 9001:2008": Status.SUPERSEDED, "ISO 9001:2008/Cor 1:2009": Status.SUPERSEDED,
        # Withdrawn, and its successor is not in the catalogue: abolished as declared.
        "ISO 777:1980": Status.ABOLISHED, "ISO 1234:1990": Status.ABOLISHED}


def test_iso_relations_with_an_unreadable_number_report_the_row_in_chinese(tmp_path):
    import_path(_iso(tmp_path))
    rows = ("docid,relation_type,target_docid,file\n"
            "ISO 9001:2015,obsoletes,ISO 9001:2008,e.yaml\n"
            "ISO 9001:2015,obsoletes,XYZ 12,e.yaml\n")
    report = import_path(write(tmp_path, "iso_relations.csv", rows))
    assert [(e.row, e.column, e.reason, e.value) for e in report.errors] == [
        (3, "target_docid", "标准号无法识别：未知的标准代号“XYZ”", "XYZ 12")]
    assert report.imported == 1


def test_iso_relations_dangling_end_is_resolved_when_the_edition_arrives(tmp_path):
    import_path(_iso(tmp_path))
    import_path(write(tmp_path, "iso_relations.csv", RELATIONS))
    import_path(_iso(tmp_path, "ISO 777:1985,New edition,1985-03,90,93,2,,,n.yaml\n", "more.csv"))
    relation = StandardRelation.objects.get(target_code="ISO 777:1980")
    assert relation.source.code == "ISO 777:1985"
    assert Standard.objects.get(code="ISO 777:1980").status == Status.SUPERSEDED


def test_iso_relations_reimport_changes_nothing(tmp_path):
    import_path(_iso(tmp_path))
    path = write(tmp_path, "iso_relations.csv", RELATIONS)
    import_path(path)
    before = (list(StandardRelation.objects.order_by("pk").values_list()),
              list(Standard.objects.order_by("pk").values_list("code", "status")))
    report = import_path(path)
    assert (report.imported, report.created) == (2, 0)
    assert (list(StandardRelation.objects.order_by("pk").values_list()),
            list(Standard.objects.order_by("pk").values_list("code", "status"))) == before


def test_iso_relations_failure_leaves_relations_and_statuses_unchanged(tmp_path, monkeypatch):
    import_path(_iso(tmp_path))
    before = (StandardRelation.objects.count(),
              list(Standard.objects.order_by("pk").values_list("code", "status")))
    import biaozhun.catalog.importing.international as international

    def boom(ids):
        raise RuntimeError("connection lost")

    monkeypatch.setattr(international, "refresh_after_import", boom)
    with pytest.raises(RuntimeError):
        import_iso_relations(write(tmp_path, "iso_relations.csv", RELATIONS))
    assert (StandardRelation.objects.count(),
            list(Standard.objects.order_by("pk").values_list("code", "status"))) == before


# --- IEC catalogue ---------------------------------------------------------------------------

IEC = ISO_HEADER + """IEC 60335-1:2010,Household appliances - Safety,2010-05-12,REVISED,,5,13.120;97.030,TC 61,a.yaml
IEC 60335-1:2010+AMD1:2013+AMD2:2016 CSV,Household appliances - Safety,2016-05-05,REPLACED,,5,13.120,TC 61,b.yaml
IEC 60335-1:2020,Household appliances - Safety,2020-09-02,PUBLISHED,,6,13.120;97.030,TC 61,c.yaml
IEC 60335-1:2020 RLV,Household appliances - Safety,2020-09-02,PUBLISHED,,6,13.120,TC 61,d.yaml
IEC 60050-411:1996,Vocabulary,1996-12-06,WITHDRAWN,,1,01.040.29,TC 1,e.yaml
IEC 60050-411:1996/AMD1:2007,Vocabulary - Amendment 1,2007-03-01,WITHDRAWN,,1,01.040.29,TC 1,f.yaml
ISO/IEC 27001:2022,Information security management systems,2022-10-25,PUBLISHED,,3,35.030,ISO/IEC JTC 1/SC 27,g.yaml
"""


def test_iec_catalogue_statuses_committees_and_skipped_versions(tmp_path):
    report = import_path(write(tmp_path, "iec_catalog.csv", IEC))
    assert (report.total_rows, report.imported) == (7, 5)
    assert report.notes == ["跳过合并版/红线版等版本形式 2 个（CSV 1，RLV 1）"]
    rows = dict(Standard.objects.values_list("code", "status"))
    assert rows == {"IEC 60335-1:2010": Status.SUPERSEDED, "IEC 60335-1:2020": Status.CURRENT,
                    "IEC 60050-411:1996": Status.ABOLISHED,
                    "IEC 60050-411:1996/AMD1:2007": Status.ABOLISHED,
                    "ISO/IEC 27001:2022": Status.CURRENT}
    committees = dict(Standard.objects.values_list("code", "committee__code"))
    assert (committees["IEC 60335-1:2020"], committees["ISO/IEC 27001:2022"]) == (
        "IEC/TC 61", "ISO/IEC JTC 1/SC 27")
    assert Standard.objects.get(code="IEC 60335-1:2020").issued_on == date(2020, 9, 2)


# --- detection -------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "text", "kind"), [
    ("ics_ed7.csv", ICS_ED7, "ics"),
    ("ics.csv", ICS_SAMPLE, "ics"),
    ("ccs_cat-level3.csv", CCS3, "ccs"),
    ("ccs.csv", "code,title_zh\nA,综合\nA01,技术管理\n", "ccs"),
    ("gb.tsv", GB2260_2019, "regions"),
    ("regions.csv", "code,name\n11,北京市\n", "regions"),
    ("industry.tsv", INDUSTRY, "industry-codes"),
    ("iso_catalog.csv", ISO_HEADER + ISO_ROWS, "iso"),
    ("iec_catalog.csv", IEC, "iec"),
    ("iso_relations.csv", RELATIONS, "iso-relations"),
    ("standards.csv", "code,title_zh\nGB/T 1.1-2020,标准化工作导则\n", "standards"),
    ("standards2.csv", "code,title_zh,title_en\nGB 2760-2014,食品添加剂,\n", "standards"),
])
def test_detect_kind_by_header_and_codes(tmp_path, name, text, kind):
    assert detect_kind(write(tmp_path, name, text)) == kind


def test_import_command_detects_and_imports_a_reference_list(tmp_path, capsys):
    call_command("import", str(write(tmp_path, "gb.tsv", GB2260_2019)))
    assert Region.objects.count() == 4
    assert "共 4 行，导入 4 行（新增 4，更新 0）" in capsys.readouterr().out


# --- the real files in ../shared/data ---------------------------------------------------------
# Expected numbers were computed independently of the importers (csv module, max stage per
# docid; version markers by regular expression on the docid).

@pytest.mark.slow
def test_real_iso_catalogue_and_relations():
    catalogue = import_path(real_file("iso/iso_catalog.csv"))
    assert (catalogue.total_rows, catalogue.imported, catalogue.created) == (71253, 52353, 52353)
    assert catalogue.notes[:4] == [
        "重复的文献 9629 行（同一标准号保留阶段最靠后、信息最全的一行）",
        "跳过草案（阶段 00–50）7127 个",
        "跳过出版中（阶段 60.00，尚无年号）2139 个",
        "跳过无阶段的文献 5 个",
    ]
    assert Standard.objects.filter(declared_status=Status.ABOLISHED).count() == 26509
    assert Standard.objects.get(code="ISO 9001:2008").status == Status.ABOLISHED

    relations = import_path(real_file("iso/iso_relations.csv"))
    assert relations.total_rows == 72288
    status = dict(Standard.objects.filter(code__startswith="ISO 9001:").values_list(
        "code", "status"))
    assert status == {
        "ISO 9001:1987": Status.SUPERSEDED, "ISO 9001:1994": Status.SUPERSEDED,
        "ISO 9001:1994/Cor 1:1995": Status.SUPERSEDED, "ISO 9001:2000": Status.SUPERSEDED,
        "ISO 9001:2008": Status.SUPERSEDED, "ISO 9001:2008/Cor 1:2009": Status.SUPERSEDED,
        "ISO 9001:2015": Status.CURRENT, "ISO 9001:2015/Amd 1:2024": Status.CURRENT}
    assert StandardRelation.objects.filter(
        kind=RelationKind.REPLACES, source__code="ISO 9001:2015",
        target__code="ISO 9001:2008").exists()


@pytest.mark.slow
def test_real_iec_catalogue():
    report = import_path(real_file("iec/iec_catalog.csv"))
    assert (report.total_rows, report.imported, len(report.errors)) == (32524, 29220, 2)
    assert [e.reason for e in report.errors] == ["标准号的“number”部分过长"] * 2
    assert report.notes[0] == ("跳过合并版/红线版等版本形式 3302 个（CMV 146，CSV 1873，DB 8，ED 2，"
                               "EXV 123，EXV-CMV 36，EXV-RLV 33，RLV 997，SER 84）")
    assert Standard.objects.get(code="IEC 60335-1:2020").status == Status.CURRENT


@pytest.mark.slow
def test_real_classifications_regions_and_industry_codes():
    for name in ("classifications/ics_ed6.csv", "classifications/ics_ed7.csv"):
        import_path(real_file(name))
    assert ICSClass.objects.count() == 1383
    assert ICSClass.objects.get(code="01.040.01").parent.code == "01.040"
    reports = [import_path(real_file(f"classifications/ccs_cat-level{i}.csv")) for i in (1, 2, 3)]
    assert [r.imported for r in reports] == [24, 225, 1607]
    assert [(e.row, e.value) for e in reports[2].errors] == [(358, "FF2")]
    assert CCSClass.objects.get(code="A01").parent.code == "A00/09"
    for name in ("regions/gb2260_mca_201904.tsv", "regions/gb2260_2007.tsv"):
        import_path(real_file(name))
    assert Region.objects.count() == 3820
    assert Region.objects.get(code="11").name == "北京市"
    assert Region.objects.get(code="4301").edition == "201904"
    industry = import_path(real_file("codes/industry_standard_codes.tsv"))
    assert (industry.imported, industry.rejected_rows) == (76, 2)
    assert IndustryCode.objects.get(code="AQ").ministry == "应急管理部"
