"""Novelty check (查新) latency with N synthetic standards (issue #6).

    python bench/bench_novelty.py --count 1000000 [--backend sqlite|postgres] [--runs 5]

Reuses the catalogue bench_search.py generates (SQLite /tmp/biaozhun-search-<count>.sqlite3,
PostgreSQL database biaozhun_search_<count>), generating it first when missing. Times
`search.similar.similar_standards` for 50 proposal titles in the style of local standards
(food, services, agriculture, engineering; 20 with a scope), in process, after one warm-up
pass; each run is a pass over the mix, the figures are the medians over the runs of each
run's median and p95. Target: p95 ≤ 300 ms at 1,000,000 on both databases.

`--recall` also scores every distinct title of the catalogue for the title-only form of each
proposal and reports how many of the exhaustive top-10 scores the bounded candidate set
reaches (slow: minutes).
"""

import argparse
import statistics
import sys
import time

from _django import machine, postgres_url, setup
from bench_search import percentile, prepare

S = "本文件规定了"
PROPOSALS: list[tuple[str, str]] = [
    # food and local products
    ("地理标志产品 浏阳花炮", S + "浏阳花炮的地理标志产品保护范围、术语和定义、要求、试验方法、检验规则及标志、包装、运输和贮存。"),
    ("湘菜 辣椒炒肉烹饪技术规范", ""),
    ("米粉生产加工技术规范", S + "米粉生产加工的原料要求、加工工艺、质量控制和卫生要求。"),
    ("小龙虾 稻田综合种养技术规程", ""),
    ("茶叶 黑茶加工技术规程", ""),
    ("酱油酿造 卫生要求", ""),
    ("学校食堂 食品安全管理规范", S + "学校食堂食品安全管理的基本要求、人员管理、原料采购和贮存、加工制作、餐具清洗消毒。"),
    ("白酒 酱香型 生产技术规范", ""),
    ("食用植物油 菜籽油压榨工艺规程", ""),
    ("蜂蜜 质量分级", S + "蜂蜜的质量分级指标、检验方法和标志。"),
    ("婴幼儿配方乳粉 生产卫生规范", ""),
    ("肉制品 腊肉加工技术规程", ""),
    # services
    ("智慧停车场建设规范", S + "智慧停车场的总体要求、系统架构、设施建设、运行管理和数据接口。本文件适用于城市公共停车场的新建和改建。"),
    ("养老机构服务质量评价规范", S + "养老机构服务质量评价的原则、指标、方法和结果应用。"),
    ("社区居家养老服务规范", ""),
    ("家政服务 母婴护理服务规范", ""),
    ("民宿服务质量等级划分与评定", S + "民宿服务质量等级划分的条件、评定程序和管理要求。"),
    ("旅游景区 智慧旅游服务规范", ""),
    ("殡葬服务 公共墓地管理规范", ""),
    ("政务服务 一网通办 工作规范", S + "政务服务一网通办的事项管理、办理流程、数据共享和监督评价。"),
    ("物业服务 住宅小区物业管理服务规范", ""),
    ("快递服务 末端网点设置规范", ""),
    ("托育机构 婴幼儿照护服务规范", S + "托育机构婴幼儿照护服务的基本要求、人员配备、设施设备、安全管理和卫生保健。"),
    ("餐饮服务 明厨亮灶建设规范", ""),
    # agriculture, forestry, water
    ("水稻 机插秧技术规程", ""),
    ("油茶 高产栽培技术规程", S + "油茶高产栽培的园地选择、品种选择、栽植、土肥水管理、整形修剪和病虫害防治。"),
    ("生猪屠宰 检疫操作规程", ""),
    ("畜禽养殖 粪污资源化利用技术规范", ""),
    ("温室大棚 蔬菜水肥一体化技术规程", S + "温室大棚蔬菜水肥一体化的系统组成、水肥管理和运行维护。"),
    ("种子 玉米品种纯度田间检验规程", ""),
    ("水产养殖 尾水处理技术规范", ""),
    ("森林防火 瞭望塔建设规范", S + "森林防火瞭望塔的选址、建设、设备配置和验收。"),
    ("农村生活污水 处理设施运行维护规程", ""),
    # engineering, energy, environment
    ("电动汽车充电桩运行维护规程", S + "电动汽车充电桩运行维护的基本要求、巡检、维护保养、故障处理和记录。"),
    ("装配式建筑 预制混凝土构件生产质量验收规范", ""),
    ("城市道路照明 节能设计规范", ""),
    ("建筑外墙保温系统 施工质量验收规范", S + "建筑外墙保温系统施工的材料进场检验、施工过程质量控制和工程验收。"),
    ("既有建筑改造 加装电梯技术规程", ""),
    ("城市轨道交通 站台门运行维护规范", ""),
    ("光伏组件 安装与验收规范", S + "光伏组件的安装要求、安装方法和验收。"),
    ("储能电站 消防安全技术规范", ""),
    ("数据中心 能效评价方法", ""),
    ("公共场所卫生 空调通风系统检测规范", S + "公共场所集中空调通风系统卫生检测的项目、方法和评价。"),
    ("隧道通风 运行管理规范", ""),
    ("沥青路面 冷再生施工技术规范", ""),
    ("燃气热水器 安装维修规范", S + "燃气热水器的安装条件、安装要求、维修和安全检查。"),
    ("生活饮用水 二次供水设施卫生管理规范", ""),
    ("智能网联汽车 道路测试安全管理规范", S + "智能网联汽车道路测试的申请、测试车辆、测试驾驶员、安全管理和事故处理。"),
    ("电梯 维护保养质量评价规范", ""),
    ("土壤环境 重金属污染修复技术规范", S + "重金属污染土壤修复的调查评估、技术选择、工程实施和效果评估。"),
]


