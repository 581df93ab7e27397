"""诉转案 and reports in a real browser: a station mediator turns a complaint's violation clue into
a lead (the form's errors first); the bureau's enforcement officer finds it in the leads list,
accepts it, decides 立案 and records the result, which the complaint's page then shows; the
officer decides a named report and records how the reporter was told. Every state passes axe-core
and the Nu HTML Checker at phone and desktop width, with screenshots."""

import pytest

from conftest import DESKTOP, PHONE
from filing import api, file_complaint, submit

SIZES = pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
PASSWORD = "browser test password"


def log_in(page, base, username):
    page.goto(base + "/staff/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    submit(page, "登录")
    assert page.url == base + "/staff"


def notice(page):
    return page.locator("#notice-title + *").inner_text()


@SIZES
def test_a_lead_is_worked_to_its_result_which_shows_on_the_complaint(open_page, check, base, create_user, size):
    n = size[0]
    create_user(f"leadm{n}", PASSWORD, "mediator", "--station", "S330421103", "--display-name", f"王调解{n}")
    create_user(f"leado{n}", PASSWORD, "enforcement_officer", "--bureau", "330421", "--display-name", f"李执法{n}")
    filed = file_complaint(base)
    receipt = filed["receipt_number"]
    case_url = base + f"/staff/cases/{filed['id']}"

    station = open_page(*size)
    log_in(station, base, f"leadm{n}")
    station.goto(case_url)
    station.locator(".case-actions").get_by_role("link", name="转为诉转案线索").click()
    assert station.get_by_role("heading", level=1).inner_text() == f"转为诉转案线索 {receipt}"
    check(station, "staff-lead-open")
    assert submit(station, "移送执法人员核查").status == 422
    summary = station.locator(".error-summary")
    assert summary.get_by_role("link", name="请选择线索转为执法办案、产品抽检还是日常监管").get_attribute("href") == "#choice"
    assert summary.get_by_role("link", name="请写明涉嫌违法的行为").get_attribute("href") == "#text"
    check(station, "staff-lead-open-error")
    station.get_by_label("诉转案（转执法办案）").check()
    station.get_by_label("涉嫌违法行为").fill("使用过期食材加工菜品")
    submit(station, "移送执法人员核查")
    assert station.url == case_url
    assert "已移送本局执法人员核查" in notice(station)

    officer = open_page(*size)
    log_in(officer, base, f"leado{n}")
    officer.get_by_role("navigation", name="工作台").get_by_role("link", name="诉转案线索").click()
    check(officer, "staff-leads")
    officer.get_by_role("link", name=receipt).click()
    assert "张三" in officer.locator("main").inner_text()
    submit(officer, "接收线索")
    assert "已接收线索" in notice(officer)
    check(officer, "staff-lead")
    officer.get_by_role("link", name="作出立案决定").click()
    assert submit(officer, "作出决定").status == 422
    check(officer, "staff-lead-decision-error")
    officer.get_by_label("立案", exact=True).check()
    officer.get_by_label("理由").fill("现场检查发现过期食材三批次")
    submit(officer, "作出决定")
    assert "已作出立案决定" in notice(officer)
    officer.get_by_role("link", name="记录办理结果").click()
    officer.get_by_label("办理结果").fill("责令改正，罚款人民币五万元")
    check(officer, "staff-lead-result")
    submit(officer, "记录结果并办结")
    assert officer.url == base + "/staff/leads"
    check(officer, "staff-leads-closed")

    station.goto(case_url)
    text = station.locator("main").inner_text()
    assert "责令改正，罚款人民币五万元" in text and "现场检查发现过期食材三批次" in text
    check(station, "staff-case-lead-result")


@SIZES
def test_a_named_report_is_decided_and_its_reporter_told(open_page, check, base, create_user, size):
    n = size[0]
    create_user(f"repo{n}", PASSWORD, "enforcement_officer", "--bureau", "330421", "--display-name", f"赵执法{n}")
    filed = api(base, "POST", "/api/v1/reports", {
        "channel": "hotline_12315", "category": "food",
        "respondent": {"name": f"某腌菜厂{n}", "address": "浙江省嘉兴市嘉善县天凝镇工业路5号"},
        "clue": {"what": "腌菜中检出异物，生产环境脏乱差"},
        "reporter": {"name": "李四", "phone": "0573-84561234"}})
    page = open_page(*size)
    log_in(page, base, f"repo{n}")
    page.goto(base + f"/staff/cases/{filed['id']}")
    actions = page.locator(".case-actions")
    actions.get_by_role("link", name="合并到相关举报").click()
    assert "无法合并" in page.locator("main").inner_text()
    check(page, "staff-report-merge-none")
    page.go_back()
    page.locator(".case-actions").get_by_role("link", name="作出立案决定").click()
    page.get_by_label("不予立案").check()
    assert submit(page, "作出决定").status == 422
    assert page.locator(".error-summary").get_by_role("link", name="请写明决定的理由").count() == 1
    check(page, "staff-report-decision-error")
    page.get_by_label("理由").fill("现场检查未发现所举报的问题")
    submit(page, "作出决定")
    assert "举报人没有留电子邮箱" in notice(page)
    page.locator(".case-actions").get_by_role("link", name="记录已告知举报人").click()
    check(page, "staff-report-notice")
    page.get_by_label("电话").check()
    submit(page, "记录已告知")
    assert "已记录通过电话告知举报人" in notice(page)
    assert page.locator(".case-actions").count() == 0
    check(page, "staff-report-decided")
