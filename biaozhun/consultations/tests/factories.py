"""Helpers for the consultations tests: consultations in each state, guests who solve the
challenge, attachments and filled-in XLSX templates."""

import io
import re
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from biaozhun.consultations import services
from biaozhun.consultations.abuse import new_challenge
from biaozhun.consultations.models import Consultation
from biaozhun.projects.stages import Stage
from biaozhun.projects.tests.factories import Cast, docx_file, make_project, pdf_file

__all__ = ["answer_of", "docx_file", "draft_consultation", "filled_template", "guest",
           "jpeg_file", "member", "pdf_file", "plan_consultation", "png_file",
           "solved_challenge", "targeted_consultation"]

GUEST_IP = "203.0.113.7"
_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九十")}


def answer_of(question: str) -> int:
    """The answer to a challenge question such as "七加五等于几？"."""
    match = re.match(r"(.)(加|减)(.)等于几", question)
    a, b = _DIGITS[match[1]], _DIGITS[match[3]]
    return a + b if match[2] == "加" else a - b


def solved_challenge() -> tuple[str, str]:
    challenge = new_challenge()
    return challenge.token, str(answer_of(challenge.question))


def guest(text: str = "第 5.2 条的温度范围过窄。", **fields) -> services.CommentData:
    defaults = {"name": "王芳", "organization": "长沙某餐饮有限公司",
                "email": "wangfang@example.com", "clause": "5.2", "type": "technical",
                "commenter_type": "enterprise"}
    return services.CommentData(text=text, **{**defaults, **fields})


def member(text: str = "建议增加术语“爆炒”的定义。", **fields) -> services.CommentData:
    return services.CommentData(text=text, **fields)


def draft_consultation(cast: Cast, **project) -> Consultation:
    """The open draft consultation of a project in public comment."""
    project = make_project(cast, stage=Stage.PUBLIC_COMMENT, **project)
    return project.consultations.get()


def plan_consultation(cast: Cast, *, days: int = 30, **fields) -> Consultation:
    today = timezone.localdate()
    return services.open_consultation(
        by=cast.admin, kind=Consultation.Kind.PLAN, administration=cast.administration,
        title=fields.pop("title", f"{today.year}年度地方标准制修订计划（征求意见）"),
        opens_on=fields.pop("opens_on", today),
        closes_on=fields.pop("closes_on", today + timedelta(days=days)),
        plan_year=fields.pop("plan_year", today.year), **fields)


def targeted_consultation(cast: Cast, *, organizations=(), users=()) -> Consultation:
    today = timezone.localdate()
    return services.open_consultation(
        by=cast.admin, kind=Consultation.Kind.TARGETED, administration=cast.administration,
        title="定向征求意见：湘菜标准体系框架", opens_on=today,
        closes_on=today + timedelta(days=30), invited_organizations=organizations,
        invited_users=users)


def png_file(name: str = "photo.png", size: int = 64) -> SimpleUploadedFile:
    body = b"\x89PNG\r\n\x1a\n" + b"\x00" * max(size - 8, 0)
    return SimpleUploadedFile(name, body, content_type="image/png")


def jpeg_file(name: str = "photo.jpg", size: int = 64) -> SimpleUploadedFile:
    body = b"\xff\xd8\xff\xe0" + b"\x00" * max(size - 4, 0)
    return SimpleUploadedFile(name, body, content_type="image/jpeg")


def filled_template(consultation: Consultation, rows: list[tuple], *,
                    start_row: int = 2, name: str = "comments.xlsx") -> SimpleUploadedFile:
    """The platform's template for `consultation` with `rows` written from `start_row`
    (each a tuple in column order: clause, paragraph, type, text, change, reason)."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(services.comment_template(consultation)))
    sheet = workbook["意见"]
    for offset, row in enumerate(rows):
        for column, value in enumerate(row, start=1):
            sheet.cell(row=start_row + offset, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
