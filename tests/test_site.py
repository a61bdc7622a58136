"""The published site, opened as a reader would: headless Chromium over 127.0.0.1.

The site is the output of the README's main command (``jupyter-book build .``);
if ``_build/html`` is missing this test builds it first. Every page of the table
of contents is opened, and each must load without console errors or failed
requests, fetch nothing from outside the site (no CDN), show every image and
video, and have its math typeset by the site's own MathJax. Each chapter's first
screen is saved to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import re
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
PAGE_BUDGET = 3 * 1024 * 1024
SITE_BUDGET = 40 * 1024 * 1024
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _toc_pages() -> list[str]:
    """Every page of ``_toc.yml`` as a path below the site root, e.g. ``book/intro.html``."""
    text = (ROOT / "_toc.yml").read_text()
    files = re.findall(r"^\s*(?:root|- file):\s*(\S+)", text, flags=re.MULTILINE)
    return [f"{name}.html" for name in files]


@pytest.fixture(scope="module")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        jupyter_book = Path(sys.executable).parent / "jupyter-book"
        subprocess.run([str(jupyter_book), "build", str(ROOT)], check=True, cwd=ROOT)
    return SITE


@pytest.fixture(scope="module")
def server(site: Path):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.is_file():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def test_every_toc_page_was_built(site: Path):
    missing = [page for page in _toc_pages() if not (site / page).is_file()]
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
    heavy = {page: _page_weight(site, page) for page in _toc_pages()}
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


@pytest.mark.parametrize("page", _toc_pages())
def test_page_loads_cleanly_in_chromium(browser, server: str, page: str):
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    tab.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
           if m.type == "error" else None)
    tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    tab.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    tab.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}")
           if r.status >= 400 else None)
    tab.on("request", lambda r: problems.append(f"outside the site: {r.url}")
           if not r.url.startswith((server, "data:", "blob:")) else None)

    tab.goto(f"{server}/{page}", wait_until="load")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / page.replace("/", "_").replace(".html", ".png")))
    result = tab.evaluate(CHECK_PAGE)
    context.close()

    assert not problems
    assert not result["brokenImages"], result["brokenImages"]
    assert not result["brokenVideos"], result["brokenVideos"]
    assert not result["rawTex"], f"untypeset TeX on {page}: {result['rawTex']}"


def test_math_is_typeset_by_the_sites_own_mathjax(browser, server: str, site: Path):
    pages_with_math = [p for p in _toc_pages() if "\\(" in (site / p).read_text()
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

