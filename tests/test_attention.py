"""Scaled dot-product attention and SelfAttention: formula, gradients, agreement with PyTorch, stability, errors."""

import numpy as np
import pytest

from nnkit.errors import ShapeError
from nnkit.gradcheck import gradcheck, numeric_gradient
from nnkit.nn.attention import SelfAttention, scaled_dot_product_attention, scaled_dot_product_attention_backward

N, L, S, D, DV = 2, 4, 5, 3, 2


def qkv(seed=0, leading=(N,)):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(*leading, L, D)), rng.normal(size=(*leading, S, D)), rng.normal(size=(*leading, S, DV)))


def test_matches_the_formula_written_out_one_query_at_a_time():
    query, key, value = qkv()
    output, weights = scaled_dot_product_attention(query, key, value)
    for n in range(N):
        for i in range(L):
            scores = np.array([query[n, i] @ key[n, j] for j in range(S)]) / np.sqrt(D)
            a = np.exp(scores) / np.exp(scores).sum()
            assert np.allclose(weights[n, i], a)
            assert np.allclose(output[n, i], sum(a[j] * value[n, j] for j in range(S)))


def test_weights_are_probabilities_and_causal_weights_ignore_the_future():
    query, key, value = qkv(leading=(N, 3))
    _, weights = scaled_dot_product_attention(query, key, value)
    assert weights.shape == (N, 3, L, S) and np.all(weights >= 0) and np.allclose(weights.sum(axis=-1), 1)
    x = np.random.default_rng(1).normal(size=(N, L, D))
    output, causal = scaled_dot_product_attention(x, x, x, is_causal=True)
    assert np.all(causal[..., np.triu_indices(L, k=1)[0], np.triu_indices(L, k=1)[1]] == 0)
    assert np.allclose(causal.sum(axis=-1), 1) and np.allclose(causal[:, 0, 0], 1)
    changed = x.copy()
    changed[:, -1] += 10.0  # changing the last position must not change any earlier output
    assert np.allclose(scaled_dot_product_attention(changed, changed, changed, is_causal=True)[0][:, :-1],
                       output[:, :-1])


@pytest.mark.parametrize("is_causal", [False, True], ids=["full", "causal"])
def test_functional_backward_matches_finite_differences(is_causal):
    query, key, value = qkv(seed=2)
    if is_causal:
        key, value = key[:, :L], value[:, :L]
    upstream = np.random.default_rng(3).normal(size=(N, L, DV))

    def loss():
        return float(np.sum(scaled_dot_product_attention(query, key, value, is_causal)[0] * upstream))

    _, weights = scaled_dot_product_attention(query, key, value, is_causal)
    analytic = scaled_dot_product_attention_backward(upstream, query, key, value, weights)
    for array, grad in zip((query, key, value), analytic):
        assert np.allclose(grad, numeric_gradient(loss, array), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("num_heads", [1, 2])
@pytest.mark.parametrize("is_causal", [False, True], ids=["full", "causal"])
def test_self_attention_gradcheck(num_heads, is_causal):
    np.random.seed(0)
    layer = SelfAttention(4, num_heads=num_heads, is_causal=is_causal)
    layer.in_proj_bias.data = np.random.default_rng(5).normal(scale=0.3, size=12)  # make the bias gradient matter
    report = gradcheck(layer, np.random.default_rng(4).normal(size=(N, L, 4)))
    assert report.passed, report
    assert {c.name for c in report.comparisons} == {"input", "in_proj_weight", "in_proj_bias", "out_proj.weight",
                                                    "out_proj.bias"}


def test_float32_stays_float32():
    layer = SelfAttention(4, num_heads=2, dtype=np.float32)
    output = layer(np.ones((2, 3, 4)))
    grad_input = layer.backward(np.ones((2, 3, 4), dtype=np.float32))
    assert output.dtype == layer.attention_weights.dtype == grad_input.dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in layer.parameters())


def test_stable_for_huge_scores():
    query = np.array([[[1e4, 0.0]]])
    key = np.array([[[1e4, 0.0], [-1e4, 0.0], [0.0, 0.0]]])
    value = np.array([[[1.0], [2.0], [3.0]]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        output, weights = scaled_dot_product_attention(query, key, value)
    assert np.allclose(weights, [[[1, 0, 0]]]) and np.allclose(output, [[[1.0]]])


def test_bad_shapes_name_the_problem():
    query, key, value = qkv()
    with pytest.raises(ShapeError, match="same last size d"):
        scaled_dot_product_attention(query, key[..., :2], value)
    with pytest.raises(ShapeError, match="same number S of positions"):
        scaled_dot_product_attention(query, key, value[:, :3])
    expected = r"SelfAttention\(embed_dim=4, num_heads=1\): input must have shape \(N, L, 4\), got \(3, 4\)"
    with pytest.raises(ShapeError, match=expected):
        SelfAttention(4)(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="divisible by num_heads"):
        SelfAttention(4, num_heads=3)


# -- agreement with PyTorch ----------------------------------------------------

torch = pytest.importorskip("torch", reason="PyTorch is not installed: agreement tests skipped (make test installs it)")


def to_torch(array):
    return torch.tensor(array, dtype=torch.float64, requires_grad=True)


@pytest.mark.parametrize("is_causal", [False, True], ids=["full", "causal"])
def test_functional_matches_torch(is_causal):
    query, key, value = qkv(seed=6, leading=(N, 2))
    if is_causal:
        key, value = key[..., :L, :], value[..., :L, :]
    upstream = np.random.default_rng(7).normal(size=(N, 2, L, DV))
    output, weights = scaled_dot_product_attention(query, key, value, is_causal)
    grads = scaled_dot_product_attention_backward(upstream, query, key, value, weights)
    tensors = [to_torch(a) for a in (query, key, value)]
    expected = torch.nn.functional.scaled_dot_product_attention(*tensors, is_causal=is_causal)
    expected.backward(torch.from_numpy(upstream))
    assert np.allclose(output, expected.detach().numpy(), atol=1e-12)
    for ours, tensor in zip(grads, tensors):
        assert np.allclose(ours, tensor.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("num_heads", [1, 2])
@pytest.mark.parametrize("is_causal", [False, True], ids=["full", "causal"])
def test_self_attention_matches_torch_multihead_attention(num_heads, is_causal):
    torch.manual_seed(0)
    theirs = torch.nn.MultiheadAttention(4, num_heads, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        theirs.in_proj_bias.normal_(0, 0.3)
        theirs.out_proj.bias.normal_(0, 0.3)
    ours = SelfAttention(4, num_heads=num_heads, is_causal=is_causal)
    ours.load_state_dict(theirs.state_dict())
    x = np.random.default_rng(8).normal(size=(N, L, 4))
    upstream = np.random.default_rng(9).normal(size=(N, L, 4))
    x_t = to_torch(x)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(L, dtype=torch.float64) if is_causal else None
    expected, expected_weights = theirs(x_t, x_t, x_t, attn_mask=mask, need_weights=True)
    expected.backward(torch.from_numpy(upstream))

    output = ours(x)
    assert np.allclose(output, expected.detach().numpy(), atol=1e-12)
    assert np.allclose(ours.attention_weights.mean(axis=1), expected_weights.detach().numpy(), atol=1e-12)
    assert np.allclose(ours.backward(upstream), x_t.grad.numpy(), atol=1e-12)
    for name, parameter in ours.named_parameters():
        assert np.allclose(parameter.grad, dict(theirs.named_parameters())[name].grad.numpy(), atol=1e-12), name
