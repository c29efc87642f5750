"""Turn the suite's results into targets, a markdown table, a plot and the book page."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (label, case key, row, reference row, limit): ratio of medians, one thread
TARGETS = [
    ("digits MLP float64 vs PyTorch", "digits", "nnkit float64", "torch float64", 0.65),
    ("digits MLP float32 vs PyTorch", "digits", "nnkit float32", "torch float32", 0.45),
    ("digits MLP float64 vs floor", "digits", "nnkit float64", "floor float64", 1.8),
    ("digits MLP float32 vs floor", "digits", "nnkit float32", "floor float32", 1.8),
    ("big MLP float32 vs PyTorch", "big", "nnkit float32", "torch float32", 0.85),
    ("big MLP float32 vs floor", "big", "nnkit float32", "floor float32", 1.25),
    ("conv2d 1->8 @28x28 float32", "conv2d 1->8 @28x28 float32", "nnkit float32", "torch float32", 2.0),
    ("conv2d 8->16 @14x14 float32", "conv2d 8->16 @14x14 float32", "nnkit float32", "torch float32", 2.0),
    ("maxpool2d 2x2 float32", "maxpool2d 2x2 (64, 8, 28, 28) float32", "nnkit float32", "torch float32", 1.5),
    ("maxpool2d 2x2 float64", "maxpool2d 2x2 (64, 8, 28, 28) float64", "nnkit float64", "torch float64", 1.5),
    ("RNN float64", "rnn L=50 N=32 16->64 float64", "nnkit float64", "torch float64", 0.5),
    ("RNN float32", "rnn L=50 N=32 16->64 float32", "nnkit float32", "torch float32", 0.5),
    ("LSTM float64", "lstm L=50 N=32 16->64 float64", "nnkit float64", "torch float64", 0.9),
    ("LSTM float32", "lstm L=50 N=32 16->64 float32", "nnkit float32", "torch float32", 3.0),
]


def cases(results, threads):
    """Every case of one thread setting as {case: {row: summary}} (the digits and big MLP rows included)."""
    figures = results["threads"][str(threads)]
    return {"digits": figures["digits"], "big": figures["big"], **figures["layers"]}


def targets(results):
    rows = []
    one = cases(results, 1)
    for label, case, row, reference, limit in TARGETS:
        ratio = one[case][row]["median"] / one[case][reference]["median"]
        cpu_ratio = one[case][row]["cpu_median"] / one[case][reference]["cpu_median"]
        plain = one[case].get(row.replace("nnkit", "plain"))  # the plain numpy reference, where the case has one
        rows.append({"target": label, "ratio": ratio, "cpu_ratio": cpu_ratio, "limit": limit, "met": ratio <= limit,
                     **({"plain_ratio": plain["median"] / one[case][reference]["median"]} if plain else {})})
    digits = one["digits"]
    for dtype in ("float64", "float32"):
        gap = 100 * abs(digits[f"nnkit {dtype}"]["accuracy"] - digits[f"torch {dtype}"]["accuracy"])
        rows.append({"target": f"digits test accuracy {dtype}, points from PyTorch", "ratio": gap, "limit": 0.5,
                     "met": gap <= 0.5})
    memory = results.get("memory")
    if memory:
        ratio = memory["nnkit"]["rss_peak_bytes"] / memory["torch"]["rss_peak_bytes"]
        rows.append({"target": "big MLP peak memory vs PyTorch (RSS rise)", "ratio": ratio, "limit": 1.0,
                     "met": ratio <= 1.0})
    return rows


def reference_of(case, row):
    """The row a row is compared with: PyTorch of the same dtype (PyTorch rows: none)."""
    dtype = row.split()[-1]
    return None if row.startswith("torch") else f"torch {dtype}"


def figure_table(results, threads):
    lines = ["| case | implementation | median (ms) | IQR (ms) | min–max (ms) | CPU median (ms) | × PyTorch | × floor "
             "| accuracy |", "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for case, rows in cases(results, threads).items():
        for row, figures in rows.items():
            dtype = row.split()[-1]
            torch_row, floor_row = rows.get(f"torch {dtype}"), rows.get(f"floor {dtype}")
            vs_torch = (f"{figures['median'] / torch_row['median']:.2f}"
                        if torch_row and torch_row is not figures else "")
            vs_floor = (f"{figures['median'] / floor_row['median']:.2f}"
                        if floor_row and floor_row is not figures else "")
            accuracy = f"{100 * figures['accuracy']:.1f} %" if "accuracy" in figures else ""
            name = {"digits": "digits MLP 64-128-64-10, one epoch (batch 32)",
                    "big": "MLP 784-256-256-10, one epoch of 60,000 (batch 128)"}.get(case, case)
            lines.append(f"| {name} | {row} | {1e3 * figures['median']:.2f} | "
                         f"{1e3 * figures['q1']:.2f}–{1e3 * figures['q3']:.2f} | "
                         f"{1e3 * figures['min']:.2f}–{1e3 * figures['max']:.2f} | {1e3 * figures['cpu_median']:.2f} | "
                         f"{vs_torch} | {vs_floor} | "
                         f"{accuracy} |")
    return "\n".join(lines)


def target_table(results):
    lines = ["| target (one thread) | measured (wall time) | limit | met | by CPU time | plain numpy, same run |",
             "|---|---:|---:|:---:|---:|---:|"]
    for row in targets(results):
        unit = "" if "points" in row["target"] else "×"
        cpu = f"{row['cpu_ratio']:.2f}×" if "cpu_ratio" in row else ""
        plain = f"{row['plain_ratio']:.2f}×" if "plain_ratio" in row else ""
        lines.append(f"| {row['target']} | {row['ratio']:.2f}{unit} | ≤ {row['limit']}{unit} | "
                     f"{'yes' if row['met'] else '**no**'} | {cpu} | {plain} |")
    return "\n".join(lines)


def memory_text(results):
    memory = results.get("memory")
    if not memory:
        return "Peak memory was not measured in this run."
    mib = 2**20
    return (f"Peak memory of one epoch of the big MLP (rise of the process's peak resident set over its size "
            f"before the epoch, each framework in a fresh process): nnkit "
            f"{memory['nnkit']['rss_peak_bytes'] / mib:.1f} MiB, PyTorch {memory['torch']['rss_peak_bytes'] / mib:.1f} "
            f"MiB; nnkit's peak as seen by tracemalloc: "
            f"{memory['nnkit']['tracemalloc_peak_bytes'] / mib:.1f} MiB.")


def course_text(results):
    course = results.get("course")
    if not course:
        return "Not measured in this run (`python -m bench --course` adds it)."
    lines = ["| what | seconds |", "|---|---:|"]
    lines += [f"| notebook {name} | {seconds:.1f} |" for name, seconds in course["notebooks"].items()]
    lines.append(f"| all notebooks | {course['notebooks_total']:.1f} |")
    for kind, what in (("cold", "every chapter executed again"), ("warm", "chapters from the execution cache")):
        build = course["book"][kind]
        lines.append(f"| website build, {what} (`jupyter-book build --all`, exit code {build['exit_code']}) | "
                     f"{build['seconds']:.1f} |")
    grading = " ".join(course["grading"]["output"])
    return "\n".join(lines) + f"\n\nAutograder (`bench/grading.py`): {grading}"


def machine_text(machine):
    blas = "; ".join(machine["blas"])
    return (f"- CPU: {machine['cpu']}, {machine['cores']} cores (shared: load average "
            f"{', '.join(f'{x:.1f}' for x in machine['load_average'])} at the start)\n"
            f"- Python {machine['python']}, numpy {machine['numpy']}, PyTorch {machine['torch']} (CPU), "
            f"scikit-learn {machine['scikit-learn']}\n"
            f"- BLAS: numpy (nnkit) uses {blas}; PyTorch uses {machine['torch_blas']}\n"
            f"- OPENBLAS_CORETYPE={machine['OPENBLAS_CORETYPE']}, OPENBLAS_NUM_THREADS="
            f"{machine['OPENBLAS_NUM_THREADS']} in the environment\n"
            f"- measured {machine['time_utc']}")


def markdown(results):
    parts = [f"# nnkit benchmarks ({'quick' if results['settings']['quick'] else 'full'} run)", "",
             machine_text(results["machine"]), "", "## Targets", "", target_table(results), ""]
    for threads in results["threads"]:
        parts += [f"## Figures, {threads} thread{'s' if threads != '1' else ''}", "",
                  figure_table(results, int(threads)), ""]
    parts += ["## Memory", "", memory_text(results), "", "## Whole course", "", course_text(results), ""]
    return "\n".join(parts)


def plot(results, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [row for row in targets(results) if "×" not in row["target"] and "points" not in row["target"]
            and "memory" not in row["target"]]
    fig, ax = plt.subplots(figsize=(8.5, 6.5), dpi=100)
    labels = [row["target"] for row in rows]
    positions = range(len(rows))
    colors = ["tab:green" if row["met"] else "tab:red" for row in rows]
    ax.barh(positions, [row["ratio"] for row in rows], color=colors, label="nnkit (green: target met, red: missed)")
    ax.scatter([row["limit"] for row in rows], positions, marker="|", s=300, color="black", zorder=3,
               label="target (at most)")
    plain = [(row["plain_ratio"], position) for row, position in zip(rows, positions) if "plain_ratio" in row]
    if plain:
        ax.scatter(*zip(*plain), marker="o", s=40, facecolor="white", edgecolor="black", zorder=4,
                   label="plain numpy reference, same run")
    ax.axvline(1.0, color="gray", linestyle="--", linewidth=1)
    ax.set_xscale("log")
    ticks = [0.125, 0.25, 0.5, 1, 2, 4, 8]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.set_xlim(0.1, max(10, 1.2 * max(row["ratio"] for row in rows)))
    ax.set_yticks(list(positions), labels)
    ax.invert_yaxis()
    ax.set_xlabel("nnkit's time ÷ the reference's time (ratio of medians, 1 thread, log scale)\n"
                  "left of the dashed line: nnkit is faster")
    ax.set_title("nnkit beside PyTorch CPU, the matrix-product floor and plain numpy")
    ax.legend(loc="upper center", bbox_to_anchor=(0.4, -0.16), ncol=2, frameon=False, fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


BOOK_INTRO = """\
# Performance

