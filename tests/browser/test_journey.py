"""The cross-role journey in one browser run (issue 17, item 13): a complaint filed through the
consumer's pages goes first to the enrolled business; its desk makes an offer, the consumer
counters, and the settlement window runs out (the case is aged: its ODR deadline moved to its
start), so the case escalates. The station's mediator accepts it from the work list, schedules
an in-person session (a double booking refused, the clash named) and records the agreement; the
consumer and the desk confirm, the 调解书 is issued and downloaded, and it verifies. The mediator
turns a violation clue into a lead, an enforcement officer closes it and its result shows on the
complaint; an admin loads a calendar year after a bad date is shown at its field, and reads
the case's audit trail. Each role is
refused another role's page (403) and a case outside its scope (404).

Run with JavaScript on at desktop width and with it off on a phone; every page state passes
axe-core and the Nu HTML Checker, with screenshots."""

import datetime
import hashlib
import sqlite3
import time
import urllib.parse
from pathlib import Path

import pytest

from conftest import DESKTOP, PHONE, SERVICE
from filing import BUSINESS_USCC, api, file_complaint, resident_id, submit

PASSWORD = "browser test password"
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
RUNS = pytest.mark.parametrize("size,javascript,year", [(DESKTOP, True, 2033), (PHONE, False, 2034)],
                               ids=["desktop-js", "phone-nojs"])


