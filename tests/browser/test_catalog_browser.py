"""A person's first visit: home → a standard → what replaced it, in a real Chromium."""

from datetime import date

import pytest

from biaozhun.catalog.models import Standard
from biaozhun.catalog.tests.factories import make_standard, relate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chain():
    old = make_standard("GB 2760-2011", title_zh="食品安全国家标准 食品添加剂使用标准",
                        issued_on=date(2011, 4, 20), effective_on=date(2011, 6, 20))
    new = make_standard("GB 2760-2014", title_zh="食品安全国家标准 食品添加剂使用标准",
                        issued_on=date(2014, 12, 24), effective_on=date(2015, 5, 24),
                        public_text=False)
    relate(new, old)
    return old, new


def test_home_to_standard_to_its_replacement(live_server, page, screenshot, chain):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    screenshot("01-home")

    page.get_by_role("searchbox").first.fill("GB 2760-2011")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    page.get_by_role("link", name="GB 2760—2011").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("GB 2760—2011")
    assert "被代替" in page.locator(".badge").first.inner_text()
    screenshot("02-superseded-edition")

    page.locator(".replaced-by a").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/standards/GB%202760-2014")
    assert page.locator("h1").inner_text().startswith("GB 2760—2014")
    assert "现行" in page.locator(".badge").first.inner_text()
    screenshot("03-current-edition")
    assert Standard.objects.count() == 2


def test_list_filters_by_keyboard(live_server, page, chain, screenshot):
    page.goto(live_server.url + "/standards/")
    page.get_by_label("状态").select_option("superseded")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state()
    rows = page.locator("table tbody tr")
    assert rows.count() == 1
    assert "GB 2760—2011" in rows.first.inner_text()
    screenshot("04-list-filtered")
