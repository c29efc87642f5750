"""The widgets work in a real JupyterLab: a chapter runs and its slider redraws, Train makes the playground learn.

Starts its own JupyterLab (random port and token, every config/data folder in a
temporary directory, wrapped in ``timeout``) and stops it by its process id at
the end, even when a test fails. Drives headless Chromium with Playwright.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import nbformat
import pytest

from tests.browser.launch import CHROMIUM, CHROMIUM_ARGS, free_port, stop_process_group

REPO = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("NNKIT_SHOTS", "/tmp/shots"))
SERVER_LIFETIME_SECONDS = 300  # the ``timeout`` wrapper kills the server after this, whatever happens to pytest

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)", allow_module_level=True)


def write_notebook(path, source):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source)]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """A private JupyterLab serving a temporary folder; yields (base_url, token, folder)."""
    home = tmp_path_factory.mktemp("lab")
    root = home / "notebooks"
    user_settings = {
        # render every cell, not only those in view, so widgets below the fold exist; no kernel-choice dialog
        "notebook-extension/tracker": {"windowingMode": "none", "autoStartDefaultKernel": True},
        # no news/update toasts over the page (they would need the network anyway)
        "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    }
    root.mkdir()
    for name, values in user_settings.items():
        path = home / "settings" / "@jupyterlab" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}
    env.update({
        "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"), "IPYTHONDIR": str(home / "ipython"),
        "MPLCONFIGDIR": str(home / "matplotlib"), "XDG_CONFIG_HOME": str(home / "xdg_config"),
        "XDG_CACHE_HOME": str(home / "xdg_cache"), "XDG_DATA_HOME": str(home / "xdg_data"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    })
    port, token = free_port(), uuid.uuid4().hex
    command = ["timeout", str(SERVER_LIFETIME_SECONDS), sys.executable, "-m", "jupyter", "lab", "--no-browser",
               "--ip=127.0.0.1", f"--port={port}", f"--IdentityProvider.token={token}", "--LabApp.news_url=None",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--LabApp.expose_app_in_browser=True", f"--ServerApp.root_dir={root}"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    with open(home / "server.log", "w") as log:
        server = subprocess.Popen(command, env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)  # its own process group: stopped as a whole below
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base_url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start:\n" + (home / "server.log").read_text()) from None
                time.sleep(0.3)
        yield base_url, token, root
    finally:
        stop_process_group(server)
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


KERNEL_READY = """name => {
    const notebook = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const kernel = notebook && notebook.context && notebook.context.path === name && notebook.sessionContext
        && notebook.sessionContext.session && notebook.sessionContext.session.kernel;
    return Boolean(kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle');
}"""

KERNEL_IDLE = """() => {
    const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    return kernel.status === 'idle';
}"""


# every code cell shows an execution count ("[12]:"), none is queued or running ("[*]:") or not yet run ("[ ]:")
ALL_CELLS_RAN = """() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]
    .every(prompt => /\\[\\d+\\]/.test(prompt.textContent))"""


def open_and_run(browser, jupyterlab, name, source=None):
    """Open a notebook in JupyterLab, wait for an idle kernel, run all cells; returns the page.

    With ``source``, the notebook is a new one-cell notebook; without it, ``name`` is copied from notebooks/.
    """
    base_url, token, root = jupyterlab
    if source is None:
        shutil.copy(REPO / "notebooks" / name, root / name)
    else:
        write_notebook(root / name, source)
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(f"{base_url}/lab/tree/{name}?token={token}&reset")  # reset: a fresh workspace, no tabs from before
    page.wait_for_selector(".jp-Notebook", timeout=30_000)
    # the toolbar may say "Idle" before the kernel's websocket is up; ask the notebook's session itself
    page.wait_for_function(KERNEL_READY, arg=name, timeout=45_000)
    # start Run All without awaiting its promise (it settles only when every cell has finished)
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    return page


def save_failure_screenshot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"FAILED_{name}.png"), full_page=True)
    print(f"\nscreenshot of the failure: {SHOTS / f'FAILED_{name}.png'}")


def image_source(page, scope):
    return page.eval_on_selector(f"{scope} .widget-output img", "img => img.src")


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
        page.wait_for_selector(".jp-Notebook .widget-output img", timeout=45_000)
        initial = displayed_train_loss(page)
        first_picture = image_source(page, ".jp-Notebook")
        page.get_by_role("button", name="Train").click()
        page.wait_for_function(
            "initial => { const el = document.querySelector('.jp-Notebook .train-loss');"
            " return el && parseFloat(el.textContent) < 0.8 * initial; }", arg=initial, timeout=40_000)
        page.wait_for_function(  # the figure follows the status line, throttled
            "before => { const img = document.querySelector('.jp-Notebook .widget-output img');"
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
