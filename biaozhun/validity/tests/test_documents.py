"""Reading every supported format, with locations; bad files give a message, never a 500."""

import pytest

from biaozhun.validity.documents import DocumentError, find_references, read_upload
from biaozhun.validity.tests.builders import docx_bytes, pdf_bytes, scanned_pdf_bytes, xlsx_bytes


def refs(name: str, data: bytes) -> list[tuple[str, str]]:
    return [(o.number.code if o.number else f"!{o.raw}", o.location["label"])
            for o in find_references(read_upload(name, data))]


def test_txt_finds_references_across_line_breaks_with_line_numbers():
    text = "合同约定按照 GB/T 1.1-\n2020 执行。\n\n验收依据：《GB 2760—2014》".encode()
    assert refs("合同.txt", text) == [("GB/T 1.1-2020", "第 1 行"), ("GB 2760-2014", "第 4 行")]


def test_txt_in_gb18030_is_read():
    assert refs("list.txt", "标准：GB 2760-2014".encode("gb18030")) == [
        ("GB 2760-2014", "第 1 行")]


def test_pasted_list_reports_lines_that_do_not_parse():
    data = "1. GB/T 1.1-2020\n2、XYZ 12-2020\n• 说明文字 Windows 10\n".encode()
    assert refs("list.txt", data) == [("GB/T 1.1-2020", "第 1 行"), ("!XYZ 12-2020", "第 2 行")]


def test_docx_paragraphs_tables_headers_and_footers():
    data = docx_bytes(
        paragraphs=["本报告依据 GB/T 1.1-2020 编写。", "试验方法见 GB 5009.3-\n2016。"],
        table=[["序号", "标准号"], ["1", "GB 2760-2014"], ["2", "DB99/T 1-2020"]],
        header="Q/ABC 0001-2024", footer="执行标准：GB/T 191-2008")
    assert refs("报告.docx", data) == [
        ("GB/T 1.1-2020", "第 1 段"), ("GB 5009.3-2016", "第 2 段"),
        ("GB 2760-2014", "表 1 第 2 行第 2 列"), ("!DB99/T 1-2020", "表 1 第 3 行第 2 列"),
        ("Q/ABC 0001-2024", "第 1 节页眉"), ("GB/T 191-2008", "第 1 节页脚")]


def test_xlsx_any_cell():
    data = xlsx_bytes([["标准号", "备注"], ["GB/T 1.1-2020", ""], ["", "代替 GB/T 1.1-2009"]])
    assert refs("清单.xlsx", data) == [("GB/T 1.1-2020", "清单!A2"), ("GB/T 1.1-2009", "清单!B3")]


def test_csv_any_cell():
    data = "标准号,说明\nGB/T 1.1-2020,导则\n,见 GB 2760-2014\n".encode()
    assert refs("list.csv", data) == [("GB/T 1.1-2020", "第 2 行第 1 列"),
                                      ("GB 2760-2014", "第 3 行第 2 列")]


def test_pdf_text_layer_with_pages_and_a_reference_split_over_two_lines():
    data = pdf_bytes([["第一页：依据 GB/T 1.1-2020。"],
                      ["第二页：试验按 GB 5009.3-", "2016 进行，标签符合 GB 7718-2011。"]])
    assert refs("spec.pdf", data) == [("GB/T 1.1-2020", "第 1 页 第 1 行"),
                                      ("GB 5009.3-2016", "第 2 页 第 1 行"),
                                      ("GB 7718-2011", "第 2 页 第 2 行")]


@pytest.mark.parametrize(("name", "data", "message"), [
    ("scan.pdf", scanned_pdf_bytes(), "PDF 没有文字层（可能是扫描件）"),
    ("secret.pdf", pdf_bytes([["GB/T 1.1-2020"]], encrypt="secret"), "PDF 文件已加密"),
    ("fake.pdf", b"GB/T 1.1-2020\n", "文件内容与扩展名不符：文件名是 .pdf，内容却是文本"),
    ("fake.docx", pdf_bytes([["x"]]), "文件内容与扩展名不符：文件名是 .docx，内容却是PDF"),
    ("table.xlsx", docx_bytes(paragraphs=["x"]), "内容却是Word (.docx)"),
    ("old.doc", b"\xd0\xcf\x11\xe0", "不支持的文件类型“doc”"),
    ("legacy.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "旧版 Office 格式"),
    ("broken.pdf", b"%PDF-1.4\ngarbage", "无法打开 PDF 文件"),
    ("broken.docx", b"PK\x03\x04garbage", "内容却是无法识别的格式"),
    ("binary.txt", b"\x00\x01\x02" * 10, "内容却是无法识别的格式"),
    ("empty.txt", b"", "文件是空的"),
])
def test_bad_files_are_refused_with_a_clear_message(name, data, message):
    with pytest.raises(DocumentError) as error:
        read_upload(name, data)
    assert message in str(error.value)


def test_size_limits(settings):
    settings.VALIDITY_MAX_UPLOAD_BYTES = 10
    with pytest.raises(DocumentError, match="文件过大"):
        read_upload("a.txt", b"GB/T 1.1-2020")
    settings.VALIDITY_MAX_UPLOAD_BYTES = 1000
    settings.VALIDITY_MAX_TEXT_CHARS = 5
    with pytest.raises(DocumentError, match="文本过长"):
        read_upload("a.txt", b"GB/T 1.1-2020")


def test_too_many_references(settings):
    settings.VALIDITY_MAX_REFERENCES = 2
    with pytest.raises(DocumentError, match="引用的标准过多"):
        find_references(read_upload("a.txt", b"GB 1-2000\nGB 2-2000\nGB 3-2000\n"))


def test_pdf_page_limit(settings):
    settings.VALIDITY_MAX_PDF_PAGES = 1
    with pytest.raises(DocumentError, match="PDF 共 2 页，上限为 1 页"):
        read_upload("a.pdf", pdf_bytes([["a"], ["b"]]))
