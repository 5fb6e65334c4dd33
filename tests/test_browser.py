"""The public site in a real browser (Debian's Chromium through Playwright).

People who read it may be watched (seed 000: victims who "remain hidden and/or silent" and fear
for their safety). So: the quick exit works by mouse, keyboard and Shift x3 and leaves no way
Back; every page passes axe-core; no page calls another host; the Content-Security-Policy
blocks nothing the site needs (search included).
"""
from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from browser_support import launch, pages, serve
from conftest import run, write_project

STRAND = "demo/strands/abuse/"    # sensitive (strands are by default): carries the quick exit
CAMPAIGN = "demo/"                # not sensitive: no quick exit, but leaves too after an exit
PRESS_WINDOW_MS = 5000            # GOV.UK's: at most 5 s between two Shift presses

# Notes each `pageshow` of the site in sessionStorage (synchronous: the page may be leaving), after
# the page's own handlers ran (it is registered at DOMContentLoaded, so after quick-exit.js's):
# was the page content hidden when it was shown?
PAGESHOW_PROBE = """
addEventListener("DOMContentLoaded", () => addEventListener("pageshow", (event) => {
  const container = document.querySelector(".md-container");
  if (!container) return;
  const seen = JSON.parse(sessionStorage.getItem("probe") || "[]");
  seen.push([location.href, event.persisted, getComputedStyle(container).display]);
  sessionStorage.setItem("probe", JSON.stringify(seen));
}));
"""


def pageshows(page, site) -> list:
    """What the probe noted, read back on a page of the site (opened on purpose: it stays)."""
    page.goto(site + "about/")
    seen = page.evaluate("JSON.parse(sessionStorage.getItem('probe') || '[]')")
    return [tuple(s) for s in seen if s[0] != site + "about/"]


@pytest.fixture(scope="module")
def playwright():
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright):
    # Playwright turns the back-forward cache off by default; people's browsers have it on.
    b = launch(playwright, ignore_default_args=["--disable-back-forward-cache"])
    yield b
    b.close()


@pytest.fixture(scope="module")
def neutral(tmp_path_factory):
    """The neutral site the quick exit goes to (BBC Weather in real life), served locally."""
    folder = tmp_path_factory.mktemp("neutral")
    (folder / "weather").mkdir()
    (folder / "weather" / "index.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Weather</title></head>'
        "<body><h1>Weather forecast</h1></body></html>", encoding="utf-8")
    with serve(folder, headers=[]) as base:
        yield base + "weather/"


@pytest.fixture(scope="module")
def site(tmp_path_factory, neutral):
    """A scratch project whose mkdocs.yml sends the quick exit to the local neutral site."""
    base = tmp_path_factory.mktemp("exit")
    root = write_project(base / "project", {})
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "quick_exit_url: https://www.bbc.co.uk/weather", f"quick_exit_url: {neutral}"), encoding="utf-8")
    status, _, err = run(root, "--out", str(base / "out"), "--as-of", "2013-12-20", "-q")
    assert status == 0, err
    with serve(base / "out" / "public") as url:
        yield url


@pytest.fixture
def context(browser):
    ctx = browser.new_context()
    yield ctx
    ctx.close()


def open_strand(context, site, clock=False):
    """A tab that came from the campaign page to a sensitive strand page."""
    page = context.new_page()
    if clock:
        page.clock.install()
    page.goto(site + CAMPAIGN)
    page.goto(site + STRAND)
    assert page.locator(".sn-exit__button").is_visible()
    return page


def press_shift(page, times=1):
    for _ in range(times):
        page.keyboard.press("Shift")


def settled(page):
    """Wait for CSS transitions to end (axe measures colours as drawn, half-faded ones too)."""
    for _ in range(50):   # polled from here: the page's CSP refuses wait_for_function's eval
        if page.evaluate("document.getAnimations().every((a) => a.playState !== 'running')"):
            return
        page.wait_for_timeout(50)
    raise AssertionError("CSS transitions still running after 2.5 s")


