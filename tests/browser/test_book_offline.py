"""The built website works offline: every page loads with no failed and no external requests, equations are
typeset by MathJax, every image loads, and our pages log no console errors (headless Debian Chromium)."""

import re
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.browser.launch import CHROMIUM, SITE

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import make_toc  # noqa: E402

# Known, harmless noise from sphinx-book-theme itself (not from our pages): see the shared TOOLCHAIN notes.
THEME_NOISE = re.compile(r"THEBE_JS_URL|invalid theme mode|has already been declared")

pytestmark = [
    pytest.mark.skipif(not (SITE / "index.html").exists(), reason="the website is not built: run `make book` first"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (make test installs it)"),
]


def content_pages():
    return [SITE / f"{name}.html" for name in make_toc.listed_files((ROOT / "_toc.yml").read_text())]


def test_every_toc_entry_became_a_page():
    root_page = make_toc.listed_files("file: book/intro")  # the root is not under a caption
    pages = content_pages() + [SITE / f"{name}.html" for name in root_page]
    missing = [str(p.relative_to(SITE)) for p in pages if not p.exists()]
    assert not missing
    built = {p for p in SITE.rglob("*.html") if not p.name.startswith(("genindex", "search")) and p.name != "index.html"
             and "_static" not in p.parts}
    assert built == set(pages), "pages built that are not in the table of contents, or the reverse"


@pytest.mark.parametrize("page", [str(p.relative_to(SITE)) for p in content_pages() if p.parent.name == "notebooks"])
def test_chapter_figures_are_pictures(page):
    """Every chapter shows its plots as images; a figure printed as "<Figure size ...>" text lost its picture
    (a kernel without the inline backend, e.g. with MPLBACKEND=Agg, does that, and so do widgets inside it)."""
    html = (SITE / page).read_text()
    pictures = re.findall(r"<img[^>]+src=\"(?:data:image|[^\"]*\.(?:png|svg|jpg))", html)
    assert len(pictures) >= 2, f"{page} has (almost) no figures"
    assert "&lt;Figure size" not in html, f"{page} shows a figure as text instead of a picture"


@pytest.mark.parametrize("page", ["book/intro.html"] + [str(p.relative_to(SITE)) for p in content_pages()])
def test_page_is_offline_and_complete(website, browser, page):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    failed, external, errors = [], [], []
    host = urlparse(website).netloc
    tab.on("requestfailed", lambda request: failed.append(f"{request.url} ({request.failure})"))
    tab.on("response", lambda response: response.status >= 400 and failed.append(f"{response.url} ({response.status})"))
    tab.on("request", lambda request: urlparse(request.url).netloc not in (host, "") and
           not request.url.startswith("data:") and external.append(request.url))
    tab.on("console", lambda message: message.type == "error" and not THEME_NOISE.search(message.text)
           and errors.append(message.text))
    tab.on("pageerror", lambda error: not THEME_NOISE.search(str(error)) and errors.append(str(error)))
    tab.goto(f"{website}/{page}", wait_until="networkidle")
    html = (SITE / page).read_text()
    if re.search(r'class="[^"]*\bmath\b', html):
        tab.wait_for_function("document.querySelectorAll('mjx-container').length > 0", timeout=20_000)
        assert tab.evaluate("document.querySelectorAll('mjx-merror, .MathJax_Error').length") == 0
    if "application/vnd.jupyter.widget-view+json" in html:  # embedded widget state renders without a kernel
        tab.wait_for_function("document.querySelectorAll('.jupyter-widgets, .widget-slider, .widget-vbox').length > 0",
                              timeout=20_000)
    broken_images = tab.evaluate("""async () => {
        const images = [...document.images];
        images.forEach(img => { img.loading = 'eager'; });
        await Promise.all(images.map(img => img.complete ? null : new Promise(r => { img.onload = img.onerror = r; })));
        return images.filter(img => img.naturalWidth === 0).map(img => img.src);
    }""")
    tab.wait_for_load_state("networkidle")
    context.close()
    assert not failed, f"failed requests on {page}: {failed}"
    assert not external, f"requests leaving the site on {page}: {external}"
    assert not broken_images, f"images that did not load on {page}: {broken_images}"
    assert not errors, f"console errors on {page}: {errors}"
