"""Every component of templates/ui.html (the page the unit test
web::components::gallery renders into browser-artifacts/gallery.html) passes axe-core and the
Nu HTML Checker at both widths, with JavaScript on and off; with it on, the character count and
the copy button work (the error summary takes focus)."""

import pytest

from conftest import ARTIFACTS, DESKTOP, PHONE

GALLERY = ARTIFACTS / "gallery.html"


def show_gallery(page, base):
    assert GALLERY.exists(), f"{GALLERY} is missing: `cargo test --lib web::` writes it"
    policy = page.request.get(base + "/").headers["content-security-policy"]
    page.route(base + "/gallery", lambda route: route.fulfill(
        status=200, body=GALLERY.read_text(), content_type="text/html; charset=utf-8",
        headers={"content-security-policy": policy}))
    page.goto(base + "/gallery")


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_every_component_is_accessible_and_valid(open_page, check, base, size, javascript):
    page = open_page(*size, javascript=javascript)
    show_gallery(page, base)
    assert page.title().startswith("错误：")
    check(page, "components" + ("" if javascript else "-nojs"))


def test_the_scripted_character_count_and_copy_button_work(phone, base):
    show_gallery(phone, base)
    assert phone.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    box = phone.get_by_label("事情经过")
    box.fill("一二三")
    assert phone.locator(".char-count__message").inner_text() == "还可输入 1997 字"
    box.fill("字" * 2003)
    assert phone.locator(".char-count__message").inner_text() == "已超出 3 字"
    assert phone.get_by_role("button", name="复制登记号").is_visible()
    assert phone.get_by_role("button", name="打印此页").is_visible()
