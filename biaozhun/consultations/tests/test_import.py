"""Comments from an XLSX template: the template itself, a round trip, row-by-row errors with
the Excel row and column, all or nothing."""

import io
import zipfile

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from biaozhun.consultations import services
from biaozhun.consultations.importing import TYPE_HEADER, RowError
from biaozhun.consultations.models import Comment
from biaozhun.consultations.tests.factories import (
    draft_consultation,
    filled_template,
    pdf_file,
    plan_consultation,
)

HEADERS = ["章条号", "段落/图/表", "意见类型（一般性/技术性/编辑性）", "意见", "修改建议", "理由"]


def _rejected(consultation, by, upload) -> list[RowError]:
    with pytest.raises(services.ImportRejected) as refused:
        services.import_comments(consultation, by=by, upload=upload)
    return refused.value.errors


def test_the_template_has_the_iec_columns_a_type_list_and_instructions(cast, clock):
    consultation = plan_consultation(cast)
    workbook = load_workbook(io.BytesIO(services.comment_template(consultation)))
    assert workbook.sheetnames == ["意见", "填写说明"]
    sheet = workbook["意见"]
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet.max_row == 1
    assert sheet.freeze_panes == "A2"
    [validation] = sheet.data_validations.dataValidation
    assert (validation.type, validation.formula1, str(validation.sqref)) == (
        "list", '"一般性,技术性,编辑性"', "C2:C2001")
    assert sheet.column_dimensions["A"].number_format == "@"
    notes = [row[0] for row in workbook["填写说明"].iter_rows(values_only=True)]
    assert notes[1] == f"征求意见：{consultation.title}"
    assert notes[2] == "征求意见期：2026-03-02 至 2026-04-01"


def test_the_template_round_trips(cast, clock, django_capture_on_commit_callbacks):
    consultation = draft_consultation(cast)
    services.submit_comment(consultation, by=cast.outsider,
                            data=services.CommentData(text="先提一条"))
    rows = [
        ("5.1", "第 2 段", "技术性", "加热温度应为 180 ℃。", "改为 180 ℃±5 ℃。", "试验数据见附件。"),
        (None, None, None, None, None, None),  # empty rows are skipped
        (6.2, "表 3", "编辑性", "表头单位缺失。", "", ""),
        (7, None, None, "一般性意见。", None, None),
        ("A.1", "图 1", "ed", "图题错字。", "", ""),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        imported = services.import_comments(consultation, by=cast.drafter,
                                            upload=filled_template(consultation, rows),
                                            client_ip="198.51.100.4")
    assert [(c.number, c.clause, c.paragraph, c.type, c.text, c.proposed_change, c.reason)
            for c in imported] == [
        (2, "5.1", "第 2 段", "technical", "加热温度应为 180 ℃。", "改为 180 ℃±5 ℃。", "试验数据见附件。"),
        (3, "6.2", "表 3", "editorial", "表头单位缺失。", "", ""),
        (4, "7", "", "general", "一般性意见。", "", ""),
        (5, "A.1", "图 1", "editorial", "图题错字。", "", ""),
    ]
    assert {(c.author, c.name, c.organization, c.email, c.commenter_type, c.client_ip)
            for c in imported} == {(cast.drafter, "qicao", "长沙市标准化研究院",
                                    "qicao@example.com", "institution", "198.51.100.4")}
    assert all(c.verified_at is not None for c in imported)
    assert len({c.submitted_at for c in imported}) == 1
    consultation.refresh_from_db()
    assert consultation.comment_count == 5
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["qicao@example.com"], f"【意见回执】{consultation.title} 共 4 条意见")]
    assert "意见序号：第 2–5 条" in mail.outbox[0].body


def test_every_bad_row_is_reported_and_nothing_is_stored(cast, clock, state_of):
    consultation = plan_consultation(cast)
    rows = [
        ("5.1", "", "技术性", "好的意见。", "", ""),  # row 2
        ("5.2", "", "技术性", "", "只有建议没有意见", ""),  # row 3
        ("5.3", "", "技术性", "好的意见。", "", ""),  # row 4
        ("5.4", "", "重要", "类型不对。", "", ""),  # row 5
        ("5" * 61, "", "", "章条号太长。", "", "因" * 5001),  # row 6
    ]
    before = state_of()
    errors = _rejected(consultation, cast.drafter, filled_template(consultation, rows))
    assert errors == [
        RowError(3, "意见", "请填写意见。"),
        RowError(5, TYPE_HEADER, "“重要”无效，应为 一般性、技术性 或 编辑性。"),
        RowError(6, "章条号", "不超过 60 字（现有 61 字）。"),
        RowError(6, "理由", "不超过 5000 字（现有 5001 字）。"),
    ]
    assert [str(e) for e in errors[:2]] == [
        "第 3 行“意见”：请填写意见。",
        f"第 5 行“{TYPE_HEADER}”：“重要”无效，应为 一般性、技术性 或 编辑性。"]
    assert state_of() == before


