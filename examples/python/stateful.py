"""Carrying an RNN's state across chunks of a long sequence (streaming inference, truncated backpropagation).

A CfC built with `return_state=True` returns `(output, state)`; passing that state back as `initial_state=` for
the next chunk continues the sequence where the previous chunk stopped. The example
1. checks that running a 600-step sequence in six chunks of 100, carrying the state, gives the same outputs as one
   call over the whole sequence (and that restarting from zeros at each chunk does not);
2. trains the model with truncated backpropagation through time: one-step-ahead prediction of a long, slowly
   drifting oscillation, fed in chunks of 40 steps; the state is carried across chunks but detached, so gradients
   stop at chunk boundaries.
"""
import math

import flashlight as fl
from flashlight import nn
from flashlight.ncps import CfC, CfCCell
from flashlight.ncps.wirings import AutoNCP

fl.manual_seed(0)
CHUNK, EPOCHS = 40, 4

wiring = AutoNCP(16, 1, seed=0)
model = CfC(input_size=1, cell=CfCCell(wiring=wiring, activation="tanh", backbone_units=[32]), return_state=True)

# 1. Chunked inference equals whole-sequence inference when the state is carried.
signal = fl.randn(2, 600, 1)
with fl.no_grad():
    whole, _ = model(signal)
    carried, reset, state = [], [], None
    for chunk in signal.split(100, dim=1):
        out, state = model(chunk, initial_state=state)
        carried.append(out)
        reset.append(model(chunk)[0])
carried_diff = (fl.cat(carried, dim=1) - whole).abs().max().item()
reset_diff = (fl.cat(reset, dim=1) - whole).abs().max().item()
print(f"state shape: {tuple(state.shape)} (batch, neurons)")
print(f"chunked with carried state vs whole sequence: max difference {carried_diff:.2e}")
print(f"chunked with the state reset to zeros:        max difference {reset_diff:.2e}")

# 2. Truncated BPTT on a long series: predict the next sample of an oscillation whose frequency drifts.
t = fl.arange(0, 2000, dtype=fl.float32).reshape(1, -1, 1) * 0.1
phase = fl.rand(8, 1, 1) * 2 * math.pi
series = fl.sin(t * (1.0 + 0.3 * fl.sin(t * 0.05)) + phase)  # (8 streams, 2000 steps, 1)
inputs, targets = series[:, :-1], series[:, 1:]
optimizer = fl.optim.Adam(model.parameters(), lr=1e-2)
for epoch in range(EPOCHS):
    state, losses = None, []
    for x, y in zip(inputs.split(CHUNK, dim=1), targets.split(CHUNK, dim=1)):
        prediction, state = model(x, initial_state=state)
        state = state.detach()  # carry the values, not the graph: backpropagation stops at the chunk boundary
        loss = nn.functional.mse_loss(prediction, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    print(f"epoch {epoch + 1}: mean one-step-ahead MSE {sum(losses) / len(losses):.5f} over {len(losses)} chunks")
persistence = nn.functional.mse_loss(inputs, targets).item()  # predicting that the next sample repeats this one
print(f"final one-step-ahead MSE: {sum(losses) / len(losses):.5f} (repeating the last sample: {persistence:.5f}, "
      f"the series' variance: {series.var().item():.3f})")
