"""Turn one row of text into a validated StandardRecord, or a list of RowErrors."""

import re
from dataclasses import dataclass, field
from datetime import date

from biaozhun import codes
from biaozhun.catalog.importing.columns import (
    COLUMNS,
    NATURE_WORDS,
    REVIEW_WORDS,
    STATUS_WORDS,
)
from biaozhun.catalog.importing.errors import RowError
from biaozhun.core.codes_text import describe

_SPLIT = re.compile(r"\s*[;；]\s*")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_ICS = re.compile(r"^\d{2}(\.\d{3}(\.\d{2})?)?$")
_CCS = re.compile(r"^[A-Z](\d{2})?$")
_DEGREE = re.compile(r"[\s,，(（]*\b(IDT|MOD|NEQ|EQV)\b[\s)）]*", re.IGNORECASE)
_PARTIAL_MARK = re.compile(r"[(（]\s*部分(代替)?\s*[)）]\s*$")
_COMMITTEE = re.compile(
    r"^\s*((?:SAC/)?TC\s*\d+(?:\s*/\s*SC\s*\d+)?|[A-Z]{2,}/TC\s*\d+(?:/SC\s*\d+)?)\s*[:：]?\s*(.*)$",
    re.IGNORECASE)


@dataclass(slots=True)
class Committee:
    code: str
    name: str


@dataclass(slots=True)
class StandardRecord:
    """Everything one row says about one edition, validated and normalised."""

    row: int
    number: codes.StandardNumber
    title_zh: str = ""
    title_en: str = ""
    declared_status: str = ""
    issued_on: date | None = None
    effective_on: date | None = None
    abolished_on: date | None = None
    first_issued_on: date | None = None
    reviewed_on: date | None = None
    review_conclusion: str = ""
    replaces: list[tuple[str, bool]] = field(default_factory=list)  # (code, partial)
    replaced_by: list[tuple[str, bool]] = field(default_factory=list)
    ics: list[str] = field(default_factory=list)
    ccs: str = ""
    issuers: list[str] = field(default_factory=list)
    committee: Committee | None = None
    drafting_orgs: list[str] = field(default_factory=list)
    adopts: list[tuple[str, str]] = field(default_factory=list)
    scope: str = ""
    nature: str = ""
    competent_department: str = ""
    proposing_unit: str = ""
    drafters: str = ""
    public_text: bool = False
    edition_note: str = ""
    is_sample: bool = False
    is_synthetic: bool = False

    @property
    def code(self) -> str:
        return self.number.code

    @property
    def code_norm(self) -> str:
        return self.number.code_norm


def split_values(text: str) -> list[str]:
    return [part for part in _SPLIT.split(text.strip()) if part] if text.strip() else []


def parse_date(text: str) -> date:
    """ISO dates and the spellings portals use (2020/1/2, 2020.01.02, 2020年1月2日)."""
    text = text.strip()
    match = _DATE.match(text)
    if not match:
        raise ValueError("日期格式应为 YYYY-MM-DD")
    year, month, day = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError("不存在的日期") from None


def parse_committee(text: str) -> Committee | None:
    text = text.strip()
    if not text:
        return None
    match = _COMMITTEE.match(text)
    if match:
        # "SAC / TC1/SC 2" → "SAC/TC 1/SC 2": no inner spaces except before each number.
        code = re.sub(r"(TC|SC)(?=\d)", r"\1 ", re.sub(r"\s+", "", match.group(1).upper()))
        name = match.group(2).strip() or code
        return Committee(code=code, name=name)
    return Committee(code="", name=text)


def parse_adoption(text: str) -> tuple[str, str]:
    """`ISO 9001:2015 IDT`, `ISO 9001:2015, IDT`, `IDT ISO 9001:2015`, `ISO 9001:2015（IDT）`."""
    degree = ""
    match = _DEGREE.search(text)
    if match:
        degree = match.group(1).upper()
        text = (text[:match.start()] + " " + text[match.end():]).strip()
    return codes.normalize(text), degree


