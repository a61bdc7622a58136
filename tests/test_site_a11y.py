"""Accessible to every reader: axe-clean pages, keyboard operation, dark mode.

* axe-core (the ``axe-playwright-python`` package bundles it) runs over every page
  of the built site in Chromium, in light and in dark mode, with its default
  rules plus the experimental ones (``label-content-name-mismatch``,
  ``td-has-header``, ...): no serious or critical violation anywhere; moderate
  and minor ones are listed as warnings in the test output, and those in markup
  atlas writes itself (tables, landmarks) fail the test too.
* The keyboard: "Skip to main content" brings the first link of the text within
  ten presses of Tab; every stop of the Tab order shows its focus; the sidebar,
  search, download and launch menus, colour mode and every animation's
  play/pause button are reached with Tab and work from the keyboard.
* Dark mode: the figures, drawn on white, sit on a dimmed light card.

Each page is saved, whole and in dark mode, to
``artifacts/screenshots/<page>-<desktop|phone>-dark.jpg``.
"""

from __future__ import annotations

import re
import warnings

import pytest
from site_browser import VIEWPORTS, built_site, open_page, save_screenshot
from site_browser import site_pages as _site_pages

#: Moderate and minor rules that concern markup atlas writes (its tables, the page's
#: landmarks, its templates): their violations are fixed, not only listed.
ATLAS_OWN_RULES = {
    "empty-table-header", "td-has-header", "th-has-data-cells", "table-duplicate-name",
    "region", "landmark-one-main", "landmark-unique", "landmark-no-duplicate-banner",
    "landmark-no-duplicate-contentinfo", "landmark-complementary-is-top-level",
    "page-has-heading-one", "heading-order", "empty-heading",
}
#: Rules switched off, each only for third-party markup atlas cannot change: none.
SUPPRESSED: dict[str, str] = {}


class AxeNotice(UserWarning):
    """A moderate or minor axe violation in markup atlas does not write: listed in the
    warnings summary of the test run (the one warning category not turned into an error)."""


pytestmark = pytest.mark.filterwarnings("always::test_site_a11y.AxeNotice")


@pytest.fixture(scope="module")
def chapter() -> str:
    """The first chapter with an animation and the launch menu (a notebook page: it also
    has math, links and the download menu)."""
    site = built_site()
    found = [page for page in _site_pages()
             if "<video" in (text := (site / page).read_text())
             and "dropdown-launch-buttons" in text]
    assert found, "no notebook page has an animation: the keyboard tests would miss its button"
    return found[0]


def _axe_options(tab) -> dict:
    """axe's default rules, the experimental ones too, minus :data:`SUPPRESSED`."""
    experimental = tab.evaluate("axe.getRules(['experimental']).map(rule => rule.ruleId)")
    rules = {rule: {"enabled": True} for rule in experimental}
    rules.update({rule: {"enabled": False} for rule in SUPPRESSED})
    return {"resultTypes": ["violations"], "rules": rules}


def _describe(violation: dict) -> str:
    targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
    return (f"{violation['impact']} {violation['id']} x{len(violation['nodes'])}: "
            f"{violation['help']}; e.g. {targets}")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("page", _site_pages())
def test_page_is_axe_clean(browser, server: str, page: str, scheme: str):
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport=VIEWPORTS["desktop"], color_scheme=scheme)
    tab = open_page(context, f"{server}/{page}")
    axe = Axe()
    tab.evaluate(axe.axe_script)
    violations = axe.run(tab, options=_axe_options(tab)).response["violations"]
    if scheme == "dark":
        save_screenshot(tab, page, "desktop", "dark")
        tab.set_viewport_size(VIEWPORTS["phone"])
        tab.wait_for_timeout(200)
        save_screenshot(tab, page, "phone", "dark")
    context.close()

    failing = [v for v in violations
               if v["impact"] in ("serious", "critical") or v["id"] in ATLAS_OWN_RULES]
    for violation in violations:
        if violation not in failing:
            warnings.warn(AxeNotice(f"{page} ({scheme}): {_describe(violation)}"), stacklevel=1)
    assert not failing, f"{page} ({scheme} mode):\n" + "\n".join(map(_describe, failing))


