"""Seven teaching programs written for PyTorch, run on PyTorch and on their nnkit ports from the same weights.

    python -m bench.ports.run            # full runs; writes bench/results/ports.md
    python -m bench.ports.run --quick    # few steps, prints the table only

For each program: ``original/<name>.py`` (PyTorch) and ``nnkit/<name>.py`` (its port) each ``build()`` their
models; the torch model's initial parameters are copied into the nnkit model (in ``parameters()`` order, shapes
checked), then each ``run(...)`` trains and returns its results (losses, predictions). The table gives:

* lines changed: code lines (no blank lines, comments or the module docstring) of the port that differ from
  the original, counted with difflib, over the original's code lines. The word ``torch`` is read as ``nnkit``
  first, so ``torch.optim.SGD`` -> ``nnkit.optim.SGD`` is a rename, not a change; ``np.linspace`` for
  ``torch.linspace`` is a change.
* max |difference|: the largest absolute difference between torch's and nnkit's results and final parameters,
  both in float64.
"""

import argparse
import ast
import contextlib
import difflib
import importlib
import io
import re
import sys
import traceback
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RESULTS = HERE.parent / "results" / "ports.md"

# name: (title, keyword arguments of run() for --quick)
PROGRAMS = {
    "nn_tutorial": ("pytorch/tutorials: What is torch.nn really?", {}),
    "polynomial_nn": ("pytorch/tutorials: polynomial_nn", {"steps": 50}),
    "polynomial_optim": ("pytorch/tutorials: polynomial_optim", {"steps": 50}),
    "buildmodel_tutorial": ("pytorch/tutorials: Build the Neural Network", {}),
    "optimization_tutorial": ("pytorch/tutorials: Optimizing Model Parameters", {"epochs": 1}),
    "d2l_mlp": ("d2l-en: MLP from scratch and concise", {"max_epochs": 1}),
    "micrograd_moons": ("micrograd: moons demo (in PyTorch)", {"steps": 20}),
}


def code_lines(path):
    """The lines that are code: no blank lines, no comment-only lines, no module docstring."""
    text = path.read_text()
    tree = ast.parse(text)
    skip = set()
    if tree.body and isinstance(tree.body[0], ast.Expr) and isinstance(getattr(tree.body[0], "value", None),
                                                                      ast.Constant):
        skip = set(range(tree.body[0].lineno, tree.body[0].end_lineno + 1))
    return [line.strip() for number, line in enumerate(text.splitlines(), 1)
            if number not in skip and line.strip() and not line.strip().startswith("#")]


def lines_changed(original, port):
    """(changed, total): port code lines not matched in the original (torch read as nnkit), original's count."""
    before = [re.sub(r"\btorch\b", "nnkit", line) for line in code_lines(original)]
    after = code_lines(port)
    changed = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
        if tag != "equal":
            changed += max(i2 - i1, j2 - j1)
    return changed, len(before)


def flatten(models):
    """The parameters of a model, a list of tensors or a tuple of those, in order."""
    if hasattr(models, "parameters"):
        return list(models.parameters())
    if isinstance(models, (list, tuple)):
        return [p for item in models for p in flatten(item)]
    return [models]


def as_numpy(value):
    if hasattr(value, "detach"):
        value = value.detach()
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()
    if hasattr(value, "data") and not isinstance(value, (np.ndarray, list, tuple)):
        value = value.data
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], (list, tuple)):
        return np.concatenate([np.ravel(np.asarray(item, dtype=float)) for item in value])  # e.g. shapes
    return np.asarray(value, dtype=float)


def copy_weights(torch_models, nnkit_models):
    torch_params, nnkit_params = flatten(torch_models), flatten(nnkit_models)
    if len(torch_params) != len(nnkit_params):
        raise AssertionError(f"torch has {len(torch_params)} parameters, nnkit {len(nnkit_params)}")
    for source, target in zip(torch_params, nnkit_params):
        values = source.detach().numpy()
        target_data = target.data
        if tuple(target_data.shape) != values.shape:
            raise AssertionError(f"parameter shapes differ: torch {values.shape}, nnkit {target_data.shape}")
        target_data[...] = values


