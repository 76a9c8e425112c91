"""flashlight.nn.utils against torch.nn.utils: clip_grad_norm_ (total norm and clipped gradients for the same
gradients, every norm order, mixed shapes and dtypes, missing grads, one tensor, generators), clip_grad_value_,
get_total_norm / clip_grads_with_norm_, parameters_to_vector / vector_to_parameters (values and storage sharing),
errors and warnings."""
import math
import warnings

import numpy as np
import pytest
import torch

import flashlight as fl


def params_with_grads(rng, shapes, dtype="float32", missing=()):
    """The same parameters and gradients in both libraries (None where a gradient is missing)."""
    fps, tps = [], []
    for i, shape in enumerate(shapes):
        value = rng.standard_normal(shape).astype(dtype)
        fp = fl.tensor(value).requires_grad_()
        tp = torch.tensor(value).requires_grad_()
        if i not in missing:
            grad = (rng.standard_normal(shape) * 3).astype(dtype)
            fp.grad = fl.tensor(grad)
            tp.grad = torch.tensor(grad)
        fps.append(fp)
        tps.append(tp)
    return fps, tps


def same_grads(fps, tps, rtol=1e-6):
    for f, t in zip(fps, tps):
        if t.grad is None:
            assert f.grad is None
        else:
            np.testing.assert_allclose(f.grad.numpy(), t.grad.numpy(), rtol=rtol, atol=1e-7)


SHAPES = [(3, 4), (5,), (2, 2, 2), ()]


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, 0.5, math.inf, "inf", -math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_torch(rng, norm_type, max_norm):
    fps, tps = params_with_grads(rng, SHAPES, missing=(1,))
    ft = fl.nn.utils.clip_grad_norm_(fps, max_norm, norm_type=norm_type)
    tt = torch.nn.utils.clip_grad_norm_(tps, max_norm, norm_type=norm_type)
    assert ft.shape == () and repr(ft.dtype).endswith("float32")
    np.testing.assert_allclose(ft.item(), tt.item(), rtol=1e-6)
    same_grads(fps, tps)


def test_clip_grad_norm_float64_single_tensor_and_generator(rng):
    fps, tps = params_with_grads(rng, [(4, 3)], "float64")
    ft = fl.nn.utils.clip_grad_norm_(fps[0], 0.1)
    tt = torch.nn.utils.clip_grad_norm_(tps[0], 0.1)
    assert repr(ft.dtype).endswith("float64")
    np.testing.assert_allclose(ft.item(), tt.item(), rtol=1e-12)
    same_grads(fps, tps, rtol=1e-12)
    fps, tps = params_with_grads(rng, SHAPES)
    ft = fl.nn.utils.clip_grad_norm_((p for p in fps), 2.0, foreach=True)
    tt = torch.nn.utils.clip_grad_norm_((p for p in tps), 2.0, foreach=True)
    np.testing.assert_allclose(ft.item(), tt.item(), rtol=1e-6)
    same_grads(fps, tps)


def test_get_total_norm_and_clip_grads_with_norm(rng):
    fps, tps = params_with_grads(rng, SHAPES)
    fn = fl.nn.utils.get_total_norm([p.grad for p in fps], 3.0)
    tn = torch.nn.utils.get_total_norm([p.grad for p in tps], 3.0)
    np.testing.assert_allclose(fn.item(), tn.item(), rtol=1e-6)
    fl.nn.utils.clip_grads_with_norm_(fps, 1.0, fn)
    torch.nn.utils.clip_grads_with_norm_(tps, 1.0, tn)
    same_grads(fps, tps)


def test_empty_and_nonfinite(rng):
    for lib in (fl, torch):
        assert lib.nn.utils.clip_grad_norm_([], 1.0).item() == 0.0
    with warnings.catch_warnings(record=True) as fw:
        warnings.simplefilter("always")
        fl.nn.utils.clip_grad_norm_((p for p in []), 1.0)
    with warnings.catch_warnings(record=True) as tw:
        warnings.simplefilter("always")
        torch.nn.utils.clip_grad_norm_((p for p in []), 1.0)
    assert [str(w.message) for w in fw] == [str(w.message) for w in tw]
    fps, tps = params_with_grads(rng, [(3,)])
    fps[0].grad = fl.tensor([math.inf, 1.0, 2.0])
    tps[0].grad = torch.tensor([math.inf, 1.0, 2.0])
    with pytest.raises(RuntimeError) as te:
        torch.nn.utils.clip_grad_norm_(tps, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError) as fe:
        fl.nn.utils.clip_grad_norm_(fps, 1.0, error_if_nonfinite=True)
    assert str(fe.value) == str(te.value)
    ft = fl.nn.utils.clip_grad_norm_(fps, 1.0)
    tt = torch.nn.utils.clip_grad_norm_(tps, 1.0)
    assert math.isinf(ft.item()) and math.isinf(tt.item())
    np.testing.assert_array_equal(fps[0].grad.numpy(), tps[0].grad.numpy())


def test_deprecated_clip_grad_norm_warns(rng):
    fps, _ = params_with_grads(rng, [(2,)])
    with pytest.warns(FutureWarning, match="clip_grad_norm_"):
        fl.nn.utils.clip_grad_norm(fps, 1.0)


@pytest.mark.parametrize("clip_value", [0.5, 2, 100.0])
def test_clip_grad_value_matches_torch(rng, clip_value):
    fps, tps = params_with_grads(rng, SHAPES, missing=(2,))
    assert fl.nn.utils.clip_grad_value_(fps, clip_value) is None
    torch.nn.utils.clip_grad_value_(tps, clip_value)
    same_grads(fps, tps)


def test_parameters_to_vector_round_trip(rng):
    fps, tps = params_with_grads(rng, SHAPES)
    fv = fl.nn.utils.parameters_to_vector(fps)
    tv = torch.nn.utils.parameters_to_vector(tps)
    np.testing.assert_array_equal(fv.detach().numpy(), tv.detach().numpy())
    assert fv.requires_grad == tv.requires_grad
    new = rng.standard_normal(tv.numel()).astype("float32")
    fvec, tvec = fl.tensor(new), torch.tensor(new)
    fl.nn.utils.vector_to_parameters(fvec, fps)
    torch.nn.utils.vector_to_parameters(tvec, tps)
    for f, t in zip(fps, tps):
        np.testing.assert_array_equal(f.detach().numpy(), t.detach().numpy())
        assert f.requires_grad and f.is_leaf
    # Parameters share the vector's storage afterwards, as torch's do.
    fvec.mul_(2)
    tvec.mul_(2)
    for f, t in zip(fps, tps):
        np.testing.assert_array_equal(f.detach().numpy(), t.detach().numpy())


def test_vector_errors_match_torch():
    for call in (lambda lib: lib.nn.utils.vector_to_parameters([1.0], []),
                 lambda lib: lib.nn.utils.vector_to_parameters(np.zeros(2), []),
                 lambda lib: lib.nn.utils.parameters_to_vector([])):
        with pytest.raises(Exception) as te:
            call(torch)
        with pytest.raises(type(te.value)) as fe:
            call(fl)
        assert str(fe.value) == str(te.value)
