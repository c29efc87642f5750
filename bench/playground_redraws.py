"""How often the training playground shows a new picture while it trains, in JupyterLab in headless Chromium.

    python -m bench.playground_redraws             # 10 s of training -> results/playground_redraws.md

A one-cell notebook shows ``Playground("moons")``; the bench presses Train, and for ``--seconds`` a
MutationObserver in the page notes every new picture (the <img>'s source changes when the kernel sends new PNG
bytes). It reports pictures per second, the gaps between them, and training steps per second (from the step
counter in the status line). TensorFlow Playground redraws every frame; the aim here is at least 10 a second.
"""

import argparse
import os
import re
import statistics
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.widget_latency import percentile
from tests.browser.launch import CHROMIUM, CHROMIUM_ARGS, open_and_run, private_jupyterlab

RESULTS = Path(__file__).resolve().parent / "results"
SOURCE = 'from nnkit.widgets import Playground\nPlayground("moons")'

# the picture is an Image widget's <img> (its src changes) or, in older versions, an Output's <img> (replaced)
PICTURE = ".jp-Notebook img.widget-image, .jp-Notebook .widget-output img"
WATCH = """(selector) => {
    window.__pictures = [];
    let last = null;
    new MutationObserver(() => {
        const img = document.querySelector(selector);
        if (img && img.src !== last) { last = img.src; window.__pictures.push([performance.now(), img.src]); }
    }).observe(document.querySelector('.jp-Notebook'), {childList: true, subtree: true, attributes: true,
                                                       attributeFilter: ['src']});
}"""


def steps_shown(page):
    return int(re.search(r"step (\d+)", page.inner_text(".jp-Notebook .widget-html-content")).group(1))


def measure(seconds):
    with tempfile.TemporaryDirectory(prefix="nnkit-playground-") as home, \
            private_jupyterlab(Path(home), lifetime_seconds=600) as lab, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = open_and_run(browser, lab, "playground.ipynb", SOURCE)
        page.wait_for_selector(PICTURE, timeout=60_000)
        page.wait_for_selector(".jp-Notebook .train-loss", timeout=60_000)
        page.evaluate(WATCH, PICTURE)
        page.get_by_role("button", name="Train").click()
        page.wait_for_function("() => window.__pictures.length > 0", timeout=30_000)
        first_steps, started = steps_shown(page), page.evaluate("() => performance.now()")
        page.wait_for_timeout(seconds * 1000)
        last_steps, ended = steps_shown(page), page.evaluate("() => performance.now()")
        pictures = page.evaluate("() => window.__pictures")
        page.get_by_role("button", name="Pause").click()
        page.screenshot(path=str(Path(home) / "shot.png"))
        shot = (Path(home) / "shot.png").read_bytes()
        browser.close()
    window = [(time, source) for time, source in pictures if started <= time <= ended]
    distinct = len({source for _, source in window})
    gaps = [b[0] - a[0] for a, b in zip(window, window[1:])]
    return {"seconds": (ended - started) / 1000, "pictures": distinct, "gaps": gaps,
            "steps": last_steps - first_steps, "shot": shot}


def report(result):
    per_second = result["pictures"] / result["seconds"]
    gaps = result["gaps"] or [float("nan")]
    return "\n".join([
        "# Training playground: pictures per second while training, JupyterLab in headless Chromium", "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `python -m bench.playground_redraws` on "
        f"{os.cpu_count()} cores (shared), OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}.",
        'A one-cell notebook shows `Playground("moons")`; Train pressed, then the page counts new pictures '
        "(distinct PNG sources of the widget's <img>) over the window. Aim: at least 10 a second.", "",
        "| window s | distinct pictures | pictures / s | median gap ms | p95 gap ms | training steps / s |",
        "|---|---|---|---|---|---|",
        f"| {result['seconds']:.1f} | {result['pictures']} | {per_second:.1f} | {statistics.median(gaps):.0f} | "
        f"{percentile(gaps, 0.95):.0f} | {result['steps'] / result['seconds']:.0f} |", "", ""])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--output", type=Path, default=RESULTS / "playground_redraws.md")
    parser.add_argument("--screenshot", type=Path, help="save a screenshot of the page after training here")
    args = parser.parse_args()
    result = measure(args.seconds)
    text = report(result)
    args.output.write_text(text)
    if args.screenshot:
        args.screenshot.write_bytes(result["shot"])
    print(text)


if __name__ == "__main__":
    main()
