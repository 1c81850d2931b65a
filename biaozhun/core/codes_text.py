"""Why a text is not a standard number, in the reader's language.

`biaozhun.codes` may not import Django, so its `CodeError` carries an English `reason` plus a
stable `kind` and `params`; this module words them through gettext (source strings are
Simplified Chinese). Show `describe(error)` to people, never `str(error)`.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_lazy

from biaozhun.codes import CodeError

# One message per kind of `codes.ERROR_KINDS`; placeholders are the kind's params.
MESSAGES = {
    "not_a_string": gettext_lazy("标准号应为文字"),
    "empty": gettext_lazy("标准号为空"),
    "no_prefix": gettext_lazy("开头缺少标准代号"),
    "unknown_prefix": gettext_lazy("未知的标准代号“%(prefix)s”"),
    "prefix_without_number": gettext_lazy("标准代号“%(prefix)s”后缺少有效的顺序号"),
    "group_prefix_incomplete": gettext_lazy("团体标准代号“T/”后缺少有效的团体代号或顺序号"),
    "enterprise_prefix_incomplete": gettext_lazy("企业标准代号“Q/”后缺少有效的企业代号或顺序号"),
    "local_prefix_without_region": gettext_lazy("地方标准代号“DB”后缺少有效的行政区划代码"),
    "unknown_province": gettext_lazy(
        "地方标准代号“%(prefix)s”中的省级行政区划代码“%(code)s”不存在"),
    "unknown_city": gettext_lazy("地方标准代号“%(prefix)s”中的市级行政区划代码“%(code)s”不存在"),
    # Translators: e.g. "JJF" numbers have no "/T" form (JJF/T does not exist).
    "no_nature_form": gettext_lazy("“%(prefix)s”标准没有“/%(nature)s”的写法"),
    "missing_number": gettext_lazy("缺少标准顺序号"),
    "text_after_year": gettext_lazy("年号后有多余的文字"),
    # Translators: "text" is what follows the part that reads as a standard number ("after").
    "unexpected_text": gettext_lazy("“%(after)s”之后有无法识别的文字“%(text)s”"),
    "bad_amendment": gettext_lazy("无法识别的修改单编号“%(number)s”"),
    "amendment_needs_year": gettext_lazy("修改单须跟在带年号的标准号之后"),
    "bad_adopted": gettext_lazy("无法识别采用的标准“%(reference)s”"),
}


def describe(error: CodeError) -> str:
    """The reason `error` gives, worded for a person in the active language.

    A kind this module does not know (or params that do not fill its message) gives a
    generic message rather than the English reason.
    """
    message = MESSAGES.get(error.kind)
    if message is not None:
        try:
            return str(message) % error.params
        except (KeyError, TypeError, ValueError):
            pass
    return gettext("格式不正确")
