"""The public site in a real browser (Debian's Chromium through Playwright).

People who read it may be watched (seed 000: victims who "remain hidden and/or silent" and fear
for their safety). So: every page has the quick exit, which works by mouse, keyboard and Shift x3
and leaves no way Back; nothing typed into the search reaches an address, the history or a
request; every page passes axe-core's WCAG 2.0-2.2 A and AA rules on a desktop and a phone; no
page calls another host; the Content-Security-Policy blocks nothing the site needs.
"""
from __future__ import annotations

from urllib.parse import unquote_plus, urljoin

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from browser_support import launch, pages, public_pages, serve, sitemap_pages
from conftest import run, write_project

STRAND = "demo/strands/abuse/"    # every public page carries the quick exit
CAMPAIGN = "demo/"
PRESS_WINDOW_MS = 5000            # GOV.UK's: at most 5 s between two Shift presses
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# axe-core runs its WCAG 2.2 rules (target-size...) only when asked for by tag: every level asked
# for explicitly, with its best practices.
AXE = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa",
                                              "best-practice"]},
       "resultTypes": ["violations"]}
# What one Shift press or the open search changes: the header (the search dialog is in it) and the
# quick exit (its announcement). The rest of the page is checked as loaded.
CHANGED = {"include": [".md-header", ".sn-exit"]}
NEUTRAL_URL = "https://www.bbc.co.uk/weather"   # the sample's quick_exit_url (mkdocs.yml)
NEUTRAL_PAGE = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Weather</title></head>'
                "<body><h1>Weather forecast</h1></body></html>")

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
    (folder / "weather" / "index.html").write_text(NEUTRAL_PAGE, encoding="utf-8")
    with serve(folder, headers=[]) as base:
        yield base + "weather/"


@pytest.fixture(scope="module")
def site(tmp_path_factory, neutral):
    """A scratch project whose mkdocs.yml sends the quick exit to the local neutral site; its
    August has 120 public entries, three pages of activity."""
    base = tmp_path_factory.mktemp("exit")
    entries = "".join(f"- {{title: Outreach session {i}, date: 2013-08-{1 + i // 4:02d}, unit: Solihull LPU, "
                      f"strands: [abuse], type: Victim, summary: Session {i}., visibility: public}}\n"
                      for i in range(120))
    root = write_project(base / "project", {"campaigns/demo/activities/2013-08.yml": entries})
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
    page.wait_for_url("**#sn-exit", timeout=5000)   # a fragment navigation: not instant on a busy machine
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


def test_a_long_month_is_paged_for_a_phone(browser, site):
    """Older / newer links a thumb can hit, named for a screen reader, and axe finds nothing."""
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    page = context.new_page()
    month = site + "demo/activities/2013-08/"
    page.goto(month)
    assert page.locator("article.sn-activity").count() == 50
    pager = page.get_by_role("navigation", name="Pages of activity in August 2013")
    assert pager.get_by_role("link").count() == 1   # the first page: newer entries only
    pager.get_by_role("link", name="Newer entries of August 2013, page 2").click()
    page.wait_for_url(month + "2/")
    assert "(page 2 of 3)" in page.locator("h1").inner_text()
    for name in ("Older entries of August 2013, page 1", "Newer entries of August 2013, page 3"):
        box = pager.get_by_role("link", name=name).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44
    assert Axe().run(page, options=AXE).response["violations"] == []
    pager.get_by_role("link", name="Newer entries of August 2013, page 3").click()
    page.wait_for_url(month + "3/")
    assert page.locator("article.sn-activity").count() == 20
    pager.get_by_role("link", name="Older entries of August 2013, page 2").click()
    page.wait_for_url(month + "2/")
    context.close()


# --- Every page of the sample site ---------------------------------------------------------------

class Visit:
    """What one page did in the browser."""

    def __init__(self, rel):
        self.rel = rel
        self.requests: list[str] = []
        self.console: list[str] = []
        self.violations: dict[str, list[dict]] = {}   # state ("1280 px", "390 px, search open"...) -> found
        self.csp: list[str] = []


CSP_PROBE = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline code"}`));
"""


def open_search(page, phone: bool):
    """The search box, as a reader opens it: the header's magnifier on a phone, "/" on a desktop."""
    if phone:
        page.locator("label.md-header__button[for=__search]").click()
    else:
        page.keyboard.press("/")
    page.locator(".md-search__input").wait_for(state="visible")


