"""The read-only catalogue API under /api/v1/."""

from datetime import date

import pytest
from django.core.files.base import ContentFile

from biaozhun.catalog.models import RelationKind, StandardRelation, Status, TechnicalCommittee
from biaozhun.catalog.tests.factories import (
    make_ccs,
    make_ics,
    make_organization,
    make_standard,
    relate,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    old = make_standard("GB/T 1.1-2009", status=Status.SUPERSEDED, issued_on=date(2009, 6, 17))
    new = make_standard("GB/T 1.1-2020", title_zh="标准化工作导则", title_en="Directives",
                        issued_on=date(2020, 3, 31), effective_on=date(2020, 10, 1))
    relate(new, old, as_of=date(2024, 1, 1))
    make_standard("DB31/T 1234-2020", title_zh="上海地方标准", status=Status.CURRENT)
    make_standard("GB 2760-2024", title_zh="食品添加剂使用标准", status=Status.CURRENT)
    return {"old": old, "new": new}


def codes_of(response) -> list[str]:
    assert response.status_code == 200
    return [row["code"] for row in response.json()["results"]]


def test_list_shape(client, catalogue):
    response = client.get("/api/v1/standards", {"q": "GB/T 1.1-2020"})
    assert response.json() == {
        "count": 1, "page": 1, "page_size": 20,
        "results": [{
            "code": "GB/T 1.1-2020", "title_zh": "标准化工作导则", "title_en": "Directives",
            "level": "national", "nature": "recommended", "status": "current",
            "issued_on": "2020-03-31", "effective_on": "2020-10-01", "abolished_on": None,
            "url": "/standards/GB/T%201.1-2020", "api_url": "/api/v1/standards/GB/T%201.1-2020",
        }],
    }


def test_list_filters_match_the_page(client, catalogue):
    assert codes_of(client.get("/api/v1/standards", {"issuer": "GB"})) == [
        "GB 2760-2024", "GB/T 1.1-2009", "GB/T 1.1-2020"]
    assert codes_of(client.get("/api/v1/standards", {"level": "local"})) == ["DB31/T 1234-2020"]
    assert codes_of(client.get("/api/v1/standards", {"status": "superseded"})) == [
        "GB/T 1.1-2009"]
    assert codes_of(client.get("/api/v1/standards", {"nature": "mandatory"})) == [
        "GB 2760-2024"]
    assert codes_of(client.get("/api/v1/standards", {"year_from": 2020, "year_to": 2020})) == [
        "DB31/T 1234-2020", "GB/T 1.1-2020"]
    assert codes_of(client.get("/api/v1/standards", {"q": "食品"})) == ["GB 2760-2024"]


def test_list_ics_filter(client, catalogue):
    make_ics("01")
    catalogue["new"].ics.add(make_ics("01.120"))
    assert codes_of(client.get("/api/v1/standards", {"ics": "01"})) == ["GB/T 1.1-2020"]


def test_list_ccs_filter(client, catalogue):
    catalogue["old"].ccs = make_ccs("A00")
    catalogue["old"].save()
    assert codes_of(client.get("/api/v1/standards", {"ccs": "A"})) == ["GB/T 1.1-2009"]


def test_list_sort_newest(client, catalogue):
    assert codes_of(client.get("/api/v1/standards", {"sort": "issued", "issuer": "GB/T"})) == [
        "GB/T 1.1-2020", "GB/T 1.1-2009"]


def test_list_pagination(client, catalogue):
    body = client.get("/api/v1/standards", {"page": 2, "page_size": 3}).json()
    assert (body["count"], body["page"], body["page_size"]) == (4, 2, 3)
    assert [r["code"] for r in body["results"]] == ["GB/T 1.1-2020"]


def test_page_size_above_100_is_refused(client):
    response = client.get("/api/v1/standards", {"page_size": 101, "page": "二"})
    assert response.status_code == 422
    # In the shape and words of every other refusal, not ninja's own.
    assert response.json() == {"detail": "应为整数。；不能大于 100。",
                               "errors": {"page": ["应为整数。"], "page_size": ["不能大于 100。"]}}


@pytest.mark.parametrize("path", ["/api/v1/standards", "/api/v1/organizations",
                                  "/api/v1/committees"])
def test_a_page_beyond_a_million_is_refused_not_a_server_error(client, catalogue, path):
    # 10**17 * 100 rows overflowed the database's OFFSET: a 500 before the bound.
    response = client.get(path, {"page": 10**17})
    assert response.status_code == 422
    assert response.json() == {"detail": "不能大于 1000000。",
                               "errors": {"page": ["不能大于 1000000。"]}}
    assert client.get(path, {"page": 1_000_000}).json()["results"] == []


def test_list_query_count_is_constant(client, catalogue, django_assert_num_queries):
    with django_assert_num_queries(2):
        client.get("/api/v1/standards", {"page_size": 100})
    for i in range(30):
        make_standard(f"GB/T {500 + i}-2020")
    with django_assert_num_queries(2):
        response = client.get("/api/v1/standards", {"page_size": 100})
    assert response.json()["count"] == 34


def test_detail_by_any_spelling(client, catalogue):
    response = client.get("/api/v1/standards/gbt1.1—2020")
    assert response.status_code == 200
    assert response.json()["code"] == "GB/T 1.1-2020"


def test_detail_shape_with_relations_and_editions(client, catalogue):
    new = catalogue["new"]
    org = make_organization("国家标准化管理委员会")
    new.issuing_bodies.add(org)
    new.proposing_unit = org
    new.committee = TechnicalCommittee.objects.create(code="SAC/TC 1", name="全国标准化原理与方法")
    new.ccs = make_ccs("A00", "标准化、质量管理")
    new.public_text = True
    new.save()
    new.text_file.save("t.pdf", ContentFile(b"%PDF-1.4"), save=True)
    new.ics.add(make_ics("01", "综合"))
    StandardRelation.objects.create(
        kind=RelationKind.PARTIALLY_REPLACES, source=new, source_code=new.code,
        source_code_norm=new.code_norm, target_code="GB/T 20000.1-2002",
        target_code_norm="GB/T20000.1-2002")
    body = client.get("/api/v1/standards/GB/T 1.1-2020").json()
    assert body["ics"] == [{"code": "01", "title_zh": "综合", "depth": 1}]
    assert body["ccs"] == {"code": "A00", "title_zh": "标准化、质量管理", "depth": 2}
    assert body["issuing_bodies"] == [{"id": org.pk, "name": "国家标准化管理委员会"}]
    assert body["proposing_unit"] == {"id": org.pk, "name": "国家标准化管理委员会"}
    assert body["competent_department"] is None
    assert body["committee"] == {"id": new.committee.pk, "code": "SAC/TC 1",
                                 "name": "全国标准化原理与方法"}
    assert body["replaces"] == [
        {"kind": "replaces", "code": "GB/T 1.1-2009", "in_catalog": True,
         "title_zh": "GB/T 1.1-2009 的标题", "status": "superseded",
         "url": "/standards/GB/T%201.1-2009"},
        {"kind": "partially_replaces", "code": "GB/T 20000.1-2002", "in_catalog": False,
         "title_zh": None, "status": None, "url": None},
    ]
    assert body["replaced_by"] == []
    assert body["editions"] == [
        {"code": "GB/T 1.1-2009", "year": 2009, "status": "superseded",
         "url": "/standards/GB/T%201.1-2009", "this": False},
        {"code": "GB/T 1.1-2020", "year": 2020, "status": "current",
         "url": "/standards/GB/T%201.1-2020", "this": True},
    ]
    assert body["text_url"] == "/text/GB/T%201.1-2020"
    assert body["prefix"] == "GB/T"
    assert body["number"] == "1.1"


def test_detail_replaced_by(client, catalogue):
    body = client.get("/api/v1/standards/GB/T 1.1-2009").json()
    assert [r["code"] for r in body["replaced_by"]] == ["GB/T 1.1-2020"]
    assert body["text_url"] is None


def test_detail_unknown_code_is_404_with_suggestions(client, catalogue):
    response = client.get("/api/v1/standards/GB/T 1.1-2030")
    assert response.status_code == 404
    assert response.json() == {"detail": "目录中暂无 GB/T 1.1-2030",
                               "suggestions": ["GB/T 1.1-2020", "GB/T 1.1-2009"]}


def test_detail_unparseable_code_is_422(client):
    response = client.get("/api/v1/standards/hello")
    assert (response.status_code, response.json()) == (
        422, {"detail": "不是有效的标准号：未知的标准代号“hello”"})


@pytest.mark.parametrize(("code", "detail"), [
    ("BY 1-2020", "不是有效的标准号：未知的标准代号“BY”"),
    ("DB99/T 1-2020", "不是有效的标准号：地方标准代号“DB99”中的省级行政区划代码“99”不存在"),
    ("GB/T 1.1-2020-01-01", "不是有效的标准号：年号后有多余的文字"),
])
def test_detail_unparseable_code_says_why_in_chinese(client, code, detail):
    response = client.get(f"/api/v1/standards/{code}")
    assert (response.status_code, response.json()) == (422, {"detail": detail})


def test_detail_query_count(client, catalogue, django_assert_num_queries):
    with django_assert_num_queries(8):
        client.get("/api/v1/standards/GB/T 1.1-2020")


def test_ics_endpoints(client):
    make_ics("01", "综合")
    make_ics("01.120", "标准化。一般规则")
    assert client.get("/api/v1/ics", {"parent": ""}).json() == [
        {"code": "01", "title_zh": "综合", "depth": 1, "title_en": "", "parent": None}]
    assert [n["code"] for n in client.get("/api/v1/ics").json()] == ["01", "01.120"]
    body = client.get("/api/v1/ics/01.120").json()
    assert body["ancestors"] == [{"code": "01", "title_zh": "综合", "depth": 1}]
    assert body["children"] == []
    assert body["standards_url"] == "/api/v1/standards?ics=01.120"
    assert client.get("/api/v1/ics/99").status_code == 404


def test_ccs_endpoints(client):
    a = make_ccs("A", "综合")
    make_ccs("A00", "标准化", parent=a)
    assert client.get("/api/v1/ccs", {"parent": "A"}).json() == [
        {"code": "A00", "title_zh": "标准化", "depth": 2, "parent": "A"}]
    body = client.get("/api/v1/ccs/A").json()
    assert body["children"] == [{"code": "A00", "title_zh": "标准化", "depth": 2}]
    assert client.get("/api/v1/ccs/Z99").status_code == 404


def test_organization_endpoints(client, catalogue):
    org = make_organization("上海市市场监督管理局", short_name="上海市监局")
    make_organization("中国标准化研究院")
    catalogue["new"].drafting_orgs.add(org)
    body = client.get("/api/v1/organizations", {"q": "上海"}).json()
    assert body == {"count": 1, "page": 1, "page_size": 20, "results": [
        {"id": org.pk, "name": "上海市市场监督管理局", "kind": "other",
         "short_name": "上海市监局", "website": ""}]}
    detail = client.get(f"/api/v1/organizations/{org.pk}").json()
    assert [s["code"] for s in detail["drafted"]] == ["GB/T 1.1-2020"]
    assert detail["issued"] == []
    assert client.get("/api/v1/organizations/999999").status_code == 404


def test_committee_endpoints(client):
    secretariat = make_organization("中国标准化研究院")
    tc = TechnicalCommittee.objects.create(code="SAC/TC 1", name="全国标准化原理与方法",
                                           secretariat=secretariat)
    body = client.get("/api/v1/committees").json()
    assert body["results"] == [{"id": tc.pk, "code": "SAC/TC 1", "name": "全国标准化原理与方法",
                                "secretariat": {"id": secretariat.pk, "name": "中国标准化研究院",
                                                "kind": "other", "short_name": "",
                                                "website": ""}}]
    assert client.get(f"/api/v1/committees/{tc.pk}").json()["code"] == "SAC/TC 1"
    assert client.get("/api/v1/committees/999999").status_code == 404


def test_openapi_schema_loads(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "标准化工作平台 API"
    assert {"/api/v1/standards", "/api/v1/standards/{code}", "/api/v1/ics",
            "/api/v1/ics/{code}", "/api/v1/ccs", "/api/v1/ccs/{code}",
            "/api/v1/organizations", "/api/v1/organizations/{id}",
            "/api/v1/committees"} <= set(schema["paths"])


def test_docs_page_uses_bundled_assets_only(client):
    response = client.get("/api/v1/docs")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<script src="/static/ninja/swagger-ui-bundle.js"></script>' in html
    assert "cdn" not in html.lower()
    assert '"validatorUrl": null' in html
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200
