"""Slider-to-picture latency of every chapter widget, in JupyterLab in headless Chromium.

    python -m bench.widget_latency              # every widget, 20 moves each -> results/widget_latency.md
    python -m bench.widget_latency --moves 6 --only 02_perceptron

Each chapter runs top to bottom in a private JupyterLab (tests/browser/launch.py). Then, for each of its widgets,
the keyboard moves one slider a step (or toggles a checkbox) ``--moves`` times, alternately right and left. A key
listener in the page notes when the key went down, a MutationObserver on the widget's Output notes when an <img>
with different bytes (its data: URL) arrived; the latency is the difference, both on the page's own clock. After
each move the bench waits for the kernel to go idle, so moves do not queue behind each other.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser.launch import ALL_CELLS_RAN, CHROMIUM, CHROMIUM_ARGS, KERNEL_IDLE, open_and_run, private_jupyterlab

RESULTS = Path(__file__).resolve().parent / "results"

# chapter notebook -> widgets: (text of the cell that shows it, control moved: "slider" k or "checkbox", label)
WIDGETS = {
    "01_neuron.ipynb": [("neuron_plane_explorer(sigmoid_neuron_output", ("slider", 2), "neuron plane, b"),
                        ('activation_explorer("Tanh")', ("checkbox", 0), "activation, show f'")],
    "02_perceptron.ipynb": [("neuron_explorer(w1=0.5", ("slider", 2), "step neuron, b")],
    "03_mlp.ipynb": [("hidden_neuron_explorer(xor_step_network", ("slider", 2), "XOR hidden neuron, b")],
    "04_losses.ipynb": [("outlier_explorer(loss_response", ("slider", 0), "outlier, d")],
    "05_gradient_descent.ipynb": [("learning_rate_explorer(surface=", ("slider", 0), "learning rate, lr")],
    "06_backprop.ipynb": [("neuron_graph_explorer(x=", ("slider", 2), "neuron graph, b"),
                          ("gradient_slope_explorer(neuron_loss", ("slider", 0), "gradient as slope, w1")],
    "10_cnn.ipynb": [("conv1d_explorer(conv1d_with)", ("slider", 4), "conv1d, output i")],
    "11_rnn.ipynb": [("gradient_decay_explorer(gradient_decay)", ("slider", 0), "gradient decay, s")],
    "12_beyond.ipynb": [("code_interpolation_explorer(decoder", ("slider", 0), "code interpolation, t")],
}

WATCH = """(output) => {
    window.__latency = {pressed: [], changed: [], last: (output.querySelector('img') || {}).src};
    document.addEventListener('keydown', () => window.__latency.pressed.push(performance.now()), true);
    document.addEventListener('mousedown', () => window.__latency.pressed.push(performance.now()), true);
    new MutationObserver(() => {
        const img = output.querySelector('img');
        if (img && img.src && img.src !== window.__latency.last) {
            window.__latency.last = img.src;
            window.__latency.changed.push(performance.now());
        }
    }).observe(output, {childList: true, subtree: true, attributes: true, attributeFilter: ['src']});
}"""


def percentile(values, fraction):
    """The value below which ``fraction`` of ``values`` lie (linear between order statistics)."""
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def measure_widget(page, cell_text, control, moves, shot=None):
    """Latencies (ms) of ``moves`` moves of one control; a move whose picture never changed is left out."""
    cell = page.locator(".jp-CodeCell", has_text=cell_text).first
    cell.locator(".widget-output img").wait_for(timeout=60_000)
    cell.scroll_into_view_if_needed()
    cell.locator(".widget-output").first.evaluate(WATCH)
    kind, index = control
    latencies = []
    for move in range(moves):
        before = page.evaluate("() => window.__latency.changed.length")
        if kind == "slider":
            handle = cell.locator(".widget-slider .noUi-handle").nth(index)
            handle.focus()
            page.keyboard.press("ArrowRight" if move % 2 == 0 else "ArrowLeft")
        else:
            cell.locator(".widget-checkbox input").nth(index).click()
        try:
            page.wait_for_function(f"() => window.__latency.changed.length > {before}", timeout=10_000,
                                   polling="raf")
        except Exception:  # noqa: BLE001 - a move that drew nothing is reported as missing, not as a crash
            print(f"  move {move}: no new picture within 10 s", file=sys.stderr)
            continue
        page.wait_for_function(KERNEL_IDLE, timeout=20_000)
        pressed, changed = page.evaluate("() => [window.__latency.pressed.at(-1), window.__latency.changed.at(-1)]")
        latencies.append(changed - pressed)
        page.wait_for_timeout(150)
    if shot:
        cell.screenshot(path=str(shot))
    return latencies


def run(only=None, moves=20, shots=None):
    rows = []
    with tempfile.TemporaryDirectory(prefix="nnkit-latency-") as home, \
            private_jupyterlab(Path(home), lifetime_seconds=1800) as lab, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for notebook, widgets in WIDGETS.items():
            if only and not any(part in notebook for part in only):
                continue
            started = time.monotonic()
            page = open_and_run(browser, lab, notebook, viewport=(1500, 1400))
            try:
                page.wait_for_function(ALL_CELLS_RAN, timeout=300_000, polling=500)
                print(f"{notebook}: ran in {time.monotonic() - started:.0f} s", file=sys.stderr)
                for cell_text, control, label in widgets:
                    shot = shots / f"{notebook.removesuffix('.ipynb')}_{label.split(',')[0].replace(' ', '_')}.png" \
                        if shots else None
                    latencies = measure_widget(page, cell_text, control, moves, shot)
                    rows.append((notebook, label, moves, latencies))
                    if latencies:
                        print(f"  {label}: median {statistics.median(latencies):.0f} ms, "
                              f"p95 {percentile(latencies, 0.95):.0f} ms ({len(latencies)}/{moves})", file=sys.stderr)
            finally:
                page.close()
        browser.close()
    return rows


def report(rows):
    lines = ["# Slider to redrawn picture, JupyterLab in headless Chromium", "",
             f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `python -m bench.widget_latency` on "
             f"{os.cpu_count()} cores (shared), OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset')}, "
             f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}.",
             "From key down (or click) to the Output showing an image with different bytes, on the page's clock; "
             "the kernel is idle before each move. Aim: median under 150 ms.", "",
             "| chapter | widget, control moved | moves drawn | median ms | p95 ms | max ms |",
             "|---|---|---|---|---|---|"]
    for notebook, label, moves, latencies in rows:
        if latencies:
            lines.append(f"| {notebook.removesuffix('.ipynb')} | {label} | {len(latencies)}/{moves} | "
                         f"{statistics.median(latencies):.0f} | {percentile(latencies, 0.95):.0f} | "
                         f"{max(latencies):.0f} |")
        else:
            lines.append(f"| {notebook.removesuffix('.ipynb')} | {label} | 0/{moves} | – | – | – |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--moves", type=int, default=20, help="moves per widget (default 20)")
    parser.add_argument("--only", nargs="*", help="chapters whose file name contains one of these, e.g. 02 10")
    parser.add_argument("--output", type=Path, default=RESULTS / "widget_latency.md")
    parser.add_argument("--shots", type=Path, help="save a screenshot of each widget after its moves in this folder")
    args = parser.parse_args()
    if args.shots:
        args.shots.mkdir(parents=True, exist_ok=True)
    text = report(run(args.only, args.moves, args.shots))
    args.output.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
