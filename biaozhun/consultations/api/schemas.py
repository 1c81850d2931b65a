"""Shapes of the public participation API: error responses, outputs, inputs."""

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema

from biaozhun.api.errors import Id, InvalidOut, StrictIn
from biaozhun.api.schemas import ErrorOut

MAX_LIMIT = 500


# --- Errors -------------------------------------------------------------------------------------


class ConsultationConflictOut(Schema):
    detail: str
    reasons: list[str] = Field(description="不能执行的原因")




class RateLimitedOut(Schema):
    detail: str
    retry_after: int = Field(description="多少秒后可以再次提交（同 Retry-After 响应头）")


READ_ERRORS: dict[int, Any] = {404: ErrorOut, 422: InvalidOut}
WRITE_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                                409: ConsultationConflictOut, 422: InvalidOut}
SUBMIT_ERRORS: dict[int, Any] = {**WRITE_ERRORS, 429: RateLimitedOut}


# --- Output schemas -------------------------------------------------------------------------------


class ConsultationOrgRefOut(Schema):
    id: int
    name: str


class ProjectRefOut(Schema):
    id: int
    reference: str | None = Field(description="项目编号")
    title: str
    url: str
    api_url: str


class ConsultationSummaryOut(Schema):
    id: int
    kind: str = Field(description="draft 标准征求意见稿 | plan 立项计划公示 | "
                                  "review 复审结论公示 | targeted 定向征求意见")
    kind_label: str
    title: str
    state: str = Field(description="scheduled 未开始 | open 征求意见中 | closed 已结束")
    state_label: str
    opens_on: date
    closes_on: date
    days_left: int = Field(description="距截止还有几天（已结束为 0）")
    administration: ConsultationOrgRefOut = Field(description="标准化行政主管部门")
    project: ProjectRefOut | None = Field(description="标准征求意见稿所属的项目")
    plan_year: int | None = Field(description="计划年度（立项计划公示）")
    comment_count: int = Field(description="有效意见数（已确认、未屏蔽）")
    url: str = Field(description="页面地址")
    api_url: str


class ConsultationPageOut(Schema):
    count: int
    limit: int
    offset: int
    results: list[ConsultationSummaryOut]


class ConsultationDocumentOut(Schema):
    kind: str = Field(description="draft 征求意见稿 | explanation 编制说明")
    label: str
    version: int
    original_name: str
    extension: str
    size: int = Field(description="字节")
    sha256: str
    url: str = Field(description="在浏览器中阅读")
    download_url: str = Field(description="下载原文件")


class ConsultationOut(ConsultationSummaryOut):
    description: str
    is_public: bool = Field(description="false：定向征求意见，仅受邀单位和专家可见")
    closed_at: datetime | None
    documents: list[ConsultationDocumentOut] = Field(description="征求意见稿和编制说明")
    comment_url: str = Field(description="提交意见的网页表单（访客须回答验证问题并确认邮箱）")
    comments_api_url: str = Field(description="意见及处理情况（征求意见结束后公开）")
    disposition_table_url: str = Field(description="意见汇总处理表页面")
    disposition_table_api_url: str


class PublicCommentOut(Schema):
    number: int = Field(description="序号")
    clause: str = Field(description="章条号")
    paragraph: str = Field(description="段落/图/表")
    type: str = Field(description="general 一般性 | technical 技术性 | editorial 编辑性")
    type_label: str
    text: str = Field(description="意见")
    proposed_change: str = Field(description="修改建议")
    reason: str = Field(description="理由")
    commenter: str = Field(description="提出人：本人同意公开时为姓名（单位），否则为提出方类型")
    commenter_type: str
    commenter_type_label: str
    submitted_at: datetime
    duplicate_of: int | None = Field(description="归入的同类意见序号（同第 N 条）")
    decision: str = Field(description="accepted 采纳 | partly 部分采纳 | not_accepted 不采纳；"
                                      "未处理为空")
    decision_label: str
    decision_reason: str = Field(description="处理理由；同类意见为“同第 N 条：……”")


class PublicCommentsOut(Schema):
    published: bool = Field(description="意见及处理情况是否已公开（征求意见结束后公开）")
    count: int
    limit: int
    offset: int
    results: list[PublicCommentOut]


class TableRowOut(Schema):
    number: int = Field(description="序号")
    clause: str = Field(description="章条号（段落/图/表在括号内）")
    text: str = Field(description="意见内容")
    proposed_change: str = Field(description="修改建议")
    reason: str = Field(description="理由")
    commenter: str = Field(description="提出单位/人")
    decision: str = Field(description="处理意见：采纳 / 部分采纳 / 不采纳 / 未处理")
    decision_reason: str = Field(description="处理理由")


class CountOut(Schema):
    label: str
    count: int


class TableSummaryOut(Schema):
    total: int
    sentence: str
    by_decision: list[CountOut]
    by_commenter_type: list[CountOut]


class DispositionTableOut(Schema):
    published: bool = Field(description="是否可以查看（公众：征求意见结束后）")
    audience: Literal["public", "internal", "none"] = Field(
        description="public 公开版（姓名仅在本人同意时显示）| internal 起草单位工作版 | "
                    "none 尚未公开")
    title: str
    details: str
    count: int = Field(description="行数（有效意见数）")
    limit: int
    offset: int
    rows: list[TableRowOut] = Field(description="按序号排列的本页各行（`limit`/`offset`）")
    summary: TableSummaryOut | None
    xlsx_url: str | None
    docx_url: str | None


