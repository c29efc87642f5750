"""Every control on the built student website does something (no kernel runs there): for each page, each slider is
dragged, each dropdown set, each button pressed, and the picture it controls must change; no page asks the network
for anything; and no chapter page weighs more than 3 MB of HTML (pre-rendered pictures live in the page)."""

import functools
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

from bench.pages import LIMIT_BYTES, page_sizes
from tests.browser.launch import SITE

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import make_toc  # noqa: E402

pytestmark = [
    pytest.mark.skipif(not (SITE / "index.html").exists(), reason="the website is not built: run `make book` first"),
]

# What the reader sees of one cell's output: a fingerprint of every visible picture's pixels.
PICTURES = """output => {
    const seen = [];
    for (const img of output.querySelectorAll('img')) {
        if (!img.offsetParent || !img.naturalWidth) continue;
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
        canvas.getContext('2d').drawImage(img, 0, 0);
        seen.push(canvas.toDataURL());
    }
    return seen.join('|');
}"""


def pages():
    return [f"{name}.html" for name in make_toc.listed_files((ROOT / "_toc.yml").read_text())]


def picture_changes(tab, output, act, timeout_ms=5_000):
    """Do ``act()`` and wait until the output's visible pictures differ; True if they did."""
    before = output.evaluate(PICTURES)
    act()
    try:
        tab.wait_for_function(f"([output, before]) => ({PICTURES})(output) !== before", arg=[output.element_handle(),
                              before], timeout=timeout_ms, polling=100)
        return True
    except Exception:  # playwright's TimeoutError: nothing changed
        return False


def drag_slider(tab, slider):
    """Drag a noUiSlider (ipywidgets 8) handle to the far end of its track from where it is."""
    track = slider.locator(".noUi-base").bounding_box()
    handle = slider.locator(".noUi-handle").first.bounding_box()
    x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    target = track["x"] + (0.05 if x > track["x"] + track["width"] / 2 else 0.95) * track["width"]
    tab.mouse.move(x, y)
    tab.mouse.down()
    tab.mouse.move(target, y, steps=8)
    tab.mouse.up()


def click_range(tab, slider):
    """Click a native range input far from its current value (that moves it, as dragging does)."""
    slider.scroll_into_view_if_needed()
    box = slider.bounding_box()
    fraction = float(slider.evaluate("s => (s.value - s.min) / (s.max - s.min || 1)"))
    tab.mouse.click(box["x"] + (0.1 if fraction > 0.5 else 0.9) * box["width"], box["y"] + box["height"] / 2)


def check_animation(tab, player, failures, where):
    """The matplotlib player: its slider and frame buttons change the frame, play/pause start and stop it,
    the speed buttons change its interval and the loop modes decide what happens at the last frame."""
    slider = player.locator("input[type=range]")
    name = player.locator("button").first.get_attribute("onclick").split(".")[0]
    last = int(slider.get_attribute("max"))

    def goto(frame):
        tab.evaluate(f"{name}.pause_animation(); {name}.set_frame({frame})")

    if not picture_changes(tab, player, lambda: click_range(tab, slider)):
        failures.append(f"{where}: dragging the animation's slider did not change the frame")
    for button in player.locator("button").all():
        action = button.get_attribute("onclick").split(".")[1].split("(")[0]
        goto(last // 2)
        if action in ("slower", "faster"):
            before = tab.evaluate(f"{name}.interval")
            button.click()
            if tab.evaluate(f"{name}.interval") == before:
                failures.append(f"{where}: the animation's {action} button did not change its speed")
        elif action == "pause_animation":
            tab.evaluate(f"{name}.play_animation()")
            button.click()
            if picture_changes(tab, player, lambda: None, timeout_ms=1_500):
                failures.append(f"{where}: the animation kept playing after pause")
        elif not picture_changes(tab, player, button.click):
            failures.append(f"{where}: the animation's {action} button did not change the frame")
        goto(last // 2)
    for mode in player.locator("input[type=radio]").all():
        goto(last)
        mode.check()
        changed = picture_changes(tab, player, lambda: tab.evaluate(f"{name}.play_animation()"), timeout_ms=2_500)
        if changed != (mode.get_attribute("value") != "once"):
            failures.append(f"{where}: the {mode.get_attribute('value')!r} mode does not do what it says at the end")
        tab.evaluate(f"{name}.pause_animation()")


@pytest.mark.parametrize("page", pages())
def test_every_control_changes_what_it_controls(website, browser, page):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    tab = context.new_page()
    host = urlparse(website).netloc
    external = []
    tab.on("request", lambda request: urlparse(request.url).netloc not in (host, "") and
           not request.url.startswith(("data:", "blob:")) and external.append(request.url))
    tab.goto(f"{website}/{page}", wait_until="networkidle")
    html = (SITE / page).read_text()
    if "application/vnd.jupyter.widget-view+json" in html:
        tab.wait_for_function("document.querySelectorAll('.cell_output .jupyter-widgets').length > 0", timeout=20_000)
    failures, controls = [], 0
    for number, output in enumerate(tab.locator(".cell_output").all()):
        where = f"{page}, output {number}"
        for player in output.locator(".animation").all():
            controls += 1
            check_animation(tab, player, failures, where)
        for slider in output.locator(".widget-slider").all():
            controls += 1
            slider.scroll_into_view_if_needed()
            label = slider.locator(".widget-label").first.inner_text()
            if not picture_changes(tab, output, functools.partial(drag_slider, tab, slider)):
                failures.append(f"{where}: dragging slider {label!r} did not change the picture")
        for select in output.locator("select").all():
            controls += 1
            count = select.locator("option").count()
            current = select.evaluate("s => s.selectedIndex")
            if not picture_changes(tab, output, functools.partial(select.select_option, index=(current + 1) % count)):
                failures.append(f"{where}: choosing another option of {select.evaluate('s => s.name || s.id')!r} "
                                "did not change the picture")
        # (sphinx-copybutton's "copy" button on text outputs copies text: it controls no picture)
        others = output.locator("button:not(.animation button):not(.copybtn), "
                                "input:not([type=range]):not([type=radio]):not(.animation input)")
        for other in others.all():
            if other.is_visible():
                controls += 1
                if not picture_changes(tab, output, other.click):
                    failures.append(f"{where}: pressing {other.inner_text() or other.get_attribute('type')!r} "
                                    "did not change the picture")
    tab.wait_for_load_state("networkidle")
    context.close()
    assert not external, f"requests leaving the site on {page}: {external}"
    assert not failures, f"{len(failures)} of {controls} controls do nothing on {page}:\n" + "\n".join(failures)


def test_the_chapter_widgets_are_real_controls_on_the_site():
    """The site was built in website mode: chapter 2's explorer is a Stack of pictures linked to its sliders."""
    html = (SITE / "notebooks" / "02_perceptron.html").read_text()
    assert '"StackModel"' in html and '"LinkModel"' in html, "the site was built without NNKIT_WEBSITE=1"


@pytest.mark.parametrize("edition_page", sorted(page_sizes()), ids=lambda key: "/".join(key))
def test_page_weight(edition_page):
    size = page_sizes()[edition_page]
    assert size <= LIMIT_BYTES, f"{'/'.join(edition_page)} weighs {size / 2**20:.2f} MB > 3 MB of HTML"
