"""The public pages of public participation, as anonymous visitors, guests and members see
them: the transparency page, the list and a consultation with its documents, commenting
(guests end to end through the challenge and the mailed link), receipts, the XLSX import,
proposals from the public, subscriptions — and that hidden comments and private fields
never reach a public page."""

import html
import io
import re
from datetime import date

import docx
import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from biaozhun.consultations import services
from biaozhun.consultations.models import Comment, Consultation, PublicProposal, Subscription
from biaozhun.consultations.tests.factories import (
    answer_of,
    draft_consultation,
    filled_template,
    guest,
    member,
    pdf_file,
    plan_consultation,
    png_file,
    solved_challenge,
    targeted_consultation,
)
from biaozhun.projects import services as project_services
from biaozhun.projects.models import DocumentKind, ProjectDocument
from biaozhun.projects.stages import Stage
from biaozhun.projects.tests.factories import make_project

TODAY = date(2026, 3, 2)  # the frozen clock; a draft's period runs to 2026-04-01
AFTER_CLOSE = date(2026, 4, 2)
GUEST_EMAIL = "wangfang@example.com"


# --- helpers -----------------------------------------------------------------------------------


def text_of(response) -> str:
    """The page's visible text, tags removed, entities decoded, whitespace collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def main_of(response) -> str:
    body = response.content.decode()
    return body[body.index('<main id="main"'):body.index("</main>")]


def challenge_of(response) -> tuple[str, str]:
    """(token, right answer) of the challenge in a rendered form."""
    body = response.content.decode()
    token = re.search(r'name="challenge_token" value="([^"]+)"', body)[1]
    question = re.search(r'<label for="id_challenge_answer">([^<]+)</label>', body)[1]
    return token, str(answer_of(html.unescape(question)))


def guest_post(**fields) -> dict:
    data = {"clause": "5.2", "paragraph": "表 1", "type": "technical",
            "text": "第 5.2 条的温度范围过窄。", "proposed_change": "改为 180 ℃～220 ℃。",
            "reason": "实际操作中火候差异较大。", "commenter_type": "enterprise",
            "name": "王芳", "organization": "长沙某餐饮有限公司", "email": GUEST_EMAIL}
    data.update(fields)
    return data


def link_in(message, name: str) -> str:
    """The path of the /participation/ link containing `name` in a mail body."""
    paths = [path for path in re.findall(r"https?://[^/\s]+(/participation/\S+)", message.body)
             if name in path]
    assert len(paths) == 1, message.body
    return paths[0]


def close(clock, consultation: Consultation) -> None:
    """Let the period run out and the system close it."""
    clock.today = AFTER_CLOSE
    assert services.close_due_consultations() == [consultation.pk]


def detail_url(consultation) -> str:
    return f"/participation/consultations/{consultation.pk}/"


def comment_url(consultation) -> str:
    return f"/participation/consultations/{consultation.pk}/comment/"


@pytest.fixture
def consultation(cast, clock):
    return draft_consultation(cast)


# --- navigation and the transparency page ------------------------------------------------------


def test_the_main_navigation_links_to_public_participation(client, cast, clock):
    link = '<a href="/participation/" aria-current="page">公众参与</a>'
    assert link in client.get("/participation/").content.decode()
    assert link in client.get("/participation/proposals/").content.decode()
    assert ('<a href="/participation/">公众参与</a>'
            in client.get("/check/").content.decode())


def test_transparency_shows_proposals_plan_stages_and_open_consultations(client, cast, clock):
    draft = draft_consultation(cast)
    make_project(cast, title="湘绣 针法术语", stage=Stage.PROPOSED)
    make_project(cast, title="长沙臭豆腐 制作规范", stage=Stage.DRAFTING)
    PublicProposal.objects.create(
        title="米粉 质量要求", scope="规定了米粉的质量要求。", reasons="需要统一。",
        administration=cast.administration, proposer_name="赵敏", email="zhaomin@example.com")
    response = client.get("/participation/")
    assert response.status_code == 200
    page = response.content.decode()
    assert ('<link rel="alternate" type="application/atom+xml" title="征求意见（Atom）" '
            'href="/participation/feed/">') in page
    text = text_of(response)
    assert f"{draft.title} 标准征求意见稿 2026-04-01 还剩 30 天" in text
    assert "社会公众提出的建议（共 1 项） 米粉 质量要求 · 长沙市市场监督管理局 · 2026-03-02 已收到" in text
    assert "湘绣 针法术语 · 长沙市市场监督管理局 · 立项申请" in text
    assert "2026 年度计划" in text
    assert "湘菜 辣椒炒肉烹饪技术规范 长沙市市场监督管理局 征求意见" in text
    assert "长沙臭豆腐 制作规范 长沙市市场监督管理局 起草" in text
    counts = re.findall(r'<a href="/projects/\?stage=(\w+)"><span>([^<]+)</span> '
                        r'<span class="n">(\d+)</span>', page)
    assert counts == [("proposed", "立项申请", "1"), ("drafting", "起草", "1"),
                      ("public_comment", "征求意见", "1")]
    assert 'href="/participation/subscribe/"' in page
    assert 'href="/participation/feed/" type="application/atom+xml"' in page
    # The proposer's name and address are never on the public page.
    assert "赵敏" not in page and "zhaomin@example.com" not in page


def test_transparency_says_so_when_nothing_is_open(client, cast, clock):
    text = text_of(client.get("/participation/"))
    assert "目前没有正在征求意见的事项。" in text
    assert "尚未收到社会公众的立项建议。" in text
    assert "暂无列入计划的项目。" in text


# --- the list --------------------------------------------------------------------------------


def _titles(response) -> list[str]:
    table = main_of(response)
    return [html.unescape(t) for t in re.findall(
        r'<td><a href="/participation/consultations/\d+/">([^<]+)</a>', table)]


def test_the_list_shows_open_then_scheduled_then_closed(client, cast, clock):
    plan_consultation(cast, title="旧计划公示")
    clock.today = AFTER_CLOSE
    services.close_due_consultations()
    plan_consultation(cast, title="晚截止", days=45)
    plan_consultation(cast, title="早截止", days=30)
    plan_consultation(cast, title="下月开始", opens_on=date(2026, 5, 1),
                      closes_on=date(2026, 6, 1))
    response = client.get("/participation/consultations/")
    assert response.status_code == 200
    assert _titles(response) == ["早截止", "晚截止", "下月开始", "旧计划公示"]
    text = text_of(response)
    assert "共 4 项" in text
    assert "早截止 立项计划公示 长沙市市场监督管理局 2026-04-02 – 2026-05-02 征求意见中 还剩 30 天" in text
    assert "下月开始 立项计划公示 长沙市市场监督管理局 2026-05-01 – 2026-06-01 未开始" in text
    assert "旧计划公示 立项计划公示 长沙市市场监督管理局 2026-03-02 – 2026-04-01 已结束" in text


def test_the_list_filters_by_kind_and_state(client, cast, clock):
    draft_consultation(cast)
    plan_consultation(cast, title="计划公示")
    plan_consultation(cast, title="未来公示", opens_on=date(2026, 5, 1),
                      closes_on=date(2026, 6, 1))
    assert _titles(client.get("/participation/consultations/?kind=plan")) == [
        "计划公示", "未来公示"]
    assert _titles(client.get("/participation/consultations/?kind=draft")) == [
        "《湘菜 辣椒炒肉烹饪技术规范》（征求意见稿）"]
    assert _titles(client.get("/participation/consultations/?state=scheduled")) == ["未来公示"]
    assert _titles(client.get("/participation/consultations/?kind=plan&state=closed")) == []
    # An unknown filter value is ignored, not an error.
    assert client.get("/participation/consultations/?kind=nonsense").status_code == 200


def test_targeted_consultations_are_listed_only_for_who_may_see_them(client, cast, clock):
    plan_consultation(cast, title="计划公示")
    targeted = targeted_consultation(cast, users=[cast.experts[0]])
    assert _titles(client.get("/participation/consultations/")) == ["计划公示"]
    client.force_login(cast.outsider)
    assert _titles(client.get("/participation/consultations/")) == ["计划公示"]
    assert client.get(detail_url(targeted)).status_code == 404
    client.force_login(cast.experts[0])
    # Same deadline: the newer first.
    assert _titles(client.get("/participation/consultations/")) == [
        "定向征求意见：湘菜标准体系框架", "计划公示"]
    assert client.get(detail_url(targeted)).status_code == 200


def test_an_unknown_consultation_is_404(client, cast, clock):
    assert client.get("/participation/consultations/999/").status_code == 404
    assert client.get("/participation/consultations/999/comment/").status_code == 404
    assert client.get("/participation/consultations/999/documents/draft/").status_code == 404


# --- a consultation and its documents ----------------------------------------------------------


def test_an_open_consultation_shows_its_facts_documents_and_the_guest_form(
        client, consultation):
    response = client.get(detail_url(consultation))
    assert response.status_code == 200
    text = text_of(response)
    assert ("类型 标准征求意见稿 标准化行政主管部门 长沙市市场监督管理局 征求意见期 2026-03-02 至 "
            "2026-04-01 状态 征求意见中，2026-04-01 截止") in text
    assert "征求意见中 标准征求意见稿 还剩 30 天" in text
    page = main_of(response)
    pk = consultation.pk
    # The PDF viewers are closed until asked for (a loaded viewer takes the focus).
    viewers = re.findall(r'<details class="document-viewer">\s*<summary>(.*?)</summary>\s*'
                         r'(<iframe [^>]*></iframe>)\s*</details>', page)
    assert viewers == [
        ("在本页阅读征求意见稿",
         f'<iframe src="/participation/consultations/{pk}/documents/draft/" '
         f'title="征求意见稿（PDF）" loading="lazy"></iframe>'),
        ("在本页阅读编制说明",
         f'<iframe src="/participation/consultations/{pk}/documents/explanation/" '
         f'title="编制说明（PDF）" loading="lazy"></iframe>')]
    assert f'href="/participation/consultations/{pk}/documents/draft/?download=1" download' in page
    # Guests give name, organisation and e-mail and answer the challenge; or sign in.
    for name in ("clause", "paragraph", "type", "text", "proposed_change", "reason",
                 "attachments", "commenter_type", "show_name", "name", "organization",
                 "email", "challenge_token", "challenge_answer"):
        assert f'name="{name}"' in page, name
    assert re.search(r'<label for="id_challenge_answer">.(加|减).等于几？（请填阿拉伯数字）</label>',
                     page)
    assert '<input type="checkbox" name="show_name"' in page
    assert 'checked' not in re.search(r'<input type="checkbox" name="show_name"[^>]*>', page)[0]
    assert 'type="file" name="attachments" accept=".pdf,.docx,.xlsx,.png,.jpg,.jpeg" multiple' \
        in page
    assert (f'href="/accounts/login/?next=%2Fparticipation%2Fconsultations%2F{pk}%2F">'
            "登录后提交</a>") in page
    assert f'href="/participation/consultations/{pk}/comments/template.xlsx"' in page
    assert "登录后上传填好的意见表" in text


def test_a_member_sees_no_guest_fields_and_may_upload_a_template(client, cast, consultation):
    client.force_login(cast.outsider)
    page = main_of(client.get(detail_url(consultation)))
    for name in ("name", "organization", "email", "challenge_token", "challenge_answer"):
        assert f'name="{name}"' not in page, name
    assert "以 gongzhong 的身份提交，意见立即计入。" in page
    assert (f'action="/participation/consultations/{consultation.pk}/comments/import/"'
            in page)
    assert 'name="upload"' in page


def test_a_scheduled_consultation_has_no_form_yet(client, cast, clock):
    scheduled = plan_consultation(cast, opens_on=date(2026, 5, 1), closes_on=date(2026, 6, 1))
    response = client.get(detail_url(scheduled))
    assert "征求意见将于 2026-05-01 开始，届时可以提出意见。" in text_of(response)
    assert 'name="text"' not in main_of(response)
    assert client.get(comment_url(scheduled)).status_code == 409


def test_the_draft_of_a_terminated_project_takes_no_more_comments(client, cast, consultation):
    project_services.terminate(consultation.project, by=cast.admin, reason="上级标准已发布")
    response = client.get(detail_url(consultation))
    assert 'name="text"' not in main_of(response)
    assert "已结束 标准征求意见稿" in text_of(response)
    assert "征求意见已结束。" in text_of(response)
    refused = client.get(comment_url(consultation))
    assert refused.status_code == 409
    assert "征求意见已结束，不再接受意见。" in text_of(refused)


def test_the_draft_is_served_inline_and_as_download(client, consultation):
    url = f"/participation/consultations/{consultation.pk}/documents/draft/"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert b"".join(response.streaming_content) == b"%PDF-1.7\ndraft\n%%EOF\n"
    download = client.get(url + "?download=1")
    assert download["Content-Disposition"].startswith("attachment;")
    assert "%E8%BE%A3%E6%A4%92%E7%82%92%E8%82%89" in download["Content-Disposition"]  # 辣椒炒肉
    assert client.get(
        f"/participation/consultations/{consultation.pk}/documents/other/").status_code == 404


def test_documents_of_a_targeted_consultation_are_private(client, cast, clock):
    targeted = targeted_consultation(cast, users=[cast.experts[0]])
    assert client.get(f"/participation/consultations/{targeted.pk}/documents/draft/"
                      ).status_code == 404


def _docx_bytes() -> bytes:
    document = docx.Document()
    document.add_heading("1 范围", level=1)
    document.add_paragraph("本文件规定了辣椒炒肉的原料要求、烹饪工艺。")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "原料", "用量"
    table.cell(1, 0).text, table.cell(1, 1).text = "辣椒", "200 g"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _attach_docx(consultation, data: bytes, which: str = "draft") -> ProjectDocument:
    document = ProjectDocument(project=consultation.project, kind=DocumentKind.COMMENT_DRAFT,
                               version=9, original_name="draft.docx", extension="docx",
                               size=len(data), sha256=f"{len(data):064d}")
    document.file.save("draft.docx", ContentFile(data), save=False)
    document.save()
    Consultation.objects.filter(pk=consultation.pk).update(**{which: document})
    return document


def test_a_docx_draft_is_shown_as_text_and_offered_for_download(client, consultation):
    _attach_docx(consultation, _docx_bytes())
    response = client.get(detail_url(consultation))
    page = main_of(response)
    assert "<h3>1 范围</h3>" in page
    assert "<p>本文件规定了辣椒炒肉的原料要求、烹饪工艺。</p>" in page
    assert "<tr><td>原料</td><td>用量</td></tr><tr><td>辣椒</td><td>200 g</td></tr>" in page
    assert 'title="征求意见稿（PDF）"' not in page
    assert "下载征求意见稿（DOCX，" in text_of(response)
    served = client.get(f"/participation/consultations/{consultation.pk}/documents/draft/")
    assert served["Content-Disposition"].startswith("attachment;")  # never inline


def test_an_unreadable_docx_is_offered_for_download_only(client, consultation):
    _attach_docx(consultation, b"PK\x03\x04 not really a document")
    response = client.get(detail_url(consultation))
    assert response.status_code == 200
    assert "该文件无法在线显示，请下载阅读。" in text_of(response)


# --- commenting as a guest, end to end ---------------------------------------------------------


def test_a_guest_comments_answers_the_challenge_and_verifies_by_mail(
        client, consultation, django_capture_on_commit_callbacks):
    form = client.get(comment_url(consultation))
    assert form.status_code == 200
    token, answer = challenge_of(form)
    wrong = str(int(answer) + 1)
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(comment_url(consultation), guest_post(
            challenge_token=token, challenge_answer=wrong))
    assert refused.status_code == 400
    assert "验证问题回答错误，请回答新的问题。" in text_of(refused)
    assert (Comment.objects.count(), len(mail.outbox)) == (0, 0)
    # The form keeps what was typed and asks a new question.
    new_token, answer = challenge_of(refused)
    assert new_token != token
    assert 'value="王芳"' in main_of(refused)

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(comment_url(consultation), guest_post(
            challenge_token=new_token, challenge_answer=answer))
    assert sent.status_code == 200
    assert ("我们已收到您的意见（第 1 条），并向 wangfang@example.com 发送了一封确认邮件。"
            in text_of(sent))
    comment = Comment.objects.get()
    assert (comment.name, comment.organization, comment.email, comment.clause,
            comment.paragraph, comment.type, comment.commenter_type, comment.show_name,
            comment.client_ip, comment.verified_at) == (
        "王芳", "长沙某餐饮有限公司", GUEST_EMAIL, "5.2", "表 1", "technical", "enterprise",
        False, "127.0.0.1", None)
    consultation.refresh_from_db()
    assert consultation.comment_count == 0  # not until the address is confirmed
    assert [m.to for m in mail.outbox] == [[GUEST_EMAIL]]

    receipt = client.get(link_in(mail.outbox[0], "/receipt/"))
    assert "待确认邮箱" in text_of(receipt)
    verified = client.get(link_in(mail.outbox[0], "/verify/"))
    assert verified.status_code == 302
    assert verified["Location"] == f"/participation/comments/receipt/{comment.receipt}/?verified=1"
    receipt = client.get(verified["Location"])
    text = text_of(receipt)
    assert "邮箱已确认，您的意见已计入。" in text
    assert "处理情况 处理中" in text
    comment.refresh_from_db()
    consultation.refresh_from_db()
    assert comment.verified_at is not None and consultation.comment_count == 1
    # The link works once more without harm; a forged one does not.
    assert client.get(link_in(mail.outbox[0], "/verify/")).status_code == 302
    bad = client.get("/participation/comments/verify/forged/")
    assert bad.status_code == 400 and "确认链接无效。" in text_of(bad)


def test_a_used_challenge_is_refused(client, consultation, state_of):
    token, answer = solved_challenge()
    assert client.post(comment_url(consultation), guest_post(
        challenge_token=token, challenge_answer=answer)).status_code == 200
    before = state_of()
    again = client.post(comment_url(consultation), guest_post(
        challenge_token=token, challenge_answer=answer))
    assert again.status_code == 400
    assert "验证问题已使用过，请回答新的问题。" in text_of(again)
    assert state_of() == before


def test_missing_guest_fields_are_linked_to_their_inputs(client, consultation, state_of):
    before = state_of()
    token, answer = solved_challenge()
    response = client.post(comment_url(consultation), guest_post(
        name="", email="not-an-address", text="", challenge_token=token,
        challenge_answer=answer))
    assert response.status_code == 400
    page = main_of(response)
    assert '<div class="notice error" role="alert" id="error-summary">' in page
    assert '<a href="#id_name">姓名：这个字段是必填项。</a>' in page
    for field in ("name", "email", "text"):
        tag = re.search(rf'<(input|textarea)[^>]*name="{field}"[^>]*>', page)[0]
        assert 'aria-invalid="true"' in tag, field
        assert f"id_{field}_error" in re.search(r'aria-describedby="([^"]+)"', tag)[1], field
        assert f'<div class="field-error" id="id_{field}_error">' in page
    assert state_of() == before


def test_a_member_comment_counts_at_once_and_leads_to_its_receipt(
        client, cast, consultation, django_capture_on_commit_callbacks):
    client.force_login(cast.outsider)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(comment_url(consultation), {
            "text": "建议增加术语“爆炒”的定义。", "clause": "3", "type": "general",
            "commenter_type": "individual", "attachments": [png_file(), pdf_file()]})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/participation/comments/receipt/{comment.receipt}/"
    assert (comment.author, comment.name, comment.show_name, comment.verified_at is not None
            ) == (cast.outsider, "gongzhong", False, True)
    assert [m.subject for m in mail.outbox] == [
        "【意见回执】《湘菜 辣椒炒肉烹饪技术规范》（征求意见稿） 第 1 条意见"]
    text = text_of(client.get(response["Location"]))
    assert "附件 photo.png（64 字节）；draft.pdf（21 字节）" in text
    assert "公开姓名和单位 否，公开为“个人”" in text


def test_a_wrong_attachment_is_refused_on_its_field(client, cast, consultation, state_of):
    client.force_login(cast.outsider)
    before = state_of()
    fake = ContentFile(b"MZ\x90\x00 executable", name="photo.png")
    response = client.post(comment_url(consultation), {
        "text": "见附件。", "type": "general", "commenter_type": "individual",
        "attachments": [fake]})
    assert response.status_code == 400
    assert ('<div class="field-error" id="id_attachments_error"><p>“photo.png”的格式不能上传，'
            "附件只接受 PDF、Word（.docx）、Excel（.xlsx）、PNG 图片、JPEG 图片。</p></div>"
            in main_of(response))
    assert state_of() == before


def test_commenting_after_closing_is_409_and_changes_nothing(client, cast, clock, consultation,
                                                             state_of):
    close(clock, consultation)
    before = state_of()
    assert client.get(comment_url(consultation)).status_code == 409
    token, answer = solved_challenge()
    response = client.post(comment_url(consultation), guest_post(
        challenge_token=token, challenge_answer=answer))
    assert response.status_code == 409
    assert "征求意见已结束，不再接受意见。" in text_of(response)
    client.force_login(cast.outsider)
    assert client.post(comment_url(consultation), {
        "text": "迟到的意见", "type": "general", "commenter_type": "individual"}
    ).status_code == 409
    assert state_of() == before


def test_too_many_comments_are_429_with_the_retry_time(client, cast, consultation, settings,
                                                        state_of):
    settings.CONSULTATION_RATE_LIMITS = {"comment": {"per_user_hour": 1}}
    client.force_login(cast.outsider)
    data = {"text": "意见", "type": "general", "commenter_type": "individual"}
    assert client.post(comment_url(consultation), data).status_code == 302
    before = state_of()
    response = client.post(comment_url(consultation), data)
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    text = text_of(response)
    assert "提交过于频繁，请 60 分钟后再试。" in text
    assert "请于 11:00 以后再试。" in text  # the frozen clock reads 10:00
    assert state_of() == before


def test_only_invitees_comment_on_a_targeted_consultation(client, cast, clock, state_of):
    targeted = targeted_consultation(cast, users=[cast.experts[0]])
    data = {"text": "意见", "type": "general", "commenter_type": "expert"}
    before = state_of()
    assert client.post(comment_url(targeted), data).status_code == 404  # anonymous
    client.force_login(cast.admin)  # sees it, is not invited
    response = client.post(comment_url(targeted), data)
    assert response.status_code == 403
    assert "这项征求意见只接受受邀单位和专家的意见。" in text_of(response)
    assert state_of() == before
    client.force_login(cast.experts[0])
    assert client.post(comment_url(targeted), data).status_code == 302


# --- receipts -------------------------------------------------------------------------------------


def test_the_receipt_shows_everything_but_the_answer_until_the_period_closes(
        client, cast, clock, consultation):
    comment = services.submit_comment(consultation, by=cast.outsider, data=member(
        "温度范围过窄。", clause="5.2", paragraph="表 1", proposed_change="放宽。",
        reason="火候差异。", name="李明", organization="湖南省餐饮行业协会",
        commenter_type="association", show_name=True))
    services.answer_comment(comment, by=cast.drafter, decision="not_accepted",
                            reason="与现行国家标准一致，不宜放宽。")
    url = f"/participation/comments/receipt/{comment.receipt}/"
    response = client.get(url)
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex">' in response.content.decode()
    text = text_of(response)
    assert "处理情况 处理中 意见已收到。征求意见于 2026-04-01 截止，之后公开每条意见的处理结果。" in text
    assert "不采纳" not in text and "不宜放宽" not in text
    assert ("序号 第 1 条 提交时间 2026-03-02 10:00 姓名 李明 单位 湖南省餐饮行业协会 电子邮箱 "
            "gongzhong@example.com 提出方类型 社会团体 公开姓名和单位 是，公开为“李明（湖南省餐饮行业协会）” "
            "章条号 5.2 段落/图/表 表 1 意见类型 一般性 意见 温度范围过窄。 修改建议 放宽。 理由 火候差异。"
            ) in text
    close(clock, consultation)
    text = text_of(client.get(url))
    assert "处理情况 已答复 处理意见： 不采纳 理由： 与现行国家标准一致，不宜放宽。" in text


def test_a_grouped_comment_shows_the_answer_of_its_group(client, cast, clock, consultation):
    leader = services.submit_comment(consultation, by=cast.outsider, data=member("甲"))
    duplicate = services.submit_comment(consultation, by=cast.outsider, data=member("乙"))
    services.group_duplicates(leader, by=cast.drafter, duplicates=[duplicate])
    services.answer_comment(leader, by=cast.drafter, decision="partly", reason="部分采纳。")
    close(clock, consultation)
    text = text_of(client.get(f"/participation/comments/receipt/{duplicate.receipt}/"))
    assert "处理意见： 部分采纳 （与第 1 条意见合并处理） 理由： 部分采纳。" in text


def test_a_hidden_comment_tells_its_author_why(client, cast, consultation):
    comment = services.submit_comment(consultation, by=cast.outsider, data=member("广告"))
    services.hide_comment(comment, by=cast.admin, reason="与征求意见无关的广告")
    text = text_of(client.get(f"/participation/comments/receipt/{comment.receipt}/"))
    assert "已屏蔽 该意见不公开显示，也不计入。理由：与征求意见无关的广告" in text


def test_an_unknown_receipt_is_404(client, cast, clock):
    assert client.get("/participation/comments/receipt/nope/").status_code == 404


# --- what the public sees after closing: nothing private ---------------------------------------


@pytest.fixture
def closed_with_comments(client, cast, clock, consultation):
    """A closed draft consultation with: a verified guest (name not shown), a member who
    chose to be named, a hidden comment, an unverified guest, and answers."""
    shy = services.submit_comment(
        consultation, by=None, data=guest("温度范围过窄。", email="shy@example.com",
                                          name="王芳"),
        client_ip="203.0.113.7", challenge=solved_challenge())
    services.verify_comment(services.verification_token(shy))
    named = services.submit_comment(consultation, by=cast.outsider, data=member(
        "建议增加术语。", name="李明", organization="湖南省餐饮行业协会",
        commenter_type="association", show_name=True), client_ip="198.51.100.4")
    hidden = services.submit_comment(consultation, by=None, data=guest(
        "秘密的广告内容", name="张三", email="spam@example.com"), client_ip="192.0.2.99",
        challenge=solved_challenge())
    services.verify_comment(services.verification_token(hidden))
    services.hide_comment(hidden, by=cast.admin, reason="屏蔽理由：广告")
    services.submit_comment(consultation, by=None, data=guest(
        "尚未确认的意见", name="赵六", email="unverified@example.com"),
        client_ip="192.0.2.55", challenge=solved_challenge())
    services.answer_comment(shy, by=cast.drafter, decision="accepted")
    services.answer_comment(named, by=cast.drafter, decision="not_accepted",
                            reason="术语已在 GB/T 15091 中定义。")
    close(clock, consultation)
    return consultation


def test_the_public_sees_each_visible_comment_with_its_answer(client, closed_with_comments):
    response = client.get(detail_url(closed_with_comments))
    assert response.status_code == 200
    text = text_of(response)
    assert "征求意见已结束，共收到有效意见 2 条。" in text
    assert "采纳 1 部分采纳 0 不采纳 1" in text
    assert "企业 1 社会团体 1" in text
    assert ("第 1 条 企业 技术性 章条号 5.2 意见 温度范围过窄。 处理意见： 采纳" in text)
    assert ("第 2 条 李明（湖南省餐饮行业协会） 一般性 意见 建议增加术语。 处理意见： 不采纳 "
            "术语已在 GB/T 15091 中定义。") in text
    assert 'name="text"' not in main_of(response)


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "administrator"])
def test_hidden_comments_and_private_fields_never_reach_the_public_page(
        client, cast, closed_with_comments, persona):
    user = cast.personas()[persona]
    if user is not None:
        client.force_login(user)
    page = main_of(client.get(detail_url(closed_with_comments)))
    for secret in ("shy@example.com", "spam@example.com", "unverified@example.com",
                   "gongzhong@example.com", "203.0.113.7", "198.51.100.4", "192.0.2.99",
                   "192.0.2.55", "秘密的广告内容", "屏蔽理由", "尚未确认的意见", "王芳", "张三",
                   "赵六", "长沙某餐饮有限公司", "gongzhong"):
        assert secret not in page, secret
    assert "李明" in page  # named because they agreed


def test_comments_are_not_public_while_the_period_runs(client, cast, consultation):
    services.submit_comment(consultation, by=cast.outsider, data=member("尚在征求中的意见"))
    page = main_of(client.get(detail_url(consultation)))
    assert "尚在征求中的意见" not in page
    assert "已收到意见 1 条" in text_of(client.get(detail_url(consultation)))


# --- the XLSX template and the import ----------------------------------------------------------


def test_the_template_is_an_xlsx_download(client, consultation):
    response = client.get(
        f"/participation/consultations/{consultation.pk}/comments/template.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="comments-{consultation.pk}.xlsx"')
    assert response.content.startswith(b"PK\x03\x04")


def test_an_organisation_imports_comments_and_gets_their_receipts(
        client, cast, consultation, django_capture_on_commit_callbacks):
    client.force_login(cast.drafter)
    upload = filled_template(consultation, [
        ("5.1", "", "技术性", "油温未规定。", "补充油温。", "影响口感。"),
        ("6", "表 2", "编辑性", "表头有误。", "", "")])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/participation/consultations/{consultation.pk}/comments/import/",
            {"upload": upload})
    assert response.status_code == 200
    comments = list(Comment.objects.order_by("number"))
    assert [(c.number, c.clause, c.text) for c in comments] == [
        (1, "5.1", "油温未规定。"), (2, "6", "表头有误。")]
    text = text_of(response)
    assert "已导入 2 条意见，并已计入。" in text
    for c in comments:
        assert f'href="/participation/comments/receipt/{c.receipt}/"' in main_of(response)
    assert len(mail.outbox) == 1


def test_a_bad_import_lists_every_error_and_stores_nothing(client, cast, consultation,
                                                          state_of):
    client.force_login(cast.drafter)
    before = state_of()
    upload = filled_template(consultation, [
        ("5.1", "", "技术性", "", "", ""), ("6", "", "随便", "表头有误。", "", "")])
    response = client.post(
        f"/participation/consultations/{consultation.pk}/comments/import/", {"upload": upload})
    assert response.status_code == 400
    rows = re.findall(r'<tr><td class="n" data-label="行">([^<]*)</td><td data-label="列">'
                      r'([^<]*)</td><td data-label="问题">([^<]*)</td></tr>', main_of(response))
    assert [(row, column) for row, column, _reason in rows] == [
        ("2", "意见"), ("3", "意见类型（一般性/技术性/编辑性）")]
    assert "文件中有 2 处错误，未导入任何意见。" in text_of(response)
    assert state_of() == before


def test_importing_needs_an_account(client, consultation, state_of):
    url = f"/participation/consultations/{consultation.pk}/comments/import/"
    before = state_of()
    assert client.post(url, {"upload": filled_template(consultation, [
        ("1", "", "", "意见", "", "")])}).status_code == 403
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert state_of() == before


# --- proposals from the public -------------------------------------------------------------------


def test_a_guest_proposes_a_standard_and_sees_the_novelty_check(
        client, cast, clock, django_capture_on_commit_callbacks):
    form = client.get("/participation/proposals/new/")
    assert form.status_code == 200
    token, answer = challenge_of(form)
    assert f'<option value="{cast.administration.pk}">长沙市市场监督管理局</option>' in \
        form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/participation/proposals/new/", {
            "title": "米粉 质量要求", "scope": "规定了米粉的质量要求。", "reasons": "需要统一。",
            "administration": cast.administration.pk, "name": "赵敏",
            "organization": "", "email": "zhaomin@example.com",
            "challenge_token": token, "challenge_answer": answer})
    proposal = PublicProposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/participation/proposals/receipt/{proposal.receipt}/?new=1"
    receipt = client.get(response["Location"])
    assert receipt["X-Robots-Tag"] == "noindex, nofollow"
    text = text_of(receipt)
    assert "建议已提交。" in text
    assert "处理情况 已收到 已提交给长沙市市场监督管理局，处理后会通知您。" in text
    assert "查新结果 提交时在标准目录中查新的结果。已有相近的国家标准或行业标准时，一般不再制定地方标准。 目录中没有与之相似的现有标准。" in text
    assert [m.to for m in mail.outbox] == [["zhaomin@example.com"]]


def test_the_proposal_receipt_lists_similar_standards(client, cast, clock):
    proposal = PublicProposal.objects.create(
        title="米粉 质量要求", scope="范围", reasons="理由", administration=cast.administration,
        proposer_name="赵敏", email="zhaomin@example.com", novelty=[
            {"id": 1, "code": "GB/T 23587-2009", "title_zh": "粉条", "level": "national",
             "status": "current", "score": 0.412, "shared": ["粉", "质量"]}])
    response = client.get(proposal.get_receipt_url())
    text = text_of(response)
    assert "与建议最相似的现有标准" in text
    assert ("标准号 标准名称 标准级别 状态 相似度 相同的词 GB/T 23587-2009 粉条 国家标准 现行 41% 粉、质量"
            in text)
    assert '<a href="/standards/GB/T%2023587-2009">GB/T 23587-2009</a>' in main_of(response)


def test_a_proposal_missing_its_fields_is_400(client, cast, clock, state_of):
    before = state_of()
    token, answer = solved_challenge()
    response = client.post("/participation/proposals/new/", {
        "title": "", "scope": "", "reasons": "", "administration": "", "name": "",
        "email": "", "challenge_token": token, "challenge_answer": answer})
    assert response.status_code == 400
    page = main_of(response)
    for field in ("title", "scope", "reasons", "administration", "name", "email"):
        assert f'<div class="field-error" id="id_{field}_error">' in page, field
    assert state_of() == before


def test_the_proposal_list_is_public_without_the_proposers(client, cast, clock):
    declined = PublicProposal.objects.create(
        title="米粉 质量要求", scope="范围甲", reasons="理由", administration=cast.administration,
        proposer_name="赵敏", email="zhaomin@example.com")
    services.decline_proposal(declined, by=cast.admin, reason="已有国家标准 GB/T 23587。")
    PublicProposal.objects.create(
        title="湘绣 术语", scope="范围乙", reasons="理由", administration=cast.administration,
        proposer_name="钱多", proposer_organization="湘绣研究所", email="qian@example.com")
    response = client.get("/participation/proposals/")
    assert response.status_code == 200
    text = text_of(response)
    assert "湘绣 术语 已收到 主管部门 长沙市市场监督管理局 收到日期 2026-03-02 范围和主要技术内容 范围乙" in text
    assert ("米粉 质量要求 不予采纳 主管部门 长沙市市场监督管理局 收到日期 2026-03-02 范围和主要技术内容 "
            "范围甲 不予采纳的理由 已有国家标准 GB/T 23587。") in text
    page = main_of(response)
    for private in ("赵敏", "钱多", "湘绣研究所", "zhaomin@example.com", "qian@example.com"):
        assert private not in page
    assert "decide_proposal" not in page and "/decision/" not in page
    assert _titles_of_proposals(client.get("/participation/proposals/?state=declined")) == [
        "米粉 质量要求"]


def _titles_of_proposals(response) -> list[str]:
    return re.findall(r'<h2 class="number">([^<]+)</h2>', main_of(response))


def test_administrators_see_the_decision_forms_for_received_proposals(client, cast, clock):
    received = PublicProposal.objects.create(
        title="湘绣 术语", scope="范围", reasons="理由", administration=cast.administration,
        proposer_name="钱多", email="qian@example.com")
    client.force_login(cast.outsider)
    assert "/decision/" not in main_of(client.get("/participation/proposals/"))
    client.force_login(cast.admin)
    page = main_of(client.get("/participation/proposals/"))
    action = f'action="/participation/proposals/{received.pk}/decision/"'
    assert page.count(action) == 2
    assert '<input type="hidden" name="action" value="accept">' in page
    assert '<input type="hidden" name="action" value="decline">' in page
    assert f'<label for="decline-{received.pk}">不予采纳的理由</label>' in page


# --- subscriptions -----------------------------------------------------------------------------


def _notice(response) -> str:
    return re.search(r'<div class="notice success" role="status">(.*?)</div>',
                     response.content.decode(), re.S)[1].strip()


def test_subscribing_is_double_opt_in_and_never_tells_who_is_subscribed(
        client, django_capture_on_commit_callbacks, db):
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/participation/subscribe/", {"email": "reader@example.com",
                                                          "category": "draft"})
    assert first.status_code == 200
    assert Subscription.objects.get().confirmed_at is None
    assert len(mail.outbox) == 1
    confirmed = client.get(link_in(mail.outbox[0], "/subscribe/confirm/"))
    assert confirmed.status_code == 200
    assert "有新的“标准征求意见稿”类征求意见时，我们会发邮件通知您。" in text_of(confirmed)
    assert Subscription.objects.get().is_active
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post("/participation/subscribe/", {"email": "reader@example.com",
                                                          "category": "draft"})
    with django_capture_on_commit_callbacks(execute=True):
        other = client.post("/participation/subscribe/", {"email": "other@example.com",
                                                          "category": "draft"})
    # The same answer for an address already subscribed and a new one.
    assert _notice(again) == _notice(first)
    assert _notice(other) == _notice(first).replace("reader@example.com", "other@example.com")
    assert [m.to for m in mail.outbox] == [["reader@example.com"], ["other@example.com"]]


def test_a_bad_address_is_400_on_its_field(client, db):
    response = client.post("/participation/subscribe/", {"email": "nope", "category": "all"})
    assert response.status_code == 400
    assert '<div class="field-error" id="id_email_error">' in main_of(response)
    assert Subscription.objects.count() == 0


def test_a_forged_confirmation_link_is_400(client, db):
    response = client.get("/participation/subscribe/confirm/forged/")
    assert response.status_code == 400 and "链接无效。" in text_of(response)


@pytest.fixture
def subscription(db):
    return Subscription.objects.create(email="reader@example.com", category="all",
                                       confirmed_at=timezone.now())


def test_unsubscribing_asks_first_then_unsubscribes(subscription):
    client = Client(enforce_csrf_checks=True)
    url = f"/participation/unsubscribe/{subscription.token}/"
    page = client.get(url)
    assert page.status_code == 200 and "确认退订" in text_of(page)
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is None
    assert client.post(url).status_code == 403  # an ordinary POST needs its CSRF token
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is None
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"',
                      main_of(page))[1]
    done = client.post(url, {"csrfmiddlewaretoken": token})
    assert done.status_code == 200 and "已退订" in text_of(done)
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is not None


def test_one_click_unsubscribe_needs_no_csrf_token(subscription):
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/participation/unsubscribe/{subscription.token}/",
                           "List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert response.content.decode() == "已退订。"
    subscription.refresh_from_db()
    assert not subscription.is_active
    # Idempotent, and an unknown link is 404.
    assert client.post(f"/participation/unsubscribe/{subscription.token}/",
                       "List-Unsubscribe=One-Click",
                       content_type="application/x-www-form-urlencoded").status_code == 200
    assert client.post("/participation/unsubscribe/unknown/", "List-Unsubscribe=One-Click",
                       content_type="application/x-www-form-urlencoded").status_code == 404


def test_the_unsubscribe_link_of_an_announcement_works_in_one_click(
        cast, clock, subscription, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        plan_consultation(cast)
    [message] = mail.outbox
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    path = url[url.index("/participation/"):]
    response = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is not None


def test_the_stage_counts_link_to_the_project_list_filtered_by_stage(client, cast, clock):
    make_project(cast, stage=Stage.PLANNED)
    page = client.get("/participation/").content.decode()
    assert ('<a href="/projects/?stage=planned"><span>列入计划</span> <span class="n">1</span></a>'
            in page)


# --- query counts ------------------------------------------------------------------------------


def _comments(consultation, cast, n: int) -> None:
    for i in range(n):
        services.submit_comment(consultation, by=cast.outsider, data=member(
            f"意见 {i}", show_name=bool(i % 2)))


@pytest.mark.parametrize("count", [3, 12])
def test_the_closed_page_costs_the_same_queries_for_any_number_of_comments(
        client, cast, clock, consultation, count, django_assert_num_queries):
    _comments(consultation, cast, count)
    close(clock, consultation)
    with django_assert_num_queries(5):
        response = client.get(detail_url(consultation))
    assert len(re.findall(r'<li id="comment-\d+">', main_of(response))) == count


@pytest.mark.parametrize("count", [2, 6])
def test_the_list_costs_the_same_queries_for_any_number_of_consultations(
        client, cast, clock, count, django_assert_num_queries):
    for i in range(count):
        plan_consultation(cast, title=f"公示 {i}")
    with django_assert_num_queries(2):
        response = client.get("/participation/consultations/")
    assert len(_titles(response)) == count
