"""The published site, opened as a reader would: headless Chromium over 127.0.0.1.

The site is the output of the README's main command (``jupyter-book build .``);
if ``_build/html`` is missing this test builds it first. Every page of the table
of contents is opened, and each must load without console errors or failed
requests, fetch nothing from outside the site (no CDN), show every image and
video, and have its math typeset by the site's own MathJax. The layout and the
accessibility of every page are tested in test_site_layout.py and test_site_a11y.py
(which save the screenshots).
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from site_browser import toc_pages

PAGE_BUDGET = 3 * 1024 * 1024
SITE_BUDGET = 40 * 1024 * 1024


def test_every_toc_page_was_built(site: Path):
    missing = [page for page in toc_pages() if not (site / page).is_file()]
    assert not missing


TEXT_SUFFIXES = {".html", ".js", ".css", ".svg", ".json", ".txt"}


def _transfer_size(path: Path) -> int:
    """Bytes sent for ``path``: text is served gzip-compressed (as GitHub Pages does),
    media (MP4, PNG, fonts) as they are."""
    data = path.read_bytes()
    return len(gzip.compress(data, mtime=0)) if path.suffix in TEXT_SUFFIXES else len(data)


def _page_weight(site: Path, page: str) -> int:
    """Bytes a first visit to ``page`` transfers: the page and every local resource it
    references (media, scripts, styles)."""
    html_path = site / page
    html = html_path.read_text(encoding="utf-8")
    total = _transfer_size(html_path)
    seen: set[Path] = set()
    for ref in re.findall(r'(?:src|href|poster)="([^"#?]+)', html):
        if urlparse(ref).scheme:
            continue
        target = (html_path.parent / ref).resolve()
        if target.is_file() and target not in seen and target.suffix != ".html":
            seen.add(target)
            total += _transfer_size(target)
    return total


def test_page_and_site_weight_budgets(site: Path):
    heavy = {page: _page_weight(site, page) for page in toc_pages()}
    assert max(heavy.values()) <= PAGE_BUDGET, heavy
    total = sum(path.stat().st_size for path in site.rglob("*") if path.is_file())
    assert total <= SITE_BUDGET, f"site is {total / 2**20:.1f} MB"


CHECK_PAGE = """async () => {
  for (const img of document.images) { img.loading = "eager"; }
  const images = Array.from(document.images);
  await Promise.all(images.map(img => img.decode().catch(() => null)));
  const videos = Array.from(document.querySelectorAll("video"));
  await Promise.all(videos.map(video => video.readyState >= 1 ? null : new Promise(done => {
    video.addEventListener("loadedmetadata", done, {once: true});
    video.addEventListener("error", done, {once: true});
    video.load();
    setTimeout(done, 10000);
  })));
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const prose = document.querySelector("main") || document.body;
  const copy = prose.cloneNode(true);
  copy.querySelectorAll("pre, code, script, style, mjx-container, .highlight, textarea")
      .forEach(node => node.remove());
  return {
    brokenImages: images.filter(img => !(img.complete && img.naturalWidth > 0))
                        .map(img => img.currentSrc || img.src),
    brokenVideos: videos.filter(video => !(video.videoWidth > 0))
                        .map(video => video.currentSrc || video.src),
    videos: videos.length,
    math: document.querySelectorAll("mjx-container").length,
    rawTex: (copy.innerText.match(/\\$\\$|\\\\\\(|\\\\\\[|\\\\frac|\\\\begin\\{/g) || []),
  };
}"""


def _aborted_media(request) -> bool:
    return request.resource_type == "media" and "ERR_ABORTED" in (request.failure or "")


@pytest.mark.parametrize("page", toc_pages())
def test_page_loads_cleanly_in_chromium(browser, server: str, page: str):
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    tab.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
           if m.type == "error" else None)
    tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    # A video's request is cut short whenever playback stops or restarts (an aborted
    # range request, not a missing file: the video itself is checked below).
    tab.on("requestfailed", lambda r: None if _aborted_media(r) else problems.append(
        f"request failed: {r.url} ({r.failure})"))
    tab.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}")
           if r.status >= 400 else None)
    tab.on("request", lambda r: problems.append(f"outside the site: {r.url}")
           if not r.url.startswith((server, "data:", "blob:")) else None)

    tab.goto(f"{server}/{page}", wait_until="load")
    result = tab.evaluate(CHECK_PAGE)
    context.close()

    assert not problems
    assert not result["brokenImages"], result["brokenImages"]
    assert not result["brokenVideos"], result["brokenVideos"]
    assert not result["rawTex"], f"untypeset TeX on {page}: {result['rawTex']}"


def test_math_is_typeset_by_the_sites_own_mathjax(browser, server: str, site: Path):
    pages_with_math = [p for p in toc_pages() if "\\(" in (site / p).read_text()
                       or "math notranslate" in (site / p).read_text()]
    assert pages_with_math, "no page has math: the check below would prove nothing"
    tab = browser.new_page()
    tab.goto(f"{server}/{pages_with_math[0]}", wait_until="load")
    tab.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
    tab.evaluate("MathJax.startup.promise")
    assert tab.locator("mjx-container").count() > 0
    assert (site / "_static" / "mathjax" / "tex-chtml.js").is_file()
    tab.close()


def test_search_finds_adam(browser, server: str):
    tab = browser.new_page()
    tab.goto(f"{server}/search.html?q=Adam", wait_until="load")
    results = tab.locator("#search-results li")
    results.first.wait_for(timeout=20000)
    assert results.count() > 0
    tab.close()

