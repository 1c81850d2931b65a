"""Checks on uploaded project documents: size, declared and actual type."""

import hashlib
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

LABELS = {"pdf": "PDF", "docx": "Word（.docx）", "xlsx": "Excel（.xlsx）"}


def allowed_types(kind: str) -> list[str]:
    types = settings.PROJECT_DOCUMENT_TYPES
    return list(types.get(kind, types.get("default", ["pdf", "docx"])))


def sniff(head: bytes, upload) -> str | None:
    """The real type of a file from its bytes: pdf, docx, xlsx, or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names:
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
    return None


@dataclass(frozen=True)
class CheckedFile:
    extension: str
    size: int
    sha256: str
    name: str


def check_upload(upload, kind: str) -> CheckedFile:
    """Validate an uploaded file for `kind`; ValidationError with a message saying why not."""
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    size = upload.size
    limit = settings.PROJECT_DOCUMENT_MAX_BYTES
    if size == 0:
        raise ValidationError("文件为空。", code="empty")
    if size > limit:
        raise ValidationError(
            f"文件 {filesizeformat(size)}，超过上限 {filesizeformat(limit)}。", code="too_big")
    allowed = allowed_types(kind)
    declared = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    actual = sniff(head, upload)
    wanted = "、".join(LABELS.get(t, t) for t in allowed)
    if actual is None:
        raise ValidationError(
            f"无法识别“{name}”的格式（旧版 .doc/.xls、加密或损坏的文件不能上传），"
            f"请上传 {wanted}。",
            code="unknown_type")
    if actual not in allowed:
        raise ValidationError(f"此类材料只接受 {wanted}，“{name}”是 {LABELS[actual]}。",
                              code="wrong_type")
    if declared and declared != actual:
        raise ValidationError(
            f"文件名扩展名 .{declared} 与内容（{LABELS[actual]}）不符。", code="mismatch")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(extension=actual, size=size, sha256=digest.hexdigest(), name=name[:255])
