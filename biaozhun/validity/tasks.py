"""Background jobs of validity checking (django_tasks; the worker is `biaozhun db_worker`)."""

from django_tasks import task

from biaozhun.validity.services import execute_check


@task()
def run_check(check_id: str) -> None:
    execute_check(check_id)