def stays(page, url):
    page.wait_for_timeout(300)   # time enough for a navigation to start, had one been asked for
    assert page.url == url
    assert page.locator("h1").first.is_visible()


# --- The quick exit ------------------------------------------------------------------------------

def test_exit_button_leaves_and_back_does_not_return(context, site, neutral):
    context.add_init_script(PAGESHOW_PROBE)
    page = open_strand(context, site)
    entries = page.evaluate("history.length")
    page.click(".sn-exit__button")
    page.wait_for_url(neutral)
    assert page.evaluate("history.length") == entries, "the exit must replace the page in the history"
    page.go_back(wait_until="commit")   # to the campaign page, restored from the back-forward cache...
    page.wait_for_url(neutral, timeout=5000)   # ...which leaves again at once
    assert page.locator("h1").inner_text() == "Weather forecast"
    shown = pageshows(page, site)
    assert shown[:2] == [(site + CAMPAIGN, False, "flex"), (site + STRAND, False, "flex")]   # shown
    assert shown[2:] == [(site + CAMPAIGN, True, "none")], \
        "restored from the cache after an exit, the campaign page must be hidden, the strand page not shown"


def test_back_without_the_cache_does_not_show_the_site_either(playwright, site, neutral):
    """Where the back-forward cache is off, the page is loaded again: hidden from its <head> on."""
    plain_browser = launch(playwright)   # Playwright's defaults: no back-forward cache
    try:
        context = plain_browser.new_context()
        context.add_init_script(PAGESHOW_PROBE)
        page = open_strand(context, site)
        page.click(".sn-exit__button")
        page.wait_for_url(neutral)
        page.go_back(wait_until="commit")
        page.wait_for_url(neutral, timeout=5000)
        assert page.locator("h1").inner_text() == "Weather forecast"
        shown = pageshows(page, site)
        assert shown[2:] in ([], [(site + CAMPAIGN, False, "none")]), shown
    finally:
        plain_browser.close()


def test_coming_back_on_purpose_shows_the_site(context, site, neutral):
    page = open_strand(context, site)
    page.click(".sn-exit__button")
    page.wait_for_url(neutral)
    page.goto(site + STRAND)   # typed in again, or followed from a link
    stays(page, site + STRAND)


def test_shift_pressed_three_times_leaves(context, site, neutral):
    page = open_strand(context, site)
    entries = page.evaluate("history.length")
    press_shift(page, 3)
    page.wait_for_url(neutral)
    assert page.evaluate("history.length") == entries


def test_shift_with_other_keys_does_not_count(context, site):
    page = open_strand(context, site)
    for key in ("Shift+KeyH", "Shift+KeyE", "Shift+KeyL", "Shift+KeyP"):   # typing capitals
        page.keyboard.press(key)
    page.keyboard.down("Shift")   # holding Shift over several letters
    page.keyboard.press("KeyA")
    page.keyboard.press("KeyB")
    page.keyboard.up("Shift")
    stays(page, site + STRAND)
    press_shift(page, 2)
    page.keyboard.press("KeyX")   # another key in between starts the count again
    press_shift(page)
    stays(page, site + STRAND)
    assert page.locator(".sn-exit__status").inner_text() == "Shift, press 2 more times to exit."


def test_presses_more_than_5_seconds_apart_do_not_count(context, site, neutral):
    page = open_strand(context, site, clock=True)
    for _ in range(3):
        press_shift(page)
        page.clock.run_for(PRESS_WINDOW_MS + 100)
    stays(page, site + STRAND)
    # 5 s between each press, not for all three: slower but steady presses still leave
    for _ in range(2):
        press_shift(page)
        page.clock.run_for(PRESS_WINDOW_MS - 100)
    press_shift(page)
    page.wait_for_url(neutral)