# ----------------------------------------------------------------------------- keyboard

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const box = el.getBoundingClientRect();
  // The focus may be drawn on the element or on a part of it (the sidebar's toggles
  // draw it on their chevron).
  const parts = [el, ...el.querySelectorAll("*")];
  const marked = part => {
    const look = getComputedStyle(part);
    return look.outlineStyle !== "none" && parseFloat(look.outlineWidth) > 0
           || look.boxShadow !== "none";
  };
  const shown = part => {
    const rect = part.getBoundingClientRect();
    return rect.width > 0 && rect.height > 0 && getComputedStyle(part).visibility !== "hidden";
  };
  const text = (el.getAttribute("aria-label") || el.innerText || el.title || "").trim();
  return {
    what: `${el.tagName.toLowerCase()}.${[...el.classList].join(".")} "${text.slice(0, 40)}"`,
    key: el.tagName + "|" + (el.id || "") + "|" + [...el.classList].join(".") + "|" + text
         + "|" + Math.round(box.top + scrollY) + "|" + Math.round(box.left),
    classes: [...el.classList],
    skipLink: Boolean(el.closest("#pst-skip-link")),
    firstLink: el === Array.from(document.querySelectorAll("main article a[href]")).find(
      a => getComputedStyle(a).visibility !== "hidden" && a.getClientRects().length > 0),
    inSidebar: Boolean(el.closest(".bd-sidebar-primary")),
    visible: parts.some(shown),
    indicator: parts.some(marked),
    focusVisible: el.matches(":focus-visible"),
  };
}"""


def _tab(tab) -> dict | None:
    tab.keyboard.press("Tab")
    return tab.evaluate(FOCUSED)


def test_skip_link_brings_the_text_within_ten_presses(browser, server: str, chapter: str):
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    tab = open_page(context, f"{server}/{chapter}")
    for presses in range(1, 11):  # noqa: B007 - reported below
        focused = _tab(tab)
        if focused and focused["skipLink"]:
            tab.keyboard.press("Enter")
        if focused and focused["firstLink"]:
            break
    context.close()
    assert focused and focused["firstLink"], "ten presses of Tab did not reach the text"
    assert presses <= 3, f"{presses} presses: the skip link should land on the text"


def _tab_order(tab, limit: int = 600) -> list[dict]:
    """Every stop of the page's Tab order, once round."""
    stops, seen = [], set()
    for _ in range(limit):
        focused = _tab(tab)
        if focused is None or focused["key"] in seen:
            break
        seen.add(focused["key"])
        stops.append(focused)
    return stops


def test_every_tab_stop_is_visible_and_shows_its_focus(browser, server: str, chapter: str):
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    tab = open_page(context, f"{server}/{chapter}")
    stops = _tab_order(tab)
    context.close()

    assert len(stops) > 20
    hidden = [stop["what"] for stop in stops if not stop["visible"]]
    assert not hidden, f"Tab stops the reader cannot see: {hidden}"
    unmarked = [stop["what"] for stop in stops if not (stop["indicator"] and stop["focusVisible"])]
    assert not unmarked, f"Tab stops without a visible focus indicator: {unmarked}"
    classes = {name for stop in stops for name in stop["classes"]}
    for control in ("search-button__button", "dropdown-toggle", "theme-switch-button",
                    "atlas-play", "reference"):  # search, launch/download, colour, videos, toc
        assert control in classes, f"no {control} in the Tab order"
    assert any(stop["inSidebar"] for stop in stops), "the sidebar is not reached with Tab"


def _focus_by_tab(tab, matches: str, limit: int = 400) -> None:
    """Press Tab until the focused element matches the CSS selector ``matches``."""
    for _ in range(limit):
        tab.keyboard.press("Tab")
        if tab.evaluate("(s) => Boolean(document.activeElement?.matches(s))", matches):
            return
    raise AssertionError(f"Tab never reached {matches}")


def test_menus_and_buttons_work_from_the_keyboard(browser, server: str, chapter: str):
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    tab = open_page(context, f"{server}/{chapter}")
    for menu in (".dropdown-launch-buttons .dropdown-toggle",
                 ".dropdown-download-buttons .dropdown-toggle"):
        _focus_by_tab(tab, menu)
        tab.keyboard.press("Enter")
        assert tab.locator(f"{menu} + .dropdown-menu").is_visible(), menu
        tab.keyboard.press("Escape")
        assert not tab.locator(f"{menu} + .dropdown-menu").is_visible(), menu

    mode = tab.evaluate("document.documentElement.dataset.theme")
    _focus_by_tab(tab, ".theme-switch-button")
    tab.keyboard.press("Enter")
    assert tab.evaluate("document.documentElement.dataset.theme") != mode

    _focus_by_tab(tab, "button.atlas-play")  # the first video's, now scrolled into view
    button, video = "document.activeElement", "document.activeElement.previousElementSibling"
    tab.wait_for_function(f"() => !{video}.paused", timeout=5000)
    assert tab.evaluate(f"{button}.innerText.trim()") == "Pause"
    tab.keyboard.press("Space")
    assert tab.evaluate(f"{video}.paused && {button}.innerText.trim() === 'Play'")
    tab.keyboard.press("Enter")
    tab.wait_for_function(f"() => !{video}.paused", timeout=5000)
    assert tab.evaluate(f"{button}.innerText.trim()") == "Pause"

    tab.keyboard.press("Shift+Tab")
    _focus_by_tab(tab, ".bd-sidebar-primary .search-button__button")
    tab.keyboard.press("Enter")
    search = tab.locator("#pst-search-dialog input[type=search]")
    assert search.evaluate("input => input === document.activeElement")
    tab.keyboard.type("Adam")
    tab.keyboard.press("Enter")
    tab.wait_for_url("**/search.html?q=Adam*")
    tab.locator("#search-results li").first.wait_for(timeout=20000)
    context.close()


