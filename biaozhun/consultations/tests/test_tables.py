"""The comment disposition table (意见汇总处理表): the XLSX and DOCX files are read back and
every cell must equal the answers given; hidden and unverified comments, e-mail and IP
addresses never appear; the summary counts are exact."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from biaozhun.consultations import services, tables
from biaozhun.consultations.models import Comment, Consultation
from biaozhun.projects.stages import Stage
from biaozhun.projects.tests.factories import make_cast, make_project

pytestmark = pytest.mark.django_db

HEADER = ["序号", "章条号", "意见内容", "修改建议", "理由", "提出单位/人", "处理意见", "处理理由"]
EMAILS = ["zhangsan@example.com", "lisi@example.com", "wangwu@example.com",
          "zhaoliu@example.com", "qianqi@example.com", "sunba@example.com", "zhou@example.com"]
IPS = ["203.0.113.7", "198.51.100.23"]
HIDDEN_TEXT = "加微信领取优惠券"
UNVERIFIED_TEXT = "访客尚未确认邮箱的意见"


def _comment(consultation, number, **fields) -> Comment:
    defaults = {"verified_at": timezone.now(), "client_ip": IPS[number % 2],
                "email": EMAILS[number - 1]}
    return Comment.objects.create(consultation=consultation, number=number,
                                  **{**defaults, **fields})


@pytest.fixture
def table_case():
    """A draft consultation with accepted, partly and not accepted answers, a duplicate, an
    unanswered comment, a hidden one and an unverified guest's."""
    cast = make_cast()
    project = make_project(cast, stage=Stage.PUBLIC_COMMENT)
    consultation = Consultation.objects.get(project=project)
    c1 = _comment(consultation, 1, name="张三", organization="长沙市某某食品有限公司",
                  commenter_type="enterprise", show_name=True, clause="5.2", paragraph="表 1",
                  type="technical", text="辣椒用量偏高。\n建议降低到每份 50 g。",
                  proposed_change="改为“不超过 50 g”", reason="口味差异大")
    c2 = _comment(consultation, 2, name="李四", commenter_type="individual", show_name=False,
                  text="=SUM(A1:A3) 这一条 <b>不清楚</b> & 有歧义", clause="3.1")
    c3 = _comment(consultation, 3, name="王五", organization="湖南省湘菜产业促进会",
                  commenter_type="association", show_name=True, clause="5.2",
                  text="同意第一条意见\t辣椒用量确实偏高")
    c4 = _comment(consultation, 4, name="赵六", organization="某广告公司",
                  commenter_type="enterprise", text=HIDDEN_TEXT)
    _comment(consultation, 5, name="钱七", organization="湖南省食品检测研究院",
             commenter_type="institution", clause="6", paragraph="图 2",
             text="检测方法\x0b缺少取样要求", reason="可操作性")
    _comment(consultation, 6, name="孙八", organization="个人", text=UNVERIFIED_TEXT,
             verified_at=None)
    c7 = _comment(consultation, 7, name="周九", organization="长沙市食品安全标准化技术委员会",
                  commenter_type="expert", show_name=False, text="建议增加术语“小炒”。",
                  clause="3")
    services.answer_comment(c1, by=cast.drafter, decision="accepted")
    services.answer_comment(c2, by=cast.drafter, decision="partly",
                            reason="已改写 3.1 的表述；公式不属于本标准范围。")
    services.answer_comment(c7, by=cast.drafter, decision="not_accepted",
                            reason="“小炒”为通用词，无需定义。")
    services.group_duplicates(c1, by=cast.drafter, duplicates=[c3])
    services.hide_comment(c4, by=cast.admin, reason="广告")
    return cast, Consultation.objects.select_related("project").get(pk=consultation.pk)


