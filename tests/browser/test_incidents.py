"""Complaints about one incident in two cities, in a real browser: 嘉善's admin links its case to
武进's complaint from the case page (the form's errors first), reads the incident, and records
the joint video session. Every state passes axe-core and the Nu HTML Checker at phone and
desktop width, with screenshots."""

import pytest

from conftest import DESKTOP, PHONE
from filing import api, resident_id, submit
from test_transfers import log_in, tianning_case

SIZES = pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
PASSWORD = "browser test password"


def diner_case(base, n):
    return api(base, "POST", "/api/v1/complaints", {
        "channel": "web", "category": "catering",
        "complainant": {"name": "李四", "phone": f"1390000{n:04d}", "address": "江苏省常州市武进区湖塘镇花园街3号",
                        "id_type": "resident_id", "id_number": resident_id("32041219850505123")},
        "respondent": {"name": "常州某饭店", "address": "江苏省常州市武进区湖塘镇人民路1号"},
        "dispute": {"occurred_on": "2026-11-20", "division_code": "320412100", "goods_or_service": "晚餐",
                    "amount_fen": 8800, "facts": "在饭店就餐，腌菜炒肉中吃出异物，要求赔偿。"},
        "demands": ["damages"], "choose_odr": False, "consent_to_publish": False,
        "conceal_identity_from_business": False})


@SIZES
def test_complaints_in_two_cities_are_linked_and_a_joint_session_recorded(
        open_page, check, base, create_user, size):
    n = size[0]
    create_user(f"link{n}", PASSWORD, "bureau_admin", "--bureau", "330421", "--display-name", f"嘉善管理员{n}")
    own = tianning_case(base)
    diner = diner_case(base, n)

    page = open_page(*size)
    log_in(page, base, f"link{n}")
    page.goto(base + f"/staff/cases/{own['id']}")
    page.locator(".case-actions").get_by_role("link", name="关联同一事件的其他投诉").click()
    check(page, "staff-incident-new")
    assert submit(page, "关联投诉").status == 422
    summary = page.locator(".error-summary")
    assert summary.get_by_role("link", name="请填写事件名称").get_attribute("href") == "#title"
    check(page, "staff-incident-new-error")
    page.get_by_label("事件名称").fill("常州某饭店菜品异物（腌菜）")
    page.get_by_label("其他投诉的登记号").fill(diner["receipt_number"])
    submit(page, "关联投诉")
    assert "/staff/incidents/" in page.url
    assert page.get_by_role("table").get_by_text(diner["receipt_number"]).count() == 1
    assert "李四" not in page.content()
    check(page, "staff-incident")

    page.get_by_role("link", name="安排或记录联合调解会").click()
    check(page, "staff-joint-session")
    page.get_by_label("视频", exact=True).check()
    page.locator("#date").fill("2026")
    page.locator("#date_month").fill("12")
    page.locator("#date_day").fill("8")
    page.get_by_label("开始时间").fill("9点")
    assert submit(page, "记录联合调解会").status == 422
    check(page, "staff-joint-session-error")
    page.get_by_label("开始时间").fill("09:30")
    page.get_by_label("视频会议链接（选填）").fill("https://meeting.example/odr/20261208")
    submit(page, "记录联合调解会")
    assert "2026年12月8日 09:30" in page.content()
    check(page, "staff-incident-session")
