"""Other numbers of the same edition (joint regional standards) lead to the edition."""

import pytest

from biaozhun.catalog.models import StandardAlias
from biaozhun.catalog.tests.factories import make_standard

pytestmark = pytest.mark.django_db


@pytest.fixture
def joint():
    standard = make_standard("DB4301/T 12-2026", title_zh="长株潭 湘菜烹饪技术规范")
    StandardAlias.objects.create(standard=standard, code="DB4302/T 7-2026",
                                 note="株洲市市场监督管理局")
    return standard


def test_alias_code_is_stored_normalised(joint):
    assert StandardAlias.objects.get().code_norm == "DB4302/T7-2026"


def test_alias_number_redirects_to_the_edition(client, joint):
    response = client.get("/standards/DB4302/T 7—2026")
    assert response.status_code == 301
    assert response["Location"] == "/standards/DB4301/T%2012-2026"


def test_detail_page_and_api_list_the_alias(client, joint):
    page = client.get("/standards/DB4301/T 12-2026").content.decode()
    assert "DB4302/T 7-2026（株洲市市场监督管理局）" in page
    data = client.get("/api/v1/standards/DB4301/T 12-2026").json()
    assert data["aliases"] == ["DB4302/T 7-2026"]
