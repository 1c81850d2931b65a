"""Demo projects for a local trial (`make run`): a handful of local standard projects at
different stages, driven by the demo personas through the real services, so the pages,
deadlines, documents and audit trail show what production would."""

import io
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from biaozhun.accounts.models import Organization, User
from biaozhun.projects import services
from biaozhun.projects.models import DocumentKind, Project, ReviewVote
from biaozhun.projects.stages import Stage


@dataclass(frozen=True)
class DemoProject:
    title: str
    scope: str
    stage: str
    joint: bool = False


DEMO_PROJECTS = [
    DemoProject("湘菜 辣椒炒肉烹饪技术规范",
                "规定了辣椒炒肉的原料要求、加工工艺、感官要求和卫生要求。", Stage.PROPOSED),
    DemoProject("长沙臭豆腐制作工艺规范",
                "规定了长沙臭豆腐的原料、卤水制备、发酵、油炸和质量要求。", Stage.PLANNED),
    DemoProject("智慧停车场建设与运营管理规范",
                "规定了智慧停车场的设施建设、信息系统、运营服务和安全管理要求。",
                Stage.PUBLIC_COMMENT),
    DemoProject("养老机构服务质量评价规范",
                "规定了养老机构服务质量评价的原则、指标、方法和结果应用。",
                Stage.TECHNICAL_REVIEW),
    DemoProject("长株潭 城市公共自行车服务规范",
                "规定了长株潭地区城市公共自行车系统的服务设施、服务流程和服务评价。",
                Stage.SUBMITTED, joint=True),
    DemoProject("米粉生产加工卫生规范",
                "规定了米粉生产加工的场所、设备、原料、过程控制和检验要求。", Stage.PUBLISHED),
]


def _pdf(title: str, kind: str) -> SimpleUploadedFile:
    """A one-page PDF with the title, drawn with reportlab's built-in Chinese font."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setFont("STSong-Light", 18)
    page.drawString(72, 760, title)
    page.setFont("STSong-Light", 12)
    page.drawString(72, 730, f"{DocumentKind(kind).label}（演示文件）")
    page.showPage()
    page.save()
    return SimpleUploadedFile(f"{DocumentKind(kind).label}.pdf", buffer.getvalue(),
                              content_type="application/pdf")


def _users() -> dict[str, User]:
    names = ["guanli", "zhuzhou", "bumen", "qicao", "zhuanjia1", "zhuanjia2", "zhuanjia3"]
    return {u.username: u for u in User.objects.filter(username__in=names)}


def _orgs() -> dict[str, Organization]:
    names = ["长沙市市场监督管理局", "株洲市市场监督管理局", "长沙市工业和信息化局",
             "长沙市标准化研究院", "长沙市食品安全标准化技术委员会"]
    return {o.name: o for o in Organization.objects.filter(name__in=names)}


def ensure_demo_projects() -> list[Project]:
    """Create the demo projects that do not exist yet (by title). Needs the demo accounts."""
    users, orgs = _users(), _orgs()
    if len(users) < 7 or len(orgs) < 5:
        raise RuntimeError("演示账户尚未创建：请先运行 load_sample（DEBUG=1）。")
    existing = set(Project.objects.filter(title__in=[d.title for d in DEMO_PROJECTS])
                   .values_list("title", flat=True))
    made = []
    for demo in DEMO_PROJECTS:
        if demo.title in existing:
            continue
        made.append(_build(demo, users, orgs))
    return made


def _upload(project, user, title, *kinds):
    for kind in kinds:
        services.upload_document(project, by=user, kind=kind, upload=_pdf(title, kind))


def _build(demo: DemoProject, users, orgs) -> Project:
    admin, partner_admin = users["guanli"], users["zhuzhou"]
    drafter, department = users["qicao"], users["bumen"]
    experts = [users[f"zhuanjia{i}"] for i in (1, 2, 3)]
    today = timezone.localdate()
    data = services.ProposalData(
        title=demo.title, scope=demo.scope, reasons="满足本地产业发展和监管需要。",
        administration=orgs["长沙市市场监督管理局"],
        partners=(orgs["株洲市市场监督管理局"],) if demo.joint else (),
        proposing_unit=orgs["长沙市工业和信息化局"],
        competent_department=orgs["长沙市工业和信息化局"],
        drafting_orgs=(orgs["长沙市标准化研究院"],),
        committee=orgs["长沙市食品安全标准化技术委员会"])
    project = services.propose(data, by=department,
                               proposal_form=_pdf(demo.title, DocumentKind.PROPOSAL_FORM))
    steps = [Stage.EVALUATED, Stage.PLANNED, Stage.DRAFTING, Stage.PUBLIC_COMMENT,
             Stage.COMMENT_RESOLUTION, Stage.TECHNICAL_REVIEW, Stage.SUBMITTED,
             Stage.APPROVED, Stage.PUBLISHED]
    if demo.stage == Stage.PROPOSED:
        return project
    for step in steps:
        project.refresh_from_db()
        if step == Stage.EVALUATED:
            services.evaluate(project, by=admin, accept=True, opinion="符合立项条件，同意立项。")
        elif step == Stage.PLANNED:
            services.include_in_plan(project, by=admin, plan_year=today.year)
        elif step == Stage.DRAFTING:
            services.start_drafting(project, by=drafter)
        elif step == Stage.PUBLIC_COMMENT:
            _upload(project, drafter, demo.title, DocumentKind.COMMENT_DRAFT,
                    DocumentKind.EXPLANATION)
            services.open_public_comment(project, by=drafter,
                                         closes_on=today + timedelta(days=30))
        elif step == Stage.COMMENT_RESOLUTION:
            # Demo only: the comment period is treated as having run its course.
            Project.objects.filter(pk=project.pk).update(
                comment_opens_on=today - timedelta(days=31),
                comment_closes_on=today - timedelta(days=1))
            services.close_public_comment(project, by=None)
        elif step == Stage.TECHNICAL_REVIEW:
            _upload(project, drafter, demo.title, DocumentKind.REVIEW_DRAFT,
                    DocumentKind.DISPOSITION_TABLE)
            services.set_reviewers(project, by=admin, reviewers=experts)
            services.send_to_technical_review(project, by=drafter)
        elif step == Stage.SUBMITTED:
            for expert in experts:
                services.cast_vote(project, by=expert, choice=ReviewVote.Choice.APPROVE,
                                   opinion="同意通过审查。")
            _upload(project, drafter, demo.title, DocumentKind.APPROVAL_DRAFT)
            _upload(project, department, demo.title, DocumentKind.APPROVAL_FORM)
            _upload(project, admin, demo.title, DocumentKind.REVIEW_MINUTES)
            services.submit_for_approval(project, by=drafter)
        elif step == Stage.APPROVED:
            services.approve(project, by=admin)
            if demo.joint:
                services.approve(project, by=partner_admin)
        elif step == Stage.PUBLISHED:
            services.publish(project, by=admin, issued_on=today,
                             effective_on=today + timedelta(days=90))
        if step == demo.stage:
            break
    project.refresh_from_db()
    return project
