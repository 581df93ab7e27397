"""The workbench in a real browser: a station mediator logs in (a wrong password first), finds a
new complaint at the top of the work list with its acceptance deadline in words, opens the case,
accepts it, and logs out. Every state passes axe-core and the Nu HTML Checker at phone and desktop
width, with screenshots of the work list and the case view."""


import pytest

from conftest import DESKTOP, PHONE
from filing import file_complaint, submit

SIZES = pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
PASSWORD = "correct horse battery"


@SIZES
def test_a_mediator_logs_in_works_from_the_list_accepts_a_case_and_logs_out(
        open_page, check, base, create_user, size):
    username = f"xitang{size[0]}"
    create_user(username, PASSWORD, "mediator", "--station", "S330421103", "--display-name", "李调解")
    receipt = file_complaint(base)["receipt_number"]
    page = open_page(*size)

    page.goto(base + "/staff")
    assert page.url == base + "/staff/login", "without a login the workbench sends you to log in"
    check(page, "staff-login")

    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("not the password")
    assert submit(page, "登录").status == 422
    assert page.title().startswith("错误：")
    summary = page.locator(".error-summary")
    assert summary.get_by_role("link", name="用户名或密码不正确").get_attribute("href") == "#username"
    assert page.get_by_label("用户名").input_value() == username
    assert page.get_by_label("密码").input_value() == ""
    check(page, "staff-login-error")

    page.get_by_label("密码").fill(PASSWORD)
    submit(page, "登录")
    assert page.url == base + "/staff"
    assert page.get_by_role("heading", level=1).inner_text() == "我的案件"
    row = page.locator("tbody tr").filter(has_text=receipt)
    assert row.count() == 1
    cells = row.locator("td")
    assert cells.nth(0).inner_text() == "西塘某餐馆"
    assert cells.nth(1).inner_text() == "餐饮服务"
    assert cells.nth(2).inner_text() == "待受理"
    assert "西塘市场监督管理所" in cells.nth(3).inner_text()
    assert "受理期限 还剩" in cells.nth(4).inner_text()
    check(page, "staff-list")

    page.get_by_label("搜索").fill("没有这个名字的被投诉方")
    submit(page, "筛选")
    assert "没有符合筛选条件的案件。" in page.content()
    check(page, "staff-list-empty")
    page.get_by_role("link", name="清除筛选条件").click()

    page.get_by_role("link", name=receipt).click()
    assert "/staff/cases/" in page.url
    assert "张三" in page.content() and "13800000000" in page.content()
    assert page.get_by_text("受理期限 还剩").count() >= 1
    page.get_by_text("期限是怎样计算的").first.click()
    check(page, "staff-case")

    page.get_by_role("link", name="不予受理").click()
    assert submit(page, "决定不予受理").status == 422
    check(page, "staff-refuse-error")
    page.get_by_role("link", name="返回案件").click()

    submit(page, "受理")
    assert page.get_by_text("已受理。调解期限自今天起算").count() == 1
    assert page.get_by_role("button", name="受理", exact=True).count() == 0
    assert "已受理" in page.locator(".lead").inner_text()
    check(page, "staff-case-accepted")

    page.get_by_role("link", name="修改密码").click()
    check(page, "staff-password")

    submit(page, "退出登录")
    assert page.url == base + "/staff/login"
    assert page.get_by_text("您已退出登录。").count() == 1
    check(page, "staff-logged-out")
    page.goto(base + "/staff")
    assert page.url == base + "/staff/login"
