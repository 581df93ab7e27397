"""Transfers between bureaus in a real browser: 嘉善's admin transfers a case whose dispute arose
in 武进 from its page (the form's errors first); 武进's admin finds it on the transfers page,
returns it with a reason, then accepts it. Every state passes axe-core and the Nu HTML Checker at
phone and desktop width, with screenshots."""

import pytest

from conftest import DESKTOP, PHONE
from filing import api, resident_id, submit

SIZES = pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
PASSWORD = "browser test password"


def tianning_case(base):
    """A complaint about a pickle maker in 天凝 (嘉善) about a dish eaten in 湖塘 (武进)."""
    return api(base, "POST", "/api/v1/complaints", {
        "channel": "web", "category": "catering",
        "complainant": {"name": "张三", "phone": "13800000000", "address": "上海市青浦区朱家角镇北大街1号",
                        "id_type": "resident_id", "id_number": resident_id("33042119900101123")},
        "respondent": {"name": "某腌菜厂", "address": "浙江省嘉兴市嘉善县天凝镇工业路5号"},
        "dispute": {"occurred_on": "2026-11-20", "division_code": "320412100", "goods_or_service": "腌菜",
                    "amount_fen": 2600, "facts": "在湖塘的饭店吃到的腌菜已经变质，饭店说是厂家的问题。"},
        "demands": ["refund"], "choose_odr": False, "consent_to_publish": False,
        "conceal_identity_from_business": False})


def log_in(page, base, username):
    page.goto(base + "/staff/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    submit(page, "登录")
    assert page.url == base + "/staff"


@SIZES
def test_a_case_is_transferred_returned_and_accepted(open_page, check, base, create_user, size):
    n = size[0]
    create_user(f"jiashan{n}", PASSWORD, "bureau_admin", "--bureau", "330421", "--display-name", f"嘉善管理员{n}")
    create_user(f"wujin{n}", PASSWORD, "bureau_admin", "--bureau", "320412", "--display-name", f"武进管理员{n}")
    filed = tianning_case(base)
    receipt = filed["receipt_number"]

    sender = open_page(*size)
    log_in(sender, base, f"jiashan{n}")
    sender.goto(base + f"/staff/cases/{filed['id']}")
    sender.locator(".case-actions").get_by_role("link", name="移送其他市场监管局").click()
    assert sender.get_by_role("heading", level=1).inner_text() == f"移送案件 {receipt}"
    check(sender, "staff-transfer")
    assert submit(sender, "移送").status == 422
    summary = sender.locator(".error-summary")
    assert summary.get_by_role("link", name="请选择接收案件的市场监管局").get_attribute("href") == "#to_bureau_code"
    assert summary.get_by_role("link", name="请写明移送理由").get_attribute("href") == "#reason"
    check(sender, "staff-transfer-error")
    sender.get_by_label("接收案件的市场监管局").select_option(label="江苏省常州市武进区市场监督管理局")
    sender.get_by_label("移送理由").fill("菜品在武进区湖塘镇的饭店出售，争议发生地在武进")
    submit(sender, "移送")
    assert sender.url == base + "/staff/transfers"
    assert "已移送江苏省常州市武进区市场监督管理局" in sender.locator("#notice-title + *").inner_text()
    check(sender, "staff-transfers-sent")

    receiver = open_page(*size)
    log_in(receiver, base, f"wujin{n}")
    receiver.get_by_role("navigation", name="工作台").get_by_role("link", name="移送").click()
    item = receiver.locator(".transfers__item", has_text=receipt)
    assert "待接收" in item.inner_text()
    check(receiver, "staff-transfers-incoming")
    item.get_by_role("link", name=f"退回 {receipt}").click()
    check(receiver, "staff-transfer-return")
    receiver.get_by_label("退回理由").fill("经营者住所地在嘉善，应由嘉善办理")
    submit(receiver, "退回")
    item = receiver.locator(".transfers__item", has_text=receipt)
    assert "已退回，双方协商管辖" in item.inner_text()
    assert item.get_by_role("link", name=f"退回 {receipt}").count() == 0
    check(receiver, "staff-transfers-returned")
    with receiver.expect_navigation():
        item.get_by_role("button", name=f"接收 {receipt}").click()
    assert f"已接收案件 {receipt}" in receiver.locator("#notice-title + *").inner_text()
    assert "已接收" in receiver.locator(".transfers__item", has_text=receipt).inner_text()
    check(receiver, "staff-transfers-accepted")
