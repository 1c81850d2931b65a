"""Import the ISO and IEC catalogues (relaton exports) and ISO's relations between editions.

Decisions, all reported in the import's notes with counts:

* **Duplicates**: the ISO export lists 9,629 docids twice (two YAML files with different
  stages). The row with the most advanced stage wins (95.99 over 90.92), then the row with
  more filled cells; the others are counted.
* **Only published documents**: ISO stages 00–50 are drafts and 60.00 means “under
  publication” (those docids have no year yet): skipped and counted. Rows without a stage
  (ISO/IEC Directives) are skipped and counted. 60.60 and 90.xx → current; 95.99 → declared
  abolished (the relations then make it superseded when a newer edition replaces it);
  95.20 / 95.60 (withdrawal under ballot) → still current.
  IEC: PUBLISHED → current, REVISED / REPLACED → superseded, WITHDRAWN → abolished.
* **Dates**: `YYYY-MM-DD` is stored as is and `YYYY-MM` as the first of the month (ISO
  publishes month precision). A bare `YYYY` is not stored: for amendments it is the year of
  the base edition, not of the amendment, and the year is in the code anyway. A date earlier
  than the year in an amendment's own number is dropped too.
* **Amendments and corrigenda** are rows of their own; `load_records` links each to its base
  with an `amends` relation.
* **IEC versions** (`+AMD1:2016 CSV` consolidated, `RLV` redline, `CMV`, `EXV`, `SER`, `DB`,
  `EDn`) are other packagings of editions and amendments that are in the catalogue already:
  skipped and counted by marker.
* **Unparseable docids** (and numbers with a part longer than its column) are skipped and
  listed as row errors: a real catalogue always has a few oddities and one must not block
  50,000 good rows.
"""

import re
from collections import Counter
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from django.db import transaction

from biaozhun import codes
from biaozhun.catalog.importing.errors import FileError, RowError
from biaozhun.catalog.importing.loader import (
    base_code,
    insert_relations,
    load_records,
    refresh_after_import,
)
from biaozhun.catalog.importing.records import Committee, StandardRecord
from biaozhun.catalog.importing.reference import column_positions, read_rows
from biaozhun.catalog.importing.standards import ImportReport, Progress
from biaozhun.catalog.models import (
    ImportRun,
    RelationKind,
    Standard,
    StandardRelation,
    Status,
)
from biaozhun.catalog.services import resolve_relations
from biaozhun.core.codes_text import describe

CATALOGUE_COLUMNS = ("docid", "title_en", "published", "stage", "substage", "edition", "ics",
                     "tc")
_ICS = re.compile(r"^\d{2}(\.\d{3}(\.\d{2})?)?$")
IEC_STAGES = {"PUBLISHED": Status.CURRENT, "REVISED": Status.SUPERSEDED,
              "REPLACED": Status.SUPERSEDED, "WITHDRAWN": Status.ABOLISHED}
_IEC_RANK = {"PUBLISHED": 1, "REVISED": 2, "REPLACED": 3, "WITHDRAWN": 4}
VERSION_MARKERS = {"CSV", "RLV", "CMV", "EXV", "EXV-CMV", "EXV-RLV", "SER", "DB", "PRV"}
# Stage words in a document number: the document is a project, not a publication.
DRAFT_QUALIFIERS = {"NP", "PWI", "AWI", "WD", "CD", "DIS", "FDIS", "PRF", "DTR", "DTS", "DPAS",
                    "DGUIDE", "DIR"}
DRAFT_SUPPLEMENTS = {"DAM", "FDAM", "PDAM", "DAMD", "FDAMD", "DCOR", "FDCOR", "DAD", "NP", "PWI",
                     "AWI", "WD", "CD", "DIS", "FDIS", "PRF"}
_DATED_SUPPLEMENT = re.compile(r":\s*\d{4}\b")


