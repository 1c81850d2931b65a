"""Personas and projects for tests: `cast = make_cast()`, `make_project(cast, stage=...)`.

Projects are brought to a stage by the real services (so their events, documents, deadlines
and votes are what production would have), with time-travel only for the comment period.
"""

import io
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from biaozhun.accounts import roles
from biaozhun.accounts.models import Membership, Organization, User
from biaozhun.projects import services
from biaozhun.projects.models import DocumentKind, Project, ReviewVote
from biaozhun.projects.stages import Stage


def pdf_file(name: str = "draft.pdf", body: bytes = b"draft") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.7\n" + body + b"\n%%EOF\n",
                              content_type="application/pdf")


def docx_file(name: str = "draft.docx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue(),
                              content_type="application/vnd.openxmlformats-officedocument."
                                           "wordprocessingml.document")


@dataclass
class Cast:
    """The personas of DOMAIN.md, each a user in the right organisation and role."""

    administration: Organization  # 长沙市 (lead)
    partner: Organization  # 株洲市 (joint standards)
    province: Organization
    department: Organization
    drafting: Organization
    committee: Organization
    admin: User  # administrator of the lead administration
    partner_admin: User
    department_user: User
    drafter: User
    experts: list[User]
    outsider: User  # signed in, no role
    superuser: User

    def personas(self) -> dict[str, User | None]:
        return {"anonymous": None, "outsider": self.outsider, "drafter": self.drafter,
                "department": self.department_user, "expert": self.experts[0],
                "administrator": self.admin, "partner_admin": self.partner_admin}


def _org(name: str, kind: str, region: str = "") -> Organization:
    org, _ = Organization.objects.get_or_create(name=name, defaults={"kind": kind,
                                                                     "region_code": region})
    return org


def _user(username: str, *orgs: Organization, group: str | None = None,
          superuser: bool = False) -> User:
    user = User.objects.create_user(username, f"{username}@example.com", "pw-" + username,
                                    display_name=username, is_superuser=superuser)
    for org in orgs:
        Membership.objects.create(user=user, organization=org)
    if group:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


def make_cast() -> Cast:
    admin_org = _org("长沙市市场监督管理局", Organization.Kind.ADMINISTRATION, "430100")
    partner = _org("株洲市市场监督管理局", Organization.Kind.ADMINISTRATION, "430200")
    province = _org("湖南省市场监督管理局", Organization.Kind.ADMINISTRATION, "430000")
    department = _org("长沙市工业和信息化局", Organization.Kind.DEPARTMENT)
    drafting = _org("长沙市标准化研究院", Organization.Kind.DRAFTING)
    committee = _org("长沙市食品安全标准化技术委员会", Organization.Kind.COMMITTEE)
    return Cast(
        administration=admin_org, partner=partner, province=province, department=department,
        drafting=drafting, committee=committee,
        admin=_user("guanli", admin_org, group=roles.ADMINISTRATOR),
        partner_admin=_user("zhuzhou", partner, group=roles.ADMINISTRATOR),
        department_user=_user("bumen", department),
        drafter=_user("qicao", drafting),
        experts=[_user(f"zhuanjia{i}", committee) for i in (1, 2, 3)],
        outsider=_user("gongzhong"),
        superuser=_user("root", superuser=True),
    )


def _upload(project: Project, user: User, *kinds: str) -> None:
    for kind in kinds:
        services.upload_document(project, by=user, kind=kind, upload=pdf_file(f"{kind}.pdf"))


def make_project(cast: Cast, *, stage: str = Stage.PROPOSED, joint: bool = False,
                 title: str = "湘菜 辣椒炒肉烹饪技术规范", **proposal) -> Project:
    """A project brought to `stage` through the services, as its real users would."""
    data = services.ProposalData(
        title=title, administration=cast.administration, scope="规定了辣椒炒肉的原料、烹饪工艺。",
        reasons="地方特色餐饮需要统一规范。", competent_department=cast.department,
        proposing_unit=cast.department, drafting_orgs=(cast.drafting,),
        committee=cast.committee, partners=(cast.partner,) if joint else (), **proposal)
    project = services.propose(data, by=cast.department_user, proposal_form=pdf_file())
    path = [Stage.EVALUATED, Stage.PLANNED, Stage.DRAFTING, Stage.PUBLIC_COMMENT,
            Stage.COMMENT_RESOLUTION, Stage.TECHNICAL_REVIEW, Stage.SUBMITTED, Stage.APPROVED,
            Stage.PUBLISHED, Stage.FILED]
    if stage == Stage.PROPOSED:
        return project
    if stage == Stage.REJECTED:
        services.reject(project, by=cast.admin, reason="与现行国家标准重复")
        return Project.objects.get(pk=project.pk)
    for step in path:
        _advance(cast, project, step)
        project.refresh_from_db()
        if step == stage:
            return project
    raise ValueError(f"make_project cannot reach {stage}")


def _advance(cast: Cast, project: Project, step: str) -> None:
    today = timezone.localdate()
    if step == Stage.EVALUATED:
        services.evaluate(project, by=cast.admin, accept=True, opinion="同意立项")
    elif step == Stage.PLANNED:
        services.include_in_plan(project, by=cast.admin, plan_year=today.year)
    elif step == Stage.DRAFTING:
        services.start_drafting(project, by=cast.drafter)
    elif step == Stage.PUBLIC_COMMENT:
        _upload(project, cast.drafter, DocumentKind.COMMENT_DRAFT, DocumentKind.EXPLANATION)
        services.open_public_comment(project, by=cast.drafter,
                                     closes_on=today + timedelta(days=30))
    elif step == Stage.COMMENT_RESOLUTION:
        # The comment period has run: pretend it closed yesterday.
        Project.objects.filter(pk=project.pk).update(
            comment_opens_on=today - timedelta(days=31),
            comment_closes_on=today - timedelta(days=1))
        services.close_public_comment(project, by=None)
    elif step == Stage.TECHNICAL_REVIEW:
        _upload(project, cast.drafter, DocumentKind.REVIEW_DRAFT,
                DocumentKind.DISPOSITION_TABLE)
        services.set_reviewers(project, by=cast.admin, reviewers=cast.experts)
        services.send_to_technical_review(project, by=cast.drafter)
    elif step == Stage.SUBMITTED:
        for expert in cast.experts:
            services.cast_vote(project, by=expert, choice=ReviewVote.Choice.APPROVE)
        _upload(project, cast.drafter, DocumentKind.APPROVAL_DRAFT)
        _upload(project, cast.department_user, DocumentKind.APPROVAL_FORM)
        _upload(project, cast.admin, DocumentKind.REVIEW_MINUTES)
        services.submit_for_approval(project, by=cast.drafter)
    elif step == Stage.APPROVED:
        services.approve(project, by=cast.admin)
        if project.jurisdictions.filter(approved_at__isnull=True).exists():
            services.approve(project, by=cast.partner_admin)
    elif step == Stage.PUBLISHED:
        services.publish(project, by=cast.admin, issued_on=today,
                         effective_on=today + timedelta(days=90))
    elif step == Stage.FILED:
        services.file_standard(project, by=cast.admin, filed_on=today)


def days_ago(n: int) -> date:
    return timezone.localdate() - timedelta(days=n)
