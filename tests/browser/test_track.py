"""The consumer's look-up pages in a real browser, with JavaScript off as the forms must work
without it: following a case with its receipt and secret, withdrawing it, checking a 调解书, and
a business's public record. Every state (error states too) passes axe-core and the Nu HTML
Checker at phone and desktop width, with a screenshot."""

import json
import urllib.request

import pytest

from conftest import DESKTOP, PHONE

SIZES = pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def uscc(first17):
    """A USCC with its GB 32100 check character."""
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return first17 + USCC_CHARS[(31 - total % 31) % 31]


def resident_id(first17):
    """A resident ID number with its GB 11643 check digit."""
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


BUSINESS_USCC = uscc("91330421MA2B3C4D5")


def file_complaint(base):
    """Files a complaint through the API, as another channel would; returns receipt and secret."""
    body = {
        "channel": "web",
        "category": "catering",
        "complainant": {"name": "张三", "phone": "13800000000", "address": "上海市青浦区朱家角镇北大街1号",
                        "id_type": "resident_id", "id_number": resident_id("33042119900101123")},
        "respondent": {"name": "西塘某餐馆", "uscc": BUSINESS_USCC, "address": "浙江省嘉兴市嘉善县西塘镇南大街8号"},
        "dispute": {"occurred_on": "2026-11-20", "division_code": "330421103", "goods_or_service": "晚餐",
                    "amount_fen": 12800, "facts": "在餐馆就餐时菜品中发现异物，要求退款并赔偿。"},
        "demands": ["refund", "damages"],
        "choose_odr": False,
        "consent_to_publish": True,
        "conceal_identity_from_business": False,
    }
    request = urllib.request.Request(base + "/api/v1/complaints", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        filed = json.load(response)
    return filed["receipt_number"], filed["access_secret"]


def submit(page, button):
    with page.expect_navigation() as answer:
        page.get_by_role("button", name=button).click()
    return answer.value


def claim(page, base, receipt, secret):
    page.goto(base + "/track")
    page.get_by_label("登记号").fill(receipt)
    page.get_by_label("查询码").fill(secret)
    return submit(page, "查询")


@SIZES
def test_a_case_is_followed_with_its_receipt_and_secret(open_page, check, base, size):
    receipt, secret = file_complaint(base)
    page = open_page(*size, javascript=False)
    page.goto(base + "/")
    page.get_by_role("link", name="查询进度", exact=True).click()
    assert page.url == base + "/track"
    check(page, "track-start")

    assert claim(page, base, receipt, "WRONGSECRETWRONGSECRET00").status == 422
    assert page.title().startswith("错误：")
    summary = page.locator(".error-summary")
    assert summary.get_by_role("link", name="登记号或查询码不正确").get_attribute("href") == "#receipt"
    assert page.get_by_label("登记号").input_value() == receipt
    assert page.get_by_label("查询码").input_value() == ""
    check(page, "track-wrong-secret")

    page.get_by_label("查询码").fill(secret)
    assert submit(page, "查询").status == 200
    assert page.url == base + "/track/case"
    main = page.inner_text("main")
    assert "办理状态：待受理" in main
    assert "受理期限：" in main and "正在计时" in main
    assert "西塘市场监督管理所" in main
    assert "受理" in page.locator("[aria-current=step]").inner_text()
    check(page, "track-case")

    page.get_by_role("button", name="退出查询").click()
    assert page.url == base + "/track"
    page.goto(base + "/track/case")
    assert page.url == base + "/track", "the session forgot the case"


def test_a_complaint_is_withdrawn_after_a_confirmation_page(phone_nojs, check, base):
    receipt, secret = file_complaint(base)
    page = phone_nojs
    claim(page, base, receipt, secret)
    page.get_by_role("link", name="撤回投诉").click()
    assert page.url == base + "/track/withdraw"
    assert page.locator("h1").inner_text() == f"确定要撤回投诉 {receipt} 吗？"
    check(page, "track-withdraw")

    page.get_by_label("撤回原因（选填）").fill("长" * 1001)
    assert submit(page, "确定撤回").status == 422
    assert page.locator(".error-summary a").get_attribute("href") == "#reason"
    check(page, "track-withdraw-error")

    page.get_by_label("撤回原因（选填）").fill("已与商家自行和解")
    assert submit(page, "确定撤回").status == 200
    assert page.url == base + "/track/case"
    assert "办理状态：已撤回" in page.inner_text("main")
    assert page.get_by_role("link", name="撤回投诉").count() == 0
    check(page, "track-withdrawn")


@SIZES
def test_a_mediation_agreement_is_checked_by_number_and_hash(open_page, check, base, size):
    page = open_page(*size, javascript=False)
    page.goto(base + "/")
    page.get_by_role("link", name="核验调解书", exact=True).click()
    assert page.url == base + "/verify"
    check(page, "verify-start")

    assert submit(page, "核验").status == 422
    links = page.locator(".error-summary a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == ["#number", "#sha256"]
    check(page, "verify-errors")

    page.get_by_label("调解书编号").fill("嘉市监善调〔2026〕第9999号")
    page.get_by_label("PDF 文件的 SHA-256 值").fill("ab" * 32)
    assert submit(page, "核验").status == 200
    assert page.locator("h1").inner_text() == "未通过核验"
    assert "没有以编号“嘉市监善调〔2026〕第9999号”出具的调解书" in page.inner_text("main")
    check(page, "verify-unknown")


@SIZES
def test_a_businesss_public_record_is_found_by_its_credit_code(open_page, check, base, size):
    file_complaint(base)
    page = open_page(*size, javascript=False)
    page.goto(base + "/")
    page.get_by_role("link", name="查询经营者投诉公示", exact=True).click()
    assert page.url == base + "/record"
    check(page, "record-start")

    page.get_by_label("统一社会信用代码").fill(BUSINESS_USCC[:17] + ("0" if BUSINESS_USCC[17] != "0" else "1"))
    assert submit(page, "查询").status == 422
    assert page.locator(".error-summary a").get_attribute("href") == "#uscc"
    assert page.locator("#uscc-error").is_visible()
    check(page, "record-error")

    page.get_by_label("统一社会信用代码").fill(BUSINESS_USCC.lower())
    assert submit(page, "查询").status == 200
    assert page.url == base + "/record/" + BUSINESS_USCC
    assert "西塘某餐馆" in page.locator("h1").inner_text()
    table = page.get_by_role("table")
    assert table.get_by_role("rowheader", name="餐饮服务", exact=True).is_visible()
    check(page, "record")