class RecordBuilder:
    """Validates rows of one file: header mapping, every field, duplicates within the file."""

    def __init__(self, headers: list[str], column_map: dict[str, str]):
        self.headers = headers
        self.column_map = column_map  # canonical column -> header as written in the file
        self.seen: dict[str, int] = {}

    def _header(self, column: str) -> str:
        return self.column_map.get(column, COLUMNS.get(column, column))

    def build(self, row_number: int, raw: dict[str, str]) -> StandardRecord | list[RowError]:
        values = {column: raw.get(header, "").strip() for column, header in
                  self.column_map.items()}
        errors: list[RowError] = []

        def err(column: str, reason: str, value: str = "") -> None:
            errors.append(RowError(row_number, self._header(column), reason, value))

        code_text = values.get("code", "")
        if not code_text:
            return [RowError(row_number, self._header("code"), "标准号为空")]
        try:
            number = codes.parse(code_text)
        except codes.CodeError as exc:
            return [RowError(row_number, self._header("code"), f"标准号无法识别：{describe(exc)}",
                             code_text)]
        record = StandardRecord(row=row_number, number=number)
        if number.code_norm in self.seen:
            err("code", f"与第 {self.seen[number.code_norm]} 行重复", code_text)
        else:
            self.seen[number.code_norm] = row_number

        record.title_zh = values.get("title_zh", "")
        record.title_en = values.get("title_en", "")
        record.scope = values.get("scope", "")
        record.drafters = values.get("drafters", "")
        record.competent_department = values.get("competent_department", "")
        record.proposing_unit = values.get("proposing_unit", "")
        record.edition_note = values.get("edition_note", "") or (number.edition_note or "")
        if not record.title_zh and not record.title_en:
            err("title_zh", "中文标准名称和英文标准名称不能都为空")
        for column, limit in (("title_zh", 500), ("title_en", 800)):
            if len(values.get(column, "")) > limit:
                err(column, f"超过 {limit} 个字符")

        status_text = values.get("status", "")
        if status_text:
            status = STATUS_WORDS.get(status_text.lower())
            if status is None:
                err("status", "无法识别的标准状态（应为 现行、即将实施、被代替、废止）",
                    status_text)
            else:
                record.declared_status = status

        for column in ("issued_on", "effective_on", "abolished_on", "first_issued_on",
                       "reviewed_on"):
            text = values.get(column, "")
            if text:
                try:
                    setattr(record, column, parse_date(text))
                except ValueError as exc:
                    err(column, str(exc), text)
        if record.issued_on and record.effective_on and record.effective_on < record.issued_on:
            err("effective_on", "实施日期早于发布日期", values.get("effective_on", ""))

        for column in ("replaces", "replaced_by"):
            for item in split_values(values.get(column, "")):
                partial = item.startswith("~") or bool(_PARTIAL_MARK.search(item))
                cleaned = _PARTIAL_MARK.sub("", item.lstrip("~")).strip()
                try:
                    other = codes.normalize(cleaned)
                except codes.CodeError as exc:
                    err(column, f"无法识别的标准号：{describe(exc)}", item)
                    continue
                if codes.code_norm(other) == number.code_norm:
                    err(column, "标准不能代替自身", item)
                    continue
                getattr(record, column).append((other, partial))

        for item in split_values(values.get("ics", "")):
            if _ICS.match(item):
                record.ics.append(item)
            else:
                err("ics", "ICS 分类号格式应为 01、01.120 或 01.120.10", item)
        ccs = values.get("ccs", "").upper()
        if ccs:
            if _CCS.match(ccs):
                record.ccs = ccs
            else:
                err("ccs", "CCS 分类号格式应为一个字母加两位数字，如 A00", values["ccs"])

        record.issuers = split_values(values.get("issuer", ""))
        record.drafting_orgs = split_values(values.get("drafting_orgs", ""))
        record.committee = parse_committee(values.get("committee", ""))
        for name in [*record.issuers, *record.drafting_orgs, record.competent_department,
                     record.proposing_unit]:
            if len(name) > 200:
                err("issuer", "机构名称超过 200 个字符", name)

        adopts = [(code, degree or "") for code, degree in number.adoption]
        for item in split_values(values.get("adopts", "")):
            try:
                adopts.append(parse_adoption(item))
            except codes.CodeError as exc:
                err("adopts", f"无法识别采用的标准：{describe(exc)}", item)
        seen_adopted: dict[str, int] = {}
        for code, degree in adopts:
            key = codes.code_norm(code)
            if key in seen_adopted:
                index = seen_adopted[key]
                if degree and not record.adopts[index][1]:
                    record.adopts[index] = (code, degree)
                continue
            seen_adopted[key] = len(record.adopts)
            record.adopts.append((code, degree))

        nature_text = values.get("nature", "")
        if nature_text:
            nature = NATURE_WORDS.get(nature_text.lower())
            if nature is None:
                err("nature", "标准性质应为 强制性、推荐性 或 指导性", nature_text)
            else:
                record.nature = nature
        else:
            record.nature = number.nature or ""

        review_text = values.get("review_conclusion", "")
        if review_text:
            conclusion = REVIEW_WORDS.get(review_text.lower())
            if conclusion is None:
                err("review_conclusion", "复审结论应为 继续有效、修订 或 废止", review_text)
            else:
                record.review_conclusion = conclusion

        public_text = values.get("public_text", "").lower()
        if public_text in ("1", "true", "yes", "是", "公开"):
            record.public_text = True
        elif public_text not in ("", "0", "false", "no", "否", "不公开"):
            err("public_text", "应为 1/0 或 是/否", values["public_text"])
        return errors or record
