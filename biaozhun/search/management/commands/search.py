"""`biaozhun search QUERY [--json] [--limit N]`: ranked hits, as the search page shows them."""

import json

from django.core.management.base import BaseCommand
from django.utils.translation import gettext

from biaozhun.catalog.selectors import StandardFilters
from biaozhun.search.selectors import MAX_PAGE_SIZE, search


class Command(BaseCommand):
    help = "检索标准：标准号（任意写法）或名称、适用范围中的词。"

    def add_arguments(self, parser):
        parser.add_argument("query", nargs="+", help="检索词")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")
        parser.add_argument("--limit", type=int, default=20,
                            help=f"最多输出条数（≤ {MAX_PAGE_SIZE}）")
        for name in ("level", "status", "nature", "issuer", "ics", "ccs", "year_from",
                     "year_to"):
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name, default=None)

    def handle(self, *args, query, json: bool = False, limit: int = 20, **options):
        filters = StandardFilters.from_mapping(
            {k: options[k] for k in ("level", "status", "nature", "issuer", "ics", "ccs",
                                     "year_from", "year_to") if options.get(k)})
        result = search(" ".join(query), filters, page_size=max(1, min(limit, MAX_PAGE_SIZE)))
        rows = [{"code": h.standard.code, "title_zh": h.standard.title_zh,
                 "status": h.standard.status, "level": h.standard.level, "match": h.match}
                for h in result.hits]
        if json:
            self.stdout.write(_dumps({
                "query": result.query.raw, "mode": result.query.mode, "count": result.total,
                "count_capped": result.capped, "notice": result.notice, "results": rows,
                "did_you_mean": [s.code for s in result.did_you_mean]}))
            return
        more = "+" if result.capped else ""
        self.stdout.write(f"{result.total}{more} 条结果（{result.query.mode}）")
        if result.notice == "mixed_fallback":
            # The same sentence as the search page's (one msgid).
            self.stdout.write(gettext("标准号 %(number)s 的各版本中没有同时包含其余关键词的，"
                                      "下面列出该标准号的全部结果。")
                              % {"number": result.query.number_text})
        for row in rows:
            self.stdout.write(f"{row['code']}\t{row['title_zh']}\t{row['status']}\t{row['level']}")
        if result.did_you_mean:
            self.stdout.write("您要找的是不是：" + "、".join(s.code for s in result.did_you_mean))


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
