"""F.threshold, F.prelu, F.glu and F.softmin against torch.nn.functional: values and gradients, f32 and f64."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import flashlight as fl
import flashlight.nn.functional as F

TOL = {"float32": 1e-5, "float64": 1e-12}


def run(fn_name, shapes, dtype, *args, **kwargs):
    rng = np.random.default_rng(len(fn_name))
    arrays = [rng.uniform(-2, 2, s).astype(dtype) for s in shapes]
    ft = [fl.tensor(a, requires_grad=True) for a in arrays]
    tt = [torch.tensor(a, requires_grad=True) for a in arrays]
    fy = getattr(F, fn_name)(*ft, *args, **kwargs)
    ty = getattr(TF, fn_name)(*tt, *args, **kwargs)
    tol = TOL[dtype]
    np.testing.assert_allclose(fy.detach().numpy(), ty.detach().numpy(), rtol=tol, atol=tol)
    cot = rng.standard_normal(tuple(ty.shape)).astype(dtype)
    (fy * fl.tensor(cot)).sum().backward()
    (ty * torch.tensor(cot)).sum().backward()
    for f, t in zip(ft, tt):
        np.testing.assert_allclose(f.grad.numpy(), t.grad.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_values_and_grads_match_torch(dtype):
    run("threshold", [(3, 4)], dtype, 0.3, -1.5)
    run("prelu", [(2, 3, 4), (3,)], dtype)
    run("prelu", [(5,), (1,)], dtype)
    run("glu", [(3, 4)], dtype)
    run("glu", [(4, 2, 3)], dtype, 0)
    run("softmin", [(3, 4)], dtype, dim=1)
    run("softmin", [(3, 4)], dtype, dim=0)


def test_errors_match_torch():
    with pytest.raises(RuntimeError):
        F.glu(fl.ones(3))
    with pytest.raises(RuntimeError):
        TF.glu(torch.ones(3))
    with pytest.raises(RuntimeError):
        F.prelu(fl.ones(2, 3), fl.ones(2))
    with pytest.raises(RuntimeError):
        TF.prelu(torch.ones(2, 3), torch.ones(2))