# Every row exactly, in the drafting group's copy (names and organisations).
INTERNAL_ROWS = [
    [1, "5.2（表 1）", "辣椒用量偏高。\n建议降低到每份 50 g。", "改为“不超过 50 g”", "口味差异大",
     "张三（长沙市某某食品有限公司）", "采纳", ""],
    [2, "3.1", "=SUM(A1:A3) 这一条 <b>不清楚</b> & 有歧义", "", "", "李四", "部分采纳",
     "已改写 3.1 的表述；公式不属于本标准范围。"],
    [3, "5.2", "同意第一条意见\t辣椒用量确实偏高", "", "", "王五（湖南省湘菜产业促进会）", "采纳",
     "同第 1 条"],
    [5, "6（图 2）", "检测方法缺少取样要求", "", "可操作性", "钱七（湖南省食品检测研究院）", "未处理",
     ""],
    [7, "3", "建议增加术语“小炒”。", "", "", "周九（长沙市食品安全标准化技术委员会）", "不采纳",
     "“小炒”为通用词，无需定义。"],
]
# The public copy: names only where the commenter agreed, else the commenter type.
PUBLIC_COMMENTERS = ["张三（长沙市某某食品有限公司）", "个人", "王五（湖南省湘菜产业促进会）",
                     "科研检测机构", "专家"]
BY_DECISION = [("采纳", 2), ("部分采纳", 1), ("不采纳", 1), ("未处理", 1)]
BY_TYPE = [("个人", 1), ("企业", 1), ("社会团体", 1), ("科研检测机构", 1), ("政府部门", 0),
           ("专家", 1)]
SENTENCE = "共收到意见 5 条：采纳 2 条，部分采纳 1 条，不采纳 1 条，未处理 1 条。"


