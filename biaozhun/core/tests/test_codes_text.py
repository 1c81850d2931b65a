"""Reasons a text is not a standard number, worded for people (core.codes_text)."""

import re

import pytest
from django.utils import translation

from biaozhun import codes
from biaozhun.core.codes_text import MESSAGES, describe

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _error(text):
    with pytest.raises(codes.CodeError) as info:
        codes.parse(text)
    return info.value


def test_every_kind_of_the_grammar_has_a_message_and_nothing_else():
    assert set(MESSAGES) == set(codes.ERROR_KINDS)


@pytest.mark.parametrize("kind", sorted(codes.ERROR_KINDS))
def test_message_placeholders_are_the_params_of_its_kind(kind):
    used = set(PLACEHOLDER.findall(str(MESSAGES[kind])))
    assert used <= set(codes.ERROR_KINDS[kind])


@pytest.mark.parametrize("kind", sorted(codes.ERROR_KINDS))
def test_every_kind_is_described_in_chinese_with_its_params_filled(kind):
    params = {name: f"<{name}>" for name in codes.ERROR_KINDS[kind]}
    text = describe(codes.CodeError("english reason", "x", kind, params))
    assert "%(" not in text and "english" not in text
    assert re.search(r"[\u4e00-\u9fff]", text)
    for name in set(PLACEHOLDER.findall(str(MESSAGES[kind]))):
        assert f"<{name}>" in text


@pytest.mark.parametrize(("text", "expected"), [
    (None, "标准号应为文字"),
    ("  ", "标准号为空"),
    ("2020-01-01", "开头缺少标准代号"),
    ("XYZ 1-2020", "未知的标准代号“XYZ”"),
    ("hello-world", "未知的标准代号“hello”"),
    ("GB/T ABCD-2020", "标准代号“GB”后缺少有效的顺序号"),
    ("T/ 123-2020", "团体标准代号“T/”后缺少有效的团体代号或顺序号"),
    ("Q/ 123-2020", "企业标准代号“Q/”后缺少有效的企业代号或顺序号"),
    ("DB", "地方标准代号“DB”后缺少有效的行政区划代码"),
    ("DB99/T 1-2020", "地方标准代号“DB99”中的省级行政区划代码“99”不存在"),
    ("DB3399/T 1-2020", "地方标准代号“DB3399”中的市级行政区划代码“3399”不存在"),
    ("JJF/T 1059-2012", "“JJF”标准没有“/T”的写法"),
    ("GB/T 1.1-2020-01-01", "年号后有多余的文字"),
    ("GB/T 1.1-2020 hello", "“GB/T 1.1-2020”之后有无法识别的文字“hello”"),
    ("GB 2762-2017第十一号修改单", "无法识别的修改单编号“十一”"),
    ("GB 2762/XG1-2021", "修改单须跟在带年号的标准号之后"),
])
def test_describe_parse_errors(text, expected):
    assert describe(_error(text)) == expected


def test_unknown_kind_gets_the_generic_message_not_the_english_reason():
    assert describe(codes.CodeError("something new", "x", "brand_new", {"a": "1"})) == "格式不正确"
    assert describe(codes.CodeError("no kind", "x")) == "格式不正确"


def test_params_that_do_not_fill_the_message_get_the_generic_message():
    assert describe(codes.CodeError("unknown standard prefix", "x", "unknown_prefix")) == (
        "格式不正确")


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_other_languages_do_not_crash(language):
    error = _error("DB99/T 1-2020")
    with translation.override(language):
        text = describe(error)
    assert isinstance(text, str) and "99" in text and "%(" not in text
