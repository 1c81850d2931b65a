"""Search as a person uses it: type, pick from the suggestions or submit, narrow, open."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from biaozhun.catalog.tests.factories import make_standard, relate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue():
    old = make_standard("GB 2760-2011", title_zh="食品安全国家标准 食品添加剂使用标准",
                        issued_on=date(2011, 4, 20), effective_on=date(2011, 6, 20))
    new = make_standard("GB 2760-2014", title_zh="食品安全国家标准 食品添加剂使用标准",
                        issued_on=date(2014, 12, 24), effective_on=date(2015, 5, 24))
    relate(new, old)
    make_standard("DB43/T 100-2020", title_zh="湘菜 食品安全管理规范", issued_on=date(2020, 1, 1))


def test_type_narrow_by_facet_and_open_a_hit(live_server, page, screenshot, catalogue):
    page.goto(live_server.url + "/search/")
    box = page.get_by_role("combobox", name=re.compile("标准号、名称"))
    box.fill("食品安全")
    # The suggestions are a listbox the keyboard can reach.
    listbox = page.get_by_role("listbox", name=re.compile("标准号、名称"))
    # One suggestion per title: the two editions of GB 2760 share theirs.
    expect(listbox.get_by_role("option")).to_have_count(2)
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", re.compile(r"-0$"))
    box.press("Escape")
    expect(listbox).to_be_hidden()
    box.press("Enter")
    expect(page.get_by_role("status")).to_have_text("共 3 条结果")
    screenshot("search-01-results")

    page.get_by_role("link", name=re.compile(r"^地方标准 1")).click()
    expect(page.get_by_role("status")).to_have_text("共 1 条结果")
    hits = page.locator(".hit")
    expect(hits).to_have_count(1)
    expect(hits.locator("mark")).to_have_text("食品安全")
    screenshot("search-02-facet")

    hits.get_by_role("link", name="DB43/T 100—2020").click()
    expect(page).to_have_url(re.compile(r"/standards/DB43/T%20100-2020$"))
    expect(page.locator("h1")).to_contain_text("DB43/T 100—2020")


def test_choosing_a_suggestion_with_the_keyboard_opens_that_standard(live_server, page,
                                                                     catalogue):
    page.goto(live_server.url + "/")
    box = page.get_by_role("combobox").first
    box.fill("gb 2760")
    expect(page.locator(".suggestions").first.get_by_role("option")).to_have_count(2)
    box.press("ArrowDown")
    box.press("ArrowDown")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/standards/GB%202760-2014$"))


def test_on_a_phone_the_hits_come_first_and_the_facets_open_on_request(live_server, page,
                                                                       screenshot, catalogue):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/search/?q=%E9%A3%9F%E5%93%81%E5%AE%89%E5%85%A8")
    expect(page.get_by_role("status")).to_have_text("共 3 条结果")
    facets = page.get_by_role("complementary", name="按条件缩小范围")
    level = facets.get_by_role("link", name=re.compile(r"^地方标准 1"))
    expect(level).to_be_hidden()
    first = page.locator(".hit").first
    expect(first).to_be_in_viewport()  # not pushed below a screenful of facets
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("search-03-phone")

    summary = facets.locator("summary")
    expect(summary).to_have_text("筛选条件")
    summary.focus()
    summary.press("Enter")  # a keyboard opens it as well as a tap
    level.click()
    expect(page.get_by_role("status")).to_have_text("共 1 条结果")
    expect(facets.locator("summary")).to_have_text("筛选条件 （已选）")
    screenshot("search-04-phone-filtered")


def test_on_a_wide_screen_the_facets_are_always_shown(live_server, page, catalogue):
    page.goto(live_server.url + "/search/?q=%E9%A3%9F%E5%93%81%E5%AE%89%E5%85%A8")
    facets = page.get_by_role("complementary", name="按条件缩小范围")
    expect(facets.get_by_role("link", name=re.compile(r"^地方标准 1"))).to_be_visible()
    expect(facets.locator("summary")).to_be_hidden()
