"""`biaozhun check`: the CLI contract (stdin or file, --as-of, every format, -o)."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from biaozhun.validity.tests.builders import docx_bytes

pytestmark = pytest.mark.django_db


def run(*args, stdin: str = "", monkeypatch=None) -> bytes:
    out = io.BytesIO()

    class Out:
        buffer = out

        def write(self, s):
            out.write(s.encode())

        def flush(self):
            pass

    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    monkeypatch.setattr("sys.stdout", Out())
    call_command("check", *args, stderr=io.StringIO())
    return out.getvalue()


def test_stdin_to_json(catalog, monkeypatch):
    data = json.loads(run("-", "--as-of", "2024-06-01", stdin="GB/T 1.1-2009\n",
                          monkeypatch=monkeypatch))
    assert data["as_of"] == "2024-06-01"
    assert data["references"][0]["in_force"] == ["GB/T 1.1-2020"]


def test_file_to_xlsx_and_pdf(catalog, tmp_path, monkeypatch):
    source = tmp_path / "合同.docx"
    source.write_bytes(docx_bytes(paragraphs=["GB 2760-2014"]))
    for fmt, magic in (("xlsx", b"PK"), ("pdf", b"%PDF")):
        target = tmp_path / f"out.{fmt}"
        run(str(source), "--format", fmt, "-o", str(target), monkeypatch=monkeypatch)
        assert target.read_bytes().startswith(magic)


def test_html_is_self_contained(catalog, monkeypatch):
    page = run("--format", "html", stdin="GB/T 1.1-2020", monkeypatch=monkeypatch).decode()
    assert "<svg" in page and "现行" in page and "<link" not in page


@pytest.mark.parametrize(("args", "message"), [
    (["missing.pdf"], "找不到文件：missing.pdf"),
    (["-", "--as-of", "2024-13-01"], "--as-of 应为 YYYY-MM-DD"),
    (["-", "--format", "xlsx"], "xlsx 是二进制格式，请用 -o 指定输出文件"),
])
def test_errors(args, message, monkeypatch):
    with pytest.raises(CommandError, match=message):
        run(*args, stdin="GB 1-2000", monkeypatch=monkeypatch)


def test_bad_file_is_a_clear_error(tmp_path, monkeypatch):
    bad = tmp_path / "x.pdf"
    bad.write_text("hello")
    with pytest.raises(CommandError, match="文件内容与扩展名不符"):
        run(str(bad), monkeypatch=monkeypatch)


def test_system_check_options_run_djangos_system_check():
    out = io.StringIO()
    call_command("check", "--system", stdout=out, stderr=io.StringIO())
    assert out.getvalue().startswith("System check identified no issues")