def test_live_region_announces_the_presses_left(context, site):
    page = open_strand(context, site, clock=True)
    status = page.locator(".sn-exit [role=status]")
    assert status.inner_text() == ""
    press_shift(page)
    assert status.inner_text() == "Shift, press 2 more times to exit."
    press_shift(page)
    assert status.inner_text() == "Shift, press 1 more time to exit."
    page.clock.run_for(PRESS_WINDOW_MS + 100)
    assert status.inner_text() == "Exit this page expired."
    page.clock.run_for(PRESS_WINDOW_MS + 100)
    assert status.inner_text() == ""


def test_skip_link_is_the_second_tab_stop_and_leaves(context, site, neutral):
    page = open_strand(context, site)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to content"
    page.keyboard.press("Tab")
    skip = page.locator(".sn-exit-skip")
    assert page.evaluate("document.activeElement.classList.contains('sn-exit-skip')")
    assert skip.is_visible() and skip.inner_text() == "Exit this page"
    page.keyboard.press("Enter")
    page.wait_for_url(neutral)


def test_without_javascript_the_button_is_a_plain_link(browser, site, neutral):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + STRAND)
    button = page.locator(".sn-exit__button")
    assert button.is_visible() and " ".join(button.text_content().split()) == "Emergency Exit this page"
    assert button.get_attribute("href") == neutral
    page.locator(".sn-exit-skip").focus()
    page.keyboard.press("Enter")   # the skip link leads to the button...
    assert page.url.endswith("#sn-exit")
    button.click()                 # ...which leaves
    page.wait_for_url(neutral)
    context.close()


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 720}, {"width": 360, "height": 640}])
def test_button_stays_on_screen_and_uncovered(browser, site, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(site + STRAND)
    for scroll in (0, 100_000):
        page.evaluate(f"window.scrollTo(0, {scroll})")
        box = page.locator(".sn-exit__button").bounding_box()
        assert box and 0 <= box["y"] and box["y"] + box["height"] <= 48 + 1, "it sits in the header bar"
        assert 0 <= box["x"] and box["x"] + box["width"] <= viewport["width"]
        on_top = page.evaluate("([x, y]) => document.elementFromPoint(x, y).closest('.sn-exit__button') !== null",
                               [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])
        assert on_top, "nothing may cover the button"
    colour = page.locator(".sn-exit__button").evaluate("b => getComputedStyle(b).backgroundColor")
    assert colour == "rgb(177, 14, 30)"   # red, as GOV.UK's warning button
    context.close()


# --- Every page of the sample site ---------------------------------------------------------------

class Visit:
    """What one page did in the browser."""

    def __init__(self, rel):
        self.rel = rel
        self.requests: list[str] = []
        self.console: list[str] = []
        self.violations: list[dict] = []
        self.csp: list[str] = []


CSP_PROBE = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline code"}`));
"""


@pytest.fixture(scope="module")
def walk(browser, sample_build):
    """Every page of the sample's public site (and its "not found" page), served with its
    `_headers`, visited once."""
    public = sample_build / "public"
    axe = Axe()
    with serve(public) as base:
        context = browser.new_context()
        context.add_init_script(CSP_PROBE)
        page = context.new_page()
        current: list[Visit] = []
        page.on("request", lambda r: current[-1].requests.append(r.url))
        page.on("console", lambda m: current[-1].console.append(f"{m.type}: {m.text}")
                if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: current[-1].console.append(f"uncaught: {e}"))
        for rel in pages(public) + ["404.html"]:
            current.append(Visit(rel))
            page.goto(base + rel, wait_until="networkidle")
            current[-1].violations = axe.run(page, options={"resultTypes": ["violations"]}).response["violations"]
            current[-1].csp = page.evaluate("window.__cspViolations")
        context.close()
        yield base, current


def readable(violations_by_page) -> str:
    """axe-core's findings as lines a person can act on: where, which rule, which element, why."""
    lines = []
    for where, violations in violations_by_page:
        for v in violations:
            lines.append(f"{where}: {v['id']} ({v['impact']}): {v['help']}")
            for node in v["nodes"][:5]:
                lines.append(f"    {' '.join(node['target'])}: {node['html'][:160]}")
                lines.append(f"      {node['failureSummary'].splitlines()[-1].strip()}")
    return "\n".join(lines)


def test_the_walk_covers_every_public_page(walk, sample_build):
    _, visits = walk
    assert len(visits) == len(pages(sample_build / "public")) + 1 >= 15
    assert {"", "get-help/", "sentinel-2013/strands/cse/", "404.html"} <= {v.rel for v in visits}


def test_no_accessibility_violations_on_any_page(walk):
    """axe-core, every rule (WCAG 2.0-2.2 A and AA, and best practices)."""
    _, visits = walk
    failing = [(f"/{v.rel}", v.violations) for v in visits if v.violations]
    assert not failing, "axe-core found:\n" + readable(failing)


def test_quick_exit_states_search_and_phone_layout_are_accessible(browser, sample_build):
    """What the walk does not see: the announcement after a Shift press, the open search, and
    the pages laid out for a phone (menu folded away, hint hidden)."""
    axe = Axe()
    found = {}
    with serve(sample_build / "public") as base:
        context = browser.new_context()
        page = context.new_page()
        page.goto(base + "sentinel-2013/strands/domestic-abuse/")
        press_shift(page)
        assert page.locator(".sn-exit__status").is_visible()
        settled(page)
        found["after one Shift"] = axe.run(page).response["violations"]
        page.keyboard.press("Escape")
        page.keyboard.press("/")
        page.keyboard.type("abuse")
        page.locator(".md-search-result__item").first.wait_for()
        settled(page)
        found["search open"] = axe.run(page).response["violations"]
        context.close()
        phone = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True)
        page = phone.new_page()
        for rel in ("", "get-help/", "sentinel-2013/strands/domestic-abuse/", "sentinel-2013/activities/2013-12/"):
            page.goto(base + rel)
            found[f"/{rel} on a phone"] = axe.run(page).response["violations"]
        phone.close()
    failing = [(where, violations) for where, violations in found.items() if violations]
    assert not failing, "axe-core found:\n" + readable(failing)


