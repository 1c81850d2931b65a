"""The lifecycle in a real Chromium, by three people in their own browsers: the competent
department proposes, the administration evaluates, plans, approves and publishes, the
drafting organisation drafts, consults, answers and submits — and the standard appears in the
catalogue. The experts' votes and the end of the comment period are set up through the
services (they are other people and another day)."""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from biaozhun.catalog.models import Standard, Status
from biaozhun.projects import services
from biaozhun.projects.audit import verify_all
from biaozhun.projects.models import Project, ReviewVote
from biaozhun.projects.stages import Stage
from biaozhun.projects.tests.factories import make_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "长沙米粉 生产加工技术规范"


def _pdf(tmp_path: Path, name: str) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont("STSong-Light", 16)
    pdf.drawString(72, 770, f"{TITLE}（{name}）")
    pdf.save()
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture
def people(browser, live_server):
    """One signed-in browser context per person."""
    cast = make_cast()
    contexts, pages = [], {}
    for key, user in (("department", cast.department_user), ("admin", cast.admin),
                      ("drafter", cast.drafter)):
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("用户名").fill(user.username)
        page.get_by_label("密码").fill("pw-" + user.username)
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("link", name=str(user))).to_be_visible()
        pages[key] = page
    yield cast, pages
    for context in contexts:
        context.close()


def _act(page, action: str, **fields) -> None:
    """Fill and submit the form of one action on the project page."""
    section = page.locator(f"#action-{action}")
    expect(section).to_be_visible()
    for label, value in fields.items():
        control = section.get_by_label(label)
        if value is True:
            control.check()
        else:
            control.fill(value)
    section.get_by_role("button").last.click()
    expect(page.locator(".messages, [role=status]").first).to_be_visible()


def _upload(page, tmp_path, kind_label: str) -> None:
    form = page.locator("form.upload-form")
    form.get_by_label("材料类型").select_option(label=kind_label)
    form.get_by_label("文件").set_input_files(str(_pdf(tmp_path, kind_label)))
    form.get_by_role("button", name="上传").click()
    expect(page.locator("table").filter(has_text=kind_label).first).to_be_visible()


def test_three_people_take_a_standard_from_proposal_to_the_catalogue(
        live_server, people, tmp_path):
    cast, pages = people
    today = timezone.localdate()
    shots = Path(__file__).resolve().parents[2] / "test-artifacts"
    shots.mkdir(exist_ok=True)

    # 1. The competent department proposes, with its proposal form.
    department = pages["department"]
    department.goto(live_server.url + "/projects/new/")
    department.get_by_label("标准名称").fill(TITLE)
    department.get_by_label("范围和主要技术内容").fill("规定了长沙米粉的原料、加工工艺和检验要求。")
    department.get_by_label("标准化行政主管部门（牵头）").select_option(
        label=cast.administration.name)
    department.get_by_label("行业主管部门").select_option(label=cast.department.name)
    department.get_by_label(cast.drafting.name).check()
    department.get_by_label("归口技术委员会").select_option(label=cast.committee.name)
    department.get_by_label("立项申请书").set_input_files(str(_pdf(tmp_path, "立项申请书")))
    department.get_by_role("button", name="提交立项申请").click()
    expect(department.locator("h1")).to_contain_text(TITLE)
    project = Project.objects.get(title=TITLE)
    assert project.stage == Stage.PROPOSED
    url = live_server.url + project.get_absolute_url()
    # The department may not evaluate its own proposal.
    expect(department.locator("#action-evaluate")).to_have_count(0)

    # 2. The administration evaluates and plans.
    admin = pages["admin"]
    admin.goto(url)
    section = admin.locator("#action-evaluate")
    section.get_by_label("同意立项").check()
    section.get_by_label("评估意见").fill("必要、可行，与现行国家标准不重复。")
    section.get_by_role("button", name="立项评估").click()
    expect(admin.locator(".messages")).to_be_visible()
    _act(admin, "plan")
    project.refresh_from_db()
    assert project.stage == Stage.PLANNED

    # 3. The drafting organisation drafts and opens the public comment period.
    drafter = pages["drafter"]
    drafter.goto(url)
    _act(drafter, "start_drafting")
    _upload(drafter, tmp_path, "征求意见稿")
    _upload(drafter, tmp_path, "编制说明")
    drafter.goto(url)
    _act(drafter, "open_public_comment",
         征求意见截止日期=(today + timedelta(days=30)).isoformat())
    project.refresh_from_db()
    assert project.stage == Stage.PUBLIC_COMMENT
    drafter.screenshot(path=str(shots / "30-project-public-comment.png"), full_page=True)

    # Another day: the period has run; the system closes it; experts sit on the panel.
    Project.objects.filter(pk=project.pk).update(
        comment_opens_on=today - timedelta(days=31), comment_closes_on=today - timedelta(days=1))
    assert services.run_daily().closed_comment_periods == [project.pk]
    services.set_reviewers(project, by=cast.admin, reviewers=cast.experts)

    # 4. The drafting organisation sends the draft to technical review.
    drafter.goto(url)
    _upload(drafter, tmp_path, "送审稿")
    _upload(drafter, tmp_path, "意见汇总处理表")
    drafter.goto(url)
    _act(drafter, "send_to_technical_review")
    for expert in cast.experts:
        services.cast_vote(project, by=expert, choice=ReviewVote.Choice.APPROVE)

    # 5. Submission for approval, with the documents it needs.
    admin.goto(url)
    _upload(admin, tmp_path, "审查会议纪要")
    drafter.goto(url)
    _upload(drafter, tmp_path, "报批稿")
    _upload(drafter, tmp_path, "报批申请表")
    drafter.goto(url)
    _act(drafter, "submit_for_approval")
    project.refresh_from_db()
    assert project.stage == Stage.SUBMITTED

    # 6. The administration approves (the number is allocated) and publishes.
    admin.goto(url)
    _act(admin, "approve")
    project.refresh_from_db()
    assert (project.stage, project.issuer, project.sequence) == (Stage.APPROVED, "DB4301/T", 1)
    admin.goto(url)
    _act(admin, "publish", 发布日期=today.isoformat(),
         实施日期=(today + timedelta(days=90)).isoformat())
    project.refresh_from_db()
    code = f"DB4301/T 1-{today.year}"
    assert (project.stage, project.code) == (Stage.PUBLISHED, code)
    admin.screenshot(path=str(shots / "31-project-published.png"), full_page=True)

    # 7. Anyone finds it in the catalogue, upcoming until its effective date.
    department.goto(live_server.url + "/standards/" + code)
    expect(department.locator("h1")).to_contain_text(re.compile(r"DB4301/T 1—\d{4}"))
    expect(department.locator("main")).to_contain_text(TITLE)
    expect(department.locator("main")).to_contain_text("即将实施")
    assert Standard.objects.get(code=code).status == Status.UPCOMING
    department.screenshot(path=str(shots / "32-catalogue-edition.png"), full_page=True)
    read, broken = verify_all()
    assert broken == [] and read == Project.objects.get(pk=project.pk).event_count
