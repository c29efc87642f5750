"""Cases 3 and 4: single layers, forward + backward, nnkit beside PyTorch in the same dtype.

Both frameworks get the same input and the same upstream gradient; nnkit's layer starts from the torch
layer's weights. A repeat is one forward and one backward pass (for torch: ``y.backward(grad)``, with the
input's gradient requested, as nnkit always returns it). The recurrent layers also run as plain numpy
(bench.plain) with the same weights.
"""

import numpy as np

from bench import plain
from bench.measure import summary, timings
from nnkit.nn import LSTM, RNN, Conv2d, MaxPool2d


def _torch_pass(torch_layer, x, grad, unpack=False):
    import torch

    x_torch = torch.from_numpy(x).requires_grad_(True)
    grad_torch = torch.from_numpy(grad)

    def run():
        x_torch.grad = None
        for parameter in torch_layer.parameters():
            parameter.grad = None
        y = torch_layer(x_torch)
        (y[0] if unpack else y).backward(grad_torch)

    return run


def _nnkit_pass(layer, x, grad):
    def run():
        layer.zero_grad()
        layer(x)
        layer.backward(grad)

    return run


def _plain_pass(function, nnkit_layer, x, grad):
    """The plain numpy reference (bench.plain) of a recurrent layer, with the nnkit layer's weights."""
    weights = [nnkit_layer.state_dict()[name] for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")]
    return lambda: function(x, grad, *weights)


def _upstream_grad(x, output_shape, seed=1):
    """The dL/d(output) every implementation of a case gets."""
    return np.random.default_rng(seed).standard_normal(output_shape).astype(x.dtype)


def _pair(torch_layer, nnkit_layer, x, grad, unpack=False):
    if nnkit_layer.parameters():
        nnkit_layer.load_state_dict(torch_layer.state_dict())
    return _nnkit_pass(nnkit_layer, x, grad), _torch_pass(torch_layer, x, grad, unpack)


def layer_cases(dtype):
    """(name, nnkit pass, torch pass, plain numpy pass or None) for every layer case in ``dtype``."""
    import torch

    torch_dtype = getattr(torch, np.dtype(dtype).name)
    rng = np.random.default_rng(0)
    cases = []
    for name, (cin, cout, size) in {"conv2d 1->8 @28x28": (1, 8, 28), "conv2d 8->16 @14x14": (8, 16, 14)}.items():
        x = rng.standard_normal((64, cin, size, size)).astype(dtype)
        torch_conv = torch.nn.Conv2d(cin, cout, 3).to(torch_dtype)
        grad = _upstream_grad(x, (64, cout, size - 2, size - 2))
        ours, theirs = _pair(torch_conv, Conv2d(cin, cout, 3, dtype=dtype), x, grad)
        cases.append((name, ours, theirs, None))
    x = rng.standard_normal((64, 8, 28, 28)).astype(dtype)
    ours, theirs = _pair(torch.nn.MaxPool2d(2), MaxPool2d(2), x, _upstream_grad(x, (64, 8, 14, 14)))
    cases.append(("maxpool2d 2x2 (64, 8, 28, 28)", ours, theirs, None))
    x = rng.standard_normal((32, 50, 16)).astype(dtype)
    grad = _upstream_grad(x, (32, 50, 64))
    for name, torch_class, nnkit_class, plain_function in (("rnn", torch.nn.RNN, RNN, plain.rnn_pass),
                                                           ("lstm", torch.nn.LSTM, LSTM, plain.lstm_pass)):
        torch_layer = torch_class(16, 64, batch_first=True).to(torch_dtype)
        nnkit_layer = nnkit_class(16, 64, dtype=dtype)
        ours, theirs = _pair(torch_layer, nnkit_layer, x, grad, unpack=True)
        reference = _plain_pass(plain_function, nnkit_layer, x, grad)
        cases.append((f"{name} L=50 N=32 16->64", ours, theirs, reference))
    return cases


def layers_case(repeats, warmup, dtypes=(np.float64, np.float32)):
    """{case: {"nnkit ...": summary, "torch ...": summary, ["plain ...": summary]}} for every layer in every dtype."""
    results = {}
    for dtype in dtypes:
        name = np.dtype(dtype).name
        for case, ours, theirs, reference in layer_cases(dtype):
            passes = {"nnkit": ours, "torch": theirs, **({"plain": reference} if reference else {})}
            times = {label: [] for label in passes}
            for _ in range(1 + warmup):
                for run in passes.values():
                    run()
            for _ in range(repeats):  # interleaved, so load from elsewhere hits all alike
                for label, run in passes.items():
                    times[label] += timings(run, 1, warmup=0)
            results[f"{case} {name}"] = {f"{label} {name}": summary(seconds) for label, seconds in times.items()}
    return results
