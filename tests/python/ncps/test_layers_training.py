"""A CfC and an LTC with AutoNCP wirings learn ncps's sine-wave task (its pt_example: x = [sin t, cos t] over
[0, 3π], target sin over [0, 6π], 48 steps) with fl.optim.Adam(lr=0.01): the MSE falls from about 0.5 to below
5e-3 within 300 steps (0.2 s each model; over seeds 0-5 the losses at step 300 were 1e-4 to 1.3e-3)."""
import numpy as np
import pytest

import flashlight as fl
from flashlight.ncps import CfC, LTC
from flashlight.ncps.wirings import AutoNCP

STEPS, THRESHOLD = 300, 5e-3


def sine_task():
    t = np.linspace(0, 3 * np.pi, 48)
    x = fl.tensor(np.stack([np.sin(t), np.cos(t)], -1)[None], dtype=fl.float32)
    y = fl.tensor(np.sin(np.linspace(0, 6 * np.pi, 48))[None, :, None], dtype=fl.float32)
    return x, y


@pytest.mark.parametrize("layer", [CfC, LTC])
def test_autoncp_learns_the_sine_wave(layer):
    fl.manual_seed(0)
    model = layer(2, AutoNCP(16, 1, seed=1))
    optimizer = fl.optim.Adam(model.parameters(), lr=0.01)
    x, y = sine_task()
    losses = []
    for _ in range(STEPS):
        optimizer.zero_grad()
        out, _ = model(x)
        loss = ((out - y) ** 2).mean()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[0] > 0.2 and losses[-1] < THRESHOLD, (losses[0], losses[-1])
    # The trained model runs step by step (the C++ steppers) as it runs over the sequence.
    with fl.no_grad():
        out, _ = model(x)
    state = None
    for t in range(x.shape[1]):
        y_t, state = model.step(x[:, t], state)
        np.testing.assert_allclose(y_t.numpy(), out[:, t].numpy(), rtol=1e-4, atol=1e-5)
