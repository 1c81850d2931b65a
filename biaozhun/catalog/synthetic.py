"""Realistic synthetic catalogue records for scale tests; every row has is_synthetic=True.

Numbers are drawn from ranges real catalogues do not use (sequence numbers from 80000 up), so
synthetic rows never collide with imported real ones. Titles combine a qualifier, a subject and
an aspect drawn with Zipf-like weights from a few hundred words each, so that searches meet
both very frequent and rare terms, as in a real catalogue. Rows are written with the loader's
raw bulk INSERT (explicit ids), statuses derived from the edition chain as they are written.
"""

import random
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from biaozhun import codes
from biaozhun.accounts.models import Organization
from biaozhun.catalog.models import RelationKind, Standard, StandardRelation, TechnicalCommittee
from biaozhun.catalog.services import analyze_catalog, forget_catalog_figures
from biaozhun.catalog.status import Successor, derive_status
from biaozhun.core.text import search_text


def _words(text: str) -> list[str]:
    return text.split()


SUBJECTS = _words("""
电动汽车用锂离子动力电池 生活饮用水 食品中铅 城市道路照明 建筑外墙保温系统 工业机器人
智能电能表 医用防护口罩 婴幼儿配方乳粉 风力发电机组 数据中心 个人信息 公共场所卫生
预拌混凝土 热轧带肋钢筋 家用和类似用途电器 中药材 茶叶 电梯 压力管道 消防应急照明
养老机构服务 智慧旅游 城市轨道交通 农村生活污水 土壤环境 冷链物流 快递包装
新能源汽车充电桩 光伏组件 燃气热水器 儿童玩具 学校食堂 政务服务 物业服务 共享单车
移动通信基站 工业互联网标识 地理信息公共服务平台 湘绣 米粉 小龙虾 水泥 平板玻璃 陶瓷砖
建筑用钢结构 桥梁伸缩装置 沥青路面 隧道通风 港口装卸机械 船舶压载水 民用无人机 航空器燃油
铁路货车 动车组座椅 汽车安全气囊 摩托车头盔 电动自行车 轮胎 发动机润滑油 车用汽油
液化石油气 天然气管道 输电线路 变压器 高压开关设备 电力电缆 储能电站 氢燃料电池
核电厂安全壳 太阳能热水器 地源热泵 空气净化器 家用冰箱 洗衣机 电饭锅 微波炉 吸油烟机
照明灯具 发光二极管 集成电路 印制电路板 锂电池隔膜 显示面板 智能手机 可穿戴设备 智能门锁
视频监控系统 云计算服务 大数据平台 区块链应用 人工智能算法 网络安全等级保护 电子政务
电子签名 数字证书 物联网终端 智能网联汽车 卫星导航接收机 气象观测仪器 地震监测台站
水文监测 河湖生态 海洋牧场 湿地保护 森林防火 草原监测 自然保护地 大气污染物 挥发性有机物
危险废物 医疗废物 生活垃圾分类 再生资源 污水处理厂 工业废水 噪声监测 辐射环境
温室气体排放 碳足迹 绿色工厂 绿色建筑 装配式建筑 既有建筑改造 建筑幕墙 门窗 防水卷材
涂料 胶粘剂 人造板 木制家具 床垫 纺织面料 羽绒服装 婴幼儿服装 皮革 鞋类 化妆品 牙膏
洗涤剂 消毒剂 医用口罩 一次性注射器 医用手套 体外诊断试剂 医疗器械软件 中医诊疗 针灸
中药饮片 保健食品 酱油 食醋 白酒 葡萄酒 啤酒 乳制品 肉制品 水产品 蔬菜 水果 大米
小麦粉 食用植物油 蜂蜜 调味品 食品添加剂 农药残留 兽药残留 饲料 肥料 种子 农机具
温室大棚 畜禽养殖 生猪屠宰 动物防疫 水产养殖 渔具 茶园 烟草 棉花 橡胶 木材 竹制品
工艺美术品 文物保护 博物馆 图书馆 档案管理 出版物 广播电视 电影放映 体育场馆 健身器材
游泳场所 滑雪场 游乐设施 旅游景区 旅游饭店 民宿 餐饮服务 家政服务 社区服务 婚庆服务
殡葬服务 托育机构 幼儿园 中小学 职业教育 在线教育 医院 社区卫生服务中心 急救中心 血站
疾病预防控制 职业病防护 安全生产 危险化学品 烟花爆竹 矿山安全 尾矿库 特种设备 起重机械
锅炉 压力容器 气瓶 防爆电气 消防车 灭火器 火灾报警系统 应急避难场所 防汛抗旱 城市排水
供水管网 燃气表 热量表 水表 计量器具 检验检测机构 认证认可 质量管理体系 标准化良好行为
知识产权 企业信用 电子商务 跨境电商 供应链 仓储 集装箱 托盘 物流园区 城市配送 公共交通
出租汽车 道路运输 停车场 交通信号灯 道路标志 交通标线 公路工程 高速公路服务区 机场
航站楼 邮政服务 快递服务 金融服务 银行卡 保险服务
""")
QUALIFIERS = _words("""
城市 农村 工业 民用 家用 商用 医用 车用 船用 智能 数字化 绿色 低碳 节能 高效
便携式 固定式 移动式 一体化 模块化 预制 装配式 新型 通用 特种 公共 社区 区域 户外
室内 地下 海上 高原
""")
ASPECTS = _words("""
技术要求 安全要求 试验方法 检验规则 通用规范 设计规范 施工质量验收规范 服务规范 管理规范
术语 分类与代码 能效限定值及能效等级 测定方法 评价指南 运行维护规程 数据接口规范 卫生要求
质量分级 通用技术条件 安装规范 验收规范 监测技术规范 评价方法 建设指南 操作规程 标识
包装 运输和贮存 产品质量监督抽查实施规范 风险评估 应急预案编制指南 信息化建设规范
统计指标体系 计量校准规范 环境影响评价 能耗计算方法 使用说明 维修保养 报废要求 回收利用
追溯体系 认证规则 检测方法
""")
SCOPE_EXTRAS = _words("""
原材料 生产过程 出厂检验 型式检验 标志 标签 贮存期限 运行管理 人员培训 记录保存
信息公开 投诉处理 持续改进 监督检查 第三方评价 数据采集 接口协议 安全防护 应急处置
质量控制 抽样方法
""")
CITIES = _words("""
北京 上海 天津 重庆 长沙 株洲 湘潭 衡阳 岳阳 常德 郴州 广州 深圳 杭州 宁波 南京
苏州 无锡 武汉 成都 西安 郑州 济南 青岛 合肥 福州 厦门 南昌 昆明 贵阳 南宁 海口
沈阳 大连 长春 哈尔滨
""")
ORG_KINDS = ["标准化研究院", "质量技术监督检验研究院", "计量检测研究院", "产品质量检验所",
             "科技有限公司", "集团有限公司", "股份有限公司", "设计研究院", "大学", "行业协会"]
