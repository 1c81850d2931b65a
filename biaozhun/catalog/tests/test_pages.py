"""Public pages of the catalogue: list, filters, detail, text, browsing, error pages."""

import csv
import io
import json
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from biaozhun.accounts.models import Organization
from biaozhun.catalog import selectors
from biaozhun.catalog.models import (
    Adoption,
    ImportRun,
    RelationKind,
    StandardRelation,
    Status,
    TechnicalCommittee,
)
from biaozhun.catalog.tests.factories import (
    make_ccs,
    make_ics,
    make_organization,
    make_standard,
    relate,
)

pytestmark = pytest.mark.django_db

LIST = reverse("catalog:standard_list")


def listed(client, **params) -> list[str]:
    response = client.get(LIST, params)
    assert response.status_code == 200
    return [s.code for s in response.context["standards"]]


def detail_url(code: str) -> str:
    return reverse("catalog:standard_detail", args=[code])


@pytest.fixture
def mixed():
    """Five editions across levels, statuses, natures, issuers and years."""
    return {
        "gb": make_standard("GB 2760-2024", title_zh="食品安全国家标准 食品添加剂使用标准",
                            status=Status.CURRENT, issued_on=date(2024, 2, 8),
                            effective_on=date(2025, 2, 8)),
        "gbt": make_standard("GB/T 1.1-2020", title_zh="标准化工作导则 第1部分",
                             title_en="Directives for standardization", status=Status.CURRENT,
                             issued_on=date(2020, 3, 31), effective_on=date(2020, 10, 1)),
        "gbt_old": make_standard("GB/T 1.1-2009", title_zh="标准化工作导则 第1部分（旧）",
                                 status=Status.SUPERSEDED, issued_on=date(2009, 6, 17),
                                 effective_on=date(2010, 1, 1)),
        "db": make_standard("DB31/T 1234-2020", title_zh="上海市地方标准样例",
                            status=Status.ABOLISHED, issued_on=date(2020, 7, 1),
                            effective_on=date(2020, 10, 1)),
        "jb": make_standard("JB/T 10205-2020", title_zh="液压缸", status=Status.UPCOMING,
                            issued_on=date(2020, 4, 1), effective_on=None),
    }


# --- Layout ---------------------------------------------------------------------------------


def test_base_layout_has_skip_link_language_and_navigation(client):
    html = client.get(LIST).content.decode()
    assert '<html lang="zh-Hans">' in html
    assert '<a class="skip-link" href="#main">跳到正文</a>' in html
    assert '<main id="main" class="wrap" tabindex="-1">' in html
    for label, url in [("首页", "/"), ("标准目录", "/standards/"), ("分类浏览（ICS）", "/ics/"),
                       ("分类浏览（CCS）", "/ccs/"), ("机构", "/organizations/"),
                       ("技术委员会", "/committees/"), ("API", "/api/v1/docs")]:
        assert f'href="{url}"' in html and f">{label}</a>" in html
    assert '<option value="zh-hans" lang="zh-Hans" selected>简体中文</option>' in html
    assert '<option value="zh-hant" lang="zh-Hant">繁體中文</option>' in html
    assert '<option value="en" lang="en">English</option>' in html
    assert 'src="/static/django_htmx/' in html


def test_sample_banner_shows_only_with_sample_data(client, settings):
    assert "当前显示的是随项目提供的示例目录" not in client.get(LIST).content.decode()
    settings.BIAOZHUN_SAMPLE_DATA = True
    assert "当前显示的是随项目提供的示例目录" in client.get(LIST).content.decode()


def test_stylesheet_is_served(client):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert b'"PingFang SC", "Hiragino Sans GB",' in b"".join(response.streaming_content)


# --- List and filters -----------------------------------------------------------------------


def test_list_shows_every_edition_sorted_by_code(client, mixed):
    assert listed(client) == ["DB31/T 1234-2020", "GB 2760-2024", "GB/T 1.1-2009",
                              "GB/T 1.1-2020", "JB/T 10205-2020"]


def test_list_renders_row_with_typographic_code_title_and_badge(client, mixed):
    html = client.get(LIST).content.decode()
    assert ('<td class="code"><a href="/standards/GB/T%201.1-2020">GB/T 1.1—2020</a></td>'
            in html)
    assert '<span class="title-en" lang="en">Directives for standardization</span>' in html
    assert '<span class="badge badge-abolished">废止</span>' in html
    assert "共 5 条" in html