def version_marker(number: codes.StandardNumber) -> str:
    """`CSV`, `RLV`, `ED` … when the number names a packaging of an edition, else ""."""
    code = number.code
    if "+" in code:
        return "CSV"
    for token in re.split(r"[ /]", code)[1:]:
        if token in VERSION_MARKERS:
            return token
        if re.fullmatch(r"ED\d+", token):
            return "ED"
    return ""


def is_project(number: codes.StandardNumber) -> bool:
    """A draft or an undated project (`ISO/CD 9001.2`, `ISO 5459:2011/DAM 1`, `ISO 13680`)."""
    if DRAFT_QUALIFIERS & set(re.split(r"[/ ]", number.prefix.upper())):
        return True
    supplement = number.amendment
    if supplement:
        if version_marker(number):
            return False
        head = re.sub(r"\d+$", "", supplement.split()[0].upper())
        return head in DRAFT_SUPPLEMENTS or not _DATED_SUPPLEMENT.search(supplement)
    return number.year is None


def _date(text: str) -> tuple[date | None, str]:
    """(date, precision) for `YYYY-MM-DD`, `YYYY-MM` or `YYYY`."""
    try:
        if len(text) == 10:
            return date(int(text[:4]), int(text[5:7]), int(text[8:10])), "day"
        if len(text) == 7:
            return date(int(text[:4]), int(text[5:7]), 1), "month"
    except ValueError:
        return None, "invalid"
    if len(text) == 4 and text.isdigit():
        return None, "year"
    return None, "invalid" if text else ""


_LIMITS = {name: Standard._meta.get_field(name).max_length
           for name in ("code", "code_norm", "prefix", "issuer_code", "number", "part",
                        "amendment")}


def _too_long(number: codes.StandardNumber) -> str:
    """The first part of the number longer than its column (PostgreSQL would refuse it)."""
    values = {"code": number.code, "code_norm": number.code_norm, "prefix": number.prefix,
              "issuer_code": number.issuer_code or "", "number": number.number,
              "part": number.part or "", "amendment": number.amendment or ""}
    return next((name for name, limit in _LIMITS.items() if len(values[name]) > limit), "")


def _supplement_year(number: codes.StandardNumber) -> int | None:
    match = re.search(r":\s*(\d{4})\s*$", number.amendment or "")
    return int(match.group(1)) if match else None


def _iec_committee(tc: str) -> Committee | None:
    if not tc:
        return None
    code = tc if tc.startswith(("ISO", "IEC")) else f"IEC/{tc}"
    return Committee(code=code[:40], name=code[:200])


