"""The urgent queue in a real browser: a food complaint outside office hours reaches the on-duty
team; a staff member on duty claims it, records first contact and resolves it. Every state passes
axe-core and the Nu HTML Checker at phone and desktop width, with screenshots."""

import datetime

import pytest

from conftest import DESKTOP, PHONE
from filing import api, resident_id, submit

SIZES = pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
PASSWORD = "browser test password"
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def food_complaint(base, n):
    now = datetime.datetime.now(SHANGHAI)
    return api(base, "POST", "/api/v1/complaints", {
        "channel": "web", "category": "food",
        "complainant": {"name": "李四", "phone": f"1380000{n:04d}", "address": "上海市青浦区朱家角镇北大街1号",
                        "id_type": "resident_id", "id_number": resident_id(f"33042119900101{n % 1000:03d}")},
        "respondent": {"name": f"西塘某食品店{n}", "address": "浙江省嘉兴市嘉善县西塘镇南大街9号"},
        "dispute": {"occurred_on": now.date().isoformat(), "division_code": "330421103",
                    "goods_or_service": "熟食", "amount_fen": 3600,
                    "facts": "购买的熟食已经变质，食用后腹痛，要求退款并赔偿。"},
        "demands": ["refund"], "choose_odr": False, "consent_to_publish": False,
        "conceal_identity_from_business": False})


@SIZES
def test_staff_on_duty_claim_contact_and_resolve(open_page, check, base, staff, size):
    n = size[0]
    admin = staff(f"urgent-admin{n}", "bureau_admin", "--bureau", "330421")
    username = f"urgent{n}"
    token = staff(username, "enforcement_officer", "--bureau", "330421", "--display-name", f"值班员{n}")
    user_id = api(base, "GET", "/api/v1/auth/me", token=token)["id"]
    now = datetime.datetime.now(SHANGHAI)
    api(base, "POST", "/api/v1/bureaus/330421/duty-roster", {
        "user_id": user_id, "starts_at": (now - datetime.timedelta(hours=1)).isoformat(),
        "ends_at": (now + datetime.timedelta(hours=8)).isoformat()}, token=admin)
    receipt = food_complaint(base, n)["receipt_number"]

    page = open_page(*size)
    page.goto(base + "/staff/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    submit(page, "登录")
    page.get_by_role("link", name="紧急事项").click()
    item = page.locator(".urgent__item", has_text=receipt)
    assert "首次联系还剩" in item.inner_text()
    check(page, "staff-urgent-queue")
    with page.expect_navigation():
        item.get_by_role("button", name=f"认领 {receipt}").click()
    assert page.get_by_text(f"已认领 {receipt}").count() == 1
    item = page.locator(".urgent__item", has_text=receipt)
    item.get_by_role("link", name="记录首次联系").click()
    assert submit(page, "记录首次联系").status == 422
    check(page, "staff-urgent-contact-error")
    page.get_by_label("联系情况").fill("已电话联系消费者，建议先就医并保留票据")
    submit(page, "记录首次联系")
    item = page.locator(".urgent__item", has_text=receipt)
    assert "首次联系（按时）" in item.inner_text()
    check(page, "staff-urgent-contacted")
    item.get_by_role("link", name="办结紧急处理").click()
    page.get_by_label("处理结果").fill("已协调门店当日退款")
    submit(page, "办结紧急处理")
    assert page.get_by_text("紧急处理已办结。").count() == 1
    assert page.locator(".urgent__item", has_text=receipt).count() == 0
