"""Pages of the lifecycle: list, proposal, project page, actions, documents, extensions,
"my work" and help — each for the personas that may use it and refused to the others."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from biaozhun.catalog.models import Standard
from biaozhun.catalog.tests.factories import make_standard
from biaozhun.projects import services
from biaozhun.projects.models import (
    Deadline,
    DocumentKind,
    ExtensionRequest,
    Project,
    ProjectDocument,
    ReviewVote,
)
from biaozhun.projects.stages import STAGE_CODES, Stage
from biaozhun.projects.tests.factories import docx_file, make_project, pdf_file

pytestmark = pytest.mark.django_db


def page(response) -> str:
    return response.content.decode()


def act(client, project, action, **data):
    return client.post(reverse("projects:action", args=[project.pk, action]), data)


def detail(client, project):
    return client.get(reverse("projects:detail", args=[project.pk]))


# --- list ---------------------------------------------------------------------------------


def test_the_list_shows_reference_title_stage_administration_and_plan_year(client, cast, clock):
    drafting = make_project(cast, stage=Stage.DRAFTING, title="米粉 加工技术规范")
    proposed = make_project(cast, title="臭豆腐 制作规范")
    response = client.get(reverse("projects:list"))
    assert response.status_code == 200
    html = page(response)
    assert "共 2 个项目" in html
    row = html[html.index(drafting.reference):html.index("</tr>", html.index(drafting.reference))]
    assert f'<a href="/projects/{drafting.pk}/">米粉 加工技术规范</a>' in row
    assert '<span class="stage stage-drafting">起草</span> <span class="stage-code">20.20</span>' \
        in row
    assert "长沙市市场监督管理局" in row
    assert '<td class="date">2026</td>' in row
    assert '<time datetime="2026-03-02T10:00:00' in row
    # Most recently updated first.
    assert html.index(proposed.reference) < html.index(drafting.reference)
    assert "只看我的" not in html


def test_the_list_filters_by_stage_with_a_removable_chip(client, cast, clock):
    make_project(cast, stage=Stage.DRAFTING, title="米粉 加工技术规范")
    make_project(cast, title="臭豆腐 制作规范")
    html = page(client.get(reverse("projects:list"), {"stage": "drafting"}))
    assert "米粉 加工技术规范" in html
    assert "臭豆腐 制作规范" not in html
    assert "阶段：起草（20.20）" in html
    assert '<a class="chip" href="?">' in html


def test_the_list_searches_titles_and_references(client, cast, clock):
    rice = make_project(cast, title="米粉 加工技术规范")
    make_project(cast, title="臭豆腐 制作规范")
    html = page(client.get(reverse("projects:list"), {"q": "米粉"}))
    assert ("米粉 加工技术规范" in html, "臭豆腐" in html) == (True, False)
    html = page(client.get(reverse("projects:list"), {"q": rice.reference}))
    assert ("米粉 加工技术规范" in html, "臭豆腐" in html) == (True, False)


def test_mine_lists_each_of_my_projects_once(client, cast, clock):
    joint = make_project(cast, stage=Stage.TECHNICAL_REVIEW, joint=True, title="联合 规范")
    services.propose(services.ProposalData(title="别人的 规范", administration=cast.province),
                     by=cast.outsider)
    client.force_login(cast.experts[0])
    html = page(client.get(reverse("projects:list"), {"mine": "on"}))
    assert html.count(f'href="/projects/{joint.pk}/"') == 1
    assert "共 1 个项目" in html
    assert "别人的 规范" not in html
    client.force_login(cast.admin)
    html = page(client.get(reverse("projects:list"), {"mine": "on"}))
    assert html.count(f'href="/projects/{joint.pk}/"') == 1
    assert "共 1 个项目" in html


def test_overdue_lists_projects_with_a_missed_deadline(client, cast, clock):
    late = make_project(cast, title="逾期 规范")
    make_project(cast, title="按时 规范")
    Deadline.objects.filter(project=late).update(overdue_since=clock.today)
    html = page(client.get(reverse("projects:list"), {"overdue": "on"}))
    assert ("逾期 规范" in html, "按时 规范" in html) == (True, False)
    assert "逾期：是" in html


def test_the_list_is_paginated(client, cast, clock, settings):
    settings.PROJECT_PAGE_SIZE = 2
    for i in range(3):
        make_project(cast, title=f"项目{i} 规范")
    first = page(client.get(reverse("projects:list")))
    second = page(client.get(reverse("projects:list"), {"page": 2}))
    assert "第 1 页，共 2 页" in first and "第 2 页，共 2 页" in second
    assert ("项目2 规范" in first, "项目0 规范" in first) == (True, False)
    assert "项目0 规范" in second


def test_the_list_reads_a_fixed_number_of_queries(client, cast, clock, settings,
                                                  django_assert_max_num_queries):
    settings.PROJECT_PAGE_SIZE = 30
    for i in range(30):
        make_project(cast, title=f"项目{i} 规范")
    client.force_login(cast.drafter)
    every_filter = {"q": "项目", "stage": "proposed", "administration": cast.administration.pk,
                    "year": "", "mine": "on"}
    # session, user, two role checks of the section nav, the chosen administration, the
    # administration options, the user's organisations, count, page.
    with django_assert_max_num_queries(9):
        response = client.get(reverse("projects:list"), every_filter)
    assert page(response).count('<span class="stage stage-proposed">') == 30
    client.logout()
    with django_assert_max_num_queries(3):
        response = client.get(reverse("projects:list"))
    assert page(response).count('<span class="stage stage-proposed">') == 30


# --- proposal -------------------------------------------------------------------------------


def test_proposing_needs_signing_in(client, cast):
    response = client.get(reverse("projects:propose"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_proposal_form_offers_organisations_by_kind(client, cast):
    client.force_login(cast.outsider)
    html = page(client.get(reverse("projects:propose")))
    administration = html[html.index('name="administration"'):]
    administration = administration[:administration.index("</select>")]
    assert "长沙市市场监督管理局" in administration
    assert "长沙市标准化研究院" not in administration
    committee = html[html.index('name="committee"'):]
    assert "长沙市食品安全标准化技术委员会" in committee[:committee.index("</select>")]
    assert 'type="file" name="proposal_form"' in html


def _proposal(cast, **extra):
    data = {"title": "剁辣椒 生产技术规范", "scope": "规定了剁辣椒的生产。",
            "reasons": "统一工艺。", "kind": "new", "nature": "recommended",
            "administration": cast.administration.pk, "numbering": "shared",
            "competent_department": cast.department.pk, "proposing_unit": cast.department.pk,
            "drafting_orgs": [cast.drafting.pk], "committee": cast.committee.pk}
    data.update(extra)
    return data


def test_a_proposal_creates_the_project_and_shows_it(client, cast, clock):
    client.force_login(cast.outsider)
    response = client.post(reverse("projects:propose"),
                           _proposal(cast, proposal_form=pdf_file("立项申请书.pdf")))
    project = Project.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{project.pk}/"
    assert (project.title, project.stage, project.proposer, project.revises) == (
        "剁辣椒 生产技术规范", Stage.PROPOSED, cast.outsider, None)
    assert list(project.documents.values_list("kind", "original_name")) == [
        (DocumentKind.PROPOSAL_FORM, "立项申请书.pdf")]
    html = page(client.get(response["Location"]))
    assert f"立项申请已提交，项目编号 {project.reference}。" in html
    assert "目录中没有与之相似的现有标准。" in html
    assert '<span class="stage stage-proposed">立项申请</span>' in html


def test_the_project_page_shows_the_novelty_check_of_the_proposal(client, cast, clock):
    make_standard("DB4301/T 5-2021", title_zh="剁辣椒 生产技术规范", status="current")
    client.force_login(cast.outsider)
    response = client.post(reverse("projects:propose"), _proposal(cast))
    project = Project.objects.get()
    assert [row["code"] for row in project.novelty] == ["DB4301/T 5-2021"]
    html = page(client.get(response["Location"]))
    assert '<td><a href="/standards/DB4301/T%205-2021">DB4301/T 5-2021</a></td>' in html


def test_a_revision_names_the_standard_by_any_spelling(client, cast, clock):
    old = make_standard("DB4301/T 12-2020", title_zh="剁辣椒")
    client.force_login(cast.outsider)
    response = client.post(reverse("projects:propose"), _proposal(
        cast, kind="revision", revises_code="ＤＢ4301／Ｔ 12—2020",
        partners=[cast.partner.pk], numbering="each"))
    assert response.status_code == 302
    project = Project.objects.get()
    assert (project.kind, project.revises, project.numbering, project.is_joint) == (
        Project.Kind.REVISION, old, Project.Numbering.EACH, True)


def test_an_unknown_revised_standard_is_an_error_beside_the_field(client, cast, clock):
    client.force_login(cast.outsider)
    response = client.post(reverse("projects:propose"), _proposal(
        cast, kind="revision", revises_code="DB4301/T 999-2020"))
    assert response.status_code == 422
    html = page(response)
    assert ('<div class="field-error" id="id_revises_code_errors"><p>标准目录中没有'
            '“DB4301/T 999-2020”，请核对编号。</p></div>') in html
    assert 'aria-describedby="id_revises_code_errors id_revises_code_helptext"' in html
    assert 'aria-invalid="true"' in html
    assert Project.objects.count() == 0


def test_a_revision_without_a_number_is_refused_by_the_service(client, cast, clock):
    client.force_login(cast.outsider)
    response = client.post(reverse("projects:propose"), _proposal(cast, kind="revision"))
    assert response.status_code == 422
    assert "修订项目须指明被修订的标准。" in page(response)
    assert Project.objects.count() == 0


def test_a_proposal_form_of_the_wrong_type_is_refused(client, cast, clock):
    client.force_login(cast.outsider)
    fake = SimpleUploadedFile("申请书.pdf", b"not a pdf at all", content_type="application/pdf")
    response = client.post(reverse("projects:propose"), _proposal(cast, proposal_form=fake))
    assert response.status_code == 422
    assert "无法识别“申请书.pdf”的格式" in page(response)
    assert Project.objects.count() == 0


# --- the project page ------------------------------------------------------------------------


def test_anyone_reads_a_project_but_sees_no_actions_or_upload(client, cast, clock):
    project = make_project(cast)
    response = detail(client, project)
    assert response.status_code == 200
    html = page(response)
    assert "<h1>湘菜 辣椒炒肉烹饪技术规范</h1>" in html
    assert "阶段代码 10.00" in html
    assert "您现在可以进行的操作" not in html
    assert "上传材料</h3>" not in html
    assert '<li class="step current" aria-current="step">' in html


def test_a_missing_project_is_404(client, cast):
    assert client.get(reverse("projects:detail", args=[999])).status_code == 404


def test_the_administrator_sees_exactly_the_actions_of_the_stage(client, cast, clock):
    project = make_project(cast)
    client.force_login(cast.admin)
    html = page(detail(client, project))
    assert 'id="action-evaluate"' in html and 'id="action-reject"' in html
    assert html.count('class="action"') + html.count('class="action blocked"') == 2
    assert f'action="/projects/{project.pk}/actions/evaluate/"' in html
    client.force_login(cast.drafter)
    assert "您现在可以进行的操作" not in page(detail(client, project))


def test_a_blocked_action_is_disabled_with_its_reasons(client, cast, clock):
    project = make_project(cast, stage=Stage.DRAFTING)
    client.force_login(cast.drafter)
    html = page(detail(client, project))
    section = html[html.index('id="action-open_public_comment"'):]
    section = section[:section.index("</section>")]
    assert "<li>缺少材料：征求意见稿</li><li>缺少材料：编制说明</li>" in section
    assert ('<fieldset class="plain" disabled aria-describedby="blocked-open_public_comment">'
            in section)
    assert "进入“征求意见”（30.20）：" in html


def test_deadlines_list_open_ones_first_with_overdue_and_provisional_flags(client, cast, clock):
    project = make_project(cast, stage=Stage.PLANNED)
    Deadline.objects.filter(project=project, kind=Deadline.Kind.DRAFTING).update(
        due_on=clock.today - timedelta(days=3), overdue_since=clock.today, provisional=True)
    html = page(detail(client, project))
    table = html[html.index('<table class="standards compact deadlines">'):]
    table = table[:table.index("</table>")]
    assert table.index("完成起草（计划期限）") < table.index("立项评估")
    assert '<tr class="overdue">' in table
    assert "暂定（该年节假日安排未录入）" in table
    assert '<strong class="badge badge-overdue">逾期</strong>' in table
    assert "已完成（2026-03-02）" in table


def test_documents_are_grouped_with_versions_sizes_uploaders_and_hashes(client, cast, clock):
    project = make_project(cast, stage=Stage.DRAFTING)
    client.force_login(cast.drafter)
    for body in (b"one", b"two"):
        client.post(reverse("projects:upload", args=[project.pk]), {
            "kind": DocumentKind.COMMENT_DRAFT, "upload": pdf_file("征求意见稿.pdf", body)})
    documents = list(ProjectDocument.objects.filter(project=project,
                                                    kind=DocumentKind.COMMENT_DRAFT))
    html = page(detail(client, project))
    section = html[html.index("<caption>征求意见稿"):]
    section = section[:section.index("</table>")]
    assert section.index("<td>v2</td>") < section.index("<td>v1</td>")
    for document in documents:
        link = f'<a href="/projects/{project.pk}/documents/{document.pk}/" download>征求意见稿.pdf</a>'
        assert link in section
        assert f'<code title="{document.sha256}">{document.sha256[:12]}…</code>' in section
    assert "<td>qicao</td>" in section and '<td class="date">19\xa0字节</td>' in section


def test_the_novelty_check_is_shown_with_links_to_the_catalogue(client, cast, clock):
    project = make_project(cast)
    Project.objects.filter(pk=project.pk).update(novelty=[{
        "id": 7, "code": "DB43/T 1234-2020", "title_zh": "湘菜 烹饪规范", "level": "local",
        "status": "current", "score": 0.734, "shared": ["湘菜", "烹饪"]}])
    html = page(detail(client, project))
    table = html[html.index('<table class="standards similar-standards">'):]
    table = table[:table.index("</table>")]
    assert "<caption>与本项目相似的现有标准<br>" in table
    assert '<td><a href="/standards/DB43/T%201234-2020">DB43/T 1234-2020</a></td>' in table
    assert "<td>湘菜 烹饪规范</td>\n      <td>地方标准</td>" in table
    assert '<span class="badge badge-current">现行</span>' in table
    assert "<td>73%</td>\n      <td>湘菜、烹饪</td>" in table


def test_the_review_vote_is_tallied(client, cast, clock):
    project = make_project(cast, stage=Stage.TECHNICAL_REVIEW)
    client.force_login(cast.experts[0])
    response = act(client, project, "vote", choice=ReviewVote.Choice.APPROVE, opinion="同意")
    assert response.status_code == 302
    assert ReviewVote.objects.get().choice == ReviewVote.Choice.APPROVE
    html = page(detail(client, project))
    assert "已完成：表决。" in html
    assert "<dt>已表决</dt><dd>1</dd>" in html and "<dt>同意</dt><dd>1</dd>" in html
    assert "出席（表决）专家 1/3，未达到 2/3" in html


def test_the_number_is_previewed_when_submitted(client, cast, clock):
    project = make_project(cast, stage=Stage.SUBMITTED)
    html = page(detail(client, project))
    assert "如现在批准，将分配以下编号（预览，不预留）：" in html
    assert '<span class="code">DB4301/T 1-2026</span> · 长沙市市场监督管理局' in html


def test_the_timeline_lists_events_newest_first_with_summaries(client, cast, clock):
    project = make_project(cast, stage=Stage.PLANNED)
    html = page(detail(client, project))
    timeline = html[html.index('<ol class="events" reversed>'):]
    planned = timeline.index("立项评估 10.60 → 列入计划 10.99")
    proposed = timeline.index("提交立项申请")
    assert planned < proposed
    assert "计划年度 2026" in timeline
    assert "完成起草（计划期限）：2027-03-02；12 个月" in timeline
    assert "立项申请书 v1；draft.pdf；21\xa0字节；SHA-256 " in timeline
    assert "2026-03-02 10:00</time> · guanli" in timeline


@pytest.mark.parametrize("extra_documents", [0, 10])
def test_the_project_page_reads_a_bounded_number_of_queries(client, cast, clock, extra_documents,
                                                            django_assert_max_num_queries):
    project = make_project(cast, stage=Stage.TECHNICAL_REVIEW, joint=True)
    for i in range(extra_documents):
        services.upload_document(project, by=cast.drafter, kind=DocumentKind.OTHER,
                                 upload=pdf_file(f"附件{i}.pdf"))
    client.force_login(cast.drafter)
    # The worst case (19 measured): the drafter's "submit for approval" runs the vote guard,
    # which reads each reviewer's organisations (3 here); documents and events add nothing.
    with django_assert_max_num_queries(19):
        response = detail(client, project)
    html = page(response)
    assert 'id="action-submit_for_approval"' in html
    assert html.count('<li class="event ') == project.events.count()


# --- actions ---------------------------------------------------------------------------------


def test_evaluate_accepts_the_proposal(client, cast, clock):
    project = make_project(cast)
    client.force_login(cast.admin)
    response = act(client, project, "evaluate", accept="yes", opinion="必要且可行")
    assert response.status_code == 302 and response["Location"] == f"/projects/{project.pk}/"
    project.refresh_from_db()
    assert (project.stage, project.stage_code) == (Stage.EVALUATED, "10.60")
    html = page(client.get(response["Location"]))
    assert "已完成：立项评估。" in html
    assert "必要且可行" in html


def test_evaluate_without_an_opinion_is_an_error_on_the_form(client, cast, clock, state_of):
    project = make_project(cast)
    before = state_of(project)
    client.force_login(cast.admin)
    response = act(client, project, "evaluate", accept="yes", opinion="")
    assert response.status_code == 422
    html = page(response)
    assert '<div class="field-error" id="id_evaluate_opinion_errors"><p>这个字段是必填项。</p></div>' \
        in html
    assert '<a href="#action-evaluate">' in html
    assert state_of(project) == before


def test_plan_lists_the_project_and_starts_the_drafting_deadline(client, cast, clock):
    project = make_project(cast, stage=Stage.EVALUATED)
    client.force_login(cast.admin)
    response = act(client, project, "plan", plan_year="2026", drafting_due_on="2026-12-31")
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.stage, project.plan_year) == (Stage.PLANNED, 2026)
    deadline = Deadline.objects.get(project=project, kind=Deadline.Kind.DRAFTING)
    assert (str(deadline.due_on), deadline.basis) == ("2026-12-31", "指定日期")


def test_open_public_comment_publishes_the_draft(client, cast, clock):
    project = make_project(cast, stage=Stage.DRAFTING)
    client.force_login(cast.drafter)
    for kind in (DocumentKind.COMMENT_DRAFT, DocumentKind.EXPLANATION):
        client.post(reverse("projects:upload", args=[project.pk]),
                    {"kind": kind, "upload": pdf_file(f"{kind}.pdf")})
    response = act(client, project, "open_public_comment", closes_on="2026-04-01")
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.stage, str(project.comment_opens_on), str(project.comment_closes_on)) == (
        Stage.PUBLIC_COMMENT, "2026-03-02", "2026-04-01")


def test_a_too_short_comment_period_is_shown_on_the_page_and_changes_nothing(
        client, cast, clock, state_of):
    project = make_project(cast, stage=Stage.DRAFTING)
    client.force_login(cast.drafter)
    for kind in (DocumentKind.COMMENT_DRAFT, DocumentKind.EXPLANATION):
        client.post(reverse("projects:upload", args=[project.pk]),
                    {"kind": kind, "upload": pdf_file(f"{kind}.pdf")})
    before = state_of(project)
    response = act(client, project, "open_public_comment", closes_on="2026-03-20")
    assert response.status_code == 422
    html = page(response)
    assert ('<div class="field-error" id="id_open_public_comment_closes_on_errors">'
            "<p>征求意见期不少于30 日，截止日期最早为 2026-04-01。</p></div>") in html
    assert 'value="2026-03-20"' in html
    assert state_of(project) == before


def test_approve_moves_the_project_and_allocates_the_number(client, cast, clock):
    project = make_project(cast, stage=Stage.SUBMITTED)
    client.force_login(cast.admin)
    response = act(client, project, "approve")
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.stage, project.issuer, project.sequence) == (Stage.APPROVED, "DB4301/T", 1)
    html = page(client.get(response["Location"]))
    assert "已分配的编号（年号以发布年份为准）：" in html
    assert 'id="action-approve"' not in html
    assert 'id="action-publish"' in html


def test_publish_creates_the_catalogue_edition_and_links_to_it(client, cast, clock):
    project = make_project(cast, stage=Stage.APPROVED)
    client.force_login(cast.admin)
    response = act(client, project, "publish", issued_on="2026-03-02", effective_on="2026-06-01")
    assert response.status_code == 302
    standard = Standard.objects.get()
    project.refresh_from_db()
    assert (project.stage, project.standard, standard.code, standard.title_zh) == (
        Stage.PUBLISHED, standard, "DB4301/T 1-2026", "湘菜 辣椒炒肉烹饪技术规范")
    html = page(client.get(response["Location"]))
    assert f'<a class="code" href="{standard.get_absolute_url()}">DB4301/T 1—2026</a>' in html


def test_an_outsider_cannot_approve(client, cast, clock, state_of):
    project = make_project(cast, stage=Stage.SUBMITTED)
    before = state_of(project)
    client.force_login(cast.outsider)
    response = act(client, project, "approve")
    assert response.status_code == 403
    assert "您无权对该项目执行“批准”。" in page(response)
    assert state_of(project) == before


@pytest.mark.parametrize("persona", ["drafter", "department", "expert", "partner_admin"])
def test_participants_without_the_right_role_cannot_publish(client, cast, clock, state_of,
                                                            persona):
    project = make_project(cast, stage=Stage.APPROVED, joint=True)
    before = state_of(project)
    client.force_login(cast.personas()[persona])
    response = act(client, project, "publish", issued_on="2026-03-02", effective_on="2026-06-01")
    assert response.status_code == 403
    assert state_of(project) == before


def test_anonymous_actions_go_to_the_login_page(client, cast, clock, state_of):
    project = make_project(cast, stage=Stage.SUBMITTED)
    before = state_of(project)
    response = act(client, project, "approve")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=/projects/{project.pk}/"
    assert state_of(project) == before


def test_an_unknown_action_is_404(client, cast, clock):
    project = make_project(cast)
    client.force_login(cast.admin)
    assert act(client, project, "explode").status_code == 404


def test_an_action_of_another_stage_is_a_conflict(client, cast, clock, state_of):
    project = make_project(cast)
    before = state_of(project)
    client.force_login(cast.admin)
    response = act(client, project, "publish", issued_on="2026-03-02", effective_on="2026-06-01")
    assert response.status_code == 409
    html = page(response)
    assert "无法执行“发布”" in html
    assert "<li>项目处于“立项申请”阶段，不能执行此操作</li>" in html
    assert state_of(project) == before


def test_a_guarded_move_is_a_conflict_with_its_reasons(client, cast, clock, state_of):
    project = make_project(cast, stage=Stage.DRAFTING)
    before = state_of(project)
    client.force_login(cast.drafter)
    response = act(client, project, "open_public_comment", closes_on="2026-04-01")
    assert response.status_code == 409
    html = page(response)
    assert "<li>缺少材料：征求意见稿</li>" in html and "<li>缺少材料：编制说明</li>" in html
    assert state_of(project) == before


def test_set_reviewers_offers_committee_members_only(client, cast, clock):
    project = make_project(cast, stage=Stage.COMMENT_RESOLUTION)
    client.force_login(cast.admin)
    html = page(detail(client, project))
    section = html[html.index('id="action-set_reviewers"'):]
    section = section[:section.index("</section>")]
    assert ["zhuanjia1" in section, "zhuanjia3" in section, "qicao" in section,
            "gongzhong" in section] == [True, True, False, False]
    response = act(client, project, "set_reviewers",
                   reviewers=[cast.experts[0].pk, cast.experts[1].pk])
    assert response.status_code == 302
    assert sorted(project.reviewers.values_list("username", flat=True)) == [
        "zhuanjia1", "zhuanjia2"]


def test_terminate_needs_a_reason_and_ends_the_project(client, cast, clock):
    project = make_project(cast, stage=Stage.DRAFTING)
    client.force_login(cast.admin)
    assert act(client, project, "terminate", reason="").status_code == 422
    response = act(client, project, "terminate", reason="已有国家标准发布")
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.stage == Stage.TERMINATED
    html = page(detail(client, project))
    assert '<li class="step stopped">' in html
    assert "项目已终止（20.98）。" in html


def test_file_records_the_filing(client, cast, clock):
    project = make_project(cast, stage=Stage.PUBLISHED)
    client.force_login(cast.admin)
    response = act(client, project, "file", filed_on="2026-03-02", filing_number="BA-2026-1")
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.stage, str(project.filed_on)) == (Stage.FILED, "2026-03-02")
    assert "备案日期 2026-03-02；备案号 BA-2026-1" in page(detail(client, project))


# --- extensions ----------------------------------------------------------------------------


def test_an_extension_is_requested_and_granted(client, cast, clock):
    project = make_project(cast, stage=Stage.DRAFTING)
    client.force_login(cast.drafter)
    response = act(client, project, "request_extension", requested_due_on="2027-06-30",
                   reason="试验周期长")
    assert response.status_code == 302
    request = ExtensionRequest.objects.get()
    client.force_login(cast.admin)
    html = page(detail(client, project))
    assert "qicao 于 2026-03-02 申请将期限由 2027-03-02 延至 2027-06-30。" in html
    assert f'action="/projects/{project.pk}/extensions/{request.pk}/"' in html
    url = reverse("projects:decide_extension", args=[project.pk, request.pk])
    refused = client.post(url, {"decision": "refuse", "note": ""})
    assert refused.status_code == 422
    assert "不同意延期时须说明理由。" in page(refused)
    response = client.post(url, {"decision": "grant", "note": "同意"})
    assert response.status_code == 302
    project.refresh_from_db()
    deadline = Deadline.objects.get(project=project, kind=Deadline.Kind.DRAFTING)
    assert (project.stage, str(deadline.due_on)) == (Stage.EXTENDED, "2027-06-30")


def test_only_the_lead_administration_decides_an_extension(client, cast, clock):
    project = make_project(cast, stage=Stage.DRAFTING, joint=True)
    client.force_login(cast.drafter)
    act(client, project, "request_extension", requested_due_on="2027-06-30", reason="试验")
    request = ExtensionRequest.objects.get()
    client.force_login(cast.partner_admin)
    response = client.post(reverse("projects:decide_extension", args=[project.pk, request.pk]),
                           {"decision": "grant", "note": ""})
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.state == ExtensionRequest.State.PENDING


# --- documents ------------------------------------------------------------------------------


def test_an_upload_of_the_wrong_type_is_an_error_on_the_page(client, cast, clock):
    project = make_project(cast, stage=Stage.DRAFTING)
    client.force_login(cast.drafter)
    response = client.post(reverse("projects:upload", args=[project.pk]), {
        "kind": DocumentKind.COMMENT_DRAFT,
        "upload": SimpleUploadedFile("稿.pdf", b"plain text", content_type="application/pdf")})
    assert response.status_code == 422
    assert ('<div class="field-error" id="id_upload_upload_errors"><p>无法识别“稿.pdf”的格式'
            in page(response))
    assert not ProjectDocument.objects.filter(kind=DocumentKind.COMMENT_DRAFT).exists()


def test_outsiders_cannot_upload(client, cast, clock):
    project = make_project(cast, stage=Stage.DRAFTING)
    client.force_login(cast.outsider)
    response = client.post(reverse("projects:upload", args=[project.pk]), {
        "kind": DocumentKind.OTHER, "upload": pdf_file()})
    assert response.status_code == 403
    assert ProjectDocument.objects.filter(project=project).count() == 1


def _document(project, kind) -> ProjectDocument:
    return ProjectDocument.objects.get(project=project, kind=kind)


def _download(client, project, document):
    return client.get(reverse("projects:document", args=[project.pk, document.pk]))


def test_participants_download_with_the_original_chinese_name(client, cast, clock):
    project = make_project(cast, stage=Stage.DRAFTING)
    client.force_login(cast.drafter)
    client.post(reverse("projects:upload", args=[project.pk]), {
        "kind": DocumentKind.EXPLANATION, "upload": docx_file("编制说明.docx")})
    response = _download(client, project, _document(project, DocumentKind.EXPLANATION))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f"attachment; filename*=utf-8''{quote('编制说明.docx')}")
    assert b"".join(response.streaming_content).startswith(b"PK\x03\x04")


@pytest.mark.parametrize(("persona", "status"), [
    ("anonymous", 404), ("outsider", 404), ("drafter", 200), ("department", 200),
    ("expert", 200), ("administrator", 200), ("partner_admin", 200)])
def test_who_may_read_the_proposal_form(client, cast, clock, persona, status):
    project = make_project(cast, stage=Stage.PUBLIC_COMMENT)
    user = cast.personas()[persona]
    if user:
        client.force_login(user)
    assert _download(client, project, _document(project, DocumentKind.PROPOSAL_FORM)) \
        .status_code == status


@pytest.mark.parametrize(("stage", "status"), [
    (Stage.DRAFTING, 404), (Stage.PUBLIC_COMMENT, 200), (Stage.TECHNICAL_REVIEW, 200)])
def test_the_comment_draft_is_public_once_the_comment_period_opened(client, cast, clock,
                                                                   stage, status):
    project = make_project(cast, stage=stage)
    if stage == Stage.DRAFTING:
        client.force_login(cast.drafter)
        client.post(reverse("projects:upload", args=[project.pk]), {
            "kind": DocumentKind.COMMENT_DRAFT, "upload": pdf_file("征求意见稿.pdf")})
        client.logout()
    draft = _document(project, DocumentKind.COMMENT_DRAFT)
    assert _download(client, project, draft).status_code == status
    link = f'href="/projects/{project.pk}/documents/{draft.pk}/"'
    assert (link in page(detail(client, project))) == (status == 200)
    proposal = _document(project, DocumentKind.PROPOSAL_FORM)
    assert _download(client, project, proposal).status_code == 404


def test_a_document_of_another_project_is_404(client, cast, clock):
    first = make_project(cast)
    second = make_project(cast, title="另一 规范")
    client.force_login(cast.admin)
    document = _document(first, DocumentKind.PROPOSAL_FORM)
    assert _download(client, second, document).status_code == 404


# --- my work --------------------------------------------------------------------------------


def test_my_work_needs_signing_in(client, cast):
    response = client.get(reverse("projects:my_work"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_my_work_lists_my_actions_and_this_weeks_deadlines(client, cast, clock):
    project = make_project(cast, stage=Stage.PLANNED)
    make_project(cast, title="评估中 规范")
    Deadline.objects.filter(project=project, kind=Deadline.Kind.DRAFTING).update(
        due_on=clock.today + timedelta(days=3))
    client.force_login(cast.drafter)
    html = page(client.get(reverse("projects:my_work")))
    todo = html[html.index('id="h-todo"'):html.index('id="h-due"')]
    assert f'<a href="/projects/{project.pk}/#action-start_drafting">开始起草</a>' in todo
    assert "评估中 规范" not in todo
    due = html[html.index('id="h-due"'):]
    assert "2026-03-05" in due and "完成起草（计划期限）" in due and "本周到期" in due
    assert 'id="h-orgs"' not in html


def test_administrators_see_extension_requests_and_deadlines_by_organisation(client, cast,
                                                                           clock):
    project = make_project(cast, stage=Stage.DRAFTING)
    client.force_login(cast.drafter)
    act(client, project, "request_extension", requested_due_on="2027-06-30", reason="试验")
    Deadline.objects.filter(project=project, kind=Deadline.Kind.DRAFTING).update(
        due_on=clock.today - timedelta(days=1))
    client.force_login(cast.admin)
    html = page(client.get(reverse("projects:my_work")))
    assert "qicao 申请由 2027-03-02 延至 2027-06-30" in html
    orgs = html[html.index('id="h-orgs"'):]
    assert ('<tr><th scope="row">长沙市标准化研究院</th><td>0</td><td>'
            '<strong class="warn">1</strong></td></tr>') in orgs


# --- help -----------------------------------------------------------------------------------


def test_the_help_page_draws_every_stage_with_its_code(client):
    response = client.get(reverse("projects:help"))
    assert response.status_code == 200
    html = page(response)
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert 'role="img" aria-labelledby="bz-flow-title bz-flow-desc"' in svg
    assert '<title id="bz-flow-title">地方标准制修订流程图</title>' in svg
    for stage in Stage:
        assert f'class="label">{stage.label}</text>' in svg
        assert f'class="code">{STAGE_CODES[stage]}</text>' in svg
        assert f'<tr id="stage-{stage.value}">' in html
    assert "立项申请（10.00） 可转入 立项评估（10.60）、不予立项（10.98）" in svg
    assert "征求意见期（不少于）：30 日（自然日）" in html
    assert "<strong>批准</strong>：参与地区主管部门的标准化管理员（各方分别批准）" in html
    assert "<li>报批稿</li>" in html