def _import_catalogue(path: Path, flavour: str, *, run: ImportRun | None,
                      progress: Progress | None) -> ImportReport:
    report = ImportReport(source=path.name)
    headers, rows = read_rows(path, strip=False)
    pos = column_positions(headers)
    missing = [c for c in ("docid", "stage") if c not in pos]
    if missing:
        raise FileError(f"{path.name}：缺少列 {', '.join(missing)}。")
    at = {c: pos.get(c) for c in CATALOGUE_COLUMNS}
    width = max(i for i in at.values() if i is not None) + 1
    iso = flavour == "iso"
    skipped: Counter = Counter()

    # 1. One row per docid: the most advanced stage, then the most filled row.
    best: dict[str, tuple[tuple, int, list[str]]] = {}
    for line, values in rows:
        report.total_rows += 1
        if len(values) < width:
            values = values + [""] * (width - len(values))
        stage = values[at["stage"]].strip()
        if iso:
            sub = values[at["substage"]].strip() if at["substage"] is not None else ""
            rank = (int(stage) if stage.isdigit() else -1, int(sub) if sub.isdigit() else -1)
        else:
            rank = (_IEC_RANK.get(stage.upper(), 0), 0)
        key = (rank, len(values) - values.count(""))
        docid = values[at["docid"]].strip()
        held = best.get(docid)
        if held is None or key > held[0]:
            best[docid] = (key, line, values)
        if progress and report.total_rows % 5000 == 0:
            progress(report.total_rows, 0)
    duplicates = report.total_rows - len(best)

    # 2. Published documents only; parse their numbers; merge docids with one canonical code.
    chosen: dict[str, tuple[tuple, int, list[str], codes.StandardNumber]] = {}
    for docid, (key, line, values) in best.items():
        stage, substage = key[0]
        if iso:
            if stage < 0:
                skipped["nostage"] += 1
                continue
            if stage < 60:
                skipped["draft"] += 1
                continue
            if stage == 60 and substage == 0:
                skipped["publishing"] += 1
                continue
        elif stage == 0:
            skipped["nostage"] += 1
            continue
        try:
            number = codes.parse(docid)
        except codes.CodeError as exc:
            report.errors.append(RowError(line, headers[at["docid"]],
                                          f"标准号无法识别：{describe(exc)}", docid))
            continue
        if marker := version_marker(number):
            skipped[f"version:{marker}"] += 1
            continue
        if too_long := _too_long(number):
            report.errors.append(RowError(line, headers[at["docid"]],
                                          f"标准号的“{too_long}”部分过长", docid))
            continue
        norm = number.code_norm
        held = chosen.get(norm)
        if held is not None:
            duplicates += 1
            if held[0] >= key:
                continue
        chosen[norm] = (key, line, values, number)

    # 3. Records.
    records: list[StandardRecord] = []
    dates: Counter = Counter()
    bad_ics = 0
    for _key, line, values, number in sorted(chosen.values(), key=lambda item: item[1]):
        stage = values[at["stage"]].strip()
        if iso:
            status = Status.ABOLISHED if stage == "95" and values[at["substage"]].strip() == "99" \
                else Status.CURRENT
        else:
            status = IEC_STAGES.get(stage.upper(), "")
        issued, precision = _date(values[at["published"]].strip()) \
            if at["published"] is not None else (None, "")
        dates[precision] += 1
        if issued is not None and number.amendment and (year := _supplement_year(number)) \
                and issued.year < year:
            issued = None
            dates["contradicts"] += 1
        ics = []
        for item in (values[at["ics"]].split(";") if at["ics"] is not None else ()):
            item = item.strip()
            if _ICS.match(item):
                ics.append(item)
            elif item:
                bad_ics += 1
        tc = values[at["tc"]].strip() if at["tc"] is not None else ""
        edition = values[at["edition"]].strip() if at["edition"] is not None else ""
        records.append(StandardRecord(
            row=line, number=number, title_en=values[at["title_en"]].strip()[:800]
            if at["title_en"] is not None else "",
            declared_status=status, issued_on=issued, ics=list(dict.fromkeys(ics)),
            committee=(Committee(code="", name=tc[:200]) if tc else None) if iso
            else _iec_committee(tc),
            edition_note=f"第{edition}版" if edition.isdigit() else ""))

    result = load_records(records, run)
    report.imported = len(records)
    report.created, report.updated = result.created, result.updated
    report.dangling = result.dangling
    report.rejected_rows = len(report.errors)
    notes = report.notes
    if duplicates:
        notes.append(f"重复的文献 {duplicates} 行（同一标准号保留阶段最靠后、信息最全的一行）")
    if skipped["draft"]:
        notes.append(f"跳过草案（阶段 00–50）{skipped['draft']} 个")
    if skipped["publishing"]:
        notes.append(f"跳过出版中（阶段 60.00，尚无年号）{skipped['publishing']} 个")
    if skipped["nostage"]:
        notes.append(f"跳过无阶段的文献 {skipped['nostage']} 个")
    versions = {k.split(":", 1)[1]: v for k, v in skipped.items() if k.startswith("version:")}
    if versions:
        notes.append(f"跳过合并版/红线版等版本形式 {sum(versions.values())} 个（" + "，".join(
            f"{k} {v}" for k, v in sorted(versions.items())) + "）")
    if report.errors:
        notes.append(f"跳过标准号无法识别的文献 {len(report.errors)} 个（见错误列表）")
    if dates["year"] or dates["contradicts"]:
        notes.append(f"发布日期只有年份、未填 {dates['year']} 个；"
                     f"早于修改单年号、未填 {dates['contradicts']} 个")
    if bad_ics:
        notes.append(f"忽略格式无效的 ICS 分类号 {bad_ics} 个")
    if progress:
        progress(report.total_rows, report.total_rows)
    return report


