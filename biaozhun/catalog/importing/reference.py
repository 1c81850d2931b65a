"""Import the reference lists: ICS, CCS, GB/T 2260 regions and industry standard codes.

Each list comes in two shapes: the published file as distributed (ics_ed7.csv,
ccs_cat-level{1,2,3}.csv, the GB2260 tsv, industry_standard_codes.tsv) and the project's own
sample format (`code,title_zh[,title_en]`, `code,name`). Published files are not ours to fix:
an unusable row there is skipped and reported. A sample file is written by people, so an
invalid row fails the whole import unless `skip_invalid`. Every import runs in one
transaction, only writes what changed (re-running reports 0 created, 0 updated) and never
blanks a value with an empty cell, so English and Chinese titles can come from different files.

The ISO and IEC catalogues and their relations live in `international.py`.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import models, transaction

from biaozhun.catalog.importing.errors import FileError, ImportFailed, RowError
from biaozhun.catalog.importing.loader import ccs_range_parent
from biaozhun.catalog.importing.readers import read_csv_rows
from biaozhun.catalog.importing.standards import ImportReport, Progress
from biaozhun.catalog.models import CCSClass, ICSClass, ImportRun, IndustryCode, Region

ICS_CODE = re.compile(r"^\d{2}(\.\d{3}(\.\d{2})?)?$")
CCS_LETTER = re.compile(r"^[A-Z]$")
CCS_RANGE = re.compile(r"^[A-Z]\d{2}/\d{2}$")
CCS_CODE = re.compile(r"^[A-Z]\d{2}$")
REGION_CODE = re.compile(r"^(\d{2}|\d{4}|\d{6})$")
INDUSTRY_CODE = re.compile(r"^[A-Z]{1,4}$")

Rows = Iterator[tuple[int, list[str]]]


# --- reading ---------------------------------------------------------------------------------

def read_rows(path: Path, *, strip: bool = True) -> tuple[list[str], Rows]:
    """Header cells and (line number, cells) of a CSV or TSV file, by position.

    Positional because a published file may repeat a header (ccs_cat-level3.csv has two
    “代码 / Code” columns: the code and its parent range). `strip=False` leaves cells as
    written, for big files whose few used cells the caller strips.
    """
    if not path.exists():
        raise FileError(f"找不到文件：{path}")
    if path.suffix.lower() not in (".csv", ".tsv", ".txt"):
        raise FileError(f"{path.name}：参考数据应为 CSV 或 TSV 文件。")
    return read_csv_rows(path, strip=strip)


def header_key(header: str) -> str:
    """`代码 / Code` → `code`; `注释 /Notes` → `notes`; `admin_current (compiled…)` →
    `admin_current`; plain headers lower-cased."""
    key = header.strip().lstrip("\ufeff").strip().lower()
    if "/" in key:
        key = key.rsplit("/", 1)[1].strip()
    return key.split("(", 1)[0].strip()


def column_positions(headers: list[str]) -> dict[str, int]:
    """Header key → position; a repeated key gets `_2` appended (`code`, `code_2`)."""
    positions: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = header_key(header)
        if key in positions:
            key = f"{key}_2"
        positions.setdefault(key, index)
    return positions


def cell(values: list[str], positions: dict[str, int], key: str) -> str:
    index = positions.get(key)
    return values[index] if index is not None and index < len(values) else ""


class Problems:
    """Collects RowErrors; `strict` makes any of them fail the import (nothing written)."""

    def __init__(self, report: ImportReport, strict: bool):
        self.report, self.strict = report, strict

    def add(self, row: int, column: str, reason: str, value: str = "") -> None:
        self.report.errors.append(RowError(row, column, reason, value))
        self.report.rejected_rows += 1

    def check(self) -> None:
        if self.report.errors and self.strict:
            raise ImportFailed(self.report.errors)
        if self.report.errors:
            self.report.notes.append(f"跳过无效行 {len(self.report.errors)} 行（见错误列表）")


# --- writing ---------------------------------------------------------------------------------

@dataclass
class Node:
    """What a file says about one row of a reference table; empty values never overwrite."""

    values: dict[str, str]
    parent: str | None = None  # code of the parent node, for trees
    depth: int = 1


def save_nodes(model: type[models.Model], nodes: dict[str, Node], *, tree: bool) -> tuple[int, int]:
    """Create missing rows and update changed ones; returns (created, updated).

    For trees, rows are written parents first so that every parent id exists; a parent code
    that is in neither the file nor the table must have been added to `nodes` by the caller.
    """
    existing = {obj.code: obj for obj in model.objects.filter(code__in=list(nodes))}
    ids = dict(model.objects.filter(
        code__in={n.parent for n in nodes.values() if n.parent}).values_list("code", "pk")
    ) if tree else {}
    created = updated = 0
    changed: list[models.Model] = []
    fields: set[str] = set()
    order = sorted(nodes, key=lambda c: (nodes[c].depth, c)) if tree else sorted(nodes)
    levels: dict[int, list[str]] = {}
    for code in order:
        levels.setdefault(nodes[code].depth if tree else 1, []).append(code)
    for _depth, level in sorted(levels.items()):
        new = []
        for code in level:
            node = nodes[code]
            wanted = {k: v for k, v in node.values.items() if v}
            if tree:
                wanted["parent_id"] = ids.get(node.parent) if node.parent else None
                wanted["depth"] = node.depth
            obj = existing.get(code)
            if obj is None:
                new.append(model(code=code, **wanted))
                continue
            diff = {k: v for k, v in wanted.items() if getattr(obj, k) != v}
            if diff:
                for key, value in diff.items():
                    setattr(obj, key, value)
                fields.update(diff)
                changed.append(obj)
        model.objects.bulk_create(new, batch_size=1000)
        created += len(new)
        if tree:
            ids.update(model.objects.filter(code__in=level).values_list("code", "pk"))
    if changed:
        model.objects.bulk_update(changed, sorted(fields), batch_size=500)
        updated = len(changed)
    return created, updated


def _finish(report: ImportReport, model, nodes: dict[str, Node], *, tree: bool,
            progress: Progress | None) -> ImportReport:
    with transaction.atomic():
        report.created, report.updated = save_nodes(model, nodes, tree=tree)
    report.imported = report.total_rows - report.rejected_rows
    unchanged = len(nodes) - report.created - report.updated
    if unchanged:
        report.notes.append(f"未变化 {unchanged} 条")
    if progress:
        progress(report.total_rows, report.total_rows)
    return report


# --- ICS ---------------------------------------------------------------------------------------

def ics_parent(code: str) -> str | None:
    return code.rsplit(".", 1)[0] if "." in code else None


def import_ics(path: Path, *, run: ImportRun | None = None, progress: Progress | None = None,
               skip_invalid: bool = False) -> ImportReport:
    """ICS codes from `code,edition,description_en,notes` (ISO's list) or the sample format
    `code,title_zh,title_en`. Parents follow the code (`01.040.01` → `01.040` → `01`)."""
    report = ImportReport(source=path.name)
    headers, rows = read_rows(path)
    pos = column_positions(headers)
    if "code" not in pos:
        raise FileError(f"{path.name}：缺少 code 列。")
    published = "description_en" in pos
    en_column = "description_en" if published else "title_en"
    problems = Problems(report, strict=not published and not skip_invalid)
    nodes: dict[str, Node] = {}
    seen: dict[str, int] = {}
    editions: set[str] = set()
    for line, values in rows:
        report.total_rows += 1
        code = cell(values, pos, "code")
        editions.add(cell(values, pos, "edition"))
        if not ICS_CODE.match(code):
            problems.add(line, headers[pos["code"]], "ICS 分类号格式应为 01、01.120 或 01.120.10",
                         code)
            continue
        if code in seen:
            problems.add(line, headers[pos["code"]], f"与第 {seen[code]} 行重复", code)
            continue
        seen[code] = line
        nodes[code] = Node({"title_en": cell(values, pos, en_column)[:300],
                            "title_zh": cell(values, pos, "title_zh")[:200]},
                           parent=ics_parent(code), depth=code.count(".") + 1)
    problems.check()
    placeholders = 0
    known = set(ICSClass.objects.values_list("code", flat=True))
    for code in list(nodes):
        parent = nodes[code].parent
        while parent and parent not in nodes and parent not in known:
            nodes[parent] = Node({}, parent=ics_parent(parent), depth=parent.count(".") + 1)
            placeholders += 1
            parent = nodes[parent].parent
    if placeholders:
        report.notes.append(f"补建无名称的上级分类 {placeholders} 个")
    if editions - {""}:
        report.notes.append("ICS 版本：" + "、".join(sorted(editions - {""})))
    return _finish(report, ICSClass, nodes, tree=True, progress=progress)


# --- CCS ---------------------------------------------------------------------------------------

def import_ccs(path: Path, *, run: ImportRun | None = None, progress: Progress | None = None,
               skip_invalid: bool = False) -> ImportReport:
    """CCS (中国标准文献分类法) from any of the three published level files or `code,title_zh`.

    The tree has three levels: the letter (`A`, depth 1), the range of the second level
    (`A00/09`, depth 2, parent `A`) and the two-digit class (`A01`, depth 3, parent the range
    that covers it). Ranges are real nodes because the published list names them
    (“标准化管理与一般规定”) and standards are never classified into them. A two-digit code
    with no range known hangs under its letter at depth 2.
    """
    report = ImportReport(source=path.name)
    headers, rows = read_rows(path)
    pos = column_positions(headers)
    if "code" not in pos:
        raise FileError(f"{path.name}：缺少“代码 / Code”或 code 列。")
    published = "name" in pos
    title_column = "name" if published else "title_zh"
    parent_column = "code_2" if "code_2" in pos else "category" if "category" in pos else None
    problems = Problems(report, strict=not published and not skip_invalid)
    nodes: dict[str, Node] = {}
    seen: dict[str, int] = {}
    code_header = headers[pos["code"]]
    for line, values in rows:
        report.total_rows += 1
        code = cell(values, pos, "code").upper()
        if not (CCS_LETTER.match(code) or CCS_RANGE.match(code) or CCS_CODE.match(code)):
            problems.add(line, code_header, "CCS 分类号应为一个字母（A）、范围（A00/09）"
                         "或字母加两位数字（A01）", code)
            continue
        if code in seen:
            problems.add(line, code_header, f"与第 {seen[code]} 行重复", code)
            continue
        parent = cell(values, pos, parent_column).upper() if parent_column else ""
        if parent and not (CCS_LETTER.match(parent) or CCS_RANGE.match(parent)):
            problems.add(line, headers[pos[parent_column]], "上级分类号无效", parent)
            continue
        seen[code] = line
        nodes[code] = Node({"title_zh": cell(values, pos, title_column)[:200],
                            "notes": cell(values, pos, "notes")}, parent=parent or None)
    problems.check()

    known = dict(CCSClass.objects.values_list("code", "depth"))
    ranges = {c for c in known if "/" in c} | {c for c in nodes if "/" in c}
    placeholders = 0
    for code in sorted(nodes, key=len):
        node = nodes[code]
        if node.parent is None and len(code) > 1:
            node.parent = (code[0] if len(code) == 6
                           else ccs_range_parent(code, sorted(ranges)) or code[0])
        if node.parent and node.parent not in nodes and node.parent not in known:
            placeholders += 1
            letter = node.parent[0]
            nodes[node.parent] = Node({}, parent=None if node.parent == letter else letter)
            if letter not in nodes and letter not in known:
                nodes[letter] = Node({})
                placeholders += 1
    # Depth follows the tree: letter 1, range 2, a class one below its parent.
    for code in sorted(nodes, key=lambda c: (len(c) == 3, len(c))):
        node = nodes[code]
        if node.parent is None:
            node.depth = 1
        else:
            parent = nodes.get(node.parent)
            node.depth = (parent.depth if parent else known.get(node.parent, 1)) + 1
    if placeholders:
        report.notes.append(f"补建无名称的上级分类 {placeholders} 个")
    out_of_range = sorted(c for c, n in nodes.items() if len(c) == 3 and n.parent and
                          len(n.parent) == 6 and ccs_range_parent(c, [n.parent]) is None)
    if out_of_range:
        report.notes.append("上级范围不包含本类目（按文件保留）：" + "、".join(
            f"{c}→{nodes[c].parent}" for c in out_of_range))
    return _finish(report, CCSClass, nodes, tree=True, progress=progress)


# --- regions -------------------------------------------------------------------------------

def short_region_code(code: str) -> str:
    """GB/T 2260 six digits → the short code local standards use: `110000` → `11`,
    `430100` → `4301`, `430102` stays."""
    if len(code) == 6:
        if code.endswith("0000"):
            return code[:2]
        if code.endswith("00"):
            return code[:4]
    return code


def import_regions(path: Path, *, run: ImportRun | None = None,
                   progress: Progress | None = None, skip_invalid: bool = False) -> ImportReport:
    """GB/T 2260 (`Source,Revision,Code,Name`) or `code,name`, keyed by the short code.

    Several editions can be imported in any order: a name from an older revision never
    replaces one from a newer revision, and codes abolished since stay (old local standard
    numbers still use them) with the revision they came from in `edition`.
    """
    report = ImportReport(source=path.name)
    headers, rows = read_rows(path)
    pos = column_positions(headers)
    if "code" not in pos or "name" not in pos:
        raise FileError(f"{path.name}：缺少 Code / Name 列。")
    published = "revision" in pos
    problems = Problems(report, strict=not published and not skip_invalid)
    wanted: dict[str, tuple[str, str, int]] = {}
    for line, values in rows:
        report.total_rows += 1
        raw, name = cell(values, pos, "code"), cell(values, pos, "name")
        edition = cell(values, pos, "revision")
        if not REGION_CODE.match(raw):
            problems.add(line, headers[pos["code"]], "行政区划代码应为 2、4 或 6 位数字", raw)
            continue
        if not name:
            problems.add(line, headers[pos["name"]], "名称为空")
            continue
        code = short_region_code(raw)
        if code in wanted and wanted[code][1] > edition:
            continue
        if code in wanted:
            report.notes.append(f"第 {line} 行与第 {wanted[code][2]} 行代码相同（{code}），取后者")
        wanted[code] = (name[:100], edition, line)
    problems.check()
    existing = dict(Region.objects.filter(code__in=list(wanted)).values_list("code", "edition"))
    nodes: dict[str, Node] = {}
    kept = 0
    for code, (name, edition, _line) in wanted.items():
        if code in existing and existing[code] > edition:
            kept += 1  # a newer revision is already loaded: keep its name
            continue
        nodes[code] = Node({"name": name, "edition": edition})
    if kept:
        report.notes.append(f"已有更新版本的名称，保留 {kept} 条")
    editions = sorted({e for _n, e, _l in wanted.values() if e})
    if editions:
        report.notes.append("版本：" + "、".join(editions))
    return _finish(report, Region, nodes, tree=False, progress=progress)


# --- industry codes ------------------------------------------------------------------------

def import_industry_codes(path: Path, *, run: ImportRun | None = None,
                          progress: Progress | None = None,
                          skip_invalid: bool = False) -> ImportReport:
    """行业标准代号: `code, industry_zh, …, admin_current` (the ministry today) → IndustryCode."""
    report = ImportReport(source=path.name)
    headers, rows = read_rows(path)
    pos = column_positions(headers)
    if "code" not in pos or "industry_zh" not in pos:
        raise FileError(f"{path.name}：缺少 code / industry_zh 列。")
    ministry_column = next((k for k in ("admin_current", "ministry", "admin_historical")
                            if k in pos), None)
    problems = Problems(report, strict=False)
    nodes: dict[str, Node] = {}
    for line, values in rows:
        report.total_rows += 1
        code = cell(values, pos, "code").upper()
        if not INDUSTRY_CODE.match(code):
            problems.add(line, headers[pos["code"]], "行业标准代号应为 1 至 4 个大写字母", code)
            continue
        nodes[code] = Node({"industry": cell(values, pos, "industry_zh")[:100],
                            "ministry": cell(values, pos, ministry_column)[:200]
                            if ministry_column else ""})
    problems.check()
    return _finish(report, IndustryCode, nodes, tree=False, progress=progress)


# --- detection -----------------------------------------------------------------------------

Sample = list[dict[str, str]]


def _codes(sample: Sample) -> list[str]:
    return [value for row in sample for key, value in row.items()
            if header_key(key) == "code" and value][:50]


def _all(sample: Sample, pattern: re.Pattern) -> bool:
    found = _codes(sample)
    return bool(found) and all(pattern.match(c.upper()) for c in found)


def is_ics(headers: list[str], sample: Sample) -> bool:
    keys = {header_key(h) for h in headers}
    if {"code", "description_en"} <= keys:
        return True
    return "code" in keys and bool(keys & {"title_zh", "title_en"}) and _all(sample, ICS_CODE)


_ANY_CCS = re.compile(r"^([A-Z]|[A-Z]\d{2}|[A-Z]\d{2}/\d{2})$")


def is_ccs(headers: list[str], sample: Sample) -> bool:
    if any(h.strip().lstrip("\ufeff").startswith("代码 / Code") for h in headers):
        return True
    keys = {header_key(h) for h in headers}
    return keys >= {"code", "title_zh"} and "title_en" not in keys and _all(sample, _ANY_CCS)


def is_regions(headers: list[str], sample: Sample) -> bool:
    keys = {header_key(h) for h in headers}
    if {"code", "name", "revision"} <= keys:
        return True
    return keys == {"code", "name"} and _all(sample, REGION_CODE)


def is_industry_codes(headers: list[str], sample: Sample) -> bool:
    return {"code", "industry_zh"} <= {header_key(h) for h in headers}


Predicate = Callable[[list[str], Sample], bool]
