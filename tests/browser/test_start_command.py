"""The README's first command, `make start`, brings JupyterLab up on chapter 1 (here on a private port, then stopped).

The virtual environment already exists when the tests run, so `make start` installs nothing and only starts the
server. It runs in its own process group, with a `timeout`, and is stopped by that group at the end.
"""

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.browser.launch import CHROMIUM, free_port, headless_chromium, stop_process_group

REPO = Path(__file__).resolve().parents[2]

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)", allow_module_level=True)
if not (REPO / ".venv" / ".runtime").exists():
    pytest.skip("the course environment is not installed (make start would install it first)", allow_module_level=True)


def test_make_start_opens_chapter_1(tmp_path):
    port = free_port()
    env = dict(os.environ, JUPYTER_PORT=str(port), BROWSER="true",  # no desktop browser tab from a test run
               JUPYTER_CONFIG_DIR=str(tmp_path / "config"), JUPYTER_DATA_DIR=str(tmp_path / "data"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"),
               IPYTHONDIR=str(tmp_path / "ipython"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    log_path = tmp_path / "start.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(["timeout", "120", "make", "--no-print-directory", "start"], cwd=REPO, env=env,
                                  stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        address = None
        deadline = time.monotonic() + 60
        while address is None and time.monotonic() < deadline and server.poll() is None:
            found = re.search(rf"http://127\.0\.0\.1:{port}/\S+", log_path.read_text())
            address = found.group(0) if found else None
            time.sleep(0.3)
        assert address, "make start printed no address:\n" + log_path.read_text()
        assert "/lab/tree/notebooks/01_neuron.ipynb?token=" in address  # the address a student clicks
        with headless_chromium() as browser:
            page = browser.new_page(viewport={"width": 1300, "height": 900})
            page.goto(address)
            page.wait_for_selector(".jp-Notebook .jp-RenderedMarkdown h1", timeout=60_000)  # rendered, not just there
            tab_title = page.locator(".lm-TabBar-tab.jp-mod-current .lm-TabBar-tabLabel").inner_text()
            headings = page.locator(".jp-Notebook h1").all_inner_texts()
        assert tab_title == "01_neuron.ipynb"
        assert any("The neuron" in heading for heading in headings)
    finally:
        stop_process_group(server)
        shutil.rmtree(tmp_path / "runtime", ignore_errors=True)
