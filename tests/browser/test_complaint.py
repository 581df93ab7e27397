"""Filing a complaint in a browser: the whole journey on a 360 px phone with JavaScript off and
on a desktop with it on, an ambiguous place answered on the choice page, an error state, the
check page and the receipt; every page state passes axe-core and the Nu HTML Checker."""

import json
import os
import urllib.request

import pytest

from conftest import DESKTOP, PHONE
from filing import resident_id


def choose(page, name, value):
    page.locator(f"input[name={name}][value={value}]").check()


def next_page(page, label="继续"):
    page.get_by_role("button", name=label).click()


@pytest.mark.parametrize("size,javascript", [(PHONE, False), (DESKTOP, True)], ids=["phone-nojs", "desktop-js"])
def test_a_consumer_files_a_complaint_page_by_page(open_page, check, base, size, javascript):
    page = open_page(*size, javascript=javascript)
    page.goto(base + "/complaint")
    assert page.locator("h1").inner_text() == "投诉"
    check(page, "complaint-start")
    next_page(page, "开始填写")

    assert page.url == base + "/complaint/business"
    check(page, "complaint-business")
    page.fill("#business_name", "西塘某餐馆")
    page.fill("#business_address", "浙江省嘉兴市嘉善县西塘镇南大街8号")
    next_page(page)
    # Not answered whether it was bought on a platform: the page comes back with the error.
    assert page.url == base + "/complaint/business"
    assert page.title().startswith("错误：")
    summary = page.locator(".error-summary")
    assert "请选择是否在网络平台上购买" in summary.inner_text()
    assert page.input_value("#business_name") == "西塘某餐馆", "the value is kept"
    check(page, "complaint-business-error")
    choose(page, "on_platform", "no")
    next_page(page)

    assert page.url == base + "/complaint/place"
    check(page, "complaint-place")
    page.fill("#occurred_on", "2026")
    page.fill("#occurred_on_month", "11")
    page.fill("#occurred_on_day", "20")
    page.fill("#place", "西塘镇胥塘路1号")
    next_page(page)
    assert page.url == base + "/complaint/place/choose"
    check(page, "complaint-place-choose")
    page.get_by_label("浙江省嘉兴市嘉善县西塘镇").check()
    next_page(page)

    assert page.url == base + "/complaint/what"
    check(page, "complaint-what")
    choose(page, "category", "catering")
    page.fill("#goods_or_service", "晚餐")
    page.fill("#amount", "128.50")
    page.fill("#facts", "在餐馆就餐时菜品中发现异物，要求退款并赔偿。")
    page.get_by_label("退还货款、服务费用").check()
    page.get_by_label("赔偿损失").check()
    next_page(page)

    # Evidence: a photo chosen, uploaded and listed before going on.
    assert page.url == base + "/complaint/evidence"
    check(page, "complaint-evidence")
    photo = page.screenshot(type="jpeg", quality=80, clip={"x": 0, "y": 0, "width": 64, "height": 48})
    page.get_by_label("选择文件").set_input_files([
        {"name": "菜品照片.jpg", "mimeType": "image/jpeg", "buffer": photo},
        {"name": "invoice.jpg", "mimeType": "image/jpeg", "buffer": b"MZ not a picture"},
    ])
    next_page(page, "上传")
    assert page.title().startswith("错误：")
    assert "invoice.jpg 不是 JPEG" in page.locator(".error-summary").inner_text()
    page.get_by_label("选择文件").set_input_files([
        {"name": "菜品照片.jpg", "mimeType": "image/jpeg", "buffer": photo},
    ])
    next_page(page, "上传")
    assert page.url == base + "/complaint/evidence"
    assert "菜品照片.jpg" in page.inner_text("main")
    check(page, "complaint-evidence-added")
    page.get_by_role("link", name="继续").click()

    assert page.url == base + "/complaint/you"
    check(page, "complaint-you")
    page.fill("#name", "张三")
    page.fill("#phone", "13800000000")
    page.select_option("#id_type", "resident_id")
    page.fill("#id_number", resident_id("33042119900101123"))
    page.fill("#address", "上海市青浦区朱家角镇北大街1号")
    choose(page, "conceal", "no")
    choose(page, "consent", "yes")
    choose(page, "delegated", "yes")
    next_page(page)

    assert page.url == base + "/complaint/check"
    text = page.inner_text("main")
    for shown in ["西塘某餐馆", "128.50 元", "退还货款、服务费用、赔偿损失", "浙江省嘉兴市嘉善县西塘镇", "菜品照片.jpg"]:
        assert shown in text, shown
    check(page, "complaint-check")
    # 更改 goes to the page and comes back to the check page.
    page.get_by_role("link", name="更改 商品或服务").click()
    assert page.url == base + "/complaint/what?change=1"
    page.fill("#goods_or_service", "晚餐两份")
    next_page(page)
    assert page.url == base + "/complaint/check"
    assert "晚餐两份" in page.inner_text("main")

    # Someone complaining together, added from the check page; the consumer represents them.
    page.get_by_role("link", name="更改 一起投诉的人").click()
    assert page.url == base + "/complaint/others"
    check(page, "complaint-others-empty")
    page.get_by_role("link", name="添加一起投诉的人").click()
    next_page(page, "添加")
    assert page.locator(".error-summary a").first.get_attribute("href") == "#name"
    check(page, "complaint-other-error")
    page.fill("#name", "李四")
    page.fill("#phone", "13900000000")
    page.select_option("#id_type", "resident_id")
    page.fill("#id_number", resident_id("33042119920202123"))
    page.fill("#address", "浙江省嘉兴市嘉善县西塘镇南大街2号")
    next_page(page, "添加")
    assert page.url == base + "/complaint/others"
    assert "李四（13900000000）" in page.inner_text("main")
    assert page.get_by_role("checkbox", name="张三（本人）").is_checked()
    check(page, "complaint-others")
    next_page(page, "保存并返回检查")
    assert page.url == base + "/complaint/check"
    assert "张三（本人）" in page.inner_text("main")
    next_page(page, "提交投诉")

    assert page.url == base + "/complaint/receipt"
    assert page.locator("h1").inner_text() == "投诉已提交"
    number = page.locator('[data-copy="登记号"]').inner_text().strip()
    secret = page.locator('[data-copy="查询码"]').inner_text().strip()
    assert number.startswith("TS") and len(secret) >= 16
    assert "请现在就把登记号和查询码抄下来" in page.inner_text("main")
    check(page, "complaint-receipt")
    page.emulate_media(media="print")
    page.screenshot(path=os.path.join(check.artifacts, f"complaint-receipt-print-{size[0]}.png"),
                    full_page=True)
    page.emulate_media(media="screen")

    # The secret shown follows the case through the API.
    request = urllib.request.Request(base + f"/api/v1/track/{number}", headers={"X-Access-Secret": secret})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.load(response)["receipt_number"] == number
    request = urllib.request.Request(base + f"/api/v1/track/{number}/evidence", headers={"X-Access-Secret": secret})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert [f["file_name"] for f in json.load(response)] == ["菜品照片.jpg"], "filed with the complaint"

    # A reload of the receipt shows it again; the back button does not file a second case.
    page.reload()
    assert page.locator('[data-copy="登记号"]').inner_text().strip() == number
    page.goto(base + "/complaint/check")
    assert page.url == base + "/complaint/receipt"


def test_a_place_is_chosen_level_by_level_without_javascript(phone_nojs, check, base):
    page = phone_nojs
    page.goto(base + "/complaint")
    next_page(page, "开始填写")
    page.goto(base + "/complaint/place")
    page.get_by_role("link", name="按省、市、县（区）和乡镇（街道）逐级选择").click()
    check(page, "complaint-pick-provinces")
    next_page(page)
    assert page.title().startswith("错误：")
    check(page, "complaint-pick-error")
    for name in ["浙江省", "嘉兴市", "嘉善县"]:
        page.get_by_label(name, exact=True).check()
        next_page(page)
    check(page, "complaint-pick-towns")
    page.get_by_label("西塘镇", exact=True).check()
    next_page(page)
    assert page.url == base + "/complaint/what"
