"""Fill the Traditional Chinese catalogue from the Simplified Chinese msgids with OpenCC.

Usage (from the project root, after `makemessages`, see docs/i18n.md):

    .venv/bin/python scripts/fill_zh_hant.py            # fill empty and fuzzy msgstrs
    .venv/bin/python scripts/fill_zh_hant.py --all      # re-convert every message
    .venv/bin/python scripts/fill_zh_hant.py --check    # exit 1 if anything is left to fill

The msgids are Simplified Chinese, so the Traditional text is a mechanical conversion with
OpenCC's `s2twp` configuration (Traditional characters with Taiwan vocabulary: 搜索→搜尋,
用户名→使用者名稱). Hand-edited msgstrs are kept unless --all is given. Placeholders
(`%(name)s`, `%d`, …) must survive the conversion unchanged; the script stops if one does not.
Only the msgstr lines of the messages it fills are rewritten; everything else is kept as is.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PO = ROOT / "locale" / "zh_Hant" / "LC_MESSAGES" / "django.po"
OPENCC_CONFIG = "s2twp"
# s2twp's phrase table is tuned for software text; these standardization terms keep their
# general meaning instead (发布 a standard is 發布, not 釋出 "release"; an ICS 代码 is a
# classification code, 代碼, not 程式碼 "source code"; 类型 is not the programming 型別).
# A 项目 is a standards project or a form item, not only 專案; 屏蔽 a comment is to hide it
# (not 遮蔽 "to shade"); 权限 is 權限 (not 許可權); 审核 is 審核 (not 稽核 "audit");
# 账户 is written 帳戶 in Taiwan; a 复审窗口 is a period of time, not a GUI 視窗.
OVERRIDES = {
    "发布": "發布",
    "公布": "公布",
    "代码": "代碼",
    "类型": "類型",
    "项目": "項目",
    "屏蔽": "屏蔽",
    "权限": "權限",
    "审核": "審核",
    "账户": "帳戶",
    "复审窗口": "複審窗口",
}
HEADER_COMMENT = [
    "# Traditional Chinese (zh-Hant) catalogue of Biaozhun (标准化工作平台).",
    "# The msgstrs are generated from the Simplified Chinese msgids by scripts/fill_zh_hant.py",
    "# with OpenCC `s2twp` (Traditional characters, Taiwan phrases); see docs/i18n.md.",
    "# s2twp was chosen over s2t because s2t keeps mainland vocabulary (搜索, 用户, 数据, 信息)",
    "# and variant forms (爲, 祕) that read oddly to zh-Hant users. It keeps the",
    "# standardization terms (標準目錄, 現行, 廢止, 歸口單位, 採標情況, 修改單), except a few",
    "# software-flavoured phrases the script overrides: 发布→發布 (not 釋出), 公布→公布,",
    "# 代码→代碼 (not 程式碼), 类型→類型 (not 型別), 项目→項目 (not 專案), 屏蔽→屏蔽 (not 遮蔽),",
    "# 权限→權限 (not 許可權), 审核→審核 (not 稽核), 账户→帳戶, 复审窗口→複審窗口 (not 視窗).",
    "# Hand edits are kept: the script only fills empty or fuzzy messages (unless --all).",
]
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +-]*\d*(?:\.\d+)?[sdifrxXeEgGc%]|\{[^{}]*\}")


def unquote(line: str) -> str:
    """The value of one `"..."` line of a .po file."""
    body = line.strip()
    if not (body.startswith('"') and body.endswith('"')):
        raise ValueError(f"not a quoted PO string: {line!r}")
    body = body[1:-1]
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), body)


def quote(text: str) -> str:
    text = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
            .replace("\r", "\\r").replace("\n", "\\n"))
    return f'"{text}"'


@dataclass
class Entry:
    """One message: its original lines and the parsed fields (keyword -> value)."""

    lines: list[str]
    fields: dict[str, str] = field(default_factory=dict)
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)  # keyword -> line range

    @property
    def flags(self) -> set[str]:
        flags: set[str] = set()
        for line in self.lines:
            if line.startswith("#,"):
                flags.update(f.strip() for f in line[2:].split(","))
        return flags

    @property
    def is_header(self) -> bool:
        return self.fields.get("msgid") == "" and "msgctxt" not in self.fields

    @property
    def is_obsolete(self) -> bool:
        return any(line.startswith("#~") for line in self.lines)

    @property
    def msgstr_keys(self) -> list[str]:
        return [k for k in self.fields if k.startswith("msgstr")]

    def set_msgstr(self, key: str, text: str) -> None:
        start, end = self.spans[key]
        if "\n" in text.rstrip("\n"):  # multi-line (the header): one source line per line
            parts = text.splitlines(keepends=True)
            new = [f'{key} ""'] + [quote(part) for part in parts]
        else:
            new = [f"{key} {quote(text)}"]
        self.lines[start:end] = new
        self._reparse()

    def drop_flag(self, flag: str) -> None:
        out = []
        for line in self.lines:
            if line.startswith("#,"):
                flags = [f.strip() for f in line[2:].split(",") if f.strip() != flag]
                if not flags:
                    continue
                line = "#, " + ", ".join(flags)
            out.append(line)
        self.lines = out
        self._reparse()

    def _reparse(self) -> None:
        self.fields, self.spans = {}, {}
        key = None
        for i, line in enumerate(self.lines):
            m = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")\s*$", line)
            if m:
                key = m.group(1)
                self.fields[key] = unquote(m.group(2))
                self.spans[key] = (i, i + 1)
            elif line.startswith('"') and key:
                self.fields[key] += unquote(line)
                self.spans[key] = (self.spans[key][0], i + 1)
            else:
                key = None


def parse(text: str) -> list[Entry]:
    """Entries of a .po file, split on blank lines (the layout gettext tools write)."""
    entries = []
    for block in re.split(r"\n\s*\n", text.strip("\n")):
        entry = Entry(block.splitlines())
        entry._reparse()
        entries.append(entry)
    return entries


def dump(entries: list[Entry]) -> str:
    return "\n\n".join("\n".join(e.lines) for e in entries) + "\n"


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def make_converter(config: str = OPENCC_CONFIG, overrides: dict[str, str] = OVERRIDES):
    """Simplified -> Traditional text; the `overrides` phrases are replaced as given."""
    import opencc

    try:
        convert = opencc.OpenCC(config).convert
    except Exception:  # some builds want the file name
        convert = opencc.OpenCC(f"{config}.json").convert
    if not overrides:
        return convert
    pattern = re.compile("|".join(map(re.escape, sorted(overrides, key=len, reverse=True))))

    def translate(text: str) -> str:
        out, pos = [], 0
        for m in pattern.finditer(text):
            out += [convert(text[pos:m.start()]) if pos < m.start() else "", overrides[m.group()]]
            pos = m.end()
        out.append(convert(text[pos:]) if pos < len(text) else "")
        return "".join(out)

    return translate


def fix_header(header: Entry, language: str, comment: list[str]) -> None:
    """Set `Language:`, drop the template's fuzzy flag and put our comment on top."""
    header.drop_flag("fuzzy")
    value = header.fields["msgstr"]
    fields = {
        "Project-Id-Version": "biaozhun",
        "Language": language,
        "Language-Team": f"{language} <biaozhun maintainers>",
        "Last-Translator": "scripts/fill_zh_hant.py (OpenCC)" if language == "zh_Hant"
        else "biaozhun maintainers",
    }
    for name, field_value in fields.items():
        value = re.sub(rf"^{name}: .*$", f"{name}: {field_value}", value, flags=re.M)
    if "YEAR-MO-DA" in value:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M+0000")
        value = re.sub(r"^PO-Revision-Date: .*$", f"PO-Revision-Date: {stamp}", value,
                       flags=re.M)
    header.set_msgstr("msgstr", value)
    lines = [ln for ln in header.lines if not ln.startswith("#") or ln.startswith("#,")]
    header.lines = [*comment, "#", *lines]
    header._reparse()