FIELDS = _words("""
电工 电子 机械 汽车 建筑材料 冶金 化工 轻工 纺织 食品 医疗器械 信息技术 通信
环境保护 交通运输 农业 林业 水利 能源 安全生产 消防 物流 旅游 服务业 公共安全 卫生
体育 文物
""")
# (level, prefix, share of rows, issuing body)
FAMILIES = [
    ("national", "GB/T", 0.08, "国家市场监督管理总局"),
    ("national", "GB", 0.02, "国家市场监督管理总局"),
    ("national", "GB/Z", 0.005, "国家标准化管理委员会"),
    ("industry", "JB/T", 0.03, "工业和信息化部"),
    ("industry", "YY/T", 0.02, "国家药品监督管理局"),
    ("industry", "HJ", 0.02, "生态环境部"),
    ("industry", "NY/T", 0.03, "农业农村部"),
    ("industry", "JT/T", 0.02, "交通运输部"),
    ("industry", "GA", 0.01, "公安部"),
    ("industry", "SL", 0.01, "水利部"),
    ("industry", "LY/T", 0.01, "国家林业和草原局"),
    ("local", "DB43/T", 0.03, "湖南省市场监督管理局"),
    ("local", "DB31/T", 0.03, "上海市市场监督管理局"),
    ("local", "DB4301/T", 0.02, "长沙市市场监督管理局"),
    ("local", "DB11/T", 0.02, "北京市市场监督管理局"),
    ("local", "DB44/T", 0.02, "广东省市场监督管理局"),
    ("local", "DB32/T", 0.02, "江苏省市场监督管理局"),
    ("local", "DB33", 0.005, "浙江省市场监督管理局"),
    ("group", "T/CAS", 0.04, "中国标准化协会"),
    ("group", "T/CECS", 0.02, "中国工程建设标准化协会"),
    ("group", "T/CSAE", 0.01, "中国汽车工程学会"),
    ("enterprise", "Q/HNZL", 0.25, "湖南中联重科股份有限公司"),
    ("enterprise", "Q/SHBG", 0.15, "上海宝钢股份有限公司"),
    ("enterprise", "Q/GDMD", 0.08, "广东美的集团股份有限公司"),
    ("international", "ISO", 0.02, "国际标准化组织"),
]


