"""An LTC (liquid time-constant network) with a backbone, returning a prediction at every step of irregularly
sampled sequences.

The LTC cell is wired by an AutoNCP policy and reads its input through a one-layer tanh backbone (the MLX port's
`LTCCell(wiring=..., activation=..., backbone_units=...)`). With `return_sequences=True` the layer returns one
output per time step. The task needs continuous time: the target is a leaky integrator of the input pulses,
y(t_k) = exp(-(t_k - t_{k-1}) / tau) * y(t_{k-1}) + x_k, with random gaps between samples that the model receives
as `time_delta`. Trains for 150 Adam steps, calling `apply_weight_constraints()` after each (the cell's default
`implicit_param_constraints=False` leaves that to the caller, as in ncps), and prints the held-out error against
that of predicting the mean.
"""
import flashlight as fl
from flashlight import nn
from flashlight.ncps import LTC, LTCCell
from flashlight.ncps.wirings import AutoNCP

fl.manual_seed(0)
BATCH, LENGTH, STEPS, TAU = 16, 32, 150, 2.0


def make_batch(batch):
    """Sparse pulses at random gaps (0.1 .. 1.0) and the leaky integral of the pulses."""
    x = (fl.rand(batch, LENGTH, 1) < 0.3).float() * fl.rand(batch, LENGTH, 1)
    dt = 0.1 + 0.9 * fl.rand(batch, LENGTH)
    decay = fl.exp(-dt / TAU)
    y, level = [], fl.zeros(batch, 1)
    for k in range(LENGTH):
        level = decay[:, k:k + 1] * level + x[:, k]
        y.append(level)
    return x, dt, fl.stack(y, dim=1)


wiring = AutoNCP(12, 1, seed=0)  # 12 neurons, one motor neuron: the prediction
# input_size=1 builds the cell now (it would otherwise learn its input size at its first call), so the optimizer
# below sees all of its parameters.
model = LTC(input_size=1, cell=LTCCell(wiring=wiring, activation="tanh", backbone_units=[64]), return_sequences=True)
optimizer = fl.optim.Adam(model.parameters(), lr=1e-2)
x_test, dt_test, y_test = make_batch(64)


def held_out_mse():
    with fl.no_grad():
        return nn.functional.mse_loss(model(x_test, time_delta=dt_test), y_test).item()


initial = held_out_mse()
for step in range(STEPS):
    x, dt, y = make_batch(BATCH)
    prediction = model(x, time_delta=dt)  # (batch, time, 1): built from a cell, the layer returns the output only
    loss = nn.functional.mse_loss(prediction, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    model.apply_weight_constraints()  # keeps the ODE's conductances and capacitances positive (ncps's LTC practice)
    if step % 30 == 0:
        print(f"step {step:3d}: training loss {loss.item():.4f}")

final = held_out_mse()
baseline = ((y_test - y_test.mean()) ** 2).mean().item()
print(f"output shape: {tuple(model(x_test, time_delta=dt_test).shape)} (batch, time, motor neurons)")
print(f"held-out MSE: {initial:.4f} before training, {final:.4f} after (predicting the mean: {baseline:.4f})")
print(f"held-out MSE relative to the mean predictor: {final / baseline:.3f}")
