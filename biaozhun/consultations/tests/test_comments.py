"""Signed-in users commenting: defaults from the account, numbering, the receipt, limits on
text and attachments, and who may comment on a targeted consultation."""

import hashlib

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from biaozhun.consultations import permissions, services
from biaozhun.consultations.models import Comment, CommentAttachment
from biaozhun.consultations.selectors import public_comments
from biaozhun.consultations.tests.factories import (
    docx_file,
    draft_consultation,
    jpeg_file,
    member,
    pdf_file,
    plan_consultation,
    png_file,
    targeted_consultation,
)


def test_a_member_comment_counts_at_once_with_defaults_from_the_account(cast, clock):
    consultation = draft_consultation(cast)
    comment = services.submit_comment(
        consultation, by=cast.drafter,
        data=member("术语定义不清。", clause="3.1", paragraph="第 2 段", type="editorial",
                    proposed_change="改为“……”。", reason="与 GB/T 1.1 一致。"),
        client_ip="198.51.100.4")
    assert (comment.number, comment.author, comment.name, comment.organization,
            comment.email) == (1, cast.drafter, "qicao", "长沙市标准化研究院",
                               "qicao@example.com")
    assert (comment.clause, comment.paragraph, comment.type, comment.text,
            comment.proposed_change, comment.reason) == (
        "3.1", "第 2 段", "editorial", "术语定义不清。", "改为“……”。", "与 GB/T 1.1 一致。")
    assert comment.verified_at == comment.submitted_at
    assert (comment.commenter_type, comment.show_name, comment.client_ip) == (
        "individual", False, "198.51.100.4")
    consultation.refresh_from_db()
    assert consultation.comment_count == 1


def test_the_commenter_may_give_another_name_and_be_named_publicly(cast, clock):
    consultation = draft_consultation(cast)
    comment = services.submit_comment(consultation, by=cast.outsider, data=member(
        name="李明", organization="湖南省餐饮行业协会", commenter_type="association",
        show_name=True))
    assert (comment.name, comment.organization, comment.public_name) == (
        "李明", "湖南省餐饮行业协会", "李明（湖南省餐饮行业协会）")
    anonymous = services.submit_comment(consultation, by=cast.outsider, data=member(
        commenter_type="association"))
    assert anonymous.public_name == "社会团体"


def test_the_member_gets_a_receipt_with_the_follow_link_after_commit(
        cast, clock, django_capture_on_commit_callbacks):
    consultation = draft_consultation(cast)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        comment = services.submit_comment(consultation, by=cast.outsider, data=member())
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["gongzhong@example.com"], f"【意见回执】{consultation.title} 第 1 条意见")]
    assert settings.SITE_URL + comment.get_receipt_url() in mail.outbox[0].body
    assert "/comments/verify/" not in mail.outbox[0].body


def test_no_receipt_for_an_account_without_e_mail(cast, clock,
                                                 django_capture_on_commit_callbacks):
    cast.outsider.email = ""
    cast.outsider.save()
    consultation = draft_consultation(cast)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_comment(consultation, by=cast.outsider, data=member())
    assert mail.outbox == []


def test_numbers_run_per_consultation(cast, clock):
    draft = draft_consultation(cast)
    plan = plan_consultation(cast)
    numbers = [services.submit_comment(c, by=cast.outsider, data=member()).number
               for c in (draft, draft, plan, draft, plan)]
    assert numbers == [1, 2, 1, 3, 2]
    draft.refresh_from_db()
    plan.refresh_from_db()
    assert (draft.comment_count, plan.comment_count) == (3, 2)


def test_comments_stay_private_until_the_consultation_closes(cast, clock):
    consultation = plan_consultation(cast)
    services.submit_comment(consultation, by=cast.outsider, data=member())
    assert list(public_comments(consultation)) == []
    clock.advance(31)
    assert [c.number for c in public_comments(consultation)] == [1]


@pytest.mark.parametrize("fields, errors", [
    ({"text": "  "}, {"text": ["请填写意见。"]}),
    ({"text": "长" * 5001}, {"text": ["不超过 5000 字（现有 5001 字）。"]}),
    ({"proposed_change": "改" * 5001}, {"proposed_change": ["不超过 5000 字（现有 5001 字）。"]}),
    ({"reason": "因" * 5001}, {"reason": ["不超过 5000 字（现有 5001 字）。"]}),
    ({"clause": "5" * 61}, {"clause": ["不超过 60 字（现有 61 字）。"]}),
    ({"type": "political"}, {"type": ["意见类型应为一般性、技术性或编辑性。"]}),
    ({"commenter_type": "robot"}, {"commenter_type": ["提出方类型无效。"]}),
    ({"email": "not-an-address"}, {"email": ["电子邮箱格式不正确。"]}),
])
def test_bad_fields_are_refused_and_nothing_is_stored(cast, clock, state_of, fields, errors):
    consultation = draft_consultation(cast)
    data = member(**{k: v for k, v in fields.items() if k != "text"})
    if "text" in fields:
        data.text = fields["text"]
    before = state_of()
    with pytest.raises(ValidationError) as refused:
        services.submit_comment(consultation, by=cast.outsider, data=data)
    assert refused.value.message_dict == errors
    assert state_of() == before


def test_the_text_limit_comes_from_settings(cast, clock, settings):
    settings.CONSULTATION_MAX_COMMENT_CHARS = 10
    consultation = draft_consultation(cast)
    with pytest.raises(ValidationError) as refused:
        services.submit_comment(consultation, by=cast.outsider, data=member("一" * 11))
    assert refused.value.message_dict == {"text": ["不超过 10 字（现有 11 字）。"]}
    assert services.submit_comment(consultation, by=cast.outsider,
                                   data=member("一" * 10)).text == "一" * 10


