"""Public participation with a 5,000-comment consultation (issue #7), in process.

    python bench/bench_consultations.py [--backend sqlite|postgres] [--comments 5000]
                                        [--runs 5] [--requests 200]

Builds a fresh database each run (SQLite /tmp/biaozhun-bench-consultations.sqlite3, or the
PostgreSQL database biaozhun_bench_consultations): the personas of the test suite, a project
in public comment whose draft consultation gets N bulk-created comments — realistic lengths
(comment 40–900 characters, median ≈ 230; proposed change and reason on about two thirds),
every commenter type, 20 % named publicly; answers 45 % accepted, 20 % partly, 20 % not
accepted (each with a reason), the rest unanswered; 5 % grouped as duplicates, 2 % hidden,
1 % unverified — then closes it as the system does.

Measures: `tables.disposition_table_xlsx` and `..._docx` (median of --runs; target ≤ 5 s
each); the public consultation page after closing `/participation/consultations/<id>/`
(page 1 of its pagination), the disposition table page and `GET /api/v1/consultations/<id>/
comments` (p50 / p95 over --requests anonymous requests after 20 warm-up requests; target
for the public page: p95 ≤ 100 ms), with the SQL queries and bytes of one request each.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from _django import machine, postgres_url, setup

SQLITE_PATH = Path("/tmp/biaozhun-bench-consultations.sqlite3")
PG_NAME = "biaozhun_bench_consultations"

# Sentences in the register of real comments on a local food-service standard.
OPENINGS = ["建议", "本条", "第{c}条", "表{t}中", "图{t}", "术语“{w}”", "附录{a}", "该指标"]
BODIES = [
    "规定的辣椒用量偏高，与湖南各地实际做法不一致，建议改为范围值",
    "未给出检验方法，无法判定是否符合要求，建议引用 GB 5009 系列标准",
    "“适量”“少许”等表述不够明确，不便于操作和监督检查",
    "与 GB 2760—2024 食品添加剂使用标准的规定不一致，应以国家标准为准",
    "温度和时间参数过于严格，小型餐饮单位难以达到，建议分级要求",
    "建议补充原料验收、贮存和留样要求，并明确记录保存期限",
    "文字表述存在歧义，建议按 GB/T 1.1—2020 的要求改写为“应……”句式",
    "引用的 SB/T 10946—2012 已被代替，请核实现行有效版本",
    "建议增加对油温的控制要求，避免反复使用的煎炸油影响食品安全",
    "计量单位应统一使用法定计量单位，“两”“斤”应改为克",
    "该条与第 5 章内容重复，建议删除或合并",
    "建议明确适用范围是否包括中央厨房和集体用餐配送单位",
]
TAILS = ["。", "，以便于执行。", "，请起草组研究。", "，供参考。", "。谢谢！"]
CHANGES = ["改为“辣椒 30 g～50 g”", "增加 5.2.4 条：原料验收应有记录", "删除本条",
           "将“适量”改为具体数值范围", "引用 GB 31654—2021 的相关要求",
           "补充检验方法：按 GB 5009.3 测定水分"]
REASONS_ANSWER = ["已按意见修改。", "部分采纳：范围值调整为 30 g～60 g，不再列出上限以外的情形。",
                  "不采纳：该要求为地方特色工艺的关键参数，经验证可行。",
                  "不采纳：属于国家标准规定的内容，本标准直接引用。",
                  "部分采纳：补充了记录要求，保存期限按相关法规执行。"]
ORGANISATIONS = ["长沙市某某餐饮管理有限公司", "湖南省湘菜产业促进会", "湖南农业大学食品科学技术学院",
                 "长沙市食品检验所", "株洲市某某食品有限公司", "湘潭市市场监督管理局",
                 "长沙市烹饪协会", "湖南某某连锁餐饮有限公司", ""]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"


def text_of(rng: random.Random, low: int, high: int) -> str:
    target = int(min(high, max(low, rng.lognormvariate(5.4, 0.6))))
    parts = []
    while sum(map(len, parts)) < target:
        opening = rng.choice(OPENINGS).format(c=f"{rng.randint(3, 9)}.{rng.randint(1, 6)}",
                                              t=rng.randint(1, 5), w="小炒",
                                              a=rng.choice("ABC"))
        parts.append(opening + rng.choice(BODIES) + rng.choice(TAILS))
    return "".join(parts)[:high]


def build(comments: int) -> int:
    """The personas, a project in public comment and its consultation with `comments`
    comments, closed; returns the consultation's id."""
    from django.db import connection
    from django.utils import timezone

    from biaozhun.consultations.models import Comment, Consultation
    from biaozhun.projects.stages import Stage
    from biaozhun.projects.tests.factories import _advance, make_cast, make_project

    cast = make_cast()
    project = make_project(cast, stage=Stage.PUBLIC_COMMENT)
    consultation = Consultation.objects.get(project=project)
    rng = random.Random(7)
    now = timezone.now()
    types = ["individual"] * 40 + ["enterprise"] * 30 + ["association"] * 10 + \
        ["institution"] * 10 + ["government"] * 6 + ["expert"] * 4
    rows = []
    for number in range(1, comments + 1):
        roll = rng.random()
        decision = ("accepted" if roll < 0.45 else "partly" if roll < 0.65
                    else "not_accepted" if roll < 0.85 else "")
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
        rows.append(Comment(
            consultation=consultation, number=number, name=name,
            organization=rng.choice(ORGANISATIONS), email=f"user{number}@example.com",
            commenter_type=rng.choice(types), show_name=rng.random() < 0.2,
            clause=f"{rng.randint(3, 9)}.{rng.randint(1, 6)}" if rng.random() < 0.85 else "",
            paragraph=f"表 {rng.randint(1, 5)}" if rng.random() < 0.15 else "",
            type=rng.choice(["general", "technical", "technical", "editorial"]),
            text=text_of(rng, 40, 900),
            proposed_change=rng.choice(CHANGES) + text_of(rng, 0, 200)[:rng.randint(0, 120)]
            if rng.random() < 0.65 else "",
            reason=text_of(rng, 20, 300) if rng.random() < 0.6 else "",
            submitted_at=now - timedelta(minutes=comments - number),
            verified_at=None if rng.random() < 0.01 else now,
            client_ip=f"198.51.100.{number % 250}", receipt=f"bench-{number}",
            decision=decision,
            decision_reason=rng.choice(REASONS_ANSWER) if decision else "",
            answered_at=now if decision else None, answered_by=cast.drafter if decision else None,
            hidden_at=now if rng.random() < 0.02 else None))
    for row in rows:
        if row.hidden_at is not None:
            row.hidden_reason = "广告信息"
    Comment.objects.bulk_create(rows, batch_size=1000)
    # 5 % duplicates, each grouped under an earlier answered, visible comment that is not
    # itself a duplicate (no groups of groups, as the service enforces).
    candidates = list(Comment.objects.filter(
        consultation=consultation, number__gt=100, hidden_at__isnull=True,
        verified_at__isnull=False).order_by("number"))
    duplicates = rng.sample(candidates, comments // 20)
    taken = {c.pk for c in duplicates}
    leaders = [(pk, number) for pk, number in Comment.objects.filter(
        consultation=consultation, decision__gt="", hidden_at__isnull=True,
        verified_at__isnull=False).values_list("pk", "number") if pk not in taken]
    for comment in duplicates:
        comment.duplicate_of_id = rng.choice([pk for pk, n in leaders if n < comment.number])
        comment.decision = comment.decision_reason = ""
        comment.answered_at = comment.answered_by = None
    Comment.objects.bulk_update(duplicates, ["duplicate_of", "decision", "decision_reason",
                                             "answered_at", "answered_by"], batch_size=500)
    Consultation.objects.filter(pk=consultation.pk).update(
        comment_count=Comment.objects.filter(consultation=consultation, hidden_at__isnull=True,
                                             verified_at__isnull=False).count())
    _advance(cast, project, Stage.COMMENT_RESOLUTION)  # the period ran out: closed
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE consultations_comment")
    return consultation.pk


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--comments", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    if args.backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{SQLITE_PATH}"
    else:
        url = postgres_url(PG_NAME)
        if url is None:
            return 0
    os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="biaozhun-bench-media-"))
    setup(url)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    if args.backend == "postgres":  # fresh tables each run
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    from biaozhun.consultations import tables
    from biaozhun.consultations.models import Comment, Consultation

    pk = build(args.comments)
    built = time.perf_counter() - started
    consultation = Consultation.objects.select_related("project").get(pk=pk)
    comments = Comment.objects.filter(consultation=consultation)
    visible = comments.filter(hidden_at__isnull=True, verified_at__isnull=False).count()
    print(f"# bench_consultations · {connection.vendor} · {comments.count():,} comments "
          f"({visible:,} visible, {comments.filter(hidden_at__isnull=False).count()} hidden, "
          f"{comments.filter(verified_at__isnull=True).count()} unverified, "
          f"{comments.filter(duplicate_of__isnull=False).count()} grouped) · built in "
          f"{built:.0f} s")
    print(machine())
    average = sum(len(t) for t in comments.values_list("text", flat=True)) / comments.count()
    print(f"average comment {average:.0f} characters")

    for name, render in (("xlsx", tables.disposition_table_xlsx),
                         ("docx", tables.disposition_table_docx)):
        times, size = [], 0
        for _ in range(args.runs):
            fresh = Consultation.objects.select_related("project").get(pk=pk)
            began = time.perf_counter()
            size = len(render(fresh))
            times.append(time.perf_counter() - began)
        print(f"disposition table {name}: median {statistics.median(times):5.2f} s   "
              f"min {min(times):5.2f}   max {max(times):5.2f} s   ({size / 1e6:.1f} MB, "
              f"{args.runs} runs; target ≤ 5 s)")

    client = Client()
    pages = [
        ("public page", f"/participation/consultations/{pk}/", 100),
        ("public page, last", f"/participation/consultations/{pk}/?page=50", None),
        ("table page", f"/participation/consultations/{pk}/table/", None),
        ("API comments", f"/api/v1/consultations/{pk}/comments", None),
        ("API table", f"/api/v1/consultations/{pk}/disposition-table", None),
    ]
    for label, path, target in pages:
        for _ in range(20):  # warm the template cache and the database
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")
        times = []
        for _ in range(args.requests):
            began = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - began) * 1000)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        wanted = f"; target p95 ≤ {target} ms" if target else ""
        print(f"{label:18s} p50 {statistics.median(times):7.1f} ms   p95 "
              f"{percentile(times, 0.95):7.1f} ms   max {max(times):7.1f} ms   "
              f"{len(queries)} queries, {len(response.content) / 1024:.0f} KB{wanted}   {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