def test_every_request_goes_to_the_site_itself(walk):
    base, visits = walk
    elsewhere = [f"/{v.rel}: {url}" for v in visits for url in v.requests if not url.startswith(base)]
    assert elsewhere == []
    assert all(any(url.endswith(".css") for url in v.requests) for v in visits)   # the probe saw requests


def test_the_policy_blocks_nothing_the_site_uses(walk):
    """No CSP violation and no script error on any page, under the policy and the `_headers`."""
    _, visits = walk
    problems = [f"/{v.rel}: {message}" for v in visits for message in v.csp + v.console]
    assert problems == []


def test_search_works_under_the_policy(browser, sample_build):
    """mkdocs-material's search runs in a web worker that fetches the index: both allowed."""
    with serve(sample_build / "public") as base:
        context = browser.new_context()
        context.add_init_script(CSP_PROBE)
        page = context.new_page()
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(base + "get-help/")
        page.keyboard.press("/")
        page.keyboard.type("forced marriage")
        results = page.locator(".md-search-result__item")
        results.first.wait_for()
        assert results.count() >= 1
        assert "arriage" in page.locator(".md-search-result").inner_text()
        assert page.evaluate("window.__cspViolations") == [] and errors == []
        context.close()


def test_the_site_cannot_be_framed_by_another_site(browser, sample_build, tmp_path):
    """`_headers` (frame-ancestors 'none'): another site cannot show ours inside its own page."""
    with serve(sample_build / "public") as base:
        (tmp_path / "frame.html").write_text(f'<!doctype html><iframe src="{base}get-help/"></iframe>',
                                             encoding="utf-8")
        with serve(tmp_path, headers=[]) as other:
            context = browser.new_context()
            page = context.new_page()
            page.goto(other + "frame.html")
            page.wait_for_timeout(500)
            framed = page.frames[1]
            assert "Get help" not in framed.evaluate("document.documentElement.innerText || ''")
            context.close()
