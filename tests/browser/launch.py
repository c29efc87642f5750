"""What the browser tests share: how Chromium is launched here, a free loopback port, stopping a server for good."""

import functools
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[2]
SITE = REPO / "_build" / "html"  # the student website, as `make book` builds it

CHROMIUM = "/usr/bin/chromium"  # Debian's package (make test installs it); never `playwright install`
# headless, as root, and quiet: without the background-networking flags Chromium keeps dialling out of a closed network
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@contextmanager
def headless_chromium():
    """Debian's Chromium, headless, driven by Playwright while the block runs; yields the Playwright browser."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class QuietRequestHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # one line per request would bury the test output
        pass


@contextmanager
def serve_directory(directory):
    """Serve ``directory`` over HTTP on a free loopback port while the block runs; yields the base URL."""
    handler = functools.partial(QuietRequestHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_process_group(process, grace_seconds=15):
    """SIGTERM to the process group of ``process`` (started with start_new_session=True), SIGKILL if it lingers.

    SIGTERM lets a Jupyter server shut its kernels down; a kernel outliving a killed server exits on its own
    (ipykernel watches its parent process)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace_seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def write_notebook(path, source):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source)]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)


@contextmanager
def private_jupyterlab(home, lifetime_seconds=300):
    """A JupyterLab serving ``home``/notebooks with every config and data folder inside ``home`` (deleted after).

    Random port and token; wrapped in ``timeout lifetime_seconds`` and stopped by its process group at the end.
    Yields (base_url, token, folder).
    """
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
    command = ["timeout", str(lifetime_seconds), sys.executable, "-m", "jupyter", "lab", "--no-browser",
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


def open_and_run(browser, jupyterlab, name, source=None, viewport=(1500, 1100)):
    """Open a notebook in JupyterLab, wait for an idle kernel, run all cells; returns the page.

    With ``source``, the notebook is a new one-cell notebook; without it, ``name`` is copied from notebooks/.
    """
    base_url, token, root = jupyterlab
    if source is None:
        shutil.copy(REPO / "notebooks" / name, root / name)
    else:
        write_notebook(root / name, source)
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    page.goto(f"{base_url}/lab/tree/{name}?token={token}&reset")  # reset: a fresh workspace, no tabs from before
    page.wait_for_selector(".jp-Notebook", timeout=30_000)
    # the toolbar may say "Idle" before the kernel's websocket is up; ask the notebook's session itself
    page.wait_for_function(KERNEL_READY, arg=name, timeout=45_000)
    # start Run All without awaiting its promise (it settles only when every cell has finished)
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    return page
