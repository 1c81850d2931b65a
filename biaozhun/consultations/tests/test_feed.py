"""The Atom feed of public consultations: valid Atom 1.0, newest first, per category, and
nothing private (targeted consultations, comments, e-mail or client addresses)."""

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from biaozhun.consultations import services
from biaozhun.consultations.models import Consultation
from biaozhun.consultations.tests.factories import (
    draft_consultation,
    guest,
    member,
    plan_consultation,
    solved_challenge,
    targeted_consultation,
)

ATOM = "{http://www.w3.org/2005/Atom}"
DRAFT = "《湘菜 辣椒炒肉烹饪技术规范》（征求意见稿）"
PLAN = "2026年度地方标准制修订计划（征求意见）"
REVIEW = "2026年地方标准复审结论公示"


@pytest.fixture
def consultations(cast, clock):
    """A draft, a plan and a review consultation, in that order, and a targeted one."""
    draft = draft_consultation(cast)
    plan = plan_consultation(cast, description="第一行说明\n<b>第二行</b>")
    review = services.open_consultation(
        by=cast.admin, kind=Consultation.Kind.REVIEW, administration=cast.administration,
        title=REVIEW, opens_on=date(2026, 3, 2), closes_on=date(2026, 4, 1))
    targeted = targeted_consultation(cast, users=[cast.experts[0]])
    return {"draft": draft, "plan": plan, "review": review, "targeted": targeted}


def read(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root


def titles(root) -> list[str]:
    return [entry.findtext(f"{ATOM}title") for entry in root.iter(f"{ATOM}entry")]


def test_the_feed_lists_public_consultations_newest_first(client, consultations):
    root = read(client, "/participation/feed/")
    assert root.findtext(f"{ATOM}title") == "标准化工作平台 · 征求意见"
    assert root.findtext(f"{ATOM}subtitle") == (
        "地方标准征求意见稿、立项计划公示和复审结论公示，欢迎社会各界提出意见。")
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {"alternate": "http://testserver/participation/consultations/",
                     "self": "http://testserver/participation/feed/"}
    assert titles(root) == [REVIEW, PLAN, DRAFT]


def test_each_entry_links_to_its_consultation_page_and_says_what_and_when(
        client, consultations):
    root = read(client, "/participation/feed/")
    entries = {entry.findtext(f"{ATOM}title"): entry for entry in root.iter(f"{ATOM}entry")}
    plan = entries[PLAN]
    assert plan.find(f"{ATOM}link").get("href") == (
        f"http://testserver/participation/consultations/{consultations['plan'].pk}/")
    assert plan.findtext(f"{ATOM}id") == (
        f"http://testserver/participation/consultations/{consultations['plan'].pk}/")
    summary = plan.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert summary.text == (
        "<p>类型：立项计划公示</p><p>主管部门：长沙市市场监督管理局</p>"
        "<p>征求意见期：2026-03-02 至 2026-04-01</p><p>第一行说明</p>"
        "<p>&lt;b&gt;第二行&lt;/b&gt;</p>")
    assert [c.get("term") for c in plan.findall(f"{ATOM}category")] == ["立项计划公示"]
    assert plan.find(f"{ATOM}author").findtext(f"{ATOM}name") == "长沙市市场监督管理局"
    assert plan.findtext(f"{ATOM}published").startswith("2026-03-02T")
    assert plan.findtext(f"{ATOM}updated").startswith("2026-03-02T")


@pytest.mark.parametrize(("category", "title", "expected"), [
    ("draft", "标准化工作平台 · 征求意见：标准征求意见稿", [DRAFT]),
    ("plan", "标准化工作平台 · 征求意见：立项计划公示", [PLAN]),
    ("review", "标准化工作平台 · 征求意见：复审结论公示", [REVIEW]),
])
def test_a_feed_per_category(client, consultations, category, title, expected):
    root = read(client, f"/participation/feed/{category}/")
    assert root.findtext(f"{ATOM}title") == title
    assert titles(root) == expected
    self_link = [link.get("href") for link in root.findall(f"{ATOM}link")
                 if link.get("rel") == "self"]
    assert self_link == [f"http://testserver/participation/feed/{category}/"]


@pytest.mark.parametrize("category", ["targeted", "all", "nonsense"])
def test_an_unknown_category_is_404(client, consultations, category):
    assert client.get(f"/participation/feed/{category}/").status_code == 404


def test_an_empty_feed_is_still_valid(client, db):
    assert titles(read(client, "/participation/feed/")) == []


def test_nothing_private_reaches_the_feed(client, cast, clock, consultations):
    draft = consultations["draft"]
    shy = services.submit_comment(draft, by=None, data=guest(
        "公开的意见正文", email="shy@example.com", name="王芳"), client_ip="203.0.113.7",
        challenge=solved_challenge())
    services.verify_comment(services.verification_token(shy))
    hidden = services.submit_comment(draft, by=cast.outsider, data=member(
        "秘密的广告内容"), client_ip="192.0.2.99")
    services.hide_comment(hidden, by=cast.admin, reason="屏蔽理由：广告")
    services.answer_comment(shy, by=cast.drafter, decision="partly", reason="处理理由甲")
    clock.today = date(2026, 4, 2)
    services.close_due_consultations()
    body = client.get("/participation/feed/").content.decode()
    for secret in ("shy@example.com", "gongzhong@example.com", "203.0.113.7", "192.0.2.99",
                   "秘密的广告内容", "屏蔽理由", "王芳", "公开的意见正文", "处理理由甲",
                   "定向征求意见", "zhuanjia1"):
        assert secret not in body, secret
    assert titles(ET.fromstring(body)) == [REVIEW, PLAN, DRAFT]
