"""The seven ported teaching programs (bench/ports) agree with PyTorch from the same weights, and the harness
counts changed lines the way its docstring says."""

import pytest

from bench.ports import run

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def rows():
    return {name: run.compare(name, quick=True) for name in run.PROGRAMS}


@pytest.mark.parametrize("name", list(run.PROGRAMS))
def test_port_agrees_with_torch(rows, name):
    row = rows[name]
    assert row["error"] is None, row["error"]
    assert row["differences"], "nothing was compared"
    for key, (gap, relative) in row["differences"].items():
        if key.endswith("accuracy"):  # torch's `.float()` makes this one float32; nnkit keeps float64
            assert gap < 1e-7, (name, key, gap)
        else:
            assert relative < 1e-12, (name, key, gap, relative)


def test_final_parameters_are_compared(rows):
    assert "param0" in rows["polynomial_nn"]["differences"]
    assert len([k for k in rows["nn_tutorial"]["differences"] if k.startswith("param")]) == 2 + 2 + 2 + 2 + 2


def test_line_count_reads_torch_as_nnkit_and_skips_comments(tmp_path):
    original = tmp_path / "a.py"
    port = tmp_path / "b.py"
    original.write_text('"""doc\nstring"""\nimport torch\n# a comment\n\nx = torch.zeros(3)\ny = torch.optim.SGD\n'
                        'z = 1\n')
    port.write_text('"""other doc"""\nimport numpy as np\nimport nnkit\n\nx = np.zeros(3)\ny = nnkit.optim.SGD\n')
    # import numpy added (1), zeros line replaced (1), z deleted (1); the rename and the comment are not changes
    assert run.lines_changed(original, port) == (3, 4)


def test_copy_weights_checks_shapes():
    nnkit = pytest.importorskip("nnkit")
    source = torch.nn.Linear(3, 2)
    run.copy_weights(source, nnkit.nn.Linear(3, 2))
    with pytest.raises(AssertionError, match="shapes differ"):
        run.copy_weights(source, nnkit.nn.Linear(2, 3))
    with pytest.raises(AssertionError, match="torch has 2 parameters, nnkit 1"):
        run.copy_weights(source, nnkit.nn.Linear(3, 2, bias=False))


def test_copied_weights_are_torchs(rows):
    source = torch.nn.Linear(3, 2)
    import nnkit

    target = nnkit.nn.Linear(3, 2)
    run.copy_weights(source, target)
    assert (target.weight.data == source.weight.detach().numpy()).all()