def run(args) -> int:
    from django.db import connection

    from biaozhun.catalog.models import Standard
    from biaozhun.search.similar import similar_standards

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE catalog_standard")
    total = Standard.objects.count()
    for title, scope in PROPOSALS:  # warm caches and the OS page cache once
        similar_standards(title, scope)
    medians, p95s, worst = [], [], {}
    found = []
    for _ in range(args.runs):
        times = []
        for title, scope in PROPOSALS:
            started = time.perf_counter()
            results = similar_standards(title, scope)
            took = (time.perf_counter() - started) * 1000
            times.append(took)
            worst[title] = max(worst.get(title, 0.0), took)
            found.append(len(results))
        medians.append(statistics.median(times))
        p95s.append(percentile(times, 0.95))
    print(f"# bench_novelty · {connection.vendor} · {total:,} standards · {len(PROPOSALS)} "
          f"proposals × {args.runs} runs (similar_standards, limit 10, in process)")
    print(machine())
    print(f"median {statistics.median(medians):7.1f} ms   p95 {statistics.median(p95s):7.1f} ms"
          f"   (per run: median {min(medians):.1f}–{max(medians):.1f}, p95 "
          f"{min(p95s):.1f}–{max(p95s):.1f}); results per call: median "
          f"{statistics.median(found):.0f}, min {min(found)}")
    for title, took in sorted(worst.items(), key=lambda item: -item[1])[:5]:
        print(f"  slowest: {title:30s} {took:7.1f} ms")
    if args.show:
        for title, scope in PROPOSALS:
            print(f"{title}{' (+ scope)' if scope else ''}")
            for item in similar_standards(title, scope, limit=args.show):
                print(f"    {item.score:.3f} {item.code:18s} {item.status:10s} {item.level:10s} "
                      f"{item.title_zh}  [{' '.join(item.shared)}]")
    if args.recall:
        return recall()
    return 0


def recall() -> int:
    """Exhaustive check of the candidate strategy on title-only proposals: the 10 best
    scores over every edition against the 10 best over the bounded candidate set."""
    from django.db import connection

    from biaozhun.search.backends import ID_MASK
    from biaozhun.search.similar import candidate_keys, features, score

    with connection.cursor() as cursor:
        cursor.execute("SELECT title_zh, COUNT(*) FROM catalog_standard GROUP BY title_zh")
        titles = [(features(t), n) for t, n in cursor.fetchall()]
    reached, wanted = 0, 0
    for title, _scope in PROPOSALS:
        mine = features(title)
        scored = sorted(((score(mine, None, f, f), n) for f, n in titles), reverse=True)
        best: list[float] = []
        for value, n in scored:
            if value < 0.2 or len(best) >= 10:
                break
            best += [value] * min(n, 10 - len(best))
        ids = [k & ID_MASK for k in candidate_keys(title)]
        with connection.cursor() as cursor:
            cursor.execute("SELECT title_zh FROM catalog_standard WHERE id IN ("
                           + ", ".join(["%s"] * len(ids)) + ")", ids) if ids else None
            got = sorted((score(mine, None, features(t), features(t))
                          for (t,) in (cursor.fetchall() if ids else [])), reverse=True)[:10]
        hits = sum(1 for a, b in zip(best, got, strict=False) if b >= a)
        reached += hits
        wanted += len(best)
        if hits < len(best):
            print(f"  {title}: exhaustive {best} · candidates {got}")
    print(f"recall of the exhaustive top-10 scores (title only): {reached}/{wanted}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--runs", type=int, default=5, help="passes over the proposals")
    parser.add_argument("--show", type=int, default=0, help="print the top N of each proposal")
    parser.add_argument("--recall", action="store_true")
    args = parser.parse_args()
    if args.backend == "sqlite":
        url = f"sqlite:////tmp/biaozhun-search-{args.count}.sqlite3"
    else:
        url = postgres_url(f"biaozhun_search_{args.count}")
        if url is None:
            return 0
    setup(url)
    prepare(args.count)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
