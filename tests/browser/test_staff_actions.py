"""The station's steps in a real browser: a mediator accepts a complaint, schedules an in-person
session beside their week (a double booking refused with the clashing session named), records an
agreement of two terms in 元 and the case closes, and its return visit is recorded; on a second complaint the mediator terminates on
a ground of the rule set. Every state passes axe-core and the Nu HTML Checker at phone and desktop
width, with screenshots of the week, the forms and their errors."""

import datetime

import pytest

from conftest import DESKTOP, PHONE
from filing import file_complaint, submit

SIZES = pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
PASSWORD = "correct horse battery"
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def fill_date(page, name, day):
    page.locator(f"#{name}").fill(str(day.year))
    page.locator(f"#{name}_month").fill(str(day.month))
    page.locator(f"#{name}_day").fill(str(day.day))


def log_in(page, base, username):
    page.goto(base + "/staff/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    submit(page, "登录")
    assert page.url == base + "/staff"


@SIZES
def test_a_mediator_schedules_a_session_from_the_week_and_records_the_agreement(
        open_page, check, base, create_user, size):
    username = f"actions{size[0]}"
    create_user(username, PASSWORD, "mediator", "--station", "S330421103", "--display-name", f"王调解{size[0]}")
    filed = file_complaint(base)
    case_id, receipt = filed["id"], filed["receipt_number"]
    page = open_page(*size)
    log_in(page, base, username)

    page.get_by_role("link", name=receipt).click()
    submit(page, "受理")
    actions = page.locator(".case-actions")
    assert actions.get_by_role("link", name="安排调解会").count() == 1
    assert "以下事项目前通过业务系统接口办理" not in actions.inner_text()
    check(page, "staff-actions-case")

    # A week from now, at 09:30 Beijing time.
    today = datetime.datetime.now(SHANGHAI).date()
    day = today + datetime.timedelta(days=7)
    monday = day - datetime.timedelta(days=day.weekday())
    actions.get_by_role("link", name="安排调解会").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("安排调解会")
    # Next week is the week a week from now falls in.
    page.get_by_role("link", name="下一周").click()
    assert page.url.endswith(f"/sessions/new?week={monday.isoformat()}")
    assert page.get_by_text("这一周没有已安排的调解会。").count() == 1
    check(page, "staff-session-week-empty")

    assert submit(page, "安排调解会").status == 422
    summary = page.locator(".error-summary")
    assert summary.get_by_role("link", name="请选择调解方式").get_attribute("href") == "#mode"
    check(page, "staff-session-error")

    page.get_by_role("radio", name="现场调解").check()
    fill_date(page, "date", day)
    page.locator("#starts").fill("09:30")
    page.locator("#ends").fill("11:30")
    page.locator("#room").fill("第一调解室")
    page.locator("#address").fill("浙江省嘉兴市嘉善县西塘镇南大街100号")
    page.get_by_role("group", name="其他参加人 1").get_by_label("姓名").fill("王律师")
    page.get_by_role("group", name="其他参加人 1").get_by_label("身份").select_option("agent")
    submit(page, "安排调解会")
    assert page.url == f"{base}/staff/cases/{case_id}"
    assert page.get_by_text("已安排调解会").count() == 1
    assert "现场调解 · 已安排 · 其他参加人：王律师（代理人）" in page.content()
    assert "调解中" in page.locator(".lead").inner_text()

    # The week now shows the slot; an overlapping one is refused and named.
    page.goto(f"{base}/staff/cases/{case_id}/sessions/new?week={monday.isoformat()}")
    row = page.locator("tbody tr").filter(has_text="09:30—11:30")
    assert row.count() == 1 and "本案" in row.inner_text()
    page.get_by_role("radio", name="现场调解").check()
    fill_date(page, "date", day)
    page.locator("#starts").fill("10:00")
    page.locator("#ends").fill("11:00")
    page.locator("#room").fill("第二调解室")
    page.locator("#address").fill("浙江省嘉兴市嘉善县西塘镇南大街100号")
    assert submit(page, "安排调解会").status == 422
    clash = f"调解员在 {day.isoformat()} 09:30 至 {day.isoformat()} 11:30 已有调解会，请另选时间"
    assert page.locator(".error-summary").get_by_role("link", name=clash).count() == 1
    assert page.locator("#room").input_value() == "第二调解室"
    check(page, "staff-session-clash")

    page.goto(f"{base}/staff/cases/{case_id}")
    page.locator(".case-actions").get_by_role("link", name="记录调解协议").click()
    page.locator("#what_1").fill("被投诉人退还餐费")
    page.locator("#amount_1").fill("128.50")
    fill_date(page, "due_1", today + datetime.timedelta(days=3))
    page.get_by_role("button", name="再加一项").click()
    page.wait_for_selector("#what_3")
    assert page.locator("#what_1").input_value() == "被投诉人退还餐费"
    page.locator("#what_2").fill("被投诉人赔偿损失")
    page.locator("#amount_2").fill("abc")
    fill_date(page, "due_2", today + datetime.timedelta(days=10))
    assert submit(page, "记录调解协议").status == 422
    assert page.locator(".error-summary").get_by_role(
        "link", name="请输入金额（元），最多两位小数，如 128.50").get_attribute("href") == "#amount_2"
    check(page, "staff-agreement-error")
    page.locator("#amount_2").fill("500")
    submit(page, "记录调解协议")
    assert page.url == f"{base}/staff/cases/{case_id}"
    assert page.get_by_text("已记录调解协议，案件办结").count() == 1
    assert "已办结" in page.locator(".lead").inner_text()
    assert page.locator(".case-actions").get_by_role("link", name="终止调解").count() == 0
    assert "已记录，无需制作调解书" in page.content() and "628.50 元" in page.content()
    check(page, "staff-agreement-closed")

    # The agreement opens the return visit (回访), recorded once from the case page.
    page.locator(".case-actions").get_by_role("link", name="记录回访").click()
    assert page.locator("#visited_on").input_value() == str(today.year)
    page.get_by_label("回访情况").fill("餐费已退，消费者认可")
    assert submit(page, "记录回访").status == 422
    assert page.locator(".error-summary").get_by_role(
        "link", name="请选择回访的方式").get_attribute("href") == "#channel"
    assert page.get_by_label("回访情况").input_value() == "餐费已退，消费者认可"
    check(page, "staff-return-visit-error")
    page.get_by_role("radio", name="电话").check()
    page.get_by_role("radio", name="基本满意").check()
    submit(page, "记录回访")
    assert page.url == f"{base}/staff/cases/{case_id}"
    assert page.get_by_text("已记录回访。").count() == 1
    assert page.locator(".case-actions").get_by_role("link", name="记录回访").count() == 0
    assert "电话回访" in page.content() and "基本满意" in page.content()
    check(page, "staff-return-visit-recorded")

    # Another complaint ends without agreement.
    other = file_complaint(base)
    other_id, other_receipt = other["id"], other["receipt_number"]
    page.goto(f"{base}/staff/cases/{other_id}")
    submit(page, "受理")
    page.locator(".case-actions").get_by_role("link", name="终止调解").click()
    assert submit(page, "终止调解").status == 422
    check(page, "staff-terminate-error")
    page.get_by_label("经组织调解，一方明确表示无法达成调解协议").check()
    page.get_by_label("具体理由").fill("被投诉人拒绝退款")
    submit(page, "终止调解")
    assert page.url == f"{base}/staff/cases/{other_id}"
    assert page.get_by_text("已终止调解，案件办结").count() == 1
    told = page.locator(".case-actions").get_by_role("link", name="记录已告知双方终止调解")
    assert told.count() == 1, "no party had a mail address"
    check(page, "staff-terminated")


@SIZES
def test_the_bureau_reads_its_dashboard(open_page, check, base, create_user, size):
    username = f"dashboard{size[0]}"
    create_user(username, PASSWORD, "bureau_admin", "--bureau", "330421")
    file_complaint(base)
    page = open_page(*size)
    log_in(page, base, username)
    page.get_by_role("link", name="统计数据").click()
    assert page.url == base + "/staff/dashboard"
    assert page.get_by_role("table", name="主要指标（“—”：期间内没有可计算的案件）").count() == 1
    assert page.get_by_role("table", name="各所情况").count() == 1
    assert page.locator("svg.chart__svg").count() == 1
    check(page, "staff-dashboard")
    page.locator("#from_month").fill("13")
    assert submit(page, "查看").status == 422
    assert page.locator(".error-summary").get_by_role(
        "link", name="开始日期必须是真实的日期").get_attribute("href") == "#from"
    check(page, "staff-dashboard-error")
