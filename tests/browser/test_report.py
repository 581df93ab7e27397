"""Filing a report (举报) in a browser on a 360 px phone with JavaScript off: anonymous, an
ambiguous place answered on the complaint journey's choice page, an error state, the check page
and the receipt, which shows no 查询码 for an anonymous reporter and says their identity never
reaches the business. Every page state passes axe-core and the Nu HTML Checker."""


def next_page(page, label="继续"):
    with page.expect_navigation() as answer:
        page.get_by_role("button", name=label).click()
    return answer.value


def test_an_anonymous_report_is_filed_page_by_page(phone_nojs, check, base):
    page = phone_nojs
    page.goto(base + "/")
    page.get_by_role("link", name="举报", exact=True).click()
    assert page.url == base + "/report"
    assert "您的身份不会告诉被举报的经营者" in page.inner_text("main")
    check(page, "report-start")
    next_page(page, "开始填写")

    assert page.url == base + "/report/business"
    check(page, "report-business")
    page.fill("#business_address", "浙江省嘉兴市嘉善县西塘镇南大街9号")
    assert next_page(page).status == 422
    assert page.title().startswith("错误：")
    assert page.locator(".error-summary a").get_attribute("href") == "#business_name"
    assert page.input_value("#business_address") == "浙江省嘉兴市嘉善县西塘镇南大街9号", "kept"
    check(page, "report-business-error")
    page.fill("#business_name", "西塘某超市")
    next_page(page)

    assert page.url == base + "/report/what"
    check(page, "report-what")
    page.get_by_label("食品").check()
    page.fill("#goods_or_service", "牛奶")
    page.fill("#facts", "货架上有已过保质期的牛奶仍在销售。")
    next_page(page)

    assert page.url == base + "/report/place"
    check(page, "report-place")
    page.fill("#place", "西塘镇胥塘路1号")
    next_page(page)
    assert page.url == base + "/report/place/choose"
    check(page, "report-place-choose")
    page.get_by_label("浙江省嘉兴市嘉善县西塘镇").check()
    next_page(page)

    # No evidence at hand: the page goes on without it.
    assert page.url == base + "/report/evidence"
    check(page, "report-evidence")
    page.get_by_role("link", name="继续").click()

    assert page.url == base + "/report/you"
    check(page, "report-you")
    page.get_by_label("匿名举报").check()
    next_page(page)

    assert page.url == base + "/report/check"
    main = page.inner_text("main")
    assert "匿名举报（不留姓名和联系方式）" in main
    assert "西塘镇胥塘路1号（浙江省嘉兴市嘉善县西塘镇）" in main
    check(page, "report-check")
    assert next_page(page, "提交举报").status == 200

    assert page.url == base + "/report/receipt"
    main = page.inner_text("main")
    assert "举报已提交" in main
    assert page.locator("[data-copy=登记号]").inner_text().startswith("JB")
    assert page.locator("[data-copy=查询码]").count() == 0
    assert "不会把您的姓名、联系方式或举报人身份透露给被举报的经营者" in main
    check(page, "report-receipt")
