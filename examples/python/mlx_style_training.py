"""Training in the style of MLX (and of the MLX port of ncps): a loss function of the model, `fl.value_and_grad`
returning the loss and a tree of gradients, and `optimizer.update(model, grads)`.

No `.backward()`, `.grad` or `zero_grad()`: `fl.value_and_grad(model, loss_fn)` gives a function that returns
`loss_fn`'s value and the gradients of the model's trainable parameters, as a nested dict shaped like
`model.trainable_parameters()`; `optim.Adam(learning_rate=1e-3)` is built without parameters and binds them at its
first `update`. The model is a CfC on an AutoNCP wiring whose cell learns its input size at the first call, which
suits this style: nothing needs the parameters before the first step. It learns ncps's sine-wave task (inputs
sin t and cos t over [0, 3pi], target sin 2t over 48 steps) and prints the loss before and after.
"""
import math

import flashlight as fl
import flashlight.nn as nn
import flashlight.optim as optim
from flashlight.ncps import CfC, CfCCell
from flashlight.ncps.wirings import AutoNCP

fl.manual_seed(0)
STEPS = 200

t = fl.linspace(0, 3 * math.pi, 48)
x = fl.stack([fl.sin(t), fl.cos(t)], dim=-1).unsqueeze(0)  # (1, 48, 2)
y = fl.sin(2 * t).reshape(1, 48, 1)

model = CfC(cell=CfCCell(wiring=AutoNCP(16, 1, seed=0), activation="tanh", backbone_units=[64]), return_sequences=True)


def loss_fn(model, x, y):
    return nn.functional.mse_loss(model(x), y)


loss_and_grad_fn = fl.value_and_grad(model, loss_fn)
optimizer = optim.Adam(learning_rate=1e-3)

for step in range(STEPS):
    loss, grads = loss_and_grad_fn(model, x, y)
    optimizer.update(model, grads)
    if step == 0:
        first = loss.item()
        print(f"gradient tree: {sorted(grads)} -> {sorted(grads['rnn_cell'])}")
    if step % 50 == 0:
        print(f"step {step:3d}: loss {loss.item():.5f}")

final = loss_fn(model, x, y).item()
print(f"parameters updated: {sum(p.numel() for g in optimizer.param_groups for p in g['params'])} of "
      f"{sum(p.numel() for p in model.parameters())}")
print(f"loss: {first:.5f} at the start, {final:.5f} after {STEPS} steps")
