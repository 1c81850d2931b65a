"""Mail of public participation, all sent after commit: notices to subscribers when a public
consultation opens; receipts and verification links to commenters; the subscription
confirmation; receipts and decisions to proposers from the public."""

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse

from biaozhun.consultations.models import Consultation, Subscription


def announce(consultation: Consultation) -> None:
    """Queue a notice of `consultation` to confirmed subscribers of its category."""
    if not consultation.is_public:
        return
    pk = consultation.pk
    transaction.on_commit(lambda: send_announcement(pk))


def send_announcement(pk: int) -> int:
    consultation = Consultation.objects.get(pk=pk)
    category = {Consultation.Kind.DRAFT: Subscription.Category.DRAFT,
                Consultation.Kind.PLAN: Subscription.Category.PLAN,
                Consultation.Kind.REVIEW: Subscription.Category.REVIEW}.get(consultation.kind)
    if category is None:
        return 0
    subscribers = Subscription.objects.filter(
        category__in=[category, Subscription.Category.ALL], confirmed_at__isnull=False,
        unsubscribed_at__isnull=True).order_by("email", "category")
    seen: set[str] = set()
    messages = []
    link = settings.SITE_URL + consultation.get_absolute_url()
    for subscription in subscribers:
        if subscription.email in seen:
            continue
        seen.add(subscription.email)
        unsubscribe = settings.SITE_URL + reverse("consultations:unsubscribe",
                                                  args=[subscription.token])
        body = (f"{consultation.title}\n征求意见期：{consultation.opens_on.isoformat()} 至 "
                f"{consultation.closes_on.isoformat()}\n阅读和提出意见：{link}\n\n"
                f"退订：{unsubscribe}\n")
        messages.append(EmailMessage(
            subject=f"【征求意见】{consultation.title}", body=body, to=[subscription.email],
            headers={"List-Unsubscribe": f"<{unsubscribe}>",
                     "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}))
    if messages:
        get_connection().send_messages(messages)
    return len(messages)


# --- mail to commenters, subscribers and proposers (all queued after commit) ---------------

def _link(path: str) -> str:
    return settings.SITE_URL + path


def _send(subject: str, body: str, to: str) -> None:
    if to:
        EmailMessage(subject=subject, body=body, to=[to]).send()


def _excerpt(text: str, length: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[:length] + "…"


def queue_comment_mail(comment_pk: int, *, verify_token: str | None = None) -> None:
    """After commit: to a guest, the verification link (and the follow link); to a signed-in
    commenter, the receipt."""
    transaction.on_commit(lambda: send_comment_mail(comment_pk, verify_token=verify_token))


def send_comment_mail(comment_pk: int, *, verify_token: str | None = None) -> None:
    from biaozhun.consultations.models import Comment

    comment = Comment.objects.select_related("consultation").get(pk=comment_pk)
    consultation = comment.consultation
    where = (f"征求意见：{consultation.title}\n意见序号：第 {comment.number} 条\n"
             f"意见摘要：{_excerpt(comment.text)}\n")
    follow = f"查看处理情况：{_link(comment.get_receipt_url())}\n"
    if verify_token:
        verify = _link(reverse("consultations:verify", args=[verify_token]))
        hours = settings.CONSULTATION_VERIFY_HOURS
        body = (f"{comment.name}，您好：\n\n我们收到了您提交的意见。"
                f"请在 {hours} 小时内点击下面的链接确认电子邮箱，确认后意见才会计入：\n"
                f"{verify}\n\n{where}{follow}\n"
                "如果不是您本人提交，请忽略本邮件。\n")
        _send(f"【请确认邮箱】{consultation.title} 第 {comment.number} 条意见", body,
              comment.email)
    else:
        body = f"{comment.name}，您好：\n\n您的意见已收到。\n\n{where}{follow}"
        _send(f"【意见回执】{consultation.title} 第 {comment.number} 条意见", body,
              comment.email)


IMPORT_RECEIPT_LINKS = 50  # further comments of a large import are listed by number only


def queue_import_mail(comment_pks: list[int]) -> None:
    pks = list(comment_pks)
    transaction.on_commit(lambda: send_import_mail(pks))


def send_import_mail(comment_pks: list[int]) -> None:
    from biaozhun.consultations.models import Comment

    comments = list(Comment.objects.filter(pk__in=comment_pks).select_related("consultation")
                    .order_by("number").only("pk", "number", "receipt", "name", "email",
                                             "consultation__title", "consultation_id"))
    if not comments:
        return
    first = comments[0]
    consultation = first.consultation
    lines = [f"第 {c.number} 条：{_link(c.get_receipt_url())}"
             for c in comments[:IMPORT_RECEIPT_LINKS]]
    if len(comments) > IMPORT_RECEIPT_LINKS:
        lines.append(f"……其余 {len(comments) - IMPORT_RECEIPT_LINKS} 条为第 "
                     f"{comments[IMPORT_RECEIPT_LINKS].number}–{comments[-1].number} 条，"
                     f"请在征求意见页面查看：{_link(consultation.get_absolute_url())}")
    body = (f"{first.name}，您好：\n\n您批量提交的 {len(comments)} 条意见已收到。\n"
            f"征求意见：{consultation.title}\n意见序号：第 {first.number}–{comments[-1].number}"
            f" 条\n\n查看处理情况：\n" + "\n".join(lines) + "\n")
    _send(f"【意见回执】{consultation.title} 共 {len(comments)} 条意见", body, first.email)


def queue_subscription_mail(subscription_pk: int) -> None:
    transaction.on_commit(lambda: send_subscription_mail(subscription_pk))


def send_subscription_mail(subscription_pk: int) -> None:
    subscription = Subscription.objects.get(pk=subscription_pk)
    label = subscription.get_category_display()
    confirm = _link(reverse("consultations:confirm_subscription", args=[subscription.token]))
    unsubscribe = _link(reverse("consultations:unsubscribe", args=[subscription.token]))
    body = (f"您好：\n\n有人（希望是您）用本邮箱订阅了“{label}”类征求意见通知。请点击下面的链接确认"
            f"订阅：\n{confirm}\n\n如果不是您本人操作，请忽略本邮件，不会再收到通知。\n"
            f"随时退订：{unsubscribe}\n")
    _send(f"【订阅确认】{label}征求意见通知", body, subscription.email)


def queue_proposal_mail(proposal_pk: int) -> None:
    """After commit: the receipt of a new proposal, or the decision on it."""
    transaction.on_commit(lambda: send_proposal_mail(proposal_pk))


def send_proposal_mail(proposal_pk: int) -> None:
    from biaozhun.consultations.models import PublicProposal

    proposal = PublicProposal.objects.select_related("project").get(pk=proposal_pk)
    follow = f"查看处理情况：{_link(proposal.get_receipt_url())}\n"
    greeting = f"{proposal.proposer_name}，您好：\n\n"
    if proposal.state == PublicProposal.State.RECEIVED:
        similar = len(proposal.novelty)
        novelty = (f"查新发现 {similar} 项相似的现行标准，详见回执页面。\n" if similar
                   else "查新未发现相似的现行标准。\n")
        body = (f"{greeting}您的地方标准立项建议“{proposal.title}”已收到，"
                "主管部门处理后会通知您。\n"
                f"{novelty}{follow}")
        _send(f"【立项建议回执】{proposal.title}", body, proposal.email)
        return
    if proposal.state == PublicProposal.State.ACCEPTED:
        reference = proposal.project.reference if proposal.project else ""
        result = f"主管部门已采纳您的建议，转为立项申请（项目编号 {reference}）。\n"
    else:
        result = f"主管部门决定不予采纳。理由：\n{proposal.decision_reason}\n"
    body = f"{greeting}您的地方标准立项建议“{proposal.title}”已有处理结果：\n{result}\n{follow}"
    _send(f"【立项建议处理结果】{proposal.title}", body, proposal.email)
