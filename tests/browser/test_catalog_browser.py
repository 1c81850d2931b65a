"""A person's first visit: home → a standard → what replaced it, in a real Chromium."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

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

    page.get_by_role("combobox").first.fill("GB 2760-2011")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?"))
    page.get_by_role("link", name="GB 2760—2011").first.click()
    expect(page.locator("h1")).to_contain_text("GB 2760—2011")
    expect(page.locator(".badge").first).to_contain_text("被代替")
    screenshot("02-superseded-edition")

    page.locator(".replaced-by a").first.click()
    expect(page).to_have_url(re.compile(r"/standards/GB%202760-2014$"))
    expect(page.locator("h1")).to_contain_text("GB 2760—2014")
    expect(page.locator(".badge").first).to_contain_text("现行")
    screenshot("03-current-edition")
    assert Standard.objects.count() == 2


def test_list_filters_by_keyboard(live_server, page, chain, screenshot):
    page.goto(live_server.url + "/standards/")
    page.get_by_label("状态").select_option("superseded")
    page.get_by_role("button", name="筛选").click()
    # htmx swaps the results in place: wait for the swap, not for a page load.
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("GB 2760—2011")
    screenshot("04-list-filtered")
