"""flashlight.nn.functional distances against torch: values and gradients, broadcasting, zero vectors, errors."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import flashlight as fl
import flashlight.nn.functional as FF
from functional_parity import G, check, raises_like

DTYPES = ["float32", "float64"]


def rand(rng, *shape):
    return rng.standard_normal(shape)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cosine_similarity(rng, dtype):
    check("cosine_similarity", [G(rand(rng, 4, 3)), G(rand(rng, 4, 3))], {}, dtype)
    check("cosine_similarity", [G(rand(rng, 4, 3)), G(rand(rng, 4, 3))], {"dim": 0}, dtype)
    check("cosine_similarity", [G(rand(rng, 2, 4, 3)), G(rand(rng, 4, 3))], {"dim": -1, "eps": 1e-3}, dtype)
    check("cosine_similarity", [G(rand(rng, 5)), G(rand(rng, 5))], {"dim": 0}, dtype)
    x = rand(rng, 3, 4)
    x[1] = 0  # a zero vector: the clamped norm divides, gradients stay finite as torch's
    check("cosine_similarity", [G(x), G(rand(rng, 3, 4))], {}, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_pairwise_distance(rng, dtype):
    for p in (2.0, 1.0, 3.0, float("inf")):
        check("pairwise_distance", [G(rand(rng, 4, 3)), G(rand(rng, 4, 3))], {"p": p}, dtype)
    check("pairwise_distance", [G(rand(rng, 4, 3)), G(rand(rng, 3))], {"keepdim": True}, dtype)
    check("pairwise_distance", [G(rand(rng, 2, 4, 3)), G(rand(rng, 2, 4, 3))], {"eps": 1e-3}, dtype)


def test_mixed_integer_input_is_promoted(rng):
    check("cosine_similarity", [np.arange(6).reshape(2, 3), G(rand(rng, 2, 3))], {}, "float32")


@pytest.mark.parametrize("call", [
    lambda L, T: L.cosine_similarity(T(3, 2), T(4, 2)),
    lambda L, T: L.cosine_similarity(T(3, 2).long(), T(3, 2).long()),
    lambda L, T: L.cosine_similarity(T(3, 2), T(3, 2), dim=2),
    lambda L, T: L.pairwise_distance(T(3, 2), T(4, 2)),
])
def test_errors(rng, call):
    def maker(lib):
        def T(*shape):
            a = rng.standard_normal(shape).astype("float32")
            return fl.tensor(a) if lib is FF else torch.from_numpy(a)
        return T

    raises_like(lambda: call(FF, maker(FF)), lambda: call(F, maker(F)))
