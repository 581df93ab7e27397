"""Staff accounts in a real browser: a bureau admin creates a mediator's account (the errors
first), is shown its temporary password once, then changes it into an enforcement officer's and
disables it. Every state passes axe-core and the Nu HTML Checker at phone and desktop width, with
screenshots."""

import pytest

from conftest import DESKTOP, PHONE
from filing import api, submit

SIZES = pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
PASSWORD = "browser test password"


@SIZES
def test_an_admin_creates_changes_and_disables_an_account(open_page, check, base, create_user, size):
    n = size[0]
    create_user(f"accadmin{n}", PASSWORD, "bureau_admin", "--bureau", "330421", "--display-name", f"账号管理员{n}")
    page = open_page(*size)
    page.goto(base + "/staff/login")
    page.get_by_label("用户名").fill(f"accadmin{n}")
    page.get_by_label("密码").fill(PASSWORD)
    submit(page, "登录")
    page.get_by_role("navigation", name="工作台").get_by_role("link", name="工作人员账号").click()
    check(page, "staff-accounts")
    page.get_by_role("link", name="新建账号").click()
    page.get_by_label("姓名").fill(f"孙调解{n}")
    page.get_by_label("用户名").fill(f"sun{n}")
    page.get_by_role("radio", name="调解员").check()
    assert submit(page, "建立账号").status == 422
    assert page.locator(".error-summary").get_by_role(
        "link", name="调解员须属于一个监管所，请选择").get_attribute("href") == "#station_id"
    check(page, "staff-account-new-error")
    page.get_by_label("监管所").select_option(label="西塘市场监督管理所")
    submit(page, "建立账号")
    temporary = page.locator(".copyable").inner_text().strip()
    assert len(temporary) == 12
    check(page, "staff-account-password")
    assert api(base, "POST", "/api/v1/auth/login", {"username": f"sun{n}", "password": temporary})["token"]

    page.get_by_role("link", name="返回工作人员账号").click()
    page.get_by_role("link", name=f"孙调解{n}").click()
    check(page, "staff-account")
    page.get_by_role("radio", name="执法人员").check()
    page.get_by_label("监管所").select_option(label="不属于监管所")
    submit(page, "保存角色")
    assert "执法人员" in page.locator("#notice-title + *").inner_text()
    page.get_by_role("link", name=f"孙调解{n}").click()
    submit(page, "停用账号")
    assert "已停用" in page.locator("#notice-title + *").inner_text()
    row = page.locator("tr", has_text=f"sun{n}")
    assert "已停用" in row.inner_text()


def test_the_system_admin_sees_dead_mail_and_the_signing_keys(desktop, check, base, create_user):
    create_user("mailroot", PASSWORD, "system_admin", "--display-name", "系统管理员")
    page = desktop
    page.goto(base + "/staff/login")
    page.get_by_label("用户名").fill("mailroot")
    page.get_by_label("密码").fill(PASSWORD)
    submit(page, "登录")
    page.get_by_role("navigation", name="工作台").get_by_role("link", name="未能发出的邮件").click()
    assert page.get_by_role("heading", level=1).inner_text() == "未能发出的邮件"
    check(page, "staff-outbox")
    # The signing keys; a revocation without a reason is refused (the key stays: other tests sign
    # with it).
    page.get_by_role("navigation", name="工作台").get_by_role("link", name="签名密钥").click()
    assert "browser-330421" in page.inner_text("main")
    check(page, "staff-signing-keys")
    page.locator("a[href$=\"/browser-330421/revoke\"]").click()
    assert submit(page, "吊销密钥").status == 422
    check(page, "staff-signing-key-revoke-error")


@SIZES
def test_an_admin_opens_a_station_for_a_free_town(open_page, check, base, create_user, size):
    n = size[0]
    # A county of its own (武进), so the phone and desktop runs do not claim the same town.
    create_user(f"stadmin{n}", PASSWORD, "bureau_admin", "--bureau", "320412", "--display-name", f"设置管理员{n}")
    page = open_page(*size)
    page.goto(base + "/staff/login")
    page.get_by_label("用户名").fill(f"stadmin{n}")
    page.get_by_label("密码").fill(PASSWORD)
    submit(page, "登录")
    page.get_by_role("navigation", name="工作台").get_by_role("link", name="监管所").click()
    check(page, "staff-stations")
    page.get_by_role("link", name="新建监管所").click()
    assert submit(page, "保存").status == 422
    assert page.locator(".error-summary").get_by_role("link").first.get_attribute("href") == "#id"
    check(page, "staff-station-new-error")
    page.get_by_label("监管所编号").fill(f"S320412X{n}")
    page.get_by_label("监管所名称").fill(f"新设市场监督管理所{n}")
    # The last town in code order: not 湖塘 (320412100), where other tests' cases arise.
    page.locator("input[name=towns]").last.check()
    submit(page, "保存")
    assert f"已新建新设市场监督管理所{n}" in page.locator("#notice-title + *").inner_text()
    check(page, "staff-stations-created")


@SIZES
def test_a_pilot_admin_registers_and_changes_a_no_reason_return_brand(open_page, check, base, create_user, size):
    n = size[0]
    create_user(f"brandadmin{n}", PASSWORD, "bureau_admin", "--bureau", "310118", "--display-name", f"品牌管理员{n}")
    page = open_page(*size)
    page.goto(base + "/staff/login")
    page.get_by_label("用户名").fill(f"brandadmin{n}")
    page.get_by_label("密码").fill(PASSWORD)
    submit(page, "登录")
    page.get_by_role("navigation", name="工作台").get_by_role("link", name="退换货品牌").click()
    check(page, "staff-brands")
    page.get_by_role("link", name="登记品牌").click()
    page.get_by_label("品牌方统一社会信用代码（选填）").fill("9131")
    assert submit(page, "保存").status == 422
    links = page.locator(".error-summary a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == ["#name", "#uscc", "#promise"]
    check(page, "staff-brand-new-error")
    page.get_by_label("品牌名称").fill(f"朱家角茶饮{n}")
    page.get_by_label("品牌方统一社会信用代码（选填）").fill("")
    page.get_by_label("承诺内容").fill("示范区内任一门店购买的饮品券，30日内可在任一门店退换")
    submit(page, "保存")
    assert f"已登记朱家角茶饮{n}" in page.locator("#notice-title + *").inner_text()
    check(page, "staff-brands-registered")
    page.get_by_role("link", name=f"朱家角茶饮{n}").click()
    page.get_by_label("承诺内容").fill("30日内任一门店可退换")
    submit(page, "保存")
    assert "30日内任一门店可退换" in page.inner_text("main")
    page.get_by_role("link", name=f"朱家角茶饮{n}").click()
    submit(page, "从登记中移除")
    assert f"朱家角茶饮{n}" in page.locator("#notice-title + *").inner_text()
    assert page.get_by_role("link", name=f"朱家角茶饮{n}").count() == 0
