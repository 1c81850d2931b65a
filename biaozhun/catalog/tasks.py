"""Background jobs of the catalogue (django_tasks; the worker is `biaozhun db_worker`)."""

from django_tasks import task

from biaozhun.catalog.importing.runs import execute_import_run


@task()
def run_import(run_id: int) -> None:
    execute_import_run(run_id)
