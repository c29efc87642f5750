"""``python -m bench.profile [CASE ...]``: where nnkit's time goes, by cProfile, one thread.

Cases: ``digits32``, ``digits64`` (ten epochs of the digits MLP), ``big`` (a sixth of an epoch of the big
MLP), ``rnn64``, ``lstm64``, ``lstm32`` (20 forward + backward passes). Prints the functions with the most
time of their own (tottime, cProfile's overhead included) in microseconds per training step or per pass;
numpy's C functions appear as ``{method ...}`` or ``{built-in ...}``.
"""

import cProfile
import pstats
import sys

import numpy as np

from bench.layers import layer_cases
from bench.measure import threads
from bench.mlp import BIG_SIZES, DIGITS_SIZES, NnkitRun, big_data, digits_split, epoch_orders


def mlp_work(sizes, dtype, X, y, batch_size, epochs):
    """(function, number of training steps it makes)."""
    run = NnkitRun(sizes, dtype, X, y)
    batches = run.batches(epoch_orders(len(X), batch_size, 1)[0])
    return (lambda: [run.epoch(batches) for _ in range(epochs)]), epochs * len(batches)


def layer_work(prefix, dtype, passes=20):
    """(function, number of forward + backward passes it makes)."""
    ours = next(work for name, work, _, _ in layer_cases(dtype) if name.startswith(prefix))
    return (lambda: [ours() for _ in range(passes)]), passes


def work(case):
    if case.startswith("digits"):
        X_train, _, y_train, _ = digits_split()
        return mlp_work(DIGITS_SIZES, np.float32 if case.endswith("32") else np.float64, X_train, y_train, 32, 10)
    if case == "big":
        X, y = big_data(10_000)
        return mlp_work(BIG_SIZES, np.float32, X, y, 128, 1)
    return layer_work(case[:-2], np.float32 if case.endswith("32") else np.float64)


def main(cases):
    for case in cases:
        function, count = work(case)
        with threads(1):
            function()  # warm-up
            profiler = cProfile.Profile()
            profiler.runcall(function)
        rows = pstats.Stats(profiler).stats  # {(file, line, name): (calls, primitive calls, tottime, cumtime, ...)}
        total = sum(row[2] for row in rows.values())
        print(f"== {case}: {1e6 * total / count:.0f} µs per {'step' if count > 20 else 'pass'} under cProfile")
        print(f"{'own µs':>8} {'calls':>6}  function")
        for (path, line, name), row in sorted(rows.items(), key=lambda item: -item[1][2])[:12]:
            where = f"{path.split('/')[-1]}:{line}({name})" if line else name
            print(f"{1e6 * row[2] / count:8.1f} {row[0] / count:6.1f}  {where}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["digits32", "digits64", "big", "rnn64", "lstm64"])