class StaffCommentOut(Schema):
    id: int
    number: int
    clause: str
    paragraph: str
    type: str
    text: str
    proposed_change: str
    reason: str
    name: str = Field(description="提出人姓名（工作数据，不对外公开）")
    organization: str
    commenter_type: str
    show_name: bool = Field(description="本人同意公开姓名和单位")
    public_name: str = Field(description="对外显示的提出人")
    submitted_at: datetime
    verified: bool = Field(description="已确认（访客须确认邮箱）")
    hidden: bool = Field(description="已屏蔽（不计入、不公开）")
    hidden_reason: str
    duplicate_of: int | None = Field(description="归入的同类意见序号")
    decision: str
    decision_label: str
    decision_reason: str
    answered_at: datetime | None


class DispositionsOut(Schema):
    count: int
    unanswered: int = Field(description="有效意见中尚未处理的条数")
    unverified: int = Field(description="待邮箱确认的访客意见（不计入，不列出）")
    limit: int
    offset: int
    results: list[StaffCommentOut]


class CommentReceiptOut(Schema):
    number: int = Field(description="意见序号")
    counted: bool = Field(description="是否已计入（登录用户的意见即时计入）")
    receipt_url: str = Field(description="查看意见和处理结果的链接（请妥善保存）")
    consultation_api_url: str


class ProposalOut(Schema):
    id: int
    title: str = Field(description="建议的标准名称")
    state: str = Field(description="received 已收到 | accepted 已立项申请 | declined 不予采纳")
    state_label: str
    administration: str = Field(description="受理的标准化行政主管部门")
    created_at: datetime
    decided_at: datetime | None
    decision_reason: str = Field(description="不予采纳的理由")
    project: ProjectRefOut | None = Field(description="转为的项目")


class ProposalPageOut(Schema):
    count: int
    limit: int
    offset: int
    results: list[ProposalOut]


class NoveltyOut(Schema):
    code: str
    title_zh: str
    level: str
    status: str
    score: float


class ProposalReceiptOut(ProposalOut):
    novelty: list[NoveltyOut] = Field(description="查新结果：相近的现行标准")
    receipt_url: str = Field(description="查看处理结果的链接")


# --- Input schemas ----------------------------------------------------------------------------


class ConsultationQuery(Schema):
    kind: Literal["draft", "plan", "review"] | None = Field(None, description="类型")
    state: Literal["scheduled", "open", "closed"] | None = Field(None, description="状态")
    limit: int = Field(25, ge=1, le=100)
    offset: int = Field(0, ge=0, le=10**9)


class PageQuery(Schema):
    limit: int = Field(100, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=10**9)


class DispositionQuery(PageQuery):
    unanswered: bool = Field(False, description="只列未处理的意见")


class ProposalQuery(Schema):
    state: Literal["received", "accepted", "declined"] | None = None
    limit: int = Field(25, ge=1, le=100)
    offset: int = Field(0, ge=0, le=10**9)


class OpenIn(StrictIn):
    kind: Literal["plan", "review", "targeted"] = Field(
        description="plan 立项计划公示 | review 复审结论公示 | targeted 定向征求意见")
    administration: Id = Field(description="标准化行政主管部门 id")
    title: str = Field(description="标题")
    description: str = Field("", description="说明")
    opens_on: date = Field(description="开始日期")
    closes_on: date = Field(description="截止日期（不短于规定的最短期限）")
    plan_year: int | None = Field(None, ge=2000, le=2100,
                                  description="计划年度（立项计划公示必填）")
    campaign: Id | None = Field(None, description="复审工作 id（复审结论公示）")
    invited_organizations: list[Id] = Field([], description="受邀单位 id（定向征求意见）")
    invited_users: list[Id] = Field([], description="受邀专家（用户）id（定向征求意见）")


class CommentIn(StrictIn):
    text: str = Field(description="意见")
    clause: str = Field("", description="章条号，如 5.2.1")
    paragraph: str = Field("", description="段落/图/表")
    type: Literal["general", "technical", "editorial"] = Field(
        "general", description="general 一般性 | technical 技术性 | editorial 编辑性")
    proposed_change: str = Field("", description="修改建议")
    reason: str = Field("", description="理由")
    organization: str = Field("", description="单位；默认为账号所属的第一个单位")
    commenter_type: Literal["individual", "enterprise", "association", "institution",
                            "government", "expert"] = Field("individual", description="提出方类型")
    show_name: bool = Field(False, description="征求意见结束后是否公开姓名和单位")


class AnswerIn(StrictIn):
    decision: Literal["accepted", "partly", "not_accepted"] = Field(
        description="accepted 采纳 | partly 部分采纳 | not_accepted 不采纳")
    reason: str = Field("", description="处理理由；部分采纳和不采纳时必填")


class ReasonIn(StrictIn):
    reason: str = Field(description="理由（记录在案）")


class DuplicatesIn(StrictIn):
    leader_id: Id = Field(description="作为代表的意见 id")
    duplicate_ids: list[Id] = Field(description="归入该意见的同类意见 id")


class ProposalIn(StrictIn):
    title: str = Field(description="建议的标准名称")
    scope: str = Field(description="范围和主要技术内容")
    reasons: str = Field(description="理由和依据")
    administration: Id = Field(description="向哪个标准化行政主管部门提出（id）")
    organization: str = Field("", description="单位；默认为账号所属的第一个单位")



class AcceptedOut(ProposalOut):
    project_api_url: str
