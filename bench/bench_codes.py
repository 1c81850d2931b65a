"""Benchmark of biaozhun.codes: normalize on distinct messy references, extract on text.

Run: python bench/bench_codes.py [--quick]. Prints the median of 5 runs and the machine.
Targets: normalize >= 100,000 refs/s on one core, extract >= 5 MB/s.
"""

from __future__ import annotations

import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from biaozhun import codes

INDUSTRY = ["JB", "YY", "DL", "HG", "QB", "SN", "NY", "TY", "JT", "YD", "SJ", "WS", "HJ", "CJ"]
PROVINCES = ["11", "31", "32", "33", "37", "43", "44", "51"]
CITIES = ["4301", "3303", "3307", "4403", "3201", "5101"]
DASHES = ["-", "—", "－", "–", "-", "—"]


def _year(rng: random.Random) -> str:
    return str(rng.randint(1990, 2025))


def make_refs(n: int, seed: int = 7) -> list[str]:
    """n distinct references over all families, about a third of them messy."""
    rng = random.Random(seed)
    out: set[str] = set()
    while len(out) < n:
        k = rng.randrange(14)
        num = str(rng.randint(1, 60000))
        y = _year(rng)
        d = rng.choice(DASHES)
        if k == 0:
            ref = f"GB/T {num}.{rng.randint(1, 9)}{d}{y}"
        elif k == 1:
            ref = f"GB {num}{d}{y}"
        elif k == 2:
            ref = f"{rng.choice(INDUSTRY)}/T {num}{d}{y}"
        elif k == 3:
            ref = f"DB{rng.choice(PROVINCES)}/T {num}{d}{y}"
        elif k == 4:
            ref = f"DB{rng.choice(CITIES)}/T {num}{d}{y}"
        elif k == 5:
            ref = f"T/{''.join(rng.choices('ABCDEFGHJKLMNPQRSTUVWXYZ', k=4))} {num}{d}{y}"
        elif k == 6:
            ref = f"ISO {num}:{y}"
        elif k == 7:
            ref = f"IEC {num}-{rng.randint(1, 9)}:{y}/AMD{rng.randint(1, 3)}:{y}"
        elif k == 8:
            ref = f"ISO/IEC {num}:{y}/Amd 1:{y}"
        elif k == 9:  # full-width
            ref = f"GB/T {num}-{y}".translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
        elif k == 10:
            ref = f"GBT{num}{d}{y}"
        elif k == 11:
            ref = f"DB 37/T {num}{d}{y}"
        elif k == 12:
            ref = f"JJF {num}.{rng.randint(1, 5)}{d}{y}"
        else:
            ref = f"BS EN {num}:{y}+A1:{y}"
        out.add(ref)
    ordered = sorted(out)  # a set's order depends on hash randomisation
    rng.shuffle(ordered)
    return ordered


FILLER = (
    "为贯彻落实标准化工作要求，本规范规定了产品的技术要求、试验方法和检验规则。"
    "检测机构应当按照规定进行检验，2020-01-01起实施，联系电话 010-12345678，"
    "第5.2.1条规定单价为12.50元。"
)


def make_text(size_bytes: int, refs: list[str], seed: int = 11) -> str:
    rng = random.Random(seed)
    parts: list[str] = []
    total = 0
    while total < size_bytes:
        chunk = FILLER[rng.randrange(20) :] + "依据" + rng.choice(refs) + "的规定，"
        parts.append(chunk)
        total += len(chunk.encode("utf-8"))
    return "\n".join(parts)


def median_rate(fn, amount: float, runs: int = 5) -> float:
    rates = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        rates.append(amount / (time.perf_counter() - t0))
    return statistics.median(rates)


def main() -> None:
    quick = "--quick" in sys.argv
    n = 20_000 if quick else 100_000
    refs = make_refs(n)
    assert len(set(refs)) == n
    normalize = codes.normalize

    def run_normalize() -> None:
        for r in refs:
            normalize(r)

    from biaozhun.codes._parse import parse_slow

    def run_normalize_slow() -> None:
        for r in refs:
            _ = parse_slow(r).code

    text = make_text(1_000_000 if quick else 5_000_000, refs)
    mb = len(text.encode("utf-8")) / 1e6

    def run_extract() -> None:
        codes.extract(text)

    found = len(codes.extract(text))
    refs_s = median_rate(run_normalize, n)
    slow_s = median_rate(run_normalize_slow, n)
    mb_s = median_rate(run_extract, mb)
    print(
        f"machine: {platform.platform()}, {platform.machine()}, "
        f"Python {platform.python_version()} ({platform.python_implementation()})"
    )
    print(
        f"normalize: {n:,} distinct references, median of 5 runs: {refs_s:,.0f} refs/s "
        f"(target 100,000) {'OK' if refs_s >= 100_000 else 'BELOW TARGET'}"
    )
    print(f"  (full parser only, without the prefix-table fast path: {slow_s:,.0f} refs/s)")
    print(
        f"extract: {mb:.1f} MB of text, {found:,} references, median of 5 runs: "
        f"{mb_s:.1f} MB/s (target 5) {'OK' if mb_s >= 5 else 'BELOW TARGET'}"
    )


if __name__ == "__main__":
    main()
