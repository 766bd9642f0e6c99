"""In Chromium, under the real Content-Security-Policy: every page draws its charts with no
violation and no script error, and hostile names show as text and never run."""

import pytest

from indicators.tests.factories import HOSTILE_INDICATOR, HOSTILE_REGION, hostile_data, public_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [*public_pages(), "/indicators/tap_water_penetration/?region=350000", "/admin/login/"]

# Runs before the page's own scripts; Playwright injects it outside the page's CSP.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""


def problems_on(page, url):
    """Everything that went wrong loading url: CSP violations, console errors, script errors,
    dialogs (an injected alert), and plotly charts that were not drawn."""
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))
    page.add_init_script(RECORD_VIOLATIONS)
    response = page.goto(url)
    if "script-src 'self'" not in response.headers.get("content-security-policy", ""):
        problems.append("no Content-Security-Policy header")
    charts = page.locator(".plot[data-figure]").count()
    if charts:
        # plotly.js really ran under the policy: every chart is drawn...
        page.wait_for_function(
            f"document.querySelectorAll('.plot .main-svg').length >= {charts}", timeout=10000
        )
        # ...without injecting a <style> element, hover effects included.
        page.locator(".plot .main-svg").first.hover()
        if page.locator("style").count():
            problems.append("a <style> element was injected")
    page.wait_for_load_state("networkidle")
    problems += page.evaluate("window.__violations")
    return problems


def test_every_page_runs_under_the_policy_without_a_problem(live_server, reference_data, browser):
    hostile_data()
    found = {}
    for path in PAGES:
        context = browser.new_context(locale="zh-CN")
        try:
            page = context.new_page()
            found[path] = problems_on(page, live_server.url + path)
            if HOSTILE_INDICATOR in path or HOSTILE_REGION in path:
                # The hostile names are on the page as text; none became an element.
                if "alert(1)" not in page.locator("body").inner_text():
                    found[path].append("hostile name not shown")
                if page.locator("img[src='x']").count():
                    found[path].append("injected <img> element")
        finally:
            context.close()
    assert {path: p for path, p in found.items() if p} == {}


def test_the_admin_lists_and_history_pages_run_under_the_policy(live_server, world, browser):
    """Django's and django-simple-history's admin templates: the observations' list (filters,
    search, actions), an observation's history and a past version, with records to show."""
    from indicators.tests.factories import person

    person("administrator", "Administrator")
    world.fujian_value.value = 91.0
    world.fujian_value.save()
    history = world.fujian_value.history.first()
    paths = [
        "/admin/indicators/observation/",
        "/admin/indicators/observation/?q=350000&area__exact=rural",
        "/admin/indicators/historicalobservation/",
        f"/admin/indicators/observation/{world.fujian_value.pk}/history/",
        f"/admin/indicators/observation/{world.fujian_value.pk}/history/{history.pk}/",
    ]
    context = browser.new_context(locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(live_server.url + "/admin/login/")
        page.fill("#id_username", "administrator")
        page.fill("#id_password", "pw")
        page.locator("input[type=submit]").click()
        page.wait_for_load_state()
        # A fresh page (same sign-in) for each, so each problem is listed under its own path.
        found = {path: problems_on(context.new_page(), live_server.url + path) for path in paths}
    finally:
        context.close()
    assert {path: p for path, p in found.items() if p} == {}
