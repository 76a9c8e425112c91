"""MLX-style functional autodiff: fl.value_and_grad / fl.grad of functions and of models (gradient trees)."""
import numpy as np
import pytest
import torch

import flashlight as fl
import flashlight.nn as nn
from flashlight.utils.tree import tree_flatten, tree_map, tree_unflatten


def test_value_and_grad_of_a_function():
    f = lambda x, y: (x * x * y).sum()  # noqa: E731
    x, y = fl.tensor([1.0, 2.0]), fl.tensor([3.0, -1.0])
    value, g = fl.value_and_grad(f)(x, y)
    assert value.item() == 3.0 - 4.0 and g.tolist() == [6.0, -4.0]
    (_, (gx, gy)) = fl.value_and_grad(f, argnums=(0, 1))(x, y)
    assert gx.tolist() == [6.0, -4.0] and gy.tolist() == [1.0, 4.0]
    assert fl.grad(f, argnums=1)(x, y).tolist() == [1.0, 4.0]
    assert not x.requires_grad  # the caller's tensors are untouched
    aux = fl.value_and_grad(lambda x: ((x ** 3).sum(), "aux"))(x)
    assert aux[0][1] == "aux" and aux[1].tolist() == [3.0, 12.0]
    with pytest.raises(ValueError, match="scalar"):
        fl.value_and_grad(lambda x: x * 2)(x)


def test_value_and_grad_of_a_model_matches_torch_backward():
    fm = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    tm = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)).double()
    fm.double().load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    fm[2].bias.requires_grad_(False)
    x = np.random.default_rng(0).standard_normal((5, 3))

    def loss_fn(model, x):
        return (model(x) ** 2).mean()

    loss, grads = fl.value_and_grad(fm, loss_fn)(fm, fl.tensor(x))
    tl = (tm(torch.tensor(x)) ** 2).mean()
    tl.backward()
    assert abs(loss.item() - tl.item()) < 1e-12
    assert set(grads) == {"0", "2"} and set(grads["2"]) == {"weight"}  # frozen bias has no entry
    for name, g in tree_flatten(grads):
        np.testing.assert_allclose(g.numpy(), tm.get_parameter(name).grad.numpy(), rtol=1e-12, atol=1e-14)
    assert all(p.grad is None for p in fm.parameters())  # pure: .grad untouched
    # trainable_parameters has the same structure; update() writes a tree back into the same Parameters.
    assert [k for k, _ in tree_flatten(fm.trainable_parameters())] == [k for k, _ in tree_flatten(grads)]
    w = fm[0].weight
    fm.update(tree_map(lambda p, g: p - 0.1 * g, fm.trainable_parameters(), grads))
    assert fm[0].weight is w
    np.testing.assert_allclose(w.detach().numpy(), tm[0].weight.detach().numpy() - 0.1 * tm[0].weight.grad.numpy(),
                               rtol=1e-12)


def test_tree_flatten_unflatten_round_trip():
    tree = {"a": {"b": 1, "c": [2, 3]}, "d": 4}
    flat = tree_flatten(tree)
    assert flat == [("a.b", 1), ("a.c.0", 2), ("a.c.1", 3), ("d", 4)]
    assert tree_unflatten(flat) == {"a": {"b": 1, "c": {"0": 2, "1": 3}}, "d": 4}


def test_value_and_grad_of_a_lazy_model_covers_parameters_created_in_the_first_call():
    from flashlight.ncps import CfC, CfCCell
    from flashlight.ncps.wirings import AutoNCP

    def lazy_model():
        return CfC(cell=CfCCell(wiring=AutoNCP(8, 1, seed=0), backbone_units=[4]))

    def loss_fn(model, x):
        return (model(x) ** 2).mean()

    x = fl.randn(2, 5, 3)
    functional, reference = lazy_model(), lazy_model()
    # The cell learns its input size at its first call: until then its parameters are placeholders.
    assert all(isinstance(p, fl.nn.UninitializedParameter) for p in functional.parameters())
    fl.manual_seed(0)  # the same initial weights for both models, drawn at their first call
    _, grads = fl.value_and_grad(functional, loss_fn)(functional, x)
    fl.manual_seed(0)
    loss_fn(reference, x).backward()
    expected = {name: p.grad for name, p in reference.named_parameters()}
    assert len(expected) > 0 and [k for k, _ in tree_flatten(grads)] == list(expected)
    for name, g in tree_flatten(grads):
        np.testing.assert_array_equal(g.numpy(), expected[name].numpy())
