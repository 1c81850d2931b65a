"""Demo participation for a local trial (`make run`): comments on the open demo consultation
(signed-in users; one answered, one left for the drafting group) and a proposal from the
public, made through the real services. Needs the demo accounts and projects."""

from django.db import transaction

from biaozhun.accounts.models import Organization, User
from biaozhun.consultations import services
from biaozhun.consultations.models import Comment, Consultation, PublicProposal

DEMO_CONSULTATION_TITLE = "《智慧停车场建设与运营管理规范》（征求意见稿）"
DEMO_PROPOSAL_TITLE = "湘绣 针法术语"

COMMENTS = [
    ("qiye", services.CommentData(
        text="第 5.3 条要求车位引导屏每 30 秒刷新一次，中小停车场成本过高。",
        clause="5.3", type=Comment.Type.TECHNICAL,
        proposed_change="改为“宜每 60 秒刷新一次”。", reason="兼顾成本与使用体验。",
        commenter_type=Comment.CommenterType.ENTERPRISE, show_name=True)),
    ("shetuan", services.CommentData(
        text="术语“无感支付”建议与 GB/T 相关标准的用语一致。", clause="3.4",
        type=Comment.Type.EDITORIAL, commenter_type=Comment.CommenterType.ASSOCIATION)),
]


@transaction.atomic
def ensure_demo_participation() -> tuple[int, bool]:
    """(comments added, proposal added); idempotent."""
    consultation = Consultation.objects.filter(title=DEMO_CONSULTATION_TITLE,
                                               closed_at__isnull=True).first()
    users = {u.username: u for u in User.objects.filter(username__in=["qiye", "shetuan",
                                                                      "qicao"])}
    if consultation is None or len(users) < 3:
        raise RuntimeError(
            "演示项目尚未创建：请先运行 load_sample 和 load_demo_projects（DEBUG=1）。")
    added = 0
    if not consultation.comments.exists():
        for username, data in COMMENTS:
            services.submit_comment(consultation, by=users[username], data=data)
            added += 1
        first = consultation.comments.order_by("number").first()
        services.answer_comment(first, by=users["qicao"], decision=Comment.Decision.PARTLY,
                                reason="采纳放宽刷新间隔的建议，改为“不宜超过 60 秒”。")
    proposal_added = False
    if not PublicProposal.objects.filter(title=DEMO_PROPOSAL_TITLE).exists():
        services.submit_proposal(by=users["shetuan"], data=services.ProposalData(
            title=DEMO_PROPOSAL_TITLE, scope="规定湘绣常用针法的术语和定义。",
            reasons="湘绣是国家级非物质文化遗产，针法名称各地说法不一。",
            administration=Organization.objects.get(name="长沙市市场监督管理局"),
            name="社团工作人员", organization="长沙市食品行业协会",
            email="shetuan@example.com"))
        proposal_added = True
    return added, proposal_added
