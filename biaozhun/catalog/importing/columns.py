"""Column names of catalogue files: English, and as the national portals write them."""

from biaozhun.catalog.models import Status

# Canonical (English) column → portal (Chinese) column. The first 16 are the exchange format;
# the rest are optional extras the platform also reads and writes.
COLUMNS: dict[str, str] = {
    "code": "标准号",
    "title_zh": "中文标准名称",
    "title_en": "英文标准名称",
    "status": "标准状态",
    "issued_on": "发布日期",
    "effective_on": "实施日期",
    "abolished_on": "废止日期",
    "replaces": "代替标准",
    "replaced_by": "被代替标准",
    "ics": "ICS",
    "ccs": "CCS",
    "issuer": "发布单位",
    "committee": "归口单位",
    "drafting_orgs": "起草单位",
    "adopts": "采标情况",
    "scope": "适用范围",
    "nature": "标准性质",
    "competent_department": "主管部门",
    "proposing_unit": "提出单位",
    "first_issued_on": "首次发布日期",
    "reviewed_on": "复审日期",
    "review_conclusion": "复审结论",
    "drafters": "起草人",
    "public_text": "文本公开",
    "edition_note": "版本说明",
}
EXCHANGE_COLUMNS = list(COLUMNS)[:16]
ALL_COLUMNS = list(COLUMNS)

# Extra spellings seen in the wild, mapped to the canonical column.
ALIASES: dict[str, str] = {
    "标准编号": "code",
    "标准名称": "title_zh",
    "状态": "status",
    "ics分类": "ics",
    "ccs分类": "ccs",
    "中国标准分类号": "ccs",
    "国际标准分类号": "ics",
    "归口单位/技术委员会": "committee",
    "采用国际标准": "adopts",
    "范围": "scope",
    "摘要": "scope",
}

_LOOKUP = {key.lower(): key for key in COLUMNS}
_LOOKUP.update({zh.lower(): key for key, zh in COLUMNS.items()})
_LOOKUP.update({alias.lower(): key for alias, key in ALIASES.items()})


def canonical_column(header: str) -> str | None:
    """The canonical column for a header cell, or None when the column is unknown."""
    cleaned = header.strip().lstrip("\ufeff").strip().lower()
    return _LOOKUP.get(cleaned)


STATUS_WORDS: dict[str, str] = {
    "current": Status.CURRENT,
    "现行": Status.CURRENT,
    "现行有效": Status.CURRENT,
    "有效": Status.CURRENT,
    "published": Status.CURRENT,
    "upcoming": Status.UPCOMING,
    "即将实施": Status.UPCOMING,
    "未实施": Status.UPCOMING,
    "superseded": Status.SUPERSEDED,
    "replaced": Status.SUPERSEDED,
    "被代替": Status.SUPERSEDED,
    "已被代替": Status.SUPERSEDED,
    "被替代": Status.SUPERSEDED,
    "abolished": Status.ABOLISHED,
    "withdrawn": Status.ABOLISHED,
    "废止": Status.ABOLISHED,
    "已废止": Status.ABOLISHED,
    "作废": Status.ABOLISHED,
}
STATUS_ZH = {Status.CURRENT: "现行", Status.UPCOMING: "即将实施",
             Status.SUPERSEDED: "被代替", Status.ABOLISHED: "废止"}

NATURE_WORDS = {
    "mandatory": "mandatory", "强制性": "mandatory", "强制": "mandatory",
    "recommended": "recommended", "推荐性": "recommended", "推荐": "recommended",
    "guidance": "guidance", "指导性": "guidance", "指导性技术文件": "guidance",
}
NATURE_ZH = {"mandatory": "强制性", "recommended": "推荐性", "guidance": "指导性"}

REVIEW_WORDS = {
    "confirm": "confirm", "继续有效": "confirm", "确认": "confirm",
    "revise": "revise", "修订": "revise", "abolish": "abolish", "废止": "abolish",
}
REVIEW_ZH = {"confirm": "继续有效", "revise": "修订", "abolish": "废止"}