nnkit is written to be read, but it should not make students wait. `make bench` (`python -m bench`) measures
it beside PyTorch on the CPU and scikit-learn, on the networks the course trains, and compares it with the
*floor*: the matrix products of a training step alone, in numpy, which no implementation can avoid.
Beside them runs a *plain numpy reference* (`bench/plain.py`): the same training step, RNN and LSTM written
as straight-line numpy from the formulas, without modules, input checks or options, the code a reader would
write in one sitting. It shows what nnkit's structure costs on this machine, and what is this machine's own.
This page is written by the benchmark itself; the figures below come from its last full run.

How it measures:

- every case runs all implementations side by side in one process, interleaved repeat by repeat, after
  warm-up; the tables give the median, the interquartile range and the extremes of the wall-clock time,
  on which the targets are judged, and the median CPU time of the process: on a shared machine it leaves
  out the moments the process waited for a core, so the ratios "by CPU time" are the steadier ones;
- BLAS (through threadpoolctl) and PyTorch (`torch.set_num_threads`) get the same number of threads: one for
  the targets, two for comparison;
- the digits networks see the same batches in the same order and nnkit starts from PyTorch's initial weights,
  so the two run the same computation (scikit-learn shuffles and initializes its own way);
- peak memory: `tracemalloc` sees numpy's arrays but not PyTorch's, so both are also measured the same way, as
  the rise of the process's peak resident set during one epoch, each in a fresh process.

