"""The benchmark's training steps (bench/python/workloads.py) against torch: an MLP and LeNet-5 trained for a few
Adam steps from the same weights on 1 and 2 threads (the conv, pooling, ReLU-backward and optimizer kernels split
their work between threads on these sizes), and gradients read between backward and step (they stay lazy)."""
import numpy as np
import pytest
import torch

import flashlight as fl


def _models(lib):
    nn = lib.nn
    mlp = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    lenet = nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(256, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                          nn.Linear(84, 10))
    return {"mlp": (mlp, (32, 784)), "lenet": (lenet, (64, 1, 28, 28))}


@pytest.fixture
def threads():
    saved = fl.get_num_threads()
    yield
    fl.set_num_threads(saved)


@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("name", ["mlp", "lenet"])
def test_adam_steps_match_torch(name, n_threads, threads):
    fl.set_num_threads(n_threads)
    torch.manual_seed(0)
    tm, shape = _models(torch)[name]
    fm, _ = _models(fl)[name]
    fm.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape, dtype=np.float32)
    y = rng.integers(0, 10, shape[0]).astype(np.int64)
    opts = [lib.optim.Adam(m.parameters(), lr=1e-3) for lib, m in ((fl, fm), (torch, tm))]
    for step in range(3):
        losses = []
        for lib, m, opt in ((fl, fm, opts[0]), (torch, tm, opts[1])):
            opt.zero_grad()
            loss = lib.nn.functional.cross_entropy(m(lib.from_numpy(x)), lib.from_numpy(y))
            loss.backward()
            losses.append(loss.item())
            if step == 0:  # the gradients themselves, read before the step evaluates them
                grads = [p.grad.numpy() for p in m.parameters()]
                if lib is fl:
                    fgrads = grads
                else:
                    for a, b in zip(fgrads, grads):
                        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
            opt.step()
        assert losses[0] == pytest.approx(losses[1], rel=1e-5)
    # Each step moves a weight by up to lr = 1e-3; an element whose gradient is near zero (Adam's update is then
    # sensitive to its rounding) may differ by a small part of that.
    for (k, a), b in zip(fm.state_dict().items(), tm.state_dict().values()):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-4, atol=1e-4, err_msg=k)
