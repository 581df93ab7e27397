"""check(page, name): the checks every page state passes (axe-core with the WCAG 2.2 AA tags, the
Nu HTML Checker, no sideways scrolling, no console error such as a CSP violation) and a
screenshot for a reviewer. Pages come from Checker.open, which watches their console."""

import json
import os
import urllib.request

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


class Checker:
    def __init__(self, browser, axe_source, vnu_url, artifacts):
        self.browser = browser
        self.axe_source = axe_source
        self.vnu_url = vnu_url
        self.artifacts = artifacts
        self.watched = {}
        os.makedirs(artifacts, exist_ok=True)

    def open(self, width, height, javascript):
        """A fresh browser context (no cookies) and its page, watched by this checker."""
        context = self.browser.new_context(
            viewport={"width": width, "height": height}, java_script_enabled=javascript, locale="zh-CN")
        page = context.new_page()
        console = []

        def on_console(message):
            # A 404 or 403 page is the document's own status, not a fault of the page.
            own_status = message.text.startswith("Failed to load resource") and (
                message.location.get("url") == page.url)
            if message.type in ("error", "warning") and not own_status:
                console.append(f"{message.type}: {message.text} ({message.location.get('url')})")

        page.on("console", on_console)
        page.on("pageerror", lambda e: console.append(f"uncaught: {e}"))
        self.watched[page] = (javascript, console)
        return page

    def close(self, page):
        self.watched.pop(page, None)
        page.context.close()

    def console_errors(self, page):
        return list(self.watched[page][1])

    def __call__(self, page, name):
        width = page.viewport_size["width"]
        label = f"{name}-{width}"
        page.screenshot(path=os.path.join(self.artifacts, f"{label}.png"), full_page=True)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{label}: the page scrolls sideways ({scroll} px wide at {width} px)"
        html = page.content()
        self.validate(html, label)
        self.axe(page, html, label)
        errors = self.console_errors(page)
        assert not errors, f"{label}: the console reported:\n  " + "\n  ".join(errors)

    def validate(self, html, label):
        request = urllib.request.Request(
            self.vnu_url + "?out=json",
            data=html.encode("utf-8"),
            headers={"Content-Type": "text/html; charset=utf-8"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            messages = json.load(response)["messages"]
        errors = [m for m in messages if m.get("type") in ("error", "non-document-error")]
        assert not errors, f"{label}: the Nu HTML Checker found {len(errors)} error(s):\n" + "\n".join(
            f"  line {m.get('lastLine')}: {m['message']}\n    {m.get('extract', '').strip()}" for m in errors
        )

    def axe(self, page, html, label):
        if not self.watched[page][0]:
            # Scripts cannot run in a page with JavaScript off: audit the same DOM in a scripted
            # twin at the same URL and size, with the site's own script held back.
            context = self.browser.new_context(viewport=page.viewport_size)
            try:
                twin = context.new_page()
                twin.route("**/static/app.*.js", lambda route: route.abort())
                twin.route(page.url, lambda route: route.fulfill(
                    status=200, content_type="text/html; charset=utf-8", body=html))
                twin.goto(page.url)
                violations = self._run_axe(twin)
            finally:
                context.close()
        else:
            violations = self._run_axe(page)
        assert not violations, f"{label}: axe-core found {len(violations)} violation(s):\n" + "\n".join(
            f"  {v['id']} ({v['impact']}): {v['help']}\n" + "\n".join(
                f"    {n['target']}: {n['failureSummary']}" for n in v["nodes"])
            for v in violations
        )

    def _run_axe(self, page):
        page.evaluate(self.axe_source)
        return page.evaluate(
            """async (tags) => {
                const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
                return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => ({target: n.target.join(" "), failureSummary: n.failureSummary}))}));
            }""",
            AXE_TAGS,
        )