Where nnkit is fast, the fast code has a plain twin that computes the lecture formula directly
(`conv2d_reference`, `pool_reference`), and the tests check that the two agree.
"""


WHERE_THE_TIME_GOES = """\
Measured with cProfile (`python -m bench.profile` prints it) and by timing the parts of a step on the
machine above (December 2026); the reasons hold for any machine, the exact shares do not.

- **Digits MLP, against the floor.** Besides its eight matrix products, a training step at batch 32 makes
  about forty numpy calls: three bias additions and two ReLUs forward, the loss (input checks,
  log-softmax, the gradient), three bias sums and two ReLU slopes backward, and the SGD update (two array
  operations per parameter, twelve in all). The products are tiny (at most 32×128×64), and each other call
  costs about a microsecond whatever its size (a row-wise `max` or `sum` of a (32, 10) array: 1–2 µs), so
  together they cost more than the products. Within 1.8× of the floor would leave about half a
  microsecond for each. The plain numpy reference, which makes the same calls without nnkit's modules and
  checks, misses that limit on this machine too (the targets table's last column); nnkit adds 15–25 %
  to it (the modules' bookkeeping, the loss's input checks). PyTorch pays more per operation (autograd
  bookkeeping), which is why nnkit is still more than twice as fast as PyTorch here.
  `zero_grad()` costs nothing: it only marks the gradients as zero, and backward's first gradient is then
  stored as it is (`Parameter.accumulate_grad`).
- **Big MLP, against the floor.** The products are most of the step. What remains is mostly memory traffic
  over the weights and their gradients (W1's are 800 KB each): the SGD update `data -= lr * grad` passes over
  each gradient twice and over the weights once (about 120 µs a step; PyTorch's update is one fused pass).
  Since `zero_grad()` only marks the gradients as zero and backward then keeps the product `G^T X` as the
  gradient (`Parameter.accumulate_grad`: 0 + g is g), there is no longer a pass that writes zeros and one that
  adds into them (that was 1.04× PyTorch and 1.33× the floor; the rest of the step is unchanged). nnkit skips the
  first layer's input gradient during training (`backward(..., input_grad=False)`), as PyTorch does for an
  input without `requires_grad`. Without that it would be a third more arithmetic. Both nnkit and the floor
  compute `x @ W.T` on a transposed view, which this OpenBLAS runs 1.1–2.2× slower than the same product on
  a contiguous array (359 against 305 µs for the first layer); storing W transposed would speed that up but
  slow `G @ W` backward about as much.
- **Max pooling** makes one strided pass per tap of the 2×2 window forward and one per tap backward,
  where PyTorch runs one fused loop over the windows. Backward, each tap writes its gradient straight into
  its strided slice of dL/dx when the windows do not overlap, and adds it when they do.
- **RNN and LSTM in float64.** Per time step the loop makes one matrix product forward and one backward and a
  few elementwise operations on (32, 64) blocks; the products over all 1,600 steps (input projection, weight
  gradients, dL/dx) are the same work in both frameworks. What is left is the cost per numpy call (about a
  microsecond) and memory traffic: a whole-sequence array is 0.8 MB (the LSTM's gates 3.2 MB), beyond the
  1 MB L2 cache, and one pass over it costs as much as several steps' products. Hence the layers keep
  the states h₀ … h_L in one time-major buffer (no concatenation for backward), read grad_output where it is, and
  multiply by a contiguous copy of `W_hh.T` (this OpenBLAS runs a product with a transposed view up to 1.6×
  slower: 5.6 against 3.5 µs per RNN step). The LSTM is written as its equations read: per step one product,
  three sigmoids and two tanh on the gate slices, and backward the docstring's formulas step by step;
  tests/test_fast_paths.py checks both layers against independent step-by-step loops. An earlier version
  computed the four gates with one tanh (σ(a) = (1 + tanh(a/2))/2, the halving folded into the weights) and
  kept them gate-major; measured side by side (one thread, L=50, N=32, 16->64) it was 8–11 % faster in
  float64 (0.70–0.72× against 0.76–0.80× of PyTorch) and 24 % in float32 (1.48× against 1.94×): not enough
  to make students read a rescaled sigmoid, so the limit for the float64 LSTM is 0.9×. Of nnkit's
  float64 RNN pass, about 60 % is BLAS products, which this OpenBLAS runs at 24–33 billion multiply-adds a
  second for these sizes, and 0.1 ms is float64 tanh.
- **Page faults.** On this virtual machine a page fault costs about 2.7 µs. A numpy temporary above glibc's
  mmap threshold, freed and allocated again, can fault on every page (370 faults for `1 - h * h` on an
  800 KB array in a fresh process). During the measured runs the layer cases showed no faults per pass.
"""


def book_page(results, image_name):
    one_thread = figure_table(results, 1)
    return "\n".join([
        BOOK_INTRO,
        "## The machine", "", machine_text(results["machine"]), "",
        "## Targets", "", target_table(results), "",
        f"![Ratio of nnkit's time to the reference's, per case]({image_name})", "",
        "## Figures, one thread", "", one_thread, "",
        *(["## Figures, two threads", "", figure_table(results, 2), ""] if "2" in results["threads"] else []),
        "## Memory", "", memory_text(results), "",
        "## Where the time goes", "", WHERE_THE_TIME_GOES,
        "## The whole course", "", course_text(results), "",
        "Reproduce: `make bench` (add `--course` to `python -m bench` for the notebook and website timings; "
        "`--quick` for a fast check of the suite itself).", "",
    ])
