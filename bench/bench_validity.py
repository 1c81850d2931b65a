"""Validity checking (issue #5): resolution throughput and a 100-page PDF end to end.

    python bench/bench_validity.py [--count 1000000] [--refs 20000] [--runs 5]

Uses its own copy of the 1M-row benchmark catalogue (`/tmp/biaozhun-validity-bench-N.sqlite3`,
copied from `/tmp/biaozhun-bench-N.sqlite3`, which bench_pages.py builds; never modified).
Targets: resolution ≥ 10,000 references/s; a 100-page PDF citing 500 references checked end to
end (upload through the API → report) in ≤ 5 s.
"""

import argparse
import io
import random
import shutil
import statistics
import sys
import time
from datetime import date
from pathlib import Path

from _django import machine, setup


def reference_mix(rng: random.Random, count: int) -> list[str]:
    """A realistic mix: dated current, superseded chains, undated, unknown, invalid, repeats."""
    from biaozhun.catalog.models import Standard, StandardRelation

    top = Standard.objects.order_by("-pk").values_list("pk", flat=True).first()
    pks = rng.sample(range(1, top + 1), min(count, top))
    rows = dict(Standard.objects.filter(pk__in=pks).values_list("pk", "code"))
    existing = list(rows.values())
    superseded = list(StandardRelation.objects.filter(
        target_id__in=pks).values_list("target_code", flat=True))
    refs = []
    for index in range(count):
        roll = rng.random()
        if roll < 0.35:
            refs.append(existing[index % len(existing)])
        elif roll < 0.60:
            refs.append(superseded[index % len(superseded)])
        elif roll < 0.75:
            refs.append(existing[index % len(existing)].rsplit("-", 1)[0])  # undated
        elif roll < 0.85:
            refs.append(f"GB/T {9_000_000 + index}-2020")  # unknown
        elif roll < 0.90:
            refs.append(f"XYZ {index}-2020")  # invalid
        else:
            refs.append(refs[rng.randrange(len(refs))] if refs else existing[0])  # repeat
    return refs


def pdf_with_references(refs: list[str], pages: int = 100) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    per_page = len(refs) // pages
    filler = "本设计文件的材料、试验方法和验收规则应符合下列标准的规定，并按照合同约定执行。"
    for page in range(pages):
        pdf.setFont("STSong-Light", 10)
        y = 800
        chunk = refs[page * per_page:(page + 1) * per_page]
        for n, ref in enumerate(chunk):
            for _ in range(5):
                pdf.drawString(40, y, filler)
                y -= 13
            if n % 2 and "-" in ref:  # every other reference breaks across two lines
                head, year = ref.rsplit("-", 1)
                pdf.drawString(40, y, f"{filler[:20]}{head}-")
                pdf.drawString(40, y - 13, f"{year} 的要求。")
                y -= 26
            else:
                pdf.drawString(40, y, f"{filler[:20]}《{ref}》的要求。")
                y -= 13
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--refs", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    source = Path(f"/tmp/biaozhun-bench-{args.count}.sqlite3")
    target = Path(f"/tmp/biaozhun-validity-bench-{args.count}.sqlite3")
    if not target.exists():
        if not source.exists():
            print(f"{source} missing: run bench/bench_pages.py --count {args.count} first",
                  file=sys.stderr)
            return 0
        shutil.copyfile(source, target)
    setup(f"sqlite:///{target}")
    from django.core.management import call_command
    from django.test import Client, override_settings

    from biaozhun.validity.documents import find_references, read_text
    from biaozhun.validity.services import build_report

    call_command("migrate", "validity", verbosity=0)
    rng = random.Random(5)
    refs = reference_mix(rng, args.refs)
    text = "\n".join(refs)
    as_of = date(2024, 6, 1)

    def timed(fn) -> float:
        started = time.perf_counter()
        fn()
        return time.perf_counter() - started

    build_report(find_references(read_text(text[:2000])), as_of)  # warm caches
    occurrences = find_references(read_text(text))
    resolve = [timed(lambda: build_report(occurrences, as_of)) for _ in range(args.runs)]
    whole = [timed(lambda: build_report(find_references(read_text(text)), as_of))
             for _ in range(args.runs)]
    report = build_report(occurrences, as_of)

    pdf_refs = rng.sample(refs, 500)
    pdf = pdf_with_references(pdf_refs)
    client = Client()

    def post_pdf():
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = client.post("/api/v1/validity-checks", {
            "file": SimpleUploadedFile("design.pdf", pdf), "as_of": "2024-06-01"})
        assert response.status_code == 200, response.content[:300]
        return response.json()

    with override_settings(VALIDITY_SYNC_MAX_BYTES=50 * 1024 * 1024):
        found = post_pdf()
        end_to_end = [timed(post_pdf) for _ in range(args.runs)]

    from biaozhun.validity import reports

    render_xlsx = [timed(lambda: reports.to_xlsx(found)) for _ in range(3)]
    render_pdf = [timed(lambda: reports.to_pdf(found)) for _ in range(3)]
    occurrences_in_pdf = sum(r["count"] for r in found["references"])

    print(f"## Validity checking — {date.today()}")
    print(f"machine: {machine()}")
    print(f"catalogue: {args.count:,} editions (SQLite {target.name})")
    print(f"references: {len(refs):,} ({len(report['references']):,} distinct); "
          f"summary {report['summary']}")
    med = statistics.median(resolve)
    print(f"resolution only (snapshot queries + rules), median of {args.runs}: "
          f"{med * 1000:.0f} ms = {len(refs) / med:,.0f} references/s")
    med = statistics.median(whole)
    print(f"extraction + resolution of the pasted list, median of {args.runs}: "
          f"{med * 1000:.0f} ms = {len(refs) / med:,.0f} references/s")
    print(f"100-page PDF ({len(pdf) / 1024:.0f} KB, {occurrences_in_pdf} references found, "
          f"{len(found['references'])} distinct), API upload → report, median of {args.runs}: "
          f"{statistics.median(end_to_end) * 1000:.0f} ms")
    print(f"its report as XLSX: {statistics.median(render_xlsx) * 1000:.0f} ms; "
          f"as PDF: {statistics.median(render_pdf) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
