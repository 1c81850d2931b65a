"""Public participation in a real Chromium: a guest reads a draft and comments on it
(answering the challenge and confirming the e-mail from the mailed link), the drafting group
answers, the period closes, and the guest's follow link shows the answer."""

import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import expect

from biaozhun.consultations import services
from biaozhun.consultations.models import Comment, Consultation
from biaozhun.consultations.tests.factories import answer_of
from biaozhun.projects.models import DocumentKind, Project, ProjectDocument
from biaozhun.projects.stages import Stage
from biaozhun.projects.tests.factories import make_cast, make_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GUEST_EMAIL = "wangfang@example.com"


def _draft_pdf() -> bytes:
    """A one-page 征求意见稿 with Chinese text (reportlab's built-in CJK font)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont("STSong-Light", 16)
    pdf.drawString(72, 770, "湘菜 辣椒炒肉烹饪技术规范（征求意见稿）")
    pdf.setFont("STSong-Light", 11)
    for i, line in enumerate(["1 范围", "本文件规定了辣椒炒肉的原料要求、烹饪工艺和质量要求。",
                              "5.2 烹饪温度：油温 200 ℃～210 ℃。"]):
        pdf.drawString(72, 730 - i * 22, line)
    pdf.save()
    return buffer.getvalue()


@pytest.fixture
def open_draft():
    cast = make_cast()
    project = make_project(cast, stage=Stage.PUBLIC_COMMENT)
    consultation = project.consultations.get()
    data = _draft_pdf()
    document = ProjectDocument(project=project, kind=DocumentKind.COMMENT_DRAFT, version=2,
                               original_name="征求意见稿.pdf", extension="pdf", size=len(data),
                               sha256="0" * 64, uploaded_by=cast.drafter)
    document.file.save("draft.pdf", ContentFile(data), save=False)
    document.save()
    Consultation.objects.filter(pk=consultation.pk).update(draft=document)
    return cast, consultation


def _link(message, name: str) -> str:
    [path] = [p for p in re.findall(r"https?://[^/\s]+(/participation/\S+)", message.body)
              if name in p]
    return path


def _close_period(consultation: Consultation) -> None:
    """The period ran out yesterday; the system's periodic run closes it."""
    today = timezone.localdate()
    Project.objects.filter(pk=consultation.project_id).update(
        comment_opens_on=today - timedelta(days=31), comment_closes_on=today - timedelta(days=1))
    Consultation.objects.filter(pk=consultation.pk).update(
        opens_on=today - timedelta(days=31), closes_on=today - timedelta(days=1))
    assert services.close_due_consultations() == [consultation.pk]