def test_filter_level(client, mixed):
    assert listed(client, level="local") == ["DB31/T 1234-2020"]


def test_filter_status(client, mixed):
    assert listed(client, status="superseded") == ["GB/T 1.1-2009"]


def test_filter_nature(client, mixed):
    assert listed(client, nature="mandatory") == ["GB 2760-2024"]


def test_filter_issuer_family_covers_gb_and_gbt(client, mixed):
    assert listed(client, issuer="GB") == ["GB 2760-2024", "GB/T 1.1-2009", "GB/T 1.1-2020"]


def test_filter_issuer_exact_prefix(client, mixed):
    assert listed(client, issuer="gb/t") == ["GB/T 1.1-2009", "GB/T 1.1-2020"]


def test_filter_issuer_local_code(client, mixed):
    assert listed(client, issuer="DB31") == ["DB31/T 1234-2020"]


def test_filter_ics_top_level_includes_descendants(client, mixed):
    make_ics("01")
    make_ics("01.120")
    make_ics("01.120.10")
    other = make_ics("011")  # a sibling sharing the first characters is not a descendant
    mixed["gbt"].ics.add(make_ics("01.140"))
    mixed["gb"].ics.set([other])
    mixed["db"].ics.set(mixed["db"].ics.model.objects.filter(code__in=["01.120.10", "01"]))
    assert listed(client, ics="01") == ["DB31/T 1234-2020", "GB/T 1.1-2020"]


def test_filter_ics_inner_node(client, mixed):
    make_ics("01")
    inner = make_ics("01.120")
    mixed["gbt"].ics.add(make_ics("01.120.10"))
    mixed["db"].ics.add(make_ics("01.140"))
    mixed["jb"].ics.add(inner)
    assert listed(client, ics="01.120") == ["GB/T 1.1-2020", "JB/T 10205-2020"]


def test_filter_ccs_letter(client, mixed):
    a = make_ccs("A")
    mixed["gbt"].ccs = make_ccs("A00", parent=a)
    mixed["gbt"].save()
    mixed["gb"].ccs = make_ccs("X40")
    mixed["gb"].save()
    assert listed(client, ccs="a") == ["GB/T 1.1-2020"]


def test_filter_ccs_code(client, mixed):
    a = make_ccs("A")
    mixed["gbt"].ccs = make_ccs("A00", parent=a)
    mixed["gbt"].save()
    mixed["db"].ccs = make_ccs("A01", parent=a)
    mixed["db"].save()
    assert listed(client, ccs="A01") == ["DB31/T 1234-2020"]


def test_filter_year_range(client, mixed):
    assert listed(client, year_from="2020", year_to="2020") == [
        "DB31/T 1234-2020", "GB/T 1.1-2020", "JB/T 10205-2020"]


def test_q_exact_code_in_any_spelling(client, mixed):
    assert listed(client, q="ＧＢ／Ｔ　１．１－２０２０") == ["GB/T 1.1-2020"]


def test_q_undated_code_finds_every_edition(client, mixed):
    assert listed(client, q="gbt 1.1") == ["GB/T 1.1-2009", "GB/T 1.1-2020"]


def test_q_code_prefix(client, mixed):
    make_standard("GB/T 1.10-2021")
    assert listed(client, q="GB/T 1.1-20") == ["GB/T 1.1-2009", "GB/T 1.1-2020"]


def test_q_title_words(client, mixed):
    assert listed(client, q="液压") == ["JB/T 10205-2020"]


def test_q_english_title(client, mixed):
    assert listed(client, q="directives") == ["GB/T 1.1-2020"]


def test_filters_combine(client, mixed):
    assert listed(client, issuer="GB", status="current", year_from="2021") == ["GB 2760-2024"]


def test_invalid_filter_values_are_ignored(client, mixed):
    assert listed(client, level="nonsense", year_from="abc") == listed(client)


def test_sort_newest_issued(client, mixed):
    assert listed(client, sort="issued") == ["GB 2760-2024", "DB31/T 1234-2020",
                                             "JB/T 10205-2020", "GB/T 1.1-2020",
                                             "GB/T 1.1-2009"]


