"""The demo organisations and one account per persona (`make run` prints them)."""

from io import StringIO

import pytest
from django.core.management import call_command

from biaozhun.accounts.models import Membership, Organization, User
from biaozhun.accounts.services import DEMO_ACCOUNTS, ensure_demo_accounts

pytestmark = pytest.mark.django_db

# username -> (groups, memberships as (organisation, role), is_staff, is_superuser)
EXPECTED = {
    "admin": (set(), set(), True, True),
    "catalog": ({"目录管理员"}, set(), True, False),
    "guanli": ({"标准化管理员"}, {("长沙市市场监督管理局", "manager")}, True, False),
    "zhuzhou": ({"标准化管理员"}, {("株洲市市场监督管理局", "member")}, True, False),
    "xiangtan": ({"标准化管理员"}, {("湘潭市市场监督管理局", "member")}, True, False),
    "bumen": (set(), {("长沙市工业和信息化局", "member")}, False, False),
    "qicao": (set(), {("长沙市标准化研究院", "member")}, False, False),
    "zhuanjia1": (set(), {("长沙市食品安全标准化技术委员会", "member")}, False, False),
    "zhuanjia2": (set(), {("长沙市食品安全标准化技术委员会", "member")}, False, False),
    "zhuanjia3": (set(), {("长沙市食品安全标准化技术委员会", "member")}, False, False),
    "qiye": (set(), {("长沙示例食品有限公司", "manager")}, False, False),
    "shetuan": (set(), {("长沙市食品行业协会", "member")}, False, False),
    "gongzhong": (set(), set(), False, False),
    "lingdao": ({"领导"}, set(), False, False),
}

ORGANIZATIONS = {
    "湖南省市场监督管理局": ("administration", "430000", "43"),
    "长沙市市场监督管理局": ("administration", "430100", "4301"),
    "株洲市市场监督管理局": ("administration", "430200", "4302"),
    "湘潭市市场监督管理局": ("administration", "430300", "4303"),
    "长沙市工业和信息化局": ("department", "", ""),
    "长沙市标准化研究院": ("drafting", "", ""),
    "湖南省食品质量监督检验研究院": ("drafting", "", ""),
    "长沙市食品安全标准化技术委员会": ("committee", "", ""),
    "长沙示例食品有限公司": ("enterprise", "", ""),
    "长沙市食品行业协会": ("social", "", ""),
}


def snapshot() -> dict:
    return {
        user.username: (set(user.groups.values_list("name", flat=True)),
                        set(user.memberships.filter(is_active=True)
                            .values_list("organization__name", "role")),
                        user.is_staff, user.is_superuser)
        for user in User.objects.all()
    }


def test_every_persona_has_exactly_its_groups_memberships_and_flags(demo):
    assert snapshot() == EXPECTED


def test_the_demo_organisations(demo):
    assert {o.name: (o.kind, o.region_code, o.local_issuer_code)
            for o in Organization.objects.all()} == ORGANIZATIONS
    for organization in Organization.objects.all():
        organization.full_clean()  # the enterprise's credit code included


def test_passwords_follow_the_printed_rule(demo, client):
    for account in DEMO_ACCOUNTS:
        assert account.password == f"biaozhun-{account.username}"
        assert client.login(username=account.username, password=account.password)


def test_demo_accounts_sign_in_through_the_form(demo, client):
    response = client.post("/accounts/login/", {"username": "guanli",
                                                "password": "biaozhun-guanli"})
    assert (response.status_code, response["Location"]) == (302, "/accounts/")
    page = client.get("/accounts/").content.decode()
    assert "长沙市市场监督管理局" in page
    assert "标准化管理员" in page


def test_rerunning_is_idempotent_and_resets(demo):
    guanli = demo["guanli"]
    Membership.objects.create(user=guanli,
                              organization=Organization.objects.get(name="湖南省市场监督管理局"))
    Membership.objects.filter(user=demo["qiye"]).update(role="member", is_active=False)
    guanli.set_password("changed")
    guanli.is_active = False
    guanli.save()
    counts = (User.objects.count(), Organization.objects.count(), Membership.objects.count())
    ensure_demo_accounts()
    assert snapshot() == EXPECTED
    assert (User.objects.count(), Organization.objects.count(), Membership.objects.count()) == \
        (counts[0], counts[1], counts[2] - 1)
    assert User.objects.get(username="guanli").check_password("biaozhun-guanli")


def test_an_existing_organisation_of_the_same_name_is_reused(db):
    Organization.objects.create(name="长沙市市场监督管理局", website="https://amr.changsha.gov.cn/")
    ensure_demo_accounts()
    organization = Organization.objects.get(name="长沙市市场监督管理局")
    assert (organization.kind, organization.region_code, organization.website) == \
        ("administration", "430100", "https://amr.changsha.gov.cn/")


def test_each_persona_is_described(demo):
    described = {a.username: (a.persona, a.role) for a in DEMO_ACCOUNTS}
    assert described["guanli"] == ("标准化主管部门工作人员（长沙市）",
                                   "标准化管理员、长沙市市场监督管理局管理员")
    assert described["gongzhong"] == ("社会公众", "—")
    assert described["admin"] == ("系统管理员（超级用户）", "系统管理员（超级用户）")
    assert User.objects.get(username="zhuanjia1").display_name == "标准化技术委员会委员（审查专家）"


def test_load_sample_prints_every_account(db, settings, monkeypatch):
    from biaozhun.catalog.management.commands import load_sample

    settings.DEBUG = True
    monkeypatch.setattr(load_sample, "FILES", [])  # the catalogue files are tested elsewhere
    out = StringIO()
    call_command("load_sample", stdout=out)
    lines = out.getvalue().splitlines()
    for account in DEMO_ACCOUNTS:
        assert any(line.split()[:3] == [account.username, "密码", account.password]
                   for line in lines), account.username
    assert "  guanli     密码 biaozhun-guanli      标准化主管部门工作人员（长沙市） · " \
           "标准化管理员、长沙市市场监督管理局管理员" in lines
