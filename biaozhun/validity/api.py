"""API of validity checking: `POST /validity-checks` and polling `GET /validity-checks/{id}`."""

import json
from datetime import date
from typing import Annotated
from uuid import UUID

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status as HttpStatus
from pydantic import ValidationError

from biaozhun.api.auth import caller, writer
from biaozhun.api.schemas import ErrorOut
from biaozhun.validity import services
from biaozhun.validity.models import ValidityCheck
from biaozhun.validity.permissions import get_check_for

router = Router(tags=["标准有效性核查"])


class SummaryOut(Schema):
    current: int
    upcoming: int
    superseded: int
    abolished: int
    not_found: int
    invalid: int


class ReferenceOut(Schema):
    raw: str = Field(description="文中的原始写法（首次出现）")
    code: str | None = Field(description="规范化的标准号；无法识别时为 null")
    count: int = Field(description="出现次数（同一标准号的不同写法合并）")
    locations: list[dict] = Field(
        description="每次出现的位置：line / page / paragraph / table,row,column / "
                    "part(header|footer),section / sheet,cell 等键，以及可读的 label")
    status: str = Field(description="current | upcoming | superseded | abolished | "
                                    "not_found | invalid")
    resolved_to: str | None = Field(description="核查所依据的版本（未注明年号时为最新现行版本）")
    title: str = ""
    base: str | None = Field(None, description="修改单的基础标准")
    replaced_by: list[str] = Field(description="代替本版本的标准（现行时为已发布待实施的）")
    in_force: list[str] = Field(description="沿代替链找到的现行版本，即应改为引用的标准")
    replacement_effective_on: date | None = Field(description="代替标准的实施日期")
    effective_on: date | None = None
    abolished_on: date | None = None
    suggestions: list[str] = Field(description="未收录时相近的标准号")
    advice: str


class ReportOut(Schema):
    id: str
    url: str = Field(description="报告页面地址")
    as_of: date
    summary: SummaryOut
    references: list[ReferenceOut]


class JobOut(Schema):
    id: str
    state: str = Field(description="pending | running | succeeded | failed")
    progress: int = Field(description="百分比")
    poll_url: str
    url: str


class CheckIn(Schema):
    text: str
    as_of: date | None = None


def _report(check: ValidityCheck) -> dict:
    return {"id": str(check.pk), "url": check.get_absolute_url(), **check.report}


def _job(check: ValidityCheck) -> dict:
    return {"id": str(check.pk), "state": check.state, "progress": check.progress_percent,
            "poll_url": reverse("api:validity_check", args=[check.pk]),
            "url": check.get_absolute_url()}


@router.post("/validity-checks", url_name="validity_checks",
             response={200: ReportOut, 202: JobOut, 422: ErrorOut},
             summary="核查文本或文件中引用的标准")
def create_check(request, text: Annotated[str | None, Form()] = None,
                 as_of: Annotated[date | None, Form()] = None,
                 file: Annotated[UploadedFile | None, File()] = None):
    """Send `text` (a list, one number per line, or any text) or `file` (.txt .docx .pdf
    .xlsx .csv) as multipart/form-data, or `{"text": …, "as_of": …}` as JSON. Small inputs
    answer 200 with the report; large ones 202 with a job to poll at `poll_url`."""
    if request.content_type == "application/json":
        try:
            body = CheckIn.model_validate(json.loads(request.body or b"{}"))
        except (ValueError, ValidationError):
            return HttpStatus(422, {"detail": _("请求体应为 JSON 对象：text（文本），as_of（可选，"
                                                "YYYY-MM-DD）。")})
        text, as_of = body.text, body.as_of
    try:
        check = services.start_check(text=text or "", upload=file, as_of=as_of,
                                     by=writer(request))
    except services.CheckRejected as exc:
        return HttpStatus(422, {"detail": exc.message})
    if check.state == ValidityCheck.State.SUCCEEDED:
        return HttpStatus(200, _report(check))
    return HttpStatus(202, _job(check))


@router.get("/validity-checks/{check_id}", url_name="validity_check",
            response={200: ReportOut, 202: JobOut, 404: ErrorOut, 422: ErrorOut},
            summary="核查结果（后台任务进行中时返回进度）")
def get_check(request, check_id: UUID):
    try:
        check = get_check_for(caller(request), check_id)
    except ValidityCheck.DoesNotExist:
        return HttpStatus(404, {"detail": _("没有这份报告，或报告已过期。")})
    if check.state == ValidityCheck.State.SUCCEEDED:
        return HttpStatus(200, _report(check))
    if check.state == ValidityCheck.State.FAILED:
        return HttpStatus(422, {"detail": check.message})
    return HttpStatus(202, _job(check))
