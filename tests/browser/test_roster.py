"""The duty roster in a real browser: a bureau admin opens the week, is told what a duty needs,
puts a colleague on a night duty next Saturday and sees it in the grid, then takes it off again.
Every state passes axe-core and the Nu HTML Checker at phone and desktop width, with screenshots
of the week."""

import datetime

import pytest

from conftest import DESKTOP, PHONE
from filing import submit

SIZES = pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
PASSWORD = "browser test password"
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@SIZES
def test_an_admin_puts_a_colleague_on_night_duty_and_takes_it_off(open_page, check, base, create_user, size):
    n = size[0]
    # A bureau of its own, so the other tests' duties do not show.
    create_user(f"roster{n}", PASSWORD, "bureau_admin", "--bureau", "320412", "--display-name", f"值班管理员{n}")
    create_user(f"nightduty{n}", PASSWORD, "enforcement_officer", "--bureau", "320412", "--display-name", f"夜班执法{n}")
    today = datetime.datetime.now(SHANGHAI).date()
    saturday = today + datetime.timedelta(days=(5 - today.weekday()) % 7 or 7)
    page = open_page(*size)
    page.goto(base + "/staff/login")
    page.get_by_label("用户名").fill(f"roster{n}")
    page.get_by_label("密码").fill(PASSWORD)
    submit(page, "登录")
    page.get_by_role("navigation", name="工作台").get_by_role("link", name="值班表").click()
    assert page.get_by_role("heading", level=1).inner_text() == "值班表"
    check(page, "staff-roster")

    assert submit(page, "安排值班").status == 422
    summary = page.locator(".error-summary")
    assert summary.get_by_role("link", name="请选择值班人员").get_attribute("href") == "#user_id"
    assert summary.get_by_role("link", name="请输入值班日期").count() == 1
    check(page, "staff-roster-error")

    page.get_by_label("值班人员").select_option(label=f"夜班执法{n}")
    page.locator("#date").fill(str(saturday.year))
    page.locator("#date_month").fill(str(saturday.month))
    page.locator("#date_day").fill(str(saturday.day))
    page.get_by_label("开始时间").fill("18:00")
    page.get_by_label("结束时间").fill("08:00")
    submit(page, "安排值班")
    assert "已安排值班" in page.locator("#notice-title + *").inner_text()
    day = page.locator(".roster__day", has_text=f"{saturday.month}月{saturday.day}日")
    assert f"夜班执法{n}" in day.inner_text() and "18:00—次日 08:00" in day.inner_text()
    check(page, "staff-roster-week")

    with page.expect_navigation():
        day.get_by_role("button", name=f"移除 夜班执法{n}").click()
    assert "已移除这次值班" in page.locator("#notice-title + *").inner_text()
    day = page.locator(".roster__day", has_text=f"{saturday.month}月{saturday.day}日")
    assert "无人值班" in day.inner_text()
