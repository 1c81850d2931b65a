"""Personas for the accounts tests: the demo accounts of DOMAIN.md, plus an outsider."""

import pytest

from biaozhun.accounts.models import Organization, User
from biaozhun.accounts.services import ensure_demo_accounts


@pytest.fixture
def demo(db) -> dict[str, User]:
    """Every demo account by username (their organisations and memberships included)."""
    ensure_demo_accounts()
    return {user.username: user for user in User.objects.all()}


@pytest.fixture
def changsha(demo) -> Organization:
    return Organization.objects.get(name="长沙市市场监督管理局")


@pytest.fixture
def carol(db) -> User:
    return User.objects.create_user("carol", email="carol@example.com", password="correct horse")


@pytest.fixture
def dave(db) -> User:
    return User.objects.create_user("dave", email="dave@example.com", password="battery staple")
