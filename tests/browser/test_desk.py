"""The business's ODR desk in a real browser: the case page with the negotiation and its clock,
an offer in 元 (its errors first), the consumer's counter-offer accepted, performance recorded,
and the business's own figures with a chart. Every state passes axe-core and the Nu HTML
Checker at phone and desktop width, with screenshots."""

import datetime

import pytest

from conftest import DESKTOP, PHONE
import filing
from filing import BUSINESS_USCC, api, days_ahead, submit

SIZES = pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@SIZES
def test_the_desk_settles_a_complaint_from_its_case_page(open_page, check, base, restaurant, size):
    filed = filing.file_complaint(base, respondent_uscc=BUSINESS_USCC, choose_odr=True)
    case_id, receipt, secret = filed["id"], filed["receipt_number"], filed["access_secret"]
    page = open_page(*size)
    page.goto(base + "/staff/login")
    page.get_by_label("用户名").fill("browser-desk")
    page.get_by_label("密码").fill("browser test password")
    submit(page, "登录")
    page.get_by_role("link", name=receipt).click()
    odr = page.locator("section[aria-labelledby=odr-title]")
    assert "企业和解期限" in odr.inner_text()
    check(page, "desk-case")

    odr.get_by_role("link", name="提出和解方案").click()
    page.get_by_label("金额（元）").fill("12.345")
    assert submit(page, "提出方案").status == 422
    assert page.locator(".error-summary").get_by_role(
        "link", name="请选择解决方式").get_attribute("href") == "#kind"
    assert page.get_by_label("金额（元）").input_value() == "12.345"
    check(page, "desk-offer-error")
    page.get_by_role("radio", name="退款").check()
    page.get_by_label("金额（元）").fill("128")
    day = datetime.datetime.now(SHANGHAI).date() + datetime.timedelta(days=7)
    page.locator("#perform_by").fill(str(day.year))
    page.locator("#perform_by_month").fill(str(day.month))
    page.locator("#perform_by_day").fill(str(day.day))
    page.get_by_label("方案说明").fill("全额退款并致歉")
    submit(page, "提出方案")
    assert page.url == f"{base}/staff/cases/{case_id}"
    assert page.get_by_text("已提出和解方案，消费者会收到通知。").count() == 1
    assert "本企业的方案：退款 128.00 元" in odr.inner_text()

    # The consumer counters; the desk accepts, then records performance.
    api(base, "POST", f"/api/v1/track/{receipt}/odr/counter", {
        "kind": "refund", "amount_fen": 15000, "perform_by": days_ahead(7), "message": "另加运费"},
        secret=secret)
    page.reload()
    assert "消费者的方案：退款 150.00 元" in odr.inner_text()
    check(page, "desk-countered")
    submit(page, "接受消费者的方案")
    assert page.get_by_text("已接受消费者的方案，双方达成和解。请按约定履行。").count() == 1
    odr.get_by_role("link", name="记录已履行").click()
    assert submit(page, "记录已履行").status == 422
    check(page, "desk-performed-error")
    page.get_by_label("履行情况").fill("已原路退款150元")
    submit(page, "记录已履行")
    assert "已记录履行，正在等待消费者确认。" in odr.inner_text()
    check(page, "desk-performed")

    page.get_by_role("link", name="企业和解数据").click()
    assert page.url == base + "/staff/odr"
    assert page.locator("svg.chart__svg").count() == 1
    assert "收到的投诉" in page.content()
    check(page, "desk-figures")
