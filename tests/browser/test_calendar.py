"""The working-day calendar in a real browser: a bureau admin loads a year from the State
Council's notice; a 调休 day that is not a weekend is shown at its field with the values kept, then
the corrected year loads and is listed. Every state passes axe-core and the Nu HTML Checker at
phone and desktop width, with screenshots."""

import pytest

from conftest import DESKTOP, PHONE
from filing import submit

SIZES = pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
PASSWORD = "browser test password"
# Far enough ahead that no other test's deadlines reach it; the phone and desktop runs each load
# their own year. (year, a weekday, a Sunday) of each.
YEARS = {360: (2031, "2031-01-06", "2031-01-05"), 1280: (2032, "2032-01-05", "2032-01-04")}


@SIZES
def test_an_admin_loads_a_year_after_fixing_a_bad_date(open_page, check, base, create_user, size):
    n = size[0]
    year, weekday, sunday = YEARS[n]
    create_user(f"cal{n}", PASSWORD, "bureau_admin", "--bureau", "330421", "--display-name", f"日历管理员{n}")
    page = open_page(*size)
    page.goto(base + "/staff/login")
    page.get_by_label("用户名").fill(f"cal{n}")
    page.get_by_label("密码").fill(PASSWORD)
    submit(page, "登录")
    page.get_by_role("navigation", name="工作台").get_by_role("link", name="工作日历").click()
    assert page.get_by_role("heading", level=1).inner_text() == "工作日历"
    assert page.get_by_role("cell", name="2026 年").count() == 1
    check(page, "staff-calendar")

    page.get_by_label("年份", exact=True).fill(str(year))
    holidays = f"元旦 {year}-01-01 {year}-01-03"
    page.get_by_label("法定节假日").fill(holidays)
    page.get_by_label("调休上班日").fill(f"{sunday}\n{weekday}")
    assert submit(page, "载入").status == 422
    link = page.locator(".error-summary").get_by_role("link")
    assert link.count() == 1
    assert link.get_attribute("href") == "#makeup_workdays"
    assert link.inner_text().startswith("第 2 行：")
    assert "不是周六或周日" in page.locator("#makeup_workdays-error").inner_text()
    assert page.get_by_label("法定节假日").input_value() == holidays
    check(page, "staff-calendar-error")

    page.get_by_label("调休上班日").fill(sunday)
    submit(page, "载入")
    assert page.url == base + "/staff/calendar"
    assert f"已载入 {year} 年的放假安排" in page.locator("#notice-title + *").inner_text()
    assert page.get_by_role("cell", name=f"{year} 年").count() == 1
    check(page, "staff-calendar-loaded")
