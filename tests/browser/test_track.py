"""The consumer's look-up pages in a real browser, with JavaScript off as the forms must work
without it: following a case with its receipt and secret, withdrawing it, rating it once closed,
checking a 调解书, and a business's public record. Every state (error states too) passes axe-core and the Nu HTML
Checker at phone and desktop width, with a screenshot."""

import datetime
import hashlib
import json
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import DESKTOP, PHONE
import filing
from filing import BUSINESS_USCC, api, days_ahead, submit

SIZES = pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])


def file_complaint(base, choose_odr=False):
    """A complaint against the registry's 西塘某餐馆 through the API; its receipt and secret."""
    filed = filing.file_complaint(base, respondent_uscc=BUSINESS_USCC, choose_odr=choose_odr)
    return filed["receipt_number"], filed["access_secret"]


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
def test_a_mediation_agreement_is_checked_by_its_pdf_or_its_hash(open_page, check, base, size):
    page = open_page(*size, javascript=False)
    page.goto(base + "/")
    page.get_by_role("link", name="核验调解书", exact=True).click()
    assert page.url == base + "/verify"
    check(page, "verify-start")

    # The PDF uploaded: without a number or a file, both are asked for at their fields.
    assert submit(page, "上传并核验").status == 422
    links = page.locator(".error-summary a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == ["#pdf_number", "#pdf"]
    check(page, "verify-upload-errors")
    page.locator("#pdf_number").fill("嘉市监善调〔2026〕第9999号")
    page.get_by_label("调解书 PDF 文件").set_input_files(
        files=[{"name": "调解书.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7\n%%EOF\n"}])
    assert submit(page, "上传并核验").status == 200
    assert page.locator("h1").inner_text() == "未通过核验"
    assert "没有以编号“嘉市监善调〔2026〕第9999号”出具的调解书" in page.inner_text("main")
    page.goto(base + "/verify")

    assert submit(page, "核验").status == 422
    links = page.locator(".error-summary a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == ["#number", "#sha256"]
    check(page, "verify-errors")

    page.locator("#number").fill("嘉市监善调〔2026〕第9999号")
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


def test_a_closed_case_is_rated_once_from_the_case_page(phone_nojs, check, base):
    receipt, secret = file_complaint(base)
    api(base, "POST", f"/api/v1/track/{receipt}/withdraw", {"reason": "已自行和解"}, secret=secret)
    page = phone_nojs
    claim(page, base, receipt, secret)
    assert page.url == base + "/track/case"
    assert page.get_by_role("heading", name="评价办理情况").count() == 1
    check(page, "track-rating")

    page.get_by_label("意见和建议（选填）").fill("调解员很耐心")
    assert submit(page, "提交评价").status == 422
    assert page.url == base + "/track/rating"
    assert page.title().startswith("错误：")
    link = page.locator(".error-summary").get_by_role("link", name="请选择您对办理情况是否满意")
    assert link.get_attribute("href") == "#rating"
    assert page.get_by_label("意见和建议（选填）").input_value() == "调解员很耐心"
    check(page, "track-rating-error")

    page.get_by_label("基本满意").check()
    assert submit(page, "提交评价").status == 200
    assert page.url == base + "/track/case"
    main = page.inner_text("main")
    assert "您的评价" in main and "基本满意" in main and "调解员很耐心" in main
    assert page.get_by_role("button", name="提交评价").count() == 0
    check(page, "track-rated")
    tracked = api(base, "GET", f"/api/v1/track/{receipt}", secret=secret)
    assert tracked["rating"]["given"]["rating"] == "basically_satisfied"


def desk_offer(base, restaurant, case_id, fen):
    return api(base, "POST", f"/api/v1/odr/cases/{case_id}/offers", {
        "kind": "refund", "amount_fen": fen, "perform_by": days_ahead(7), "message": "退还餐费并致歉"},
        token=restaurant["desk"])["id"]


def test_an_odr_offer_is_countered_then_the_next_one_accepted(phone_nojs, check, base, restaurant):
    receipt, secret = file_complaint(base, choose_odr=True)
    case_id = case_id_of(base, restaurant["desk"], receipt)
    desk_offer(base, restaurant, case_id, 5000)
    page = phone_nojs
    claim(page, base, receipt, secret)
    main = page.inner_text("main")
    assert "经营者提出了和解方案，请您答复。" in main
    assert "退款 50.00 元" in main
    check(page, "track-odr-offer")

    page.get_by_role("link", name="提出您的方案").click()
    assert page.url == base + "/track/odr/counter"
    check(page, "track-odr-counter")
    assert submit(page, "提交方案").status == 422
    links = page.locator(".error-summary a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
        "#kind", "#amount", "#perform_by", "#message"]
    check(page, "track-odr-counter-errors")
    page.get_by_label("退款").check()
    page.fill("#amount", "128.50")
    year, month, day = days_ahead(5).split("-")
    page.fill("#perform_by", year)
    page.fill("#perform_by_month", month)
    page.fill("#perform_by_day", day)
    page.fill("#message", "退还全部餐费")
    assert submit(page, "提交方案").status == 200
    assert page.url == base + "/track/case"
    assert "您提出了方案，正在等待经营者答复。" in page.inner_text("main")
    assert "您的方案：退款 128.50 元" in page.inner_text("main")
    check(page, "track-odr-countered")

    desk_offer(base, restaurant, case_id, 12000)
    page.reload()
    page.get_by_role("link", name="接受经营者的方案").click()
    assert page.locator("h1").inner_text() == "确定接受经营者的和解方案吗？"
    assert "退款 120.00 元" in page.inner_text("main")
    check(page, "track-odr-accept")
    assert submit(page, "接受方案").status == 200
    assert page.url == base + "/track/case"
    assert "双方已达成和解，正在等待经营者履行。" in page.inner_text("main")
    check(page, "track-odr-agreed")
    n = api(base, "GET", f"/api/v1/track/{receipt}/odr", secret=secret)
    assert n["state"] == "agreed"
    assert [o["amount_fen"] for o in n["offers"]] == [5000, 12850, 12000]


def case_id_of(base, token, receipt):
    """The case's id, as the staff's list (newest first) shows it."""
    cases = api(base, "GET", "/api/v1/cases?limit=200", token=token)
    return next(c["id"] for c in cases if c["receipt_number"] == receipt)


def test_a_mediation_agreement_is_confirmed_and_its_pdf_downloaded(phone_nojs, check, base, restaurant):
    receipt, secret = file_complaint(base)
    case_id = case_id_of(base, restaurant["mediator"], receipt)
    api(base, "POST", f"/api/v1/cases/{case_id}/accept", {}, token=restaurant["mediator"])
    api(base, "POST", f"/api/v1/cases/{case_id}/agreement", {
        "terms": [{"what": "被投诉人退还餐费", "amount_fen": 12800, "due_on": days_ahead(10)}],
        "in_person": True, "particulars": {"respondent_agent": "王经理"}}, token=restaurant["mediator"])
    # The business confirms first; the consumer's confirmation then issues the document.
    api(base, "POST", f"/api/v1/cases/{case_id}/agreement/confirm", {}, token=restaurant["desk"])

    page = phone_nojs
    claim(page, base, receipt, secret)
    page.get_by_role("link", name="阅读并确认调解书").click()
    assert page.url == base + "/track/agreement"
    assert "被投诉人：西塘某餐馆" in page.inner_text("main")
    assert "一、被投诉人退还餐费，金额人民币128.00元" in page.inner_text("main")
    check(page, "track-agreement-draft")
    page.get_by_role("link", name="确认调解书").click()
    assert page.url == base + "/track/agreement/confirm"
    check(page, "track-agreement-confirm")
    assert submit(page, "确认调解书").status == 200
    assert page.url == base + "/track/agreement"
    assert "调解书已出具" in page.inner_text("main")
    check(page, "track-agreement-issued")

    with page.expect_download() as download:
        page.get_by_role("link", name="下载调解书（PDF）").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    number = api(base, "GET", f"/api/v1/cases/{case_id}/agreement", token=restaurant["mediator"])["document"]["number"]
    verdict = api(base, "GET", f"/api/v1/agreements/{urllib.parse.quote(number)}/verify?sha256={hashlib.sha256(pdf).hexdigest()}")
    assert verdict["valid"] is True, verdict


def jpeg_with_location(page):
    """A real small JPEG (the browser's own screenshot, which the service must decode) with an
    EXIF segment holding a location spliced in after its start marker."""
    shot = page.screenshot(type="jpeg", quality=80, clip={"x": 0, "y": 0, "width": 64, "height": 48})
    assert shot[:2] == b"\xff\xd8"
    exif = b"Exif\0\0GPS 30.8N 120.9E"
    return shot[:2] + b"\xff\xe1" + (len(exif) + 2).to_bytes(2, "big") + exif + shot[2:]


def test_evidence_is_added_from_the_tracking_pages_and_a_wrong_file_is_named(phone_nojs, check, base):
    receipt, secret = file_complaint(base)
    page = phone_nojs
    claim(page, base, receipt, secret)
    page.get_by_role("link", name="查看或补充证据材料").click()
    assert page.url == base + "/track/evidence"
    assert "您还没有上传证据材料" in page.inner_text("main")
    check(page, "track-evidence")

    assert submit(page, "上传").status == 422
    assert page.title().startswith("错误：")
    assert page.locator(".error-summary a").get_attribute("href") == "#files"
    photo = jpeg_with_location(page)
    page.get_by_label("选择文件").set_input_files([
        {"name": "菜品照片.jpg", "mimeType": "image/jpeg", "buffer": photo},
        {"name": "invoice.jpg", "mimeType": "image/jpeg", "buffer": b"MZ not a picture"},
    ])
    assert submit(page, "上传").status == 422
    assert "invoice.jpg 不是 JPEG、PNG、WebP、HEIC 图片或 PDF 文件" in page.locator(".error-summary").inner_text()
    check(page, "track-evidence-error")
    assert api(base, "GET", f"/api/v1/track/{receipt}/evidence", secret=secret) == [], "nothing stored"

    page.get_by_label("选择文件").set_input_files([
        {"name": "菜品照片.jpg", "mimeType": "image/jpeg", "buffer": photo},
        {"name": "发票.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7\n%%EOF\n"},
    ])
    assert submit(page, "上传").status == 200
    assert page.url == base + "/track/evidence"
    assert page.get_by_role("link", name="菜品照片.jpg").count() == 1
    assert page.get_by_role("link", name="发票.pdf").count() == 1
    check(page, "track-evidence-added")
    with page.expect_download() as download:
        page.get_by_role("link", name="菜品照片.jpg").click()
    assert Path(download.value.path()).read_bytes() == photo
