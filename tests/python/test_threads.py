"""Tensors cross Python threads as torch's do: a lazily recorded value is read on whichever thread asks."""
import threading

import numpy as np

import flashlight as fl


def run_in_thread(fn):
    out = {}

    def target():
        try:
            out["value"] = fn()
        except BaseException as e:  # reported to the test below
            out["error"] = e

    t = threading.Thread(target=target)
    t.start()
    t.join()
    assert "error" not in out, repr(out.get("error"))
    return out["value"]


def lazy_sum(seed):
    g = fl.Generator().manual_seed(seed)
    return (fl.randn(1000, generator=g, dtype=fl.float64) * 2 + 1).sum()


def test_value_recorded_here_is_read_in_a_thread():
    y = lazy_sum(3)
    assert run_in_thread(lambda: y.item()) == lazy_sum(3).item()


def test_value_recorded_in_a_thread_is_read_here():
    y = run_in_thread(lambda: lazy_sum(4))
    assert y.item() == lazy_sum(4).item()


def test_creation_first_in_a_thread():
    for make in (lambda: fl.arange(5.0), lambda: fl.linspace(0, 1, 5), lambda: fl.eye(3), lambda: fl.zeros(4)):
        y = run_in_thread(lambda: (make() * 3 + 1).sum())
        assert y.item() == (make() * 3 + 1).sum().item()


def test_training_step_in_a_thread():
    fl.manual_seed(0)
    model = fl.nn.Linear(4, 2)
    x = fl.randn(8, 4)
    loss = model(x).pow(2).mean()

    def step():
        loss.backward()
        return model.weight.grad.numpy().copy()

    grad = run_in_thread(step)
    w, b, xv = model.weight.detach().numpy(), model.bias.detach().numpy(), x.numpy()
    expected = 2 * ((xv @ w.T + b).T @ xv) / (8 * 2)
    np.testing.assert_allclose(grad, expected, rtol=1e-5, atol=1e-6)


def test_two_threads_at_once():
    results = [None, None]

    def work(k):
        acc = 0.0
        for _ in range(100):
            acc += (fl.full((64,), float(k + 1)) * 0.5).sum().item()
        results[k] = acc

    ts = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert results == [100 * 32.0, 100 * 64.0]