def _xml_text(data: bytes) -> str:
    """Every XML part of an OOXML package, concatenated (to search for what must not be
    there)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(name).decode("utf-8") for name in archive.namelist()
                       if name.endswith(".xml") or name.endswith(".rels"))


def _assert_nothing_private(data: bytes) -> None:
    text = _xml_text(data)
    for secret in [*EMAILS, *IPS, HIDDEN_TEXT, UNVERIFIED_TEXT, "赵六", "孙八", "广告"]:
        assert secret not in text


# --- rows and summary (the one source of every form) -----------------------------------------


def test_table_rows_are_the_visible_comments_with_their_effective_answers(table_case):
    _cast, consultation = table_case
    rows = tables.table_rows(consultation)
    assert [row.cells() for row in rows] == INTERNAL_ROWS


def test_public_rows_name_commenters_only_where_they_agreed(table_case):
    _cast, consultation = table_case
    rows = tables.table_rows(consultation, public=True)
    assert [row.commenter for row in rows] == PUBLIC_COMMENTERS
    assert [row.cells()[:5] + row.cells()[6:] for row in rows] == [
        r[:5] + r[6:] for r in INTERNAL_ROWS]


def test_summary_counts_by_decision_and_commenter_type(table_case):
    _cast, consultation = table_case
    summary = tables.table_summary(consultation)
    assert summary.total == 5
    assert summary.by_decision == BY_DECISION
    assert summary.by_commenter_type == BY_TYPE
    assert summary.sentence() == SENTENCE


# --- XLSX -------------------------------------------------------------------------------------


def test_xlsx_cells_equal_the_answers(table_case):
    _cast, consultation = table_case
    data = tables.disposition_table_xlsx(consultation)
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "《湘菜 辣椒炒肉烹饪技术规范》征求意见汇总处理表"
    opens, closes = consultation.opens_on.isoformat(), consultation.closes_on.isoformat()
    assert values[1][0] == (f"标准名称：湘菜 辣椒炒肉烹饪技术规范　征求意见期：{opens} 至 {closes}"
                            f"　制表日期：{timezone.localdate().isoformat()}")
    assert values[2] == HEADER
    # openpyxl reads an empty cell back as None.
    assert [[v if v is not None else "" for v in row] for row in values[3:8]] == INTERNAL_ROWS


def test_xlsx_summary_below_the_rows_and_on_its_own_sheet(table_case):
    _cast, consultation = table_case
    workbook = load_workbook(io.BytesIO(tables.disposition_table_xlsx(consultation)))
    values = [[v for v in row if v is not None]
              for row in workbook.worksheets[0].iter_rows(min_row=9, values_only=True)]
    assert values == [
        [], ["汇总"], [SENTENCE], [],
        ["处理意见", "条数"], *[[label, n] for label, n in BY_DECISION], ["合计", 5], [],
        ["提出方类型", "条数"], *[[label, n] for label, n in BY_TYPE], ["合计", 5],
    ]
    counts = workbook["汇总"]
    assert [list(r) for r in counts.iter_rows(values_only=True)] == [
        ["处理意见", "条数"], *[[label, n] for label, n in BY_DECISION], ["合计", 5],
        [None, None],
        ["提出方类型", "条数"], *[[label, n] for label, n in BY_TYPE], ["合计", 5]]


def test_xlsx_layout_frozen_header_wrapped_a4_landscape(table_case):
    _cast, consultation = table_case
    sheet = load_workbook(io.BytesIO(tables.disposition_table_xlsx(consultation))).worksheets[0]
    assert sheet.title == "意见汇总处理表"
    assert sheet.freeze_panes == "A4"
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet["C4"].alignment.wrap_text is True
    assert sheet["C3"].font.b is True
    assert [sheet.column_dimensions[c].width for c in "ABCDEFGH"] == [6, 10, 42, 30, 24, 18,
                                                                       10, 30]


def test_xlsx_keeps_formula_like_comments_as_text(table_case):
    _cast, consultation = table_case
    sheet = load_workbook(io.BytesIO(tables.disposition_table_xlsx(consultation))).worksheets[0]
    assert sheet["C5"].value == "=SUM(A1:A3) 这一条 <b>不清楚</b> & 有歧义"
    assert sheet["C5"].data_type == "s"


def test_xlsx_never_holds_hidden_or_unverified_comments_or_contact_details(table_case):
    _cast, consultation = table_case
    _assert_nothing_private(tables.disposition_table_xlsx(consultation))
    _assert_nothing_private(tables.disposition_table_xlsx(consultation, public=True))


def test_public_xlsx_names_commenters_only_where_they_agreed(table_case):
    _cast, consultation = table_case
    data = tables.disposition_table_xlsx(consultation, public=True)
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert [sheet.cell(row=r, column=6).value for r in range(4, 9)] == PUBLIC_COMMENTERS
    assert "钱七" not in _xml_text(data)
    assert "周九" not in _xml_text(data)


# --- DOCX -------------------------------------------------------------------------------------


def test_docx_table_cells_equal_the_answers(table_case):
    _cast, consultation = table_case
    document = Document(io.BytesIO(tables.disposition_table_docx(consultation)))
    table = document.tables[0]
    cells = [[cell.text for cell in row.cells] for row in table.rows]
    assert cells[0] == HEADER
    assert cells[1:] == [[str(row[0]), *row[1:]] for row in INTERNAL_ROWS]


def test_docx_title_and_summary(table_case):
    _cast, consultation = table_case
    document = Document(io.BytesIO(tables.disposition_table_docx(consultation)))
    texts = [p.text for p in document.paragraphs if p.text]
    opens, closes = consultation.opens_on.isoformat(), consultation.closes_on.isoformat()
    assert texts == [
        "《湘菜 辣椒炒肉烹饪技术规范》征求意见汇总处理表",
        f"标准名称：湘菜 辣椒炒肉烹饪技术规范　征求意见期：{opens} 至 {closes}"
        f"　制表日期：{timezone.localdate().isoformat()}",
        "汇总", SENTENCE]
    by_decision, by_type = document.tables[1], document.tables[2]
    assert [[c.text for c in row.cells] for row in by_decision.rows] == [
        ["处理意见", "条数"], *[[label, str(n)] for label, n in BY_DECISION], ["合计", "5"]]
    assert [[c.text for c in row.cells] for row in by_type.rows] == [
        ["提出方类型", "条数"], *[[label, str(n)] for label, n in BY_TYPE], ["合计", "5"]]


def test_docx_is_a4_landscape_with_the_header_row_repeated(table_case):
    _cast, consultation = table_case
    document = Document(io.BytesIO(tables.disposition_table_docx(consultation)))
    section = document.sections[0]
    assert section.orientation == 1  # WD_ORIENT.LANDSCAPE
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)
    rows = document.tables[0].rows
    header_flags = [row._tr.trPr is not None and row._tr.trPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader") is not None
        for row in rows]
    assert header_flags == [True, False, False, False, False, False]


def test_docx_never_holds_hidden_or_unverified_comments_or_contact_details(table_case):
    _cast, consultation = table_case
    _assert_nothing_private(tables.disposition_table_docx(consultation))
    _assert_nothing_private(tables.disposition_table_docx(consultation, public=True))


def test_public_docx_names_commenters_only_where_they_agreed(table_case):
    _cast, consultation = table_case
    document = Document(io.BytesIO(tables.disposition_table_docx(consultation, public=True)))
    assert [row.cells[5].text for row in document.tables[0].rows[1:]] == PUBLIC_COMMENTERS


# --- other consultations and edge cases -------------------------------------------------------


def test_empty_consultation_gives_a_header_only_table_and_zero_counts():
    cast = make_cast()
    today = timezone.localdate()
    consultation = services.open_consultation(
        by=cast.admin, kind="plan", administration=cast.administration,
        title="2027年度地方标准制修订计划（草案）公示", plan_year=2027, opens_on=today,
        closes_on=today + timedelta(days=40))
    sheet = load_workbook(io.BytesIO(tables.disposition_table_xlsx(consultation))).worksheets[0]
    values = [list(r) for r in sheet.iter_rows(max_row=6, values_only=True)]
    assert values[0][0] == "2027年度地方标准制修订计划（草案）公示 意见汇总处理表"
    assert values[1][0].startswith("事项：2027年度地方标准制修订计划（草案）公示　征求意见期：")
    assert values[2] == HEADER
    assert values[5][0] == "共收到意见 0 条：采纳 0 条，部分采纳 0 条，不采纳 0 条，未处理 0 条。"
    document = Document(io.BytesIO(tables.disposition_table_docx(consultation)))
    assert len(document.tables[0].rows) == 1


def test_filename_is_the_title_without_characters_file_systems_refuse(table_case):
    _cast, consultation = table_case
    assert tables.filename(consultation, "xlsx") == "意见汇总处理表-湘菜 辣椒炒肉烹饪技术规范.xlsx"
    consultation.project.title = 'A/B:C*"D"'
    assert tables.filename(consultation, "docx") == "意见汇总处理表-A B C D.docx"


def test_clean_normalises_line_ends_and_drops_xml_illegal_characters():
    assert tables.clean("a\r\nb\rc\x00d\x0be\x1ff\tg") == "a\nb\ncdef\tg"
    assert tables.clean(None) == ""
    assert len(tables.clean("长" * 40_000)) == 32_767


def test_many_rows_are_all_written(table_case):
    """The DOCX table is spliced in as XML: check a larger table keeps every row in order."""
    _cast, consultation = table_case
    Comment.objects.bulk_create([
        Comment(consultation=consultation, number=100 + i, name=f"提出人{i}",
                text=f"第 {i} 条意见", verified_at=timezone.now(), receipt=f"bulk-{i}")
        for i in range(300)])
    document = Document(io.BytesIO(tables.disposition_table_docx(consultation)))
    numbers = [row.cells[0].text for row in document.tables[0].rows[1:]]
    assert numbers == ["1", "2", "3", "5", "7", *[str(100 + i) for i in range(300)]]
    sheet = load_workbook(io.BytesIO(tables.disposition_table_xlsx(consultation)),
                          read_only=True).worksheets[0]
    column = [row[0] for row in sheet.iter_rows(min_row=4, max_row=308, values_only=True)]
    assert column == [1, 2, 3, 5, 7, *range(100, 400)]
