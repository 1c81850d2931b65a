"""Realistic synthetic catalogue records for scale tests; every row has is_synthetic=True.

Numbers are drawn from ranges real catalogues do not use (sequence numbers from 80000 up), so
synthetic rows never collide with imported real ones.
"""

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from biaozhun import codes
from biaozhun.catalog.models import RelationKind, Standard, StandardRelation
from biaozhun.catalog.services import analyze_catalog, refresh_status

SUBJECTS = [
    "电动汽车用锂离子动力电池", "生活饮用水", "食品中铅", "城市道路照明", "建筑外墙保温系统",
    "工业机器人", "智能电能表", "医用防护口罩", "婴幼儿配方乳粉", "风力发电机组", "数据中心",
    "信息安全技术 个人信息", "公共场所卫生", "预拌混凝土", "钢筋混凝土用热轧带肋钢筋",
    "家用和类似用途电器", "中药材", "茶叶", "电梯", "压力管道", "消防应急照明", "养老机构服务",
    "智慧旅游", "城市轨道交通", "农村生活污水", "土壤环境", "冷链物流", "快递包装",
    "新能源汽车充电桩",
    "光伏组件", "燃气热水器", "儿童玩具", "学校食堂", "政务服务", "物业服务", "共享单车",
    "5G 移动通信基站", "工业互联网标识", "地理信息 公共服务平台", "湘绣", "米粉", "小龙虾",
]
ASPECTS = [
    "技术要求", "安全要求", "试验方法", "检验规则", "通用规范", "设计规范", "施工质量验收规范",
    "服务规范", "管理规范", "术语", "分类与代码", "能效限定值及能效等级", "测定方法",
    "评价指南", "运行维护规程", "数据接口规范", "卫生要求", "质量分级",
]
ISSUERS = {
    "national": ["国家市场监督管理总局", "国家标准化管理委员会"],
    "industry": ["工业和信息化部"],
    "local": ["湖南省市场监督管理局"],
    "group": ["中国标准化协会"],
    "enterprise": [],
    "international": [],
}
# (level, prefix template, share of rows)
FAMILIES = [
    ("national", "GB/T", 0.10), ("national", "GB", 0.02), ("industry", "JB/T", 0.05),
    ("industry", "YY/T", 0.03), ("industry", "HJ", 0.02), ("industry", "NY/T", 0.05),
    ("local", "DB43/T", 0.05), ("local", "DB31/T", 0.05), ("local", "DB4301/T", 0.03),
    ("group", "T/CAS", 0.05), ("group", "T/CECS", 0.03), ("enterprise", "Q/HNZL", 0.50),
    ("international", "ISO", 0.02),
]


def _code(prefix: str, number: int, year: int) -> str:
    if prefix == "ISO":
        return f"ISO {number}:{year}"
    return f"{prefix} {number}-{year}"


def generate(count: int, *, seed: int = 20261124, batch: int = 5000, progress=None) -> int:
    """Insert `count` synthetic editions (with edition chains); returns the number inserted."""
    rng = random.Random(seed)
    weights = [f[2] for f in FAMILIES]
    start = Standard.objects.filter(is_synthetic=True).count()
    sequence = {f[1]: 80000 + start for f in FAMILIES}
    made = 0
    now = timezone.now()
    while made < count:
        rows: list[Standard] = []
        relations: list[tuple[str, str]] = []
        while len(rows) < min(batch, count - made):
            level, prefix, _share = rng.choices(FAMILIES, weights)[0]
            sequence[prefix] += 1
            number = sequence[prefix]
            editions = min(rng.choice((1, 1, 1, 2, 2, 3)), count - made - len(rows))
            year = rng.randint(1995, 2016)
            subject, aspect = rng.choice(SUBJECTS), rng.choice(ASPECTS)
            previous = None
            for index in range(editions):
                year += rng.randint(3, 8) if index else 0
                year = min(year, 2026)
                code = _code(prefix, number, year)
                parsed = codes.parse(code)
                issued = date(year, 1, 1) + timedelta(days=rng.randint(0, 360))
                effective = issued + timedelta(days=rng.choice((90, 180, 182, 365)))
                title = f"{subject} {aspect}"
                rows.append(Standard(
                    code=parsed.code, code_norm=parsed.code_norm,
                    undated_norm=codes.code_norm(parsed.undated), level=level,
                    nature=parsed.nature or "", prefix=parsed.prefix,
                    issuer_code=parsed.issuer_code or "", number=parsed.number,
                    part=parsed.part or "", year=parsed.year, title_zh=title,
                    title_en="" if level != "international" else f"Synthetic standard {number}",
                    scope=(f"本文件规定了{subject}的{aspect}，包括术语和定义、要求、试验方法和"
                           f"检验规则。本文件适用于{subject}的设计、生产、检验和使用。"),
                    issued_on=issued, effective_on=effective, is_synthetic=True,
                    created_at=now, updated_at=now,
                ))
                if previous is not None:
                    relations.append((parsed.code, previous))
                previous = parsed.code
        with transaction.atomic():
            Standard.objects.bulk_create(rows, batch_size=1000)
            ids = dict(Standard.objects.filter(
                code__in=[c for pair in relations for c in pair]).values_list("code", "pk"))
            StandardRelation.objects.bulk_create([
                StandardRelation(
                    kind=RelationKind.REPLACES, source_id=ids[new], source_code=new,
                    source_code_norm=codes.code_norm(new), target_id=ids[old], target_code=old,
                    target_code_norm=codes.code_norm(old))
                for new, old in relations], batch_size=1000)
        made += len(rows)
        if progress:
            progress(made, count)
    refresh_status()
    analyze_catalog()
    return made
