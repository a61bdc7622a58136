"""The built site, served on 127.0.0.1 and opened in Debian's Chromium: shared by the
browser tests (test_site.py, test_site_layout.py, test_site_a11y.py).

``tests/conftest.py`` makes module-scoped fixtures (``site``, ``server``, ``browser``)
from these helpers, so one server and one browser serve all of a module's tests.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: The built site; ``ATLAS_SITE`` points the tests at another build of it.
SITE = Path(os.environ.get("ATLAS_SITE", ROOT / "_build" / "html"))
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
#: The two screens every page must read well on: a laptop and a phone.
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def toc_pages() -> list[str]:
    """Every page of ``_toc.yml`` as a path below the site root, e.g. ``book/intro.html``."""
    text = (ROOT / "_toc.yml").read_text()
    files = re.findall(r"^\s*(?:root|- file):\s*(\S+)", text, flags=re.MULTILINE)
    return [f"{name}.html" for name in files]


def site_pages() -> list[str]:
    """Every page a reader can open: the chapters, the search page and the index."""
    return [*toc_pages(), "search.html", "genindex.html"]


def built_site() -> Path:
    """``_build/html``, built by the README's command first if it is missing."""
    if not (SITE / "index.html").is_file():
        jupyter_book = Path(sys.executable).parent / "jupyter-book"
        subprocess.run([str(jupyter_book), "build", str(ROOT)], check=True, cwd=ROOT)
    return SITE


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve ``site`` on 127.0.0.1; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """One headless Chromium (skips the test where Chromium or Playwright is missing)."""
    if not CHROMIUM.is_file():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


#: Waits until the page has its final layout: every image decoded, every video's size
#: known, the fonts loaded and the math typeset.
SETTLE = """async () => {
  for (const img of document.images) { img.loading = "eager"; }
  await Promise.all(Array.from(document.images).map(img => img.decode().catch(() => null)));
  await Promise.all(Array.from(document.querySelectorAll("video")).map(video =>
    video.readyState >= 1 ? null : new Promise(done => {
      video.addEventListener("loadedmetadata", done, {once: true});
      video.addEventListener("error", done, {once: true});
      setTimeout(done, 10000);
    })));
  await document.fonts.ready;
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  if (window.atlasLayout) {
    await window.atlasLayout;  // formulas fitted to their column (atlas.js)
  }
}"""


def open_page(context, url: str):
    """A new tab on ``url``, loaded and settled."""
    tab = context.new_page()
    tab.goto(url, wait_until="load")
    tab.evaluate(SETTLE)
    return tab


def screenshot_name(page: str, viewport: str, scheme: str) -> Path:
    """``artifacts/screenshots/book_races-phone-dark.jpg``: a whole page, as JPEG."""
    stem = page.replace("/", "_").removesuffix(".html")
    return SCREENSHOTS / f"{stem}-{viewport}-{scheme}.jpg"


def save_screenshot(tab, page: str, viewport: str, scheme: str) -> None:
    path = screenshot_name(page, viewport, scheme)
    path.parent.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(path), full_page=True, type="jpeg", quality=70)