def import_iso_catalog(path: Path, *, run: ImportRun | None = None,
                       progress: Progress | None = None,
                       skip_invalid: bool = False) -> ImportReport:
    """ISO catalogue (`docid,title_en,published,stage,substage,edition,ics,tc,file`)."""
    return _import_catalogue(path, "iso", run=run, progress=progress)


def import_iec_catalog(path: Path, *, run: ImportRun | None = None,
                       progress: Progress | None = None,
                       skip_invalid: bool = False) -> ImportReport:
    """IEC catalogue: same columns, stage PUBLISHED / REVISED / REPLACED / WITHDRAWN."""
    return _import_catalogue(path, "iec", run=run, progress=progress)


# --- relations -----------------------------------------------------------------------------

class _Ends:
    """Code, key and kind of each relation end, parsing each distinct text once.

    Texts that are exactly the code of an edition in the catalogue are not parsed at all:
    canonical codes are a fixed point of `codes.normalize`.
    """

    def __init__(self):
        self.known: dict[str, tuple[str, int]] = {
            code: (norm, pk) for code, norm, pk in
            Standard.objects.values_list("code", "code_norm", "pk").iterator(chunk_size=5000)}
        self.base_of = dict(StandardRelation.objects.filter(kind=RelationKind.AMENDS)
                            .values_list("source_code_norm", "target_code_norm"))
        self.cache: dict[str, tuple[str, str, str | None, bool] | codes.CodeError] = {}

    def get(self, text: str) -> tuple[str, str, str | None, bool]:
        """(code, code_norm, base edition's code_norm or None, is a project)."""
        hit = self.cache.get(text)
        if hit is None:
            if text in self.known:
                norm = self.known[text][0]
                hit = (text, norm, self.base_of.get(norm), False)
            else:
                try:
                    number = codes.parse(text)
                except codes.CodeError as exc:
                    hit = exc
                else:
                    base = codes.code_norm(base_code(number)) if number.amendment else None
                    hit = (number.code, number.code_norm, base, is_project(number))
            self.cache[text] = hit
        if isinstance(hit, codes.CodeError):
            raise hit
        return hit