def test_a_guest_comments_the_group_answers_and_the_guest_sees_the_answer(
        live_server, page, screenshot, open_draft):
    cast, consultation = open_draft
    mail.outbox.clear()
    # What the page asked the server for, to say so if the comment is not sent.
    asked = []
    page.on("request", lambda r: asked.append(f"{r.method} {r.url}")
            if r.url.startswith(live_server.url) else None)

    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="公众参与").click()
    expect(page.locator("h1")).to_have_text("公众参与")
    expect(page.get_by_role("link", name="公众参与", exact=True).first).to_have_attribute(
        "aria-current", "page")
    open_row = page.locator("#h-open + table tbody tr")
    expect(open_row).to_have_count(1)
    expect(open_row).to_contain_text("还剩 30 天")
    screenshot("20-participation")

    open_row.get_by_role("link").click()
    expect(page.locator("h1")).to_have_text(consultation.title)
    # The PDF viewer is closed and nothing is fetched until the reader opens it (a loaded
    # Chromium viewer takes the focus, and with it what the guest types into the form).
    viewer = page.locator("iframe[title='征求意见稿（PDF）']")
    expect(viewer).to_be_hidden()
    src = viewer.get_attribute("src")
    served = page.request.get(live_server.url + src)
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["content-disposition"].startswith("inline;")
    assert served.body().startswith(b"%PDF-")
    screenshot("21-consultation-open")

    form = page.locator("form[action$='/comment/']")
    form.get_by_label("章条号").fill("5.2")
    form.get_by_label("段落/图/表").fill("表 1")
    form.get_by_label("意见类型").select_option("technical")
    form.get_by_label("意见", exact=True).fill("第 5.2 条的油温范围过窄，家庭灶具难以控制。")
    form.get_by_label("修改建议").fill("改为 180 ℃～220 ℃。")
    form.get_by_label("理由").fill("实际操作中火候差异较大。")
    form.get_by_label("姓名", exact=True).fill("王芳")
    form.get_by_label("单位", exact=True).fill("长沙某餐饮有限公司")
    form.get_by_label("电子邮箱").fill(GUEST_EMAIL)
    form.get_by_label("提出方类型").select_option("enterprise")
    expect(form.get_by_label("公开我的姓名和单位")).not_to_be_checked()
    question = form.locator("label[for='id_challenge_answer']").inner_text()
    form.get_by_label(question).fill(str(answer_of(question)))
    assert not [url for url in asked if "/documents/" in url]  # scrolling loaded no viewer
    form.get_by_role("button", name="提交意见").click()
    try:
        expect(page.locator("h1")).to_have_text("请查收确认邮件")
    except AssertionError as err:
        said = page.locator(".errorlist, .messages, [role='alert']").all_inner_texts()
        invalid = page.evaluate(
            "[...document.querySelectorAll('form :invalid')].map(e => e.name)")
        raise AssertionError(f"the comment was not sent; page said {said}, fields the browser "
                             f"refused {invalid}, requests {asked}") from err
    expect(page.get_by_role("status")).to_contain_text(GUEST_EMAIL)
    screenshot("22-check-your-email")
    comment = Comment.objects.get()
    assert comment.verified_at is None
    [message] = mail.outbox
    assert message.to == [GUEST_EMAIL]

    page.goto(live_server.url + _link(message, "/verify/"))
    expect(page.locator("h1")).to_have_text("意见回执")
    expect(page.get_by_role("status")).to_have_text("邮箱已确认，您的意见已计入。")
    expect(page.locator(".receipt-status")).to_contain_text("处理中")
    assert page.locator("meta[name='robots']").get_attribute("content") == "noindex"
    screenshot("23-receipt-received")

    services.answer_comment(comment, by=cast.drafter, decision="partly",
                            reason="采纳放宽上限的建议；下限仍为 190 ℃，以保证锅气。")
    follow = live_server.url + _link(message, "/receipt/")
    page.goto(follow)
    expect(page.locator(".receipt-status")).to_contain_text("处理中")  # not before closing
    expect(page.locator(".receipt-status")).not_to_contain_text("部分采纳")

    _close_period(consultation)
    assert Project.objects.get(pk=consultation.project_id).stage == Stage.COMMENT_RESOLUTION
    page.goto(follow)
    status = page.locator(".receipt-status")
    expect(status).to_contain_text("已答复")
    expect(status).to_contain_text("部分采纳")
    expect(status).to_contain_text("采纳放宽上限的建议；下限仍为 190 ℃，以保证锅气。")
    screenshot("24-receipt-answered")

    page.goto(live_server.url + consultation.get_absolute_url())
    published = page.locator("ol.comments > li")
    expect(published).to_have_count(1)
    expect(published).to_contain_text("第 1 条")
    expect(published).to_contain_text("企业")
    expect(published).to_contain_text("部分采纳")
    content = page.content()
    assert GUEST_EMAIL not in content and "王芳" not in content
    # Opening the viewer loads the draft in the page.
    with page.expect_response(lambda r: r.url == live_server.url + src) as response:
        page.get_by_text("在本页阅读征求意见稿").click()
    assert response.value.status == 200
    expect(viewer).to_be_visible()
    screenshot("25-consultation-closed")


def test_the_comment_form_reads_well_on_a_phone(live_server, page, screenshot, open_draft):
    _cast, consultation = open_draft
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + consultation.get_absolute_url() + "comment/")
    page.get_by_role("button", name="提交意见").click()  # the browser asks for the text first
    expect(page.locator("h1")).to_have_text("提出意见")
    page.get_by_label("意见", exact=True).fill("意见")
    page.get_by_label("姓名", exact=True).fill("王芳")
    page.get_by_label("单位", exact=True).fill("某公司")
    page.get_by_label("电子邮箱").fill(GUEST_EMAIL)
    question = page.locator("label[for='id_challenge_answer']").inner_text()
    page.get_by_label(question).fill(str(answer_of(question) + 1))
    page.get_by_role("button", name="提交意见").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("验证问题回答错误，请回答新的问题。")
    expect(summary).to_be_focused()  # consultations.js moves focus to the problems
    answer = page.locator("#id_challenge_answer")
    expect(answer).to_have_attribute("aria-invalid", "true")
    expect(answer).to_have_value("")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("26-comment-form-phone-error")
    assert Comment.objects.count() == 0