def test_at_most_the_configured_number_of_rows(cast, clock, state_of, settings):
    settings.CONSULTATION_IMPORT_MAX_ROWS = 3
    consultation = plan_consultation(cast)
    rows = [("", "", "", f"意见 {i}", "", "") for i in range(4)]
    before = state_of()
    errors = _rejected(consultation, cast.drafter, filled_template(consultation, rows))
    assert errors == [RowError(5, "", "每个文件最多 3 条意见，请分成多个文件上传。")]
    assert state_of() == before
    assert len(services.import_comments(
        consultation, by=cast.drafter, upload=filled_template(consultation, rows[:3]))) == 3


def test_two_thousand_rows_are_imported_in_one_go(cast, clock,
                                                  django_capture_on_commit_callbacks):
    consultation = plan_consultation(cast)
    rows = [(f"{i // 10}.{i % 10}", "", "技术性", f"意见 {i}", "", "") for i in range(2000)]
    with django_capture_on_commit_callbacks(execute=True):
        imported = services.import_comments(consultation, by=cast.drafter,
                                            upload=filled_template(consultation, rows))
    assert [c.number for c in imported] == list(range(1, 2001))
    assert Comment.objects.filter(consultation=consultation).count() == 2000
    body = mail.outbox[0].body
    assert body.count("/participation/comments/receipt/") == 50
    assert "……其余 1950 条为第 51–2000 条" in body


def test_a_missing_column_is_reported_on_the_header_row(cast, clock, state_of):
    consultation = plan_consultation(cast)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "意见"
    sheet.append(["章条号", "段落/图/表", "意见类型", "意见", "理由"])
    sheet.append(["5.1", "", "技术性", "意见", "理由"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    before = state_of()
    errors = _rejected(consultation, cast.drafter,
                       SimpleUploadedFile("mine.xlsx", buffer.getvalue()))
    assert errors == [RowError(1, "修改建议", "缺少此列，请使用平台提供的模板。")]
    assert state_of() == before


def test_columns_are_found_by_header_in_any_order_and_on_the_first_sheet(cast, clock):
    consultation = plan_consultation(cast)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    sheet.append(["意见", " 理由 ", "修改建议", "意见类型(一般性/技术性/编辑性)", "段落/图/表", "章条号"])
    sheet.append(["顺序不同也可以。", "理由", "建议", "技术", "表 1", "4.2"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    [comment] = services.import_comments(consultation, by=cast.drafter,
                                         upload=SimpleUploadedFile("x.xlsx", buffer.getvalue()))
    assert (comment.text, comment.reason, comment.proposed_change, comment.type,
            comment.paragraph, comment.clause) == (
        "顺序不同也可以。", "理由", "建议", "technical", "表 1", "4.2")


def _word_file() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile("comments.xlsx", buffer.getvalue())


@pytest.mark.parametrize("upload, message", [
    (pdf_file("comments.xlsx"), "文件不是 Excel（.xlsx）文件，请使用平台提供的模板。"),
    (SimpleUploadedFile("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100),
     "文件是旧版 .xls 格式或已加密，请另存为未加密的 .xlsx 后再上传。"),
    (SimpleUploadedFile("empty.xlsx", b""), "文件是空的。"),
    (SimpleUploadedFile("broken.xlsx", b"PK\x03\x04garbage"), "文件已损坏，无法读取。"),
    ("word", "文件不是 Excel（.xlsx）文件，请使用平台提供的模板。"),
    ("no rows", "文件中没有意见（从第 2 行起每行一条）。"),
])
def test_files_that_are_not_a_filled_template_are_refused(cast, clock, state_of, upload,
                                                          message):
    consultation = plan_consultation(cast)
    if upload == "word":
        upload = _word_file()
    elif upload == "no rows":
        upload = filled_template(consultation, [])
    before = state_of()
    assert _rejected(consultation, cast.drafter, upload) == [RowError(None, "", message)]
    assert state_of() == before


def test_a_file_over_the_size_limit_is_refused(cast, clock, settings):
    settings.CONSULTATION_IMPORT_MAX_BYTES = 1024 * 1024
    consultation = plan_consultation(cast)
    upload = SimpleUploadedFile("big.xlsx", b"PK\x03\x04" + b"\x00" * (1024 * 1024))
    assert _rejected(consultation, cast.drafter, upload) == [
        RowError(None, "", "文件超过 1 MB，请分成多个文件上传。")]


@pytest.mark.parametrize("persona", ["anonymous"])
def test_guests_cannot_import(cast, clock, state_of, persona):
    consultation = plan_consultation(cast)
    before = state_of()
    with pytest.raises(PermissionDenied):
        services.import_comments(consultation, by=cast.personas()[persona],
                                 upload=filled_template(consultation, [("", "", "", "x", "", "")]))
    assert state_of() == before


def test_no_import_after_the_consultation_closed(cast, clock, state_of):
    consultation = plan_consultation(cast)
    clock.advance(31)
    before = state_of()
    with pytest.raises(services.ConsultationClosed):
        services.import_comments(consultation, by=cast.drafter,
                                 upload=filled_template(consultation, [("", "", "", "x", "", "")]))
    assert state_of() == before