def import_iso_relations(path: Path, *, run: ImportRun | None = None,
                         progress: Progress | None = None,
                         skip_invalid: bool = False) -> ImportReport:
    """ISO relations (`docid,relation_type,target_docid,file`) → `replaces` relations.

    Direction, checked on ISO 9001: `ISO 9001:2015,obsoletes,ISO 9001:2008` (docid replaces
    target) and `ISO 9001:2008,updates,ISO 9001:2015` (target replaces docid: “is updated
    by”). `updates` also links an edition to its own amendment (`ISO 9001:2008,updates,
    ISO 9001:2008/Cor 1:2009`): that is the `amends` relation the catalogue import writes, not
    a replacement, so such edges are skipped. Edges to drafts and undated projects, to the
    document itself and `partOf` are skipped; all with counts. Edges to documents missing from
    the catalogue are kept as dangling relations.
    """
    report = ImportReport(source=path.name)
    headers, rows = read_rows(path, strip=False)
    pos = column_positions(headers)
    missing = [c for c in ("docid", "relation_type", "target_docid") if c not in pos]
    if missing:
        raise FileError(f"{path.name}：缺少列 {', '.join(missing)}。")
    i_doc, i_type, i_target = pos["docid"], pos["relation_type"], pos["target_docid"]
    skipped: Counter = Counter()
    relations: dict[tuple[str, str, str], tuple[str, str]] = {}
    with transaction.atomic():
        ends = _Ends()
        for line, values in rows:
            report.total_rows += 1
            if progress and report.total_rows % 5000 == 0:
                progress(report.total_rows, 0)
            if len(values) <= max(i_doc, i_type, i_target):
                report.errors.append(RowError(line, "", "列数不足"))
                continue
            kind = values[i_type].strip()
            if kind not in ("obsoletes", "updates"):
                skipped["partOf" if kind == "partOf" else "other"] += 1
                continue
            newer_at, older_at = (i_doc, i_target) if kind == "obsoletes" else (i_target, i_doc)
            try:
                newer = ends.get(values[newer_at].strip())
            except codes.CodeError as exc:
                report.errors.append(RowError(line, headers[newer_at],
                                              f"标准号无法识别：{describe(exc)}",
                                              values[newer_at]))
                continue
            try:
                older = ends.get(values[older_at].strip())
            except codes.CodeError as exc:
                report.errors.append(RowError(line, headers[older_at],
                                              f"标准号无法识别：{describe(exc)}",
                                              values[older_at]))
                continue
            if newer[1] == older[1]:
                skipped["self"] += 1
            elif newer[3] or older[3]:
                skipped["project"] += 1
            elif newer[2] == older[1]:
                skipped["supplement"] += 1
            else:
                key = (newer[1], older[1], RelationKind.REPLACES)
                if key in relations:
                    skipped["duplicate"] += 1
                relations.setdefault(key, (newer[0], older[0]))

        before = StandardRelation.objects.count()
        known_ids = {norm: pk for norm, pk in ends.known.values()}
        insert_relations(relations, run, known_ids)
        resolve_relations()
        report.created = StandardRelation.objects.count() - before
        report.imported = len(relations)
        affected = {known_ids[n] for key in relations for n in key[:2] if n in known_ids}
        refresh_after_import(sorted(affected))
    dangling = [(codes_[0], RelationKind.REPLACES, codes_[1])
                for key, codes_ in relations.items()
                if key[0] not in known_ids or key[1] not in known_ids]
    report.dangling = dangling[:1000]
    report.rejected_rows = len(report.errors)
    _relation_notes(report, skipped, len(dangling))
    if progress:
        progress(report.total_rows, report.total_rows)
    return report


def _relation_notes(report: ImportReport, skipped: Counter, dangling: int) -> None:
    parts: Iterable[tuple[str, str]] = (
        ("project", "跳过涉及草案或无年号项目的关系 {} 条"),
        ("supplement", "跳过版本与其修改单/勘误之间的关系 {} 条（已由“修改”关系表示）"),
        ("self", "跳过指向自身的关系 {} 条"),
        ("duplicate", "重复的关系 {} 条"),
        ("partOf", "忽略 partOf 关系 {} 条"),
        ("other", "忽略其他类型的关系 {} 条"),
    )
    report.notes += [text.format(skipped[key]) for key, text in parts if skipped[key]]
    if report.errors:
        report.notes.append(f"跳过标准号无法识别的关系 {len(report.errors)} 条（见错误列表）")
    if dangling:
        report.notes.append(f"一端不在目录中的关系 {dangling} 条（已保留，导入该标准后自动关联）")


# --- detection -----------------------------------------------------------------------------

def _stages(sample: list[dict[str, str]]) -> list[str]:
    return [v for row in sample for k, v in row.items() if k.strip().lower() == "stage" and v]


def is_iso_catalog(headers: list[str], sample: list[dict[str, str]]) -> bool:
    keys = {h.strip().lower() for h in headers}
    stages = _stages(sample)
    return {"docid", "stage", "substage"} <= keys and all(s.isdigit() for s in stages)


def is_iec_catalog(headers: list[str], sample: list[dict[str, str]]) -> bool:
    keys = {h.strip().lower() for h in headers}
    stages = _stages(sample)
    return {"docid", "stage"} <= keys and bool(stages) and all(
        s.upper() in IEC_STAGES for s in stages)


def is_iso_relations(headers: list[str], sample: list[dict[str, str]]) -> bool:
    return {"docid", "relation_type", "target_docid"} <= {h.strip().lower() for h in headers}
