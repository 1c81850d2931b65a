"""Import runs started from the admin: queued as a background job, progress on the record."""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from biaozhun.catalog.importing.dispatch import import_path
from biaozhun.catalog.importing.errors import FileError, ImportFailed
from biaozhun.catalog.models import ImportRun


def can_import(user) -> bool:
    return bool(user and user.is_active and user.has_perm("catalog.add_importrun"))


@transaction.atomic
def start_import(upload: UploadedFile, *, skip_invalid: bool, by) -> ImportRun:
    """Record an uploaded file and queue its import; the job runs after the commit."""
    if not can_import(by):
        raise PermissionDenied
    run = ImportRun(source_name=upload.name[:255], skip_invalid=skip_invalid, started_by=by)
    run.upload.save(upload.name, upload, save=False)
    run.save()
    from biaozhun.catalog.tasks import run_import

    transaction.on_commit(lambda: run_import.enqueue(run.pk))
    return run


def execute_import_run(run_id: int) -> ImportRun:
    """Run a queued import; the outcome (success or the errors) is stored on the record."""
    run = ImportRun.objects.get(pk=run_id)
    if run.state != ImportRun.State.PENDING:
        return run  # a job delivered twice must not import twice
    ImportRun.objects.filter(pk=run.pk).update(state=ImportRun.State.RUNNING,
                                               started_at=timezone.now())

    def progress(done: int, total: int) -> None:
        ImportRun.objects.filter(pk=run.pk).update(processed_rows=done,
                                                   total_rows=max(total, done))

    path = Path(run.upload.path)
    rejects = path.with_name(path.stem + ".rejects.csv")
    try:
        report = import_path(path, skip_invalid=run.skip_invalid, run=run, progress=progress,
                             rejects_path=rejects)
    except FileError as exc:
        run.state, run.message = ImportRun.State.FAILED, str(exc)
        run.report = {"errors": [], "error_count": 0, "message": str(exc)}
    except ImportFailed as exc:
        run.state = ImportRun.State.FAILED
        run.message = f"{len(exc.errors)} 处错误，未导入任何数据。"
        run.report = {"errors": [e.as_dict() for e in exc.errors[:1000]],
                      "error_count": len(exc.errors)}
        run.rejected_count = len({e.row for e in exc.errors})
    else:
        run.state = ImportRun.State.SUCCEEDED
        run.total_rows = run.processed_rows = report.total_rows
        run.created_count, run.updated_count = report.created, report.updated
        run.rejected_count, run.dangling_count = report.rejected_rows, len(report.dangling)
        run.report = report.as_dict()
        run.message = "；".join(report.notes)
    run.finished_at = timezone.now()
    run.save(update_fields=["state", "message", "report", "total_rows", "processed_rows",
                            "created_count", "updated_count", "rejected_count",
                            "dangling_count", "finished_at", "updated_at"])
    return run