def test_sort_effective_date_puts_missing_dates_last(client, mixed):
    assert listed(client, sort="effective") == ["GB 2760-2024", "DB31/T 1234-2020",
                                                "GB/T 1.1-2020", "GB/T 1.1-2009",
                                                "JB/T 10205-2020"]


def test_pagination_uses_setting_and_keeps_filters(client, mixed, settings):
    settings.CATALOG_PAGE_SIZE = 2
    response = client.get(LIST, {"issuer": "GB", "page": "2"})
    assert [s.code for s in response.context["standards"]] == ["GB/T 1.1-2020"]
    html = response.content.decode()
    assert "第 2 页，共 2 页" in html
    assert 'href="?issuer=GB&amp;page=1" rel="prev"' in html


def test_count_says_more_than_cap(client, mixed, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    html = client.get(LIST).content.decode()
    assert "超过 3 条结果，请缩小筛选范围。" in html


def test_active_filter_chips_link_to_list_without_them(client, mixed):
    html = client.get(LIST, {"level": "national", "issuer": "GB"}).content.decode()
    assert '<a class="chip" href="?issuer=GB"' in html
    assert "<span>标准级别：国家标准</span>" in html
    assert '<a class="chip" href="?level=national"' in html
    assert "<span>标准代号：GB</span>" in html


def test_filter_form_has_labels_for_every_field(client):
    html = client.get(LIST).content.decode()
    for name, label in [("q", "关键词或标准号"), ("level", "标准级别"), ("status", "状态"),
                        ("nature", "标准性质"), ("issuer", "标准代号"), ("ics", "ICS 分类号"),
                        ("ccs", "CCS 分类号"), ("year_from", "年号自"), ("year_to", "年号至"),
                        ("sort", "排序")]:
        assert f'<label for="id_{name}">{label}</label>' in html


def test_htmx_request_gets_only_the_results(client, mixed):
    response = client.get(LIST, {"level": "local"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.startswith('<div id="results" class="results">')
    assert "<html" not in html
    assert [s.code for s in response.context["standards"]] == ["DB31/T 1234-2020"]


def test_list_query_count_is_constant(client, django_assert_num_queries, settings):
    settings.CATALOG_PAGE_SIZE = 50
    for i in range(3):
        make_standard(f"GB/T {100 + i}-2020")
    with django_assert_num_queries(2):
        client.get(LIST, {"issuer": "GB/T"})
    for i in range(40):
        make_standard(f"GB/T {200 + i}-2021")
    with django_assert_num_queries(2):
        response = client.get(LIST, {"issuer": "GB/T"})
    assert len(response.context["standards"]) == 43


# --- Export -----------------------------------------------------------------------------------


def test_export_csv_of_filtered_list(client, mixed):
    response = client.get(reverse("catalog:standard_export"), {"issuer": "GB/T", "fmt": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="standards-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r[0] for r in rows] == ["code", "GB/T 1.1-2009", "GB/T 1.1-2020"]


def test_export_json(client, mixed):
    response = client.get(reverse("catalog:standard_export"), {"level": "local", "fmt": "json"})
    data = json.loads(response.content)
    assert [row["code"] for row in data] == ["DB31/T 1234-2020"]
    assert data[0]["status"] == "abolished"


def test_export_xlsx(client, mixed):
    response = client.get(reverse("catalog:standard_export"), {"q": "GB 2760", "fmt": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == ["code", "GB 2760-2024"]


def test_export_links_carry_current_filters(client, mixed):
    html = client.get(LIST, {"level": "national", "sort": "issued"}).content.decode()
    assert 'href="/standards/export?level=national&amp;sort=issued&amp;fmt=csv"' in html
    assert 'href="/standards/export?level=national&amp;sort=issued&amp;fmt=xlsx"' in html


def test_export_refuses_more_than_cap(client, mixed, monkeypatch):
    monkeypatch.setattr(selectors, "EXPORT_CAP", 4)
    response = client.get(reverse("catalog:standard_export"), {"fmt": "csv"})
    assert response.status_code == 400
    assert "一次最多导出 4 条标准。请增加筛选条件后再导出。" in response.content.decode()


def test_export_unknown_format_is_404(client):
    assert client.get(reverse("catalog:standard_export"), {"fmt": "pdf"}).status_code == 404


# --- Detail -----------------------------------------------------------------------------------


@pytest.fixture
def full():
    """One edition with every field filled."""
    issuer = make_organization("国家市场监督管理总局")
    sac = make_organization("国家标准化管理委员会")
    cnis = make_organization("中国标准化研究院")
    secretariat = make_organization("秘书处单位")
    committee = TechnicalCommittee.objects.create(code="SAC/TC 1", name="全国标准化原理与方法",
                                                  secretariat=secretariat)
    make_ics("01")
    ics = make_ics("01.120", "标准化。一般规则")
    ccs = make_ccs("A00", "标准化、质量管理")
    run = ImportRun.objects.create(source_name="catalog-2024.xlsx")
    standard = make_standard(
        "GB/T 1.1-2020", title_zh="标准化工作导则 第1部分：标准化文件的结构和起草规则",
        title_en="Directives for standardization—Part 1", scope="本文件确立了标准化文件的结构。",
        issued_on=date(2020, 3, 31), effective_on=date(2020, 10, 1),
        first_issued_on=date(1981, 1, 1), reviewed_on=date(2023, 5, 6),
        review_conclusion="confirm", edition_note="", drafters="白殿一、刘慎斋",
        competent_department=sac, proposing_unit=sac, committee=committee, ccs=ccs,
        import_run=run, is_sample=True, status=Status.CURRENT)
    standard.ics.add(ics)
    standard.issuing_bodies.add(issuer, sac)
    standard.drafting_orgs.add(cnis)
    Adoption.objects.create(standard=standard, adopted_code="ISO/IEC Directives, Part 2:2018",
                            adopted_code_norm="ISO/IECDIRECTIVES,PART2:2018", degree="NEQ")
    return standard


def test_detail_shows_every_field(client, full):
    response = client.get(detail_url(full.code))
    assert response.status_code == 200
    html = response.content.decode()
    expected = [
        '<h1><span class="code">GB/T 1.1—2020</span> 标准化工作导则 第1部分：标准化文件的结构和起草规则</h1>',
        '<p class="title-en" lang="en">Directives for standardization—Part 1</p>',
        '<dt>标准状态</dt><dd><span class="badge badge-current">现行</span></dd>',
        "<dt>标准级别</dt><dd>国家标准</dd>",
        "<dt>标准性质</dt><dd>推荐性</dd>",
        '<dt>发布日期</dt><dd class="date">2020-03-31</dd>',
        '<dt>实施日期</dt><dd class="date">2020-10-01</dd>',
        '<dt>首次发布日期</dt><dd class="date">1981-01-01</dd>',
        '<dt>复审日期</dt><dd class="date">2023-05-06</dd>',
        "<dt>复审结论</dt><dd>继续有效</dd>",
        '<a href="/ics/01.120/">01.120</a> 标准化。一般规则',
        '<a href="/ccs/A00/">A00</a> 标准化、质量管理',
        f'<a href="/organizations/{full.competent_department.pk}/">国家标准化管理委员会</a>',
        f'<a href="/committees/{full.committee.pk}/">SAC/TC 1 全国标准化原理与方法</a>',
        ">中国标准化研究院</a>",
        ">国家市场监督管理总局</a>",
        "<dt>起草人</dt><dd>白殿一、刘慎斋</dd>",
        "ISO/IEC Directives, Part 2:2018，非等效采用（NEQ）",
        "<p>本文件确立了标准化文件的结构。</p>",
        f"导入批次 #{full.import_run.pk}（catalog-2024.xlsx）",
        "<li>示例数据</li>",
    ]
    for fragment in expected:
        assert fragment in html, fragment
    assert "合成数据" not in html


def test_detail_query_count_is_constant(client, full, django_assert_num_queries):
    with django_assert_num_queries(8):
        client.get(detail_url(full.code))
    for i in range(5):
        org = make_organization(f"起草单位{i}")
        full.drafting_orgs.add(org)
        newer = make_standard(f"GB/T 1.1-203{i}")
        relate(newer, full, RelationKind.PARTIALLY_REPLACES, refresh=False)
        full.ics.add(make_ics(f"03.{i:03d}"))
    with django_assert_num_queries(8):
        response = client.get(detail_url(full.code))
    assert len(response.context["lineage"].editions) == 6


@pytest.mark.parametrize("spelling", [
    "gbt1.1-2020", "GB/T 1.1—2020", "ＧＢ／Ｔ　１．１－２０２０", "GB/T1.1-2020", "gb/t 1.1-2020",
])
def test_other_spellings_redirect_permanently_to_canonical_url(client, full, spelling):
    response = client.get(f"/standards/{spelling}")
    assert response.status_code == 301
    assert response["Location"] == "/standards/GB/T%201.1-2020"


def test_unknown_code_is_404_with_other_editions(client, mixed):
    response = client.get("/standards/GB/T 1.1-2030")
    assert response.status_code == 404
    html = response.content.decode()
    assert "目录中暂无 GB/T 1.1-2030。" in html
    assert [s.code for s in response.context["suggestions"]] == ["GB/T 1.1-2020",
                                                                 "GB/T 1.1-2009"]
    assert '<a href="/standards/GB/T%201.1-2020">GB/T 1.1—2020</a>' in html


def test_unknown_code_suggests_same_prefix_and_number(client):
    make_standard("GB/T 1234.1-2019")
    make_standard("GB/T 1234.2-2019")
    make_standard("GB/T 1235-2019")
    response = client.get("/standards/GB/T 1234-2000")
    assert response.status_code == 404
    assert [s.code for s in response.context["suggestions"]] == ["GB/T 1234.1-2019",
                                                                 "GB/T 1234.2-2019"]


def test_unknown_code_suggests_the_number_under_another_nature_then_one_keystroke_away(
        client):
    make_standard("GB/T 19001-2016")
    make_standard("GB 2760-2014")
    response = client.get("/standards/GB 19001-2016")  # the /T dropped
    assert response.status_code == 404
    assert [s.code for s in response.context["suggestions"]] == ["GB/T 19001-2016"]
    response = client.get("/standards/GB 2706-2014")  # two digits swapped
    assert [s.code for s in response.context["suggestions"]] == ["GB 2760-2014"]
    assert client.get("/api/v1/standards/GB 2706-2014").json()["suggestions"] == [
        "GB 2760-2014"]


def test_code_that_does_not_parse_is_404_with_reason(client):
    response = client.get("/standards/hello-world")
    assert response.status_code == 404
    html = response.content.decode()
    assert "“hello-world”不是有效的标准号：未知的标准代号“hello”" in html
    assert response.context["suggestions"] == []


def test_pending_successor_notice(client):
    today = timezone.localdate()
    old = make_standard("GB/T 100-2010", issued_on=date(2010, 1, 1), effective_on=date(2010, 6, 1))
    new = make_standard("GB/T 100-2025", issued_on=today - timedelta(days=10),
                        effective_on=today + timedelta(days=30))
    relate(new, old, as_of=today)
    old.refresh_from_db()
    assert old.pending_change_on == today + timedelta(days=30)
    html = client.get(detail_url(old.code)).content.decode()
    assert f"本标准的代替标准已发布，将于 {today + timedelta(days=30):%Y-%m-%d} 实施" in html


def test_pending_abolition_notice(client):
    day = date(2031, 1, 1)
    standard = make_standard("DB31/T 5-2015", pending_change_on=day, abolished_on=day)
    html = client.get(detail_url(standard.code)).content.decode()
    assert "本标准将于 2031-01-01 废止" in html


def test_timeline_lists_editions_by_year(client):
    a = make_standard("GB/T 200-2001", status=Status.SUPERSEDED)
    b = make_standard("GB/T 200-2011", status=Status.SUPERSEDED)
    c = make_standard("GB/T 200-2021")
    response = client.get(detail_url(b.code))
    assert [e.code for e in response.context["lineage"].editions] == [a.code, b.code, c.code]
    html = response.content.decode()
    assert '<span aria-current="page"><strong>GB/T 200—2011</strong> （本版本）</span>' in html


def test_merge_and_split_relations_are_linked(client):
    a = make_standard("GB/T 300-2000")
    b = make_standard("GB/T 301-2000")
    merged = make_standard("GB/T 300-2020")
    relate(merged, a)
    relate(merged, b)
    part = make_standard("GB/T 302-2021")
    relate(part, a, RelationKind.PARTIALLY_REPLACES)
    merged_html = client.get(detail_url(merged.code)).content.decode()
    assert '<a href="/standards/GB/T%20300-2000">GB/T 300—2000</a>' in merged_html
    assert '<a href="/standards/GB/T%20301-2000">GB/T 301—2000</a>' in merged_html
    old = client.get(detail_url(a.code))
    assert [r.source_code for r in old.context["lineage"].replaced_by] == [
        "GB/T 300-2020", "GB/T 302-2021"]
    assert ('<span class="tag">部分代替</span> <a href="/standards/GB/T%20302-2021">'
            in old.content.decode())


def test_dangling_reference_is_plain_text(client):
    standard = make_standard("GB/T 400-2020")
    StandardRelation.objects.create(
        kind=RelationKind.REPLACES, source=standard, source_code=standard.code,
        source_code_norm=standard.code_norm, target=None, target_code="GB/T 400-1999",
        target_code_norm="GB/T400-1999")
    html = client.get(detail_url(standard.code)).content.decode()
    assert '<span class="dangling">GB/T 400-1999（目录中暂无）</span>' in html


def test_amendments_are_listed(client):
    base = make_standard("GB 500-2015")
    amendment = make_standard("GB 500-2015/XG1-2018")
    relate(amendment, base, RelationKind.AMENDS)
    response = client.get(detail_url(base.code))
    assert [r.source_code for r in response.context["lineage"].amendments] == [amendment.code]
    assert "<h3>修改单</h3>" in response.content.decode()


# --- Free text --------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n%test\n"


def _with_text(code: str, public: bool):
    standard = make_standard(code, public_text=public)
    standard.text_file.save("text.pdf", ContentFile(PDF), save=True)
    return standard


def test_public_text_is_linked_and_served_inline(client):
    standard = _with_text("DB31/T 600-2020", public=True)
    html = client.get(detail_url(standard.code)).content.decode()
    assert '<a class="button" href="/text/DB31/T%20600-2020">在线阅读</a>' in html
    assert 'href="/text/DB31/T%20600-2020?download=1">下载文本</a>' in html
    response = client.get(reverse("catalog:standard_text", args=[standard.code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="DB31_T 600-2020.pdf"'
    assert b"".join(response.streaming_content) == PDF


def test_public_text_download_is_attachment(client):
    standard = _with_text("DB31/T 601-2020", public=True)
    response = client.get(reverse("catalog:standard_text", args=[standard.code]),
                          {"download": "1"})
    assert response["Content-Disposition"] == 'attachment; filename="DB31_T 601-2020.pdf"'


def test_private_text_is_404_for_the_public(client):
    standard = _with_text("DB31/T 602-2020", public=False)
    html = client.get(detail_url(standard.code)).content.decode()
    assert "本标准文本暂未公开。" in html
    assert "在线阅读" not in html
    assert client.get(reverse("catalog:standard_text", args=[standard.code])).status_code == 404


def test_private_text_is_served_to_staff(client, django_user_model):
    standard = _with_text("DB31/T 603-2020", public=False)
    client.force_login(django_user_model.objects.create(username="admin", is_staff=True))
    response = client.get(reverse("catalog:standard_text", args=[standard.code]))
    assert response.status_code == 200


def test_text_url_without_file_is_404(client):
    standard = make_standard("DB31/T 604-2020", public_text=True)
    assert client.get(reverse("catalog:standard_text", args=[standard.code])).status_code == 404


def test_text_url_other_spelling_redirects(client):
    standard = _with_text("DB31/T 605-2020", public=True)
    response = client.get("/text/db31/t605-2020", {"download": "1"})
    assert response.status_code == 301
    assert response["Location"] == "/text/DB31/T%20605-2020?download=1"
    assert standard.code == "DB31/T 605-2020"


# --- Browsing ---------------------------------------------------------------------------------


def test_ics_tree_lists_top_levels_and_children(client):
    make_ics("01", "综合、术语学、标准化、文献")
    make_ics("01.120", "标准化。一般规则")
    make_ics("03", "服务。公司的组织和管理")
    response = client.get(reverse("catalog:ics_list"))
    html = response.content.decode()
    assert [n.code for n in response.context["nodes"]] == ["01", "03"]
    assert '<a href="/ics/01.120/"><span class="code">01.120</span> 标准化。一般规则</a>' in html


def test_ics_detail_shows_children_ancestors_and_standards(client, mixed):
    make_ics("01")
    node = make_ics("01.120")
    child = make_ics("01.120.10")
    mixed["gbt"].ics.add(child)
    mixed["jb"].ics.add(node)
    response = client.get(reverse("catalog:ics_detail", args=["01.120"]))
    assert [n.code for n in response.context["ancestors"]] == ["01"]
    assert [n.code for n in response.context["children"]] == ["01.120.10"]
    assert [s.code for s in response.context["standards"]] == ["GB/T 1.1-2020",
                                                               "JB/T 10205-2020"]


def test_unknown_ics_is_404(client):
    assert client.get(reverse("catalog:ics_detail", args=["99"])).status_code == 404


def test_ccs_tree_and_detail(client, mixed):
    a = make_ccs("A", "综合")
    a00 = make_ccs("A00", "标准化、质量管理", parent=a)
    mixed["gbt"].ccs = a00
    mixed["gbt"].save()
    tree = client.get(reverse("catalog:ccs_list")).content.decode()
    assert '<a href="/ccs/A00/"><span class="code">A00</span> 标准化、质量管理</a>' in tree
    response = client.get(reverse("catalog:ccs_detail", args=["A"]))
    assert [s.code for s in response.context["standards"]] == ["GB/T 1.1-2020"]
    assert [n.code for n in response.context["children"]] == ["A00"]
    leaf = client.get(reverse("catalog:ccs_detail", args=["A00"]))
    assert [n.code for n in leaf.context["ancestors"]] == ["A"]


def test_organization_list_and_search(client):
    make_organization("中国标准化研究院")
    make_organization("上海市市场监督管理局")
    response = client.get(reverse("catalog:organization_list"), {"q": "上海"})
    assert [o.name for o in response.context["organizations"]] == ["上海市市场监督管理局"]


def test_organization_detail_lists_standards_by_role(client, mixed):
    org = make_organization("上海市市场监督管理局", kind=Organization.Kind.ADMINISTRATION)
    mixed["db"].issuing_bodies.add(org)
    mixed["gbt"].drafting_orgs.add(org)
    mixed["gb"].proposing_unit = org
    mixed["gb"].save()
    response = client.get(reverse("catalog:organization_detail", args=[org.pk]))
    sections = {s["key"]: [x.code for x in s["standards"]] for s in response.context["sections"]}
    assert sections == {"issued": ["DB31/T 1234-2020"], "drafted": ["GB/T 1.1-2020"],
                        "proposed": ["GB 2760-2024"], "supervised": []}
    html = response.content.decode()
    assert '<h2 id="h-issued">发布的标准</h2>' in html
    assert 'id="h-supervised"' not in html


def test_committee_list_and_detail(client, mixed):
    tc = TechnicalCommittee.objects.create(code="SAC/TC 1", name="全国标准化原理与方法")
    TechnicalCommittee.objects.create(code="SAC/TC 2", name="全国其他")
    mixed["gbt"].committee = tc
    mixed["gbt"].save()
    mixed["gbt_old"].committee = tc
    mixed["gbt_old"].save()
    listing = client.get(reverse("catalog:committee_list"), {"q": "TC 1"})
    assert [c.code for c in listing.context["committees"]] == ["SAC/TC 1"]
    response = client.get(reverse("catalog:committee_detail", args=[tc.pk]))
    assert [s.code for s in response.context["standards"]] == ["GB/T 1.1-2009", "GB/T 1.1-2020"]
    assert '<h1><span class="code">SAC/TC 1</span> 全国标准化原理与方法</h1>' in (
        response.content.decode())


# --- Error pages ------------------------------------------------------------------------------


def test_unknown_path_uses_404_template(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>页面不存在</h1>" in html
    assert '<html lang="zh-Hans">' in html


def test_500_template_renders_without_queries(django_assert_num_queries):
    with django_assert_num_queries(0):
        html = render_to_string("500.html")
    assert "<h1>服务器错误</h1>" in html