# --- attachments --------------------------------------------------------------------------------


def test_attachments_of_each_allowed_type_are_stored_with_their_hash(cast, clock):
    consultation = draft_consultation(cast)
    files = [pdf_file("证据.pdf"), png_file("现场.png"), jpeg_file("菜品.JPG")]
    bodies = [f.read() for f in files]
    for f in files:
        f.seek(0)
    comment = services.submit_comment(consultation, by=cast.outsider, data=member(),
                                      attachments=files)
    stored = list(comment.attachments.order_by("pk"))
    assert [(a.original_name, a.extension, a.size, a.sha256) for a in stored] == [
        (name, ext, len(body), hashlib.sha256(body).hexdigest())
        for name, ext, body in zip(("证据.pdf", "现场.png", "菜品.JPG"), ("pdf", "png", "jpeg"),
                                   bodies, strict=True)]
    assert stored[0].file.read() == bodies[0]
    assert stored[0].file.name == (f"comments/{consultation.pk}/{comment.pk}/"
                                   f"{stored[0].sha256[:16]}.pdf")


def test_docx_and_xlsx_attachments_are_accepted(cast, clock):
    from biaozhun.consultations.tests.factories import filled_template

    consultation = draft_consultation(cast)
    comment = services.submit_comment(
        consultation, by=cast.outsider, data=member(),
        attachments=[docx_file("修改稿.docx"), filled_template(consultation, [], name="表.xlsx")])
    assert sorted(comment.attachments.values_list("extension", flat=True)) == ["docx", "xlsx"]


@pytest.mark.parametrize("upload, message", [
    (SimpleUploadedFile("run.exe", b"MZ\x90\x00" + b"\x00" * 60),
     "“run.exe”的格式不能上传，附件只接受 PDF、Word（.docx）、Excel（.xlsx）、PNG 图片、JPEG 图片。"),
    (SimpleUploadedFile("notes.txt", "纯文本".encode()),
     "“notes.txt”的格式不能上传，附件只接受 PDF、Word（.docx）、Excel（.xlsx）、PNG 图片、JPEG 图片。"),
    (png_file("photo.pdf"), "“photo.pdf”的扩展名与内容（PNG 图片）不符。"),
    (SimpleUploadedFile("empty.pdf", b""), "“empty.pdf”是空文件。"),
])
def test_attachments_are_checked_by_content(cast, clock, state_of, upload, message):
    consultation = draft_consultation(cast)
    before = state_of()
    with pytest.raises(ValidationError) as refused:
        services.submit_comment(consultation, by=cast.outsider, data=member(),
                                attachments=[pdf_file(), upload])
    assert refused.value.message_dict == {"attachments": [message]}
    assert state_of() == before


def test_an_attachment_over_the_size_limit_is_refused(cast, clock, state_of, settings):
    settings.CONSULTATION_MAX_ATTACHMENT_BYTES = 1000
    consultation = draft_consultation(cast)
    before = state_of()
    with pytest.raises(ValidationError) as refused:
        services.submit_comment(consultation, by=cast.outsider, data=member(),
                                attachments=[png_file("big.png", size=1001)])
    assert refused.value.message_dict == {
        "attachments": ["“big.png”大小 1001\xa0字节，超过上限 1000\xa0字节。"]}
    assert state_of() == before
    comment = services.submit_comment(consultation, by=cast.outsider, data=member(),
                                      attachments=[png_file("ok.png", size=1000)])
    assert comment.attachments.get().size == 1000


def test_at_most_three_attachments(cast, clock, state_of):
    consultation = draft_consultation(cast)
    before = state_of()
    with pytest.raises(ValidationError) as refused:
        services.submit_comment(consultation, by=cast.outsider, data=member(),
                                attachments=[png_file(f"{i}.png") for i in range(4)])
    assert refused.value.message_dict == {"attachments": ["最多上传 3 个附件。"]}
    assert state_of() == before
    assert CommentAttachment.objects.count() == 0


# --- targeted consultations --------------------------------------------------------------------


def test_invited_organisations_and_experts_comment_on_a_targeted_consultation(cast, clock):
    consultation = targeted_consultation(cast, organizations=[cast.department],
                                         users=[cast.experts[0]])
    by_member = services.submit_comment(consultation, by=cast.department_user, data=member())
    by_expert = services.submit_comment(consultation, by=cast.experts[0], data=member())
    assert (by_member.organization, by_expert.organization) == (
        "长沙市工业和信息化局", "长沙市食品安全标准化技术委员会")


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "drafter", "expert"])
def test_others_may_not_comment_on_a_targeted_consultation(cast, clock, state_of, persona):
    consultation = targeted_consultation(cast, organizations=[cast.department],
                                         users=[cast.experts[1]])
    before = state_of()
    with pytest.raises(PermissionDenied):
        services.submit_comment(consultation, by=cast.personas()[persona], data=member())
    assert state_of() == before
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("persona, allowed", [
    ("anonymous", False), ("outsider", False), ("drafter", False), ("department", True),
    ("expert", True), ("administrator", True), ("partner_admin", False),
])
def test_who_sees_a_targeted_consultation(cast, clock, persona, allowed):
    consultation = targeted_consultation(cast, organizations=[cast.department],
                                         users=[cast.experts[0]])
    user = cast.personas()[persona]
    assert permissions.can_view_consultation(user, consultation) is allowed
    assert permissions.can_view_consultation(user, plan_consultation(cast)) is True


def test_the_participants_of_a_project_see_its_targeted_consultation(cast, clock):
    consultation = targeted_consultation(cast, users=[cast.experts[2]])
    consultation.project = draft_consultation(cast).project
    assert permissions.can_view_consultation(cast.drafter, consultation) is True
    assert permissions.can_view_consultation(cast.outsider, consultation) is False
