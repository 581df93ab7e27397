"""The foundation every page stands on, in a real browser: the start page at phone and desktop
width with JavaScript on and off, the 404 and 403 pages, the 大字版 switch, asset caching and
the Content-Security-Policy."""

import hashlib
import re

import pytest

from conftest import DESKTOP, PHONE

# Records CSP violations from the first moment of each document (an init script is not subject
# to the page's policy).
CSP_WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
"""


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_the_start_page_says_what_one_can_do_here(open_page, check, base, size, javascript):
    page = open_page(*size, javascript=javascript)
    if javascript:
        page.add_init_script(CSP_WATCH)
    response = page.goto(base + "/")
    assert response.status == 200
    assert page.title() == "消费投诉举报 - 消费投诉举报服务"
    assert page.locator("h1").inner_text() == "消费投诉举报"
    for name, href in [("投诉", "/complaints/new"), ("举报", "/reports/new"), ("查询进度", "/track"),
                       ("核验调解书", "/verify"), ("查询经营者投诉公示", "/record")]:
        assert page.get_by_role("link", name=name, exact=True).get_attribute("href") == href
    assert page.get_by_role("link", name="开始投诉").is_visible()
    assert "7 个工作日" in page.inner_text("main")
    check(page, "start" + ("" if javascript else "-nojs"))
    if javascript:
        assert page.evaluate("window.__csp") == []


def test_an_unknown_page_is_the_chinese_404(phone, check, base):
    response = phone.goto(base + "/complaints/no-such-step")
    assert response.status == 404
    assert phone.locator("h1").inner_text() == "找不到此页面"
    assert phone.get_by_role("link", name="返回首页").get_attribute("href") == "/"
    check(phone, "404")


def test_the_large_text_switch_persists_across_pages_without_javascript(phone_nojs, check, base):
    page = phone_nojs
    page.goto(base + "/")
    standard = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.get_by_role("button", name="大字版").click()
    assert page.url == base + "/"
    larger = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert larger >= standard * 1.2, (standard, larger)
    check(page, "start-large-text-nojs")

    page.goto(base + "/somewhere-else")
    assert page.locator("html").get_attribute("class") == "large-text"
    check(page, "404-large-text-nojs")
    page.get_by_role("button", name="标准字号").click()
    assert page.url == base + "/somewhere-else", "the switch returns to the page it was on"
    assert page.locator("html").get_attribute("class") is None
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") == standard


def test_a_form_post_without_the_csrf_token_is_refused_with_the_403_page(phone, check, base):
    phone.goto(base + "/")
    phone.evaluate("document.querySelector('input[name=csrf_token]').remove()")
    with phone.expect_response(base + "/settings/text-size") as answer:
        phone.get_by_role("button", name="大字版").click()
    assert answer.value.status == 403
    assert phone.locator("h1").inner_text() == "页面已过期，请重新提交"
    assert phone.locator("html").get_attribute("class") is None, "the preference did not change"
    check(phone, "403-csrf")


def test_static_assets_have_hashed_names_and_are_cached_for_a_year(desktop, base):
    assets = []
    desktop.on("response", lambda r: "/static/" in r.url and assets.append(r))
    desktop.goto(base + "/")
    desktop.wait_for_load_state("networkidle")
    names = sorted({re.sub(r"\.[0-9a-f]{8}\.", ".", r.url.rsplit("/", 1)[1]) for r in assets})
    assert names == ["app.css", "app.js", "icon.svg"], names
    for response in assets:
        assert response.status == 200
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        stem_hash = re.search(r"\.([0-9a-f]{8})\.[a-z]+$", response.url).group(1)
        assert hashlib.sha256(response.body()).hexdigest()[:8] == stem_hash, response.url
    page = desktop.request.get(base + "/")
    assert page.headers["cache-control"] == "no-store"


def test_the_start_page_weighs_under_100_kb_on_a_first_visit(desktop, base):
    sizes = {}

    def record(response):
        sizes[response.url] = len(response.body()) + sum(
            len(k) + len(v) + 4 for k, v in response.headers.items())

    desktop.on("response", record)
    desktop.goto(base + "/")
    desktop.wait_for_load_state("networkidle")
    total = sum(sizes.values())
    print(f"\nfirst visit of /: {len(sizes)} answers, {total} bytes (headers and bodies)")
    assert total < 100 * 1024, sizes
