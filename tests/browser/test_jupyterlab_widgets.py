"""The widgets work in a real JupyterLab: a chapter runs and its slider redraws, Train makes the playground learn.

Starts its own JupyterLab (random port and token, every config/data folder in a
temporary directory, wrapped in ``timeout``) and stops it by its process id at
the end, even when a test fails. Drives headless Chromium with Playwright.
"""

import os
import re
import time
from pathlib import Path

import pytest

from tests.browser.launch import ALL_CELLS_RAN, CHROMIUM, KERNEL_IDLE, open_and_run, private_jupyterlab

SHOTS = Path(os.environ.get("NNKIT_SHOTS", "/tmp/shots"))
SERVER_LIFETIME_SECONDS = 300  # the ``timeout`` wrapper kills the server after this, whatever happens to pytest

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """A private JupyterLab serving a temporary folder; yields (base_url, token, folder)."""
    with private_jupyterlab(tmp_path_factory.mktemp("lab"), SERVER_LIFETIME_SECONDS) as lab:
        yield lab


def save_failure_screenshot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"FAILED_{name}.png"), full_page=True)
    print(f"\nscreenshot of the failure: {SHOTS / f'FAILED_{name}.png'}")


def test_chapter_2_runs_and_its_slider_redraws_the_neuron(browser, jupyterlab):
    """The whole chapter runs in JupyterLab; moving the bias slider of its neuron explorer redraws the boundary."""
    started = time.monotonic()
    page = open_and_run(browser, jupyterlab, "02_perceptron.ipynb")
    try:
        # the cell that shows the explorer: JupyterLab marks each code cell with its source text
        explorer = page.locator(".jp-CodeCell", has_text="neuron_explorer(w1=0.5")
        explorer.locator(".widget-output img").wait_for(timeout=60_000)
        page.wait_for_function(ALL_CELLS_RAN, timeout=90_000)
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        tracebacks = [text for text in errors.all_inner_texts() if "Traceback" in text or "Error" in text]
        assert not tracebacks, f"the chapter raised in JupyterLab: {tracebacks[:1]}"
        before = explorer.locator(".widget-output img").get_attribute("src")
        sliders = explorer.locator(".widget-slider .noUi-handle")
        assert sliders.count() == 3  # w1, w2, b
        bias_slider = sliders.nth(2)
        bias_slider.focus()
        for _ in range(5):
            page.keyboard.press("ArrowRight")  # b: -0.8 -> -0.3, the boundary moves towards the origin
        deadline = time.monotonic() + 20
        while explorer.locator(".widget-output img").get_attribute("src") == before and time.monotonic() < deadline:
            page.wait_for_timeout(200)
        assert explorer.locator(".widget-output img").get_attribute("src") != before
        readout = explorer.locator(".widget-slider .widget-readout").nth(2).inner_text()
        assert float(readout.replace("−", "-")) > -0.8  # the readout prints a Unicode minus
        page.wait_for_function(KERNEL_IDLE, timeout=20_000)  # every key press redrew; wait for the last one
        SHOTS.mkdir(parents=True, exist_ok=True)
        explorer.screenshot(path=str(SHOTS / "chapter_2_neuron_explorer_browser.png"))
    except Exception:
        save_failure_screenshot(page, "chapter_2")
        raise
    finally:
        page.close()
    elapsed = time.monotonic() - started
    print(f"\nchapter 2: open, run all, move slider, redraw in {elapsed:.1f} s")
    assert elapsed < 120


def displayed_train_loss(page):
    text = page.inner_text(".jp-Notebook .train-loss")
    return float(re.sub(r"[^0-9.eE+-]", "", text))


def test_train_button_makes_the_playground_learn(browser, jupyterlab):
    started = time.monotonic()
    page = open_and_run(browser, jupyterlab, "playground.ipynb",
                        "from nnkit.widgets import Playground\nPlayground('moons')")
    try:
        page.wait_for_selector(".jp-Notebook .train-loss", timeout=45_000)
        page.wait_for_selector(".jp-Notebook img.widget-image", timeout=45_000)
        initial = displayed_train_loss(page)
        first_picture = page.get_attribute(".jp-Notebook img.widget-image", "src")
        page.get_by_role("button", name="Train").click()
        page.wait_for_function(
            "initial => { const el = document.querySelector('.jp-Notebook .train-loss');"
            " return el && parseFloat(el.textContent) < 0.8 * initial; }", arg=initial, timeout=40_000)
        page.wait_for_function(  # the picture follows the status line
            "before => { const img = document.querySelector('.jp-Notebook img.widget-image');"
            " return img && img.src !== before; }", arg=first_picture, timeout=20_000)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "playground_browser.png"), full_page=True)
        page.get_by_role("button", name="Pause").click()
        page.wait_for_timeout(1000)
        paused_at = page.inner_text(".jp-Notebook .widget-html-content b")
        page.wait_for_timeout(1000)
        assert page.inner_text(".jp-Notebook .widget-html-content b") == paused_at  # Pause stopped training
        assert displayed_train_loss(page) < initial
    except Exception:
        save_failure_screenshot(page, "playground")
        raise
    finally:
        page.close()
    elapsed = time.monotonic() - started
    print(f"\nplayground: open, run, train until the loss fell by 20%, pause in {elapsed:.1f} s")
    assert elapsed < 60