def fill(entries: list[Entry], translate, *, refill_all: bool = False) -> int:
    """Set the msgstrs of the entries that need it; returns how many were filled."""
    filled = 0
    for entry in entries:
        if entry.is_header or entry.is_obsolete or "msgid" not in entry.fields:
            continue
        empty = all(not entry.fields[k] for k in entry.msgstr_keys)
        if not (refill_all or empty or "fuzzy" in entry.flags):
            continue
        for key in entry.msgstr_keys:
            # Chinese has a single plural form; msgstr[0] gets the plural text.
            source = entry.fields.get("msgid_plural", entry.fields["msgid"]) \
                if key != "msgstr" else entry.fields["msgid"]
            text = translate(source)
            if placeholders(text) != placeholders(source):
                raise SystemExit(f"placeholders changed in {source!r} -> {text!r}")
            entry.set_msgstr(key, text)
        entry.drop_flag("fuzzy")
        # the previous msgid of a fuzzy match (#| lines) is no longer relevant
        entry.lines = [line for line in entry.lines if not line.startswith("#|")]
        entry._reparse()
        filled += 1
    return filled


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("po", nargs="?", type=Path, default=DEFAULT_PO)
    parser.add_argument("--all", action="store_true", help="re-convert every message")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a message is empty or fuzzy")
    args = parser.parse_args(argv)

    entries = parse(args.po.read_text(encoding="utf-8"))
    if args.check:
        todo = [e.fields["msgid"] for e in entries
                if not e.is_header and not e.is_obsolete and "msgid" in e.fields
                and (any(not e.fields[k] for k in e.msgstr_keys) or "fuzzy" in e.flags)]
        for msgid in todo:
            print(f"needs filling: {msgid!r}")
        return 1 if todo else 0

    filled = fill(entries, make_converter(), refill_all=args.all)
    if entries and entries[0].is_header:
        fix_header(entries[0], "zh_Hant", HEADER_COMMENT)
    args.po.write_text(dump(entries), encoding="utf-8")
    print(f"{args.po.relative_to(ROOT) if args.po.is_relative_to(ROOT) else args.po}: "
          f"filled {filled} message(s) with OpenCC {OPENCC_CONFIG}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
