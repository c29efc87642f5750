"""What the browser tests share: how Chromium is launched here, a free loopback port, stopping a server for good."""

import os
import signal
import socket
import subprocess

CHROMIUM = "/usr/bin/chromium"  # Debian's package (make test installs it); never `playwright install`
# headless, as root, and quiet: without the background-networking flags Chromium keeps dialling out of a closed network
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


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