def log_in(page, base, username):
    page.goto(base + "/staff/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    submit(page, "登录")
    assert page.url == base + "/staff"


def notice(page):
    return page.locator("#notice-title + *").inner_text()


def fill_date(page, name, day):
    page.locator(f"#{name}").fill(str(day.year))
    page.locator(f"#{name}_month").fill(str(day.month))
    page.locator(f"#{name}_day").fill(str(day.day))


def from_work_list(page, base, receipt):
    """Finds the case by its receipt number in the caller's work list and opens it."""
    page.goto(base + "/staff")
    page.get_by_label("搜索").fill(receipt)
    submit(page, "筛选")
    page.get_by_role("link", name=receipt).click()


def file_through_pages(page, base):
    """The consumer files against the enrolled restaurant, ODR first; the receipt and secret."""
    page.goto(base + "/complaint")
    submit(page, "开始填写")
    page.fill("#business_name", "西塘某餐馆")
    page.fill("#business_uscc", BUSINESS_USCC)
    page.fill("#business_address", "浙江省嘉兴市嘉善县西塘镇南大街8号")
    page.locator("input[name=on_platform][value=no]").check()
    submit(page, "继续")
    assert page.url == base + "/complaint/place"
    today = datetime.datetime.now(SHANGHAI).date()
    fill_date(page, "occurred_on", today - datetime.timedelta(days=2))
    page.fill("#place", "西塘镇南大街8号")
    submit(page, "继续")
    if page.url.endswith("/complaint/place/choose"):
        page.get_by_label("浙江省嘉兴市嘉善县西塘镇").check()
        submit(page, "继续")
    assert page.url == base + "/complaint/what"
    page.locator("input[name=category][value=catering]").check()
    page.fill("#goods_or_service", "晚餐")
    page.fill("#amount", "128")
    page.fill("#facts", "在餐馆就餐时菜品中发现异物，要求退款并赔偿。")
    page.get_by_label("退还货款、服务费用").check()
    submit(page, "继续")
    assert page.url == base + "/complaint/evidence"
    page.get_by_role("link", name="继续").click()
    assert page.url == base + "/complaint/you"
    page.fill("#name", "张三")
    page.fill("#phone", "13800000000")
    page.select_option("#id_type", "resident_id")
    page.fill("#id_number", resident_id("33042119900101123"))
    page.fill("#address", "上海市青浦区朱家角镇北大街1号")
    for name, value in [("odr_first", "yes"), ("conceal", "no"), ("consent", "yes"), ("delegated", "no")]:
        page.locator(f"input[name={name}][value={value}]").check()
    submit(page, "继续")
    assert page.url == base + "/complaint/check"
    submit(page, "提交投诉")
    assert page.url == base + "/complaint/receipt"
    return (page.locator('[data-copy="登记号"]').inner_text().strip(),
            page.locator('[data-copy="查询码"]').inner_text().strip())


def claim(page, base, receipt, secret):
    page.goto(base + "/track")
    page.get_by_label("登记号").fill(receipt)
    page.get_by_label("查询码").fill(secret)
    submit(page, "查询")


def age_odr_window(case_id):
    """Ten working days of silence, in one step: the settlement deadline falls due at its start."""
    path = SERVICE["env"]["DATABASE_URL"].removeprefix("sqlite://").split("?")[0]
    with sqlite3.connect(path, timeout=30) as db:
        changed = db.execute("UPDATE deadlines SET due_at = starts_at WHERE case_id = ? AND kind = 'odr_settlement'",
                             (case_id,)).rowcount
    assert changed == 1


def wait_for_status(base, token, case_id, status, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        now = api(base, "GET", f"/api/v1/cases/{case_id}", token=token)["status"]
        if now == status:
            return
        time.sleep(0.5)
    raise AssertionError(f"the case is {now}, not {status}, after {seconds} s")


def refused(page, base, path, status, name, check):
    answer = page.goto(base + path)
    assert answer.status == status, f"{path}: {answer.status}"
    assert page.get_by_role("heading", level=1).count() == 1
    check(page, name)


@RUNS
def test_a_complaint_goes_from_intake_through_odr_and_mediation_to_its_issued_agreement(
        open_page, check, base, create_user, restaurant, size, javascript, year):
    n = f"{size[0]}"
    create_user(f"jm{n}", PASSWORD, "mediator", "--station", "S330421103", "--display-name", f"周调解{n}")
    create_user(f"jo{n}", PASSWORD, "enforcement_officer", "--bureau", "330421", "--display-name", f"吴执法{n}")
    create_user(f"ja{n}", PASSWORD, "bureau_admin", "--bureau", "330421", "--display-name", f"郑管理{n}")
    my_token = api(base, "POST", "/api/v1/auth/login", {"username": f"jm{n}", "password": PASSWORD})["token"]
    open_as = lambda: open_page(*size, javascript=javascript)  # noqa: E731

    # The consumer files through the pages; the case goes to the business first.
    consumer = open_as()
    receipt, secret = file_through_pages(consumer, base)
    check(consumer, "journey-receipt")
    case_id = next(c["id"] for c in api(base, "GET", "/api/v1/cases?limit=200", token=restaurant["desk"])
                   if c["receipt_number"] == receipt)
    case_url = f"{base}/staff/cases/{case_id}"

    # The desk offers; the consumer counters in the browser.
    desk = open_as()
    log_in(desk, base, "browser-desk")
    from_work_list(desk, base, receipt)
    odr = desk.locator("section[aria-labelledby=odr-title]")
    odr.get_by_role("link", name="提出和解方案").click()
    desk.get_by_role("radio", name="退款").check()
    desk.get_by_label("金额（元）").fill("50")
    fill_date(desk, "perform_by", datetime.datetime.now(SHANGHAI).date() + datetime.timedelta(days=7))
    desk.get_by_label("方案说明").fill("退还部分餐费")
    submit(desk, "提出方案")
    assert desk.url == case_url
    check(desk, "journey-desk-offered")

    claim(consumer, base, receipt, secret)
    consumer.get_by_role("link", name="提出您的方案").click()
    consumer.get_by_label("退款").check()
    consumer.fill("#amount", "128")
    fill_date(consumer, "perform_by", datetime.datetime.now(SHANGHAI).date() + datetime.timedelta(days=5))
    consumer.fill("#message", "退还全部餐费")
    submit(consumer, "提交方案")
    assert "您提出了方案，正在等待经营者答复。" in consumer.inner_text("main")
    check(consumer, "journey-consumer-countered")

    # Silence: the window runs out and the sweep escalates the case to the station.
    age_odr_window(case_id)
    wait_for_status(base, my_token, case_id, "pending_acceptance")
    consumer.reload()
    assert "企业和解未成" in consumer.inner_text("main") or "待受理" in consumer.inner_text("main")

    # The mediator accepts it from the work list and schedules an in-person session; another case
    # of theirs holds the morning, so the first try is refused with the clash named.
    mediator = open_as()
    log_in(mediator, base, f"jm{n}")
    from_work_list(mediator, base, receipt)
    assert mediator.url == case_url
    submit(mediator, "受理")
    assert "已受理" in notice(mediator)
    check(mediator, "journey-mediator-accepted")
    day = datetime.datetime.now(SHANGHAI).date() + datetime.timedelta(days=7)
    other = file_complaint(base)
    api(base, "POST", f"/api/v1/cases/{other['id']}/accept", {}, token=my_token)
    morning = datetime.datetime.combine(day, datetime.time(9, 30), SHANGHAI)
    api(base, "POST", f"/api/v1/cases/{other['id']}/sessions", {
        "mode": "in_person", "starts_at": morning.isoformat(),
        "ends_at": (morning + datetime.timedelta(hours=2)).isoformat(),
        "room": "第一调解室", "address": "浙江省嘉兴市嘉善县西塘镇南大街100号"}, token=my_token)
    mediator.locator(".case-actions").get_by_role("link", name="安排调解会").click()
    mediator.get_by_role("radio", name="现场调解").check()
    fill_date(mediator, "date", day)
    mediator.locator("#starts").fill("10:00")
    mediator.locator("#ends").fill("11:00")
    mediator.locator("#room").fill("第二调解室")
    mediator.locator("#address").fill("浙江省嘉兴市嘉善县西塘镇南大街100号")
    assert submit(mediator, "安排调解会").status == 422
    clash = f"调解员在 {day.isoformat()} 09:30 至 {day.isoformat()} 11:30 已有调解会，请另选时间"
    assert mediator.locator(".error-summary").get_by_role("link", name=clash).count() == 1
    check(mediator, "journey-session-clash")
    mediator.locator("#starts").fill("14:00")
    mediator.locator("#ends").fill("16:00")
    submit(mediator, "安排调解会")
    assert mediator.url == case_url and "已安排调解会" in notice(mediator)

    mediator.locator(".case-actions").get_by_role("link", name="记录调解协议").click()
    mediator.locator("#what_1").fill("被投诉人退还餐费")
    mediator.locator("#amount_1").fill("128")
    fill_date(mediator, "due_1", day)
    mediator.get_by_label("现场调解达成").check()
    mediator.locator("#respondent_agent").fill("王经理")
    submit(mediator, "记录调解协议")
    assert mediator.url == case_url
    mediator.get_by_role("link", name="查看调解书").click()
    assert "一、被投诉人退还餐费" in mediator.inner_text("main")
    check(mediator, "journey-agreement-draft")

    # Both confirm: the consumer on the tracking pages, the desk on the workbench.
    claim(consumer, base, receipt, secret)
    consumer.get_by_role("link", name="阅读并确认调解书").click()
    consumer.get_by_role("link", name="确认调解书").click()
    submit(consumer, "确认调解书")
    assert "您已确认调解书" in consumer.inner_text("main")
    desk.goto(case_url)
    desk.get_by_role("link", name="查看调解书").click()
    check(desk, "journey-desk-document")
    submit(desk, "代表经营者确认调解书")
    assert desk.url == case_url and "调解书已出具" in notice(desk)

    mediator.goto(case_url)
    with mediator.expect_download() as download:
        mediator.get_by_role("link", name="下载调解书（PDF）").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    number = api(base, "GET", f"/api/v1/cases/{case_id}/agreement", token=my_token)["document"]["number"]
    verdict = api(base, "GET", f"/api/v1/agreements/{urllib.parse.quote(number)}/verify"
                               f"?sha256={hashlib.sha256(pdf).hexdigest()}")
    assert verdict["valid"] is True, verdict
    # The consumer checks the PDF itself on the verification page.
    consumer.goto(base + "/verify")
    consumer.locator("#pdf_number").fill(number)
    consumer.get_by_label("调解书 PDF 文件").set_input_files(
        files=[{"name": "调解书.pdf", "mimeType": "application/pdf", "buffer": pdf}])
    assert submit(consumer, "上传并核验").status == 200
    assert consumer.locator("h1").inner_text() == "核验通过"
    check(consumer, "journey-verified")

    # 诉转案: the mediator sends a lead, the officer closes it, the complaint shows the result.
    mediator.locator(".case-actions").get_by_role("link", name="转为诉转案线索").click()
    mediator.get_by_label("诉转案（转执法办案）").check()
    mediator.get_by_label("涉嫌违法行为").fill("后厨使用过期食材加工菜品")
    submit(mediator, "移送执法人员核查")
    officer = open_as()
    log_in(officer, base, f"jo{n}")
    officer.get_by_role("navigation", name="工作台").get_by_role("link", name="诉转案线索").click()
    officer.get_by_role("link", name=receipt).click()
    submit(officer, "接收线索")
    officer.get_by_role("link", name="作出立案决定").click()
    officer.get_by_label("立案", exact=True).check()
    officer.get_by_label("理由").fill("现场检查发现过期食材")
    submit(officer, "作出决定")
    officer.get_by_role("link", name="记录办理结果").click()
    officer.get_by_label("办理结果").fill("责令改正，罚款人民币二万元")
    submit(officer, "记录结果并办结")
    check(officer, "journey-leads")
    mediator.goto(case_url)
    assert "责令改正，罚款人民币二万元" in mediator.inner_text("main")
    check(mediator, "journey-case-closed")

    # The admin loads a calendar year: a bad date first, shown at its field.
    admin = open_as()
    log_in(admin, base, f"ja{n}")
    admin.get_by_role("navigation", name="工作台").get_by_role("link", name="工作日历").click()
    admin.get_by_label("年份", exact=True).fill(str(year))
    admin.get_by_label("法定节假日").fill(f"元旦 {year}-01-01\n国庆节 {year}-10-01 {year}-10-07")
    admin.get_by_label("调休上班日").fill(f"{year}-02-30")
    assert submit(admin, "载入").status == 422
    assert admin.locator(".error-summary").get_by_role("link").get_attribute("href") == "#makeup_workdays"
    check(admin, "journey-calendar-error")
    admin.get_by_label("调休上班日").fill("")
    submit(admin, "载入")
    assert f"已载入 {year} 年的放假安排" in notice(admin)
    admin.goto(case_url)
    admin.get_by_role("link", name="查看操作记录（含个人信息查看记录）").click()
    assert "查看了当事人的个人信息" in admin.inner_text("main")
    check(admin, "journey-audit-trail")

    # Each role: another role's page is refused, a case outside its scope is unknown.
    elsewhere = api(base, "POST", "/api/v1/complaints", {
        "channel": "web", "category": "catering",
        "complainant": {"name": "李四", "phone": "13900000000", "address": "江苏省常州市武进区湖塘镇1号",
                        "id_type": "resident_id", "id_number": resident_id("33042119900101123")},
        "respondent": {"name": "湖塘某饭店", "address": "江苏省常州市武进区湖塘镇人民路1号"},
        "dispute": {"occurred_on": "2026-11-20", "division_code": "320412100", "goods_or_service": "午餐",
                    "amount_fen": 5000, "facts": "饭菜变质，要求退款。"},
        "demands": ["refund"], "choose_odr": False, "consent_to_publish": False,
        "conceal_identity_from_business": False})["id"]
    for page, forbidden, who in [(desk, "/staff/leads", "desk"), (mediator, "/staff/calendar", "mediator"),
                                 (officer, f"/staff/cases/{case_id}/mediator", "officer"),
                                 (admin, f"/staff/cases/{case_id}/odr/offer", "admin")]:
        refused(page, base, forbidden, 403, f"journey-403-{who}", check)
        refused(page, base, f"/staff/cases/{elsewhere}", 404, f"journey-404-{who}", check)