def _zipf(items: list[str]) -> list[float]:
    return [1 / (rank + 1) ** 0.9 for rank in range(len(items))]


def _code(prefix: str, number: int, year: int) -> str:
    if prefix == "ISO":
        return f"ISO {number}:{year}"
    return f"{prefix} {number}-{year}"


def _orgs() -> list[str]:
    names = {f"{c}{f}{k}" for c in CITIES for f in FIELDS[:8] for k in ORG_KINDS[:3]}
    names |= {f"{c}{f}{k}" for c in CITIES[:12] for f in FIELDS for k in ORG_KINDS[3:]}
    return sorted(names)


def _ensure(names: list[str], model) -> dict[str, int]:
    """name → pk, creating the missing rows."""
    existing = dict(model.objects.filter(name__in=names).values_list("name", "pk"))
    model.objects.bulk_create([model(name=n) for n in names if n not in existing],
                              batch_size=1000, ignore_conflicts=True)
    return dict(model.objects.filter(name__in=names).values_list("name", "pk"))


def generate(count: int, *, seed: int = 20261124, batch: int = 20000, progress=None) -> int:
    """Insert `count` synthetic editions (with edition chains); returns the number inserted."""
    from biaozhun.catalog.importing.loader import insert_rows

    rng = random.Random(seed + Standard.objects.count())
    weights = [f[2] for f in FAMILIES]
    start = Standard.objects.filter(is_synthetic=True).count()
    sequence = {f[1]: 80000 + start for f in FAMILIES}
    subject_weights, aspect_weights = _zipf(SUBJECTS), _zipf(ASPECTS)
    org_names = _orgs()
    bodies = sorted({f[3] for f in FAMILIES})
    orgs = _ensure(org_names + bodies, Organization)
    committees_names = [f"全国{f}标准化技术委员会" for f in FIELDS]
    committees = _ensure(committees_names, TechnicalCommittee)
    committee_codes = {name: f"SAC/TC {100 + i}" for i, name in enumerate(committees_names)}
    for name, pk in committees.items():
        TechnicalCommittee.objects.filter(pk=pk, code="").update(code=committee_codes[name])
    today = timezone.localdate()
    fields = ["id", "code", "code_norm", "undated_norm", "level", "nature", "prefix",
              "issuer_code", "number", "part", "year", "title_zh", "title_en", "scope",
              "issued_on", "effective_on", "abolished_on", "status", "pending_change_on",
              "committee", "is_synthetic", "is_sample", "public_text", "created_at",
              "updated_at", "search_text", "edition_note", "amendment", "drafters",
              "declared_status", "review_conclusion", "text_file"]
    adapt_date = connection.ops.adapt_datefield_value
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    next_id = (Standard.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    next_relation = (StandardRelation.objects.order_by("-pk").values_list("pk", flat=True)
                     .first() or 0) + 1
    made = 0
    while made < count:
        rows: list[list] = []
        relations: list[tuple] = []
        issuer_rows: list[tuple[int, int]] = []
        draft_rows: list[tuple[int, int]] = []
        while len(rows) < min(batch, count - made):
            level, prefix, _share, body = rng.choices(FAMILIES, weights)[0]
            sequence[prefix] += 1
            number = sequence[prefix]
            editions = min(rng.choice((1, 1, 1, 2, 2, 3)), count - made - len(rows))
            year = rng.randint(1995, 2016)
            subject = rng.choices(SUBJECTS, subject_weights)[0]
            if rng.random() < 0.3:
                subject = rng.choice(QUALIFIERS) + subject
            aspect = rng.choices(ASPECTS, aspect_weights)[0]
            title = f"{subject} {aspect}"
            if rng.random() < 0.15:
                title = f"{subject} 第{rng.randint(1, 12)}部分：{aspect}"
            extras = "、".join(rng.sample(SCOPE_EXTRAS, 3))
            field = rng.choice(FIELDS)
            committee = f"全国{field}标准化技术委员会" if level == "national" else None
            drafting = rng.sample(org_names, rng.choice((1, 1, 2)))
            scope = (f"本文件规定了{subject}的{aspect}，包括{extras}等内容。"
                     f"本文件适用于{rng.choice(CITIES)}等地区{subject}的设计、生产、检验和使用。")
            chain = []
            for index in range(editions):
                year += rng.randint(3, 8) if index else 0
                year = min(year, 2026)
                issued = date(year, 1, 1) + timedelta(days=rng.randint(0, 360))
                effective = issued + timedelta(days=rng.choice((90, 180, 182, 365)))
                chain.append((year, issued, effective))
            # One code per year: a chain that hits 2026 twice stops there.
            chain = list({y: (y, i, e) for y, i, e in chain}.values())
            abolished = (date(min(chain[-1][0] + rng.randint(5, 12), 2025), 6, 30)
                         if rng.random() < 0.05 else None)
            previous = None
            for index, (year_, issued, effective) in enumerate(chain):
                parsed = codes.parse(_code(prefix, number, year_))
                successor = chain[index + 1] if index + 1 < len(chain) else None
                derived = derive_status(
                    as_of=today, issued_on=issued, effective_on=effective,
                    abolished_on=abolished if successor is None else None,
                    successors=[Successor(successor[1], successor[2])] if successor else ())
                pk = next_id
                next_id += 1
                title_en = "" if level != "international" else f"Synthetic standard {number}"
                names = [body, *drafting] + ([committee, committee_codes[committee]]
                                             if committee else [])
                rows.append([
                    pk, parsed.code, parsed.code_norm, parsed.undated_norm, level,
                    parsed.nature or "", parsed.prefix, parsed.issuer_code or "", parsed.number,
                    parsed.part or "", parsed.year, title, title_en, scope, adapt_date(issued),
                    adapt_date(effective),
                    adapt_date(abolished) if abolished and successor is None else None,
                    derived.status, adapt_date(derived.pending_change_on)
                    if derived.pending_change_on else None,
                    committees[committee] if committee else None, True, False, False, stamp,
                    stamp, search_text(parsed.code, title, title_en, scope, *names),
                    "", "", "", "", "", "",
                ])
                issuer_rows.append((pk, orgs[body]))
                draft_rows.extend((pk, orgs[n]) for n in drafting)
                if previous is not None:
                    relations.append((next_relation, RelationKind.REPLACES, pk, parsed.code,
                                      parsed.code_norm, previous[0], previous[1], previous[2]))
                    next_relation += 1
                previous = (pk, parsed.code, parsed.code_norm)
        with transaction.atomic():
            insert_rows(Standard, fields, rows)
            insert_rows(StandardRelation, ["id", "kind", "source", "source_code",
                                           "source_code_norm", "target", "target_code",
                                           "target_code_norm"], relations)
            insert_rows(Standard.issuing_bodies.through, ["standard", "organization"],
                        issuer_rows)
            insert_rows(Standard.drafting_orgs.through, ["standard", "organization"],
                        draft_rows)
        made += len(rows)
        if progress:
            progress(made, count)
    _reset_sequences()
    forget_catalog_figures()
    analyze_catalog()
    return made


def _reset_sequences() -> None:
    """Explicit ids were written; PostgreSQL's sequences must move past them."""
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    sql = connection.ops.sequence_reset_sql(no_style(), [Standard, StandardRelation])
    with connection.cursor() as cursor:
        for statement in sql:
            cursor.execute(statement)
