"""The demo projects `make run` creates: every declared stage, real trail, idempotent."""

import pytest
from django.core.management import call_command

from biaozhun.accounts.services import ensure_demo_accounts
from biaozhun.catalog.models import Standard, Status
from biaozhun.projects.audit import verify_all
from biaozhun.projects.demo import DEMO_PROJECTS, ensure_demo_projects
from biaozhun.projects.models import Project

pytestmark = pytest.mark.django_db


def test_demo_projects_reach_their_stages_and_rerun_adds_nothing():
    ensure_demo_accounts()
    made = ensure_demo_projects()
    assert {p.title: p.stage for p in made} == {d.title: d.stage for d in DEMO_PROJECTS}
    assert ensure_demo_projects() == []
    assert Project.objects.count() == len(DEMO_PROJECTS)
    published = Project.objects.get(title="米粉生产加工卫生规范")
    assert published.code == "DB4301/T 1-" + str(published.issued_on.year)
    assert Standard.objects.get(code=published.code).status == Status.UPCOMING
    joint = Project.objects.get(title="长株潭 城市公共自行车服务规范")
    assert joint.jurisdictions.count() == 2
    read, broken = verify_all()
    assert broken == []
    assert read == sum(p.event_count for p in Project.objects.all())


def test_command_needs_debug_and_demo_accounts(settings, capsys):
    settings.DEBUG = False
    call_command("load_demo_projects")
    assert "仅在 DEBUG=1 时创建" in capsys.readouterr().out
    settings.DEBUG = True
    with pytest.raises(Exception, match="演示账户尚未创建"):
        call_command("load_demo_projects")
    assert Project.objects.count() == 0