def test_the_phone_sidebar_opens_from_the_keyboard(browser, server: str, chapter: str):
    context = browser.new_context(viewport=VIEWPORTS["phone"])
    tab = open_page(context, f"{server}/{chapter}")
    _focus_by_tab(tab, ".bd-header-article .primary-toggle")
    tab.keyboard.press("Enter")
    dialog = tab.locator("#pst-primary-sidebar-modal")
    dialog.wait_for(state="visible")
    _focus_by_tab(tab, "#pst-primary-sidebar-modal a.reference", limit=10)
    tab.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    context.close()


# ---------------------------------------------------------------------------- dark mode

FIGURE_CARDS = """() => Array.from(document.querySelectorAll(
    "figure.atlas-figure img:not(video img), video.atlas-video")).map(el => {
  const style = getComputedStyle(el);
  return {src: el.getAttribute("src") || el.getAttribute("poster"),
          padding: parseFloat(style.paddingLeft), background: style.backgroundColor,
          filter: style.filter};
})"""


def test_dark_mode_puts_each_figure_on_a_dimmed_card(browser, server: str, chapter: str):
    context = browser.new_context(viewport=VIEWPORTS["desktop"], color_scheme="dark")
    tab = open_page(context, f"{server}/{chapter}")
    assert tab.evaluate("document.documentElement.dataset.theme") == "dark"
    cards = tab.evaluate(FIGURE_CARDS)
    context.close()
    assert cards
    for card in cards:
        assert card["padding"] >= 4, card
        assert card["background"] == "rgb(255, 255, 255)", card
        assert "brightness(" in card["filter"], card


MEDIA_NAMES = """() => ({
  images: [...document.querySelectorAll('img')].map(img => ({
    src: img.getAttribute('src'), alt: img.getAttribute('alt'),
    hidden: !!img.closest('[aria-hidden="true"]')})),
  videos: [...document.querySelectorAll('video')].map(video => ({
    src: video.querySelector('source')?.getAttribute('src'),
    name: (video.getAttribute('aria-label') || (video.getAttribute('aria-labelledby') || '')
      .split(/\\s+/).map(id => document.getElementById(id)?.textContent || '').join(' ')).trim(),
    poster: video.querySelector('img')?.getAttribute('alt') || ''})),
})"""
#: Alt text that names nothing: a placeholder, not a description.
PLACEHOLDERS = {"animation", "figure", "image", "plot", "video", "picture", "chart"}


@pytest.mark.parametrize("page", _site_pages())
def test_every_image_and_video_says_what_it_shows(browser, server: str, page: str):
    """Every image has alt text and every video an accessible name (and its poster the
    same alt): words, not a placeholder or a file name; a race's words state its outcome."""
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    tab = open_page(context, f"{server}/{page}")
    media = tab.evaluate(MEDIA_NAMES)
    context.close()
    named = [(image["src"], image["alt"]) for image in media["images"] if not image["hidden"]]
    named += [(video["src"], video["name"]) for video in media["videos"]]
    for src, text in named:
        assert text and text.strip(), f"{page}: {src} has no alt text or name"
        words = text.strip().rstrip(".").lower()
        stem = (src or "").rsplit("/", 1)[-1].rsplit(".", 1)[0].lower()
        assert words not in PLACEHOLDERS and words != stem, f"{page}: {src}: {text!r}"
        if re.search(r"_generated/race/.+/((3d|contour)\.mp4|(gap|summary)\.png)$", src or ""):
            assert re.search(r"\bfirst\b|\bNo optimizer\b|: none arrives", text), (src, text)
    for video in media["videos"]:
        assert video["poster"] == video["name"], f"{page}: {video['src']}'s poster image"