def differences(torch_results, nnkit_results):
    """{name: (largest |torch - nnkit|, the same over the largest |torch|)} for every result."""
    found = {}
    for key, value in torch_results.items():
        if key not in nnkit_results:
            raise AssertionError(f"nnkit's results have no {key!r}")
        a, b = as_numpy(value), as_numpy(nnkit_results[key])
        if a.shape != b.shape:
            raise AssertionError(f"{key}: torch shape {a.shape}, nnkit shape {b.shape}")
        gap = float(np.max(np.abs(a - b))) if a.size else 0.0
        found[key] = (gap, gap / max(float(np.max(np.abs(a))) if a.size else 0.0, 1e-300))
    return found


def compare(name, quick=False, seed=0):
    """Run one program on torch and on nnkit from the same weights; return a dict for the table."""
    import torch

    torch.set_default_dtype(torch.float64)  # nnkit computes in float64; compare like with like
    kwargs = PROGRAMS[name][1] if quick else {}
    row = {"name": name, "title": PROGRAMS[name][0]}
    row["changed"], row["total"] = lines_changed(HERE / "original" / f"{name}.py", HERE / "nnkit" / f"{name}.py")
    torch.manual_seed(seed)
    np.random.seed(seed)
    original = importlib.import_module(f"bench.ports.original.{name}")
    extra = {"images": np.random.default_rng(seed).random((3, 28, 28))} if name == "buildmodel_tutorial" else {}
    with contextlib.redirect_stdout(io.StringIO()):
        torch_models = original.build()
    try:
        port = importlib.import_module(f"bench.ports.nnkit.{name}")
        with contextlib.redirect_stdout(io.StringIO()):
            nnkit_models = port.build()
            copy_weights(torch_models, nnkit_models)
            torch_results = original.run(torch_models, **kwargs, **extra)
            nnkit_results = port.run(nnkit_models, **kwargs, **extra)
        torch_final = {f"param{i}": p for i, p in enumerate(flatten(torch_models))}
        nnkit_final = {f"param{i}": p for i, p in enumerate(flatten(nnkit_models))}
        row["differences"] = {**differences(torch_results, nnkit_results), **differences(torch_final, nnkit_final)}
        row["where"] = max(row["differences"], key=lambda key: row["differences"][key][0])
        row["difference"], row["relative"] = row["differences"][row["where"]]
        row["error"] = None
    except Exception as error:  # the table says which call failed instead of stopping the run
        frame = traceback.extract_tb(error.__traceback__)[-1]
        row["difference"] = None
        row["error"] = f"{type(error).__name__}: {error} ({Path(frame.filename).name}:{frame.lineno})"
    return row


def table(rows):
    lines = ["| program | lines changed / total | % | max abs difference vs torch (relative; in) |",
             "| --- | --- | --- | --- |"]
    for row in rows:
        difference = (f"{row['difference']:.1e} ({row['relative']:.0e}; {row['where']})" if row["error"] is None
                      else f"fails: {row['error']}")
        lines.append(f"| {row['title']} | {row['changed']} / {row['total']} | "
                     f"{100 * row['changed'] / row['total']:.0f} % | {difference} |")
    changed, total = sum(r["changed"] for r in rows), sum(r["total"] for r in rows)
    lines.append(f"| **all seven** | {changed} / {total} | {100 * changed / total:.0f} % | |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="few steps; print the table, write nothing")
    parser.add_argument("programs", nargs="*", default=list(PROGRAMS), help="names (default: all seven)")
    args = parser.parse_args(argv)
    rows = []
    for name in args.programs:
        print(f"-- {name}", file=sys.stderr, flush=True)
        rows.append(compare(name, quick=args.quick))
    text = table(rows)
    print(text)
    if not args.quick and args.programs == list(PROGRAMS):
        RESULTS.write_text(
            "# Seven PyTorch teaching programs on nnkit\n\nWritten by `python -m bench.ports.run` (see its docstring "
            "for how lines and differences are counted). The references in bench/ports/original/ re-express each "
            "program's steps and torch calls (they are not verbatim copies) and say what was substituted for "
            "downloads. Relative: the difference over the largest |value| of that result. An "
            "accuracy's difference is torch's own rounding: the tutorials' `.float()` computes it in float32.\n\n"
            + text + "\n")
    return rows


if __name__ == "__main__":
    main()