@pytest.fixture(scope="module")
def walk(browser, sample_build):
    """Every page of the sample's public site (its "not found" page too), served with its
    `_headers`, checked by axe-core at 1280 and 390 px, as it loads, after one Shift press and
    with the search open. One tab visits them all."""
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
        for rel in public_pages(public):
            visit = Visit(rel)
            current.append(visit)
            for size, viewport in (("1280 px", DESKTOP), ("390 px", PHONE)):
                page.set_viewport_size(viewport)
                page.goto(base + rel, wait_until="networkidle")
                settled(page)
                visit.violations[size] = axe.run(page, options=AXE).response["violations"]
                press_shift(page)
                page.locator(".sn-exit__status").filter(has_text="press 2 more").wait_for()
                settled(page)
                visit.violations[f"{size}, after one Shift"] = axe.run(page, CHANGED, AXE).response["violations"]
                open_search(page, phone=viewport is PHONE)
                page.keyboard.type("abuse")
                page.locator(".md-search-result__item").first.wait_for()
                settled(page)
                visit.violations[f"{size}, search open"] = axe.run(page, CHANGED, AXE).response["violations"]
            visit.csp = page.evaluate("window.__cspViolations")
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
    """All of them, from the built files, and the sitemap lists no page the walk missed."""
    _, visits = walk
    public = sample_build / "public"
    assert sitemap_pages(public) == sorted(pages(public))
    assert [v.rel for v in visits] == pages(public) + ["404.html"]
    assert len(visits) >= 24
    assert {"", "get-help/", "sentinel-2013/strands/cse/", "sentinel-2013/calendar/", "404.html"} <= {v.rel for v in visits}


def test_no_accessibility_violations_on_any_page(walk):
    """axe-core with WCAG 2.0, 2.1 and 2.2 A and AA rules (and best practices), on every page at
    1280 and 390 px, as loaded, after one Shift press, and with the search open."""
    _, visits = walk
    assert all(len(v.violations) == 6 for v in visits)
    failing = [(f"/{v.rel} ({state})", found) for v in visits for state, found in v.violations.items() if found]
    assert not failing, "axe-core found:\n" + readable(failing)


def test_shift_pressed_three_times_leaves_every_public_page(browser, sample_build):
    """Generated pages, hand-written ones and the 404 alike: none can be without the quick exit.
    The neutral site (BBC Weather) is answered locally."""
    public = sample_build / "public"
    left = []
    with serve(public) as base:
        context = browser.new_context(viewport=PHONE)
        context.route(NEUTRAL_URL + "*", lambda route: route.fulfill(body=NEUTRAL_PAGE, content_type="text/html"))
        page = context.new_page()
        for rel in public_pages(public):
            page.goto(base + rel)
            entries = page.evaluate("history.length")
            press_shift(page, 3)
            try:
                page.wait_for_url(NEUTRAL_URL, timeout=3000)
            except PlaywrightTimeout:
                continue
            if page.evaluate("history.length") == entries:   # replaced, not added: Back does not return
                left.append(rel)
        context.close()
    assert len(left) >= 24
    assert left == public_pages(public)


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


@pytest.mark.parametrize("viewport, choose", [(DESKTOP, "click"), (PHONE, "click"), (PHONE, "Enter")],
                         ids=["1280px-click", "390px-click", "390px-Enter"])
def test_search_words_reach_no_address_history_or_request(browser, sample_build, viewport, choose):
    """What a reader types into the search stays in the page: the result opens the page's plain
    address (no `?h=forced+marriage`), and no history entry or request carries the words."""
    words = ("forced", "marriage")
    with serve(sample_build / "public") as base:
        context = browser.new_context(viewport=viewport)
        requests = []
        context.on("request", lambda r: requests.append(f"{r.url} {r.post_data or ''}"))
        page = context.new_page()
        page.goto(base + "get-help/")
        entries = page.evaluate("history.length")
        open_search(page, phone=viewport is PHONE)
        page.keyboard.type("forced marriage", delay=30)
        results = page.locator(".md-search-result__link")
        results.first.wait_for()
        page.wait_for_timeout(300)
        assert page.evaluate("history.length") == entries and page.url == base + "get-help/", \
            "typing adds nothing to the address or the history"
        expected = results.first.get_attribute("href")
        assert "?" not in expected
        with page.expect_navigation():
            results.first.click() if choose == "click" else page.keyboard.press("Enter")
        assert page.url == urljoin(base + "get-help/", expected)
        assert "arriage" in page.locator("article.md-content__inner").inner_text()
        assert page.evaluate("location.search") == "" and "?" not in page.url
        history = context.new_cdp_session(page).send("Page.getNavigationHistory")["entries"]
        addresses = [unquote_plus(e["url"]).lower() for e in history]
        assert [a for a in addresses if "?" in a or any(w in a for w in words)] == [], addresses
        assert len(history) == entries + 1
        sent = [unquote_plus(r).lower() for r in requests]
        assert [r for r in sent if any(w in r for w in words)] == []
        assert any("search_index.json" in r for r in sent)   # the index came: the search ran here
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
