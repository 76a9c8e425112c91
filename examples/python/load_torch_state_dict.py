"""Moving trained weights from PyTorch (and from ncps.torch) to Flashlight: state dict -> numpy -> load_state_dict.

Needs torch and ncps (both installed in Flashlight's development venv; Flashlight itself never imports torch).

1. A small CNN with BatchNorm is trained for a few steps in torch (so its weights and running statistics are not
   the initial ones), its `state_dict()` converted to numpy arrays, wrapped with `fl.from_numpy` and loaded into
   the same model written with flashlight.nn. Both models, in eval mode, give the same outputs.
2. Neural Circuit Policies: an `ncps.torch.CfC` wired by an AutoNCP policy, and a dense one with a backbone and
   mixed memory, are loaded into `flashlight.ncps.CfC` built with the same arguments (the wirings are
   bit-identical for the same seed). Outputs and final states match for irregular timespans.
"""
import numpy as np
import torch
from ncps import wirings as torch_wirings
from ncps.torch import CfC as TorchCfC

import flashlight as fl
from flashlight.ncps import CfC
from flashlight.ncps.wirings import AutoNCP


def to_flashlight(state_dict):
    """A torch state dict as Flashlight tensors, through numpy."""
    return {name: fl.from_numpy(value.detach().cpu().numpy()) for name, value in state_dict.items()}


def max_difference(fl_tensor, torch_tensor):
    return float(np.abs(fl_tensor.detach().numpy() - torch_tensor.detach().numpy()).max())


def cnn(nn):
    """The same architecture for torch.nn and flashlight.nn."""
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                         nn.Flatten(), nn.Linear(16, 10))


# 1. A torch CNN, trained a little, loaded into the flashlight one.
torch.manual_seed(0)
torch_model = cnn(torch.nn)
optimizer = torch.optim.SGD(torch_model.parameters(), lr=0.1)
for _ in range(5):
    images, labels = torch.randn(16, 1, 16, 16), torch.randint(0, 10, (16,))
    loss = torch.nn.functional.cross_entropy(torch_model(images), labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
torch_model.eval()

model = cnn(fl.nn)
model.load_state_dict(to_flashlight(torch_model.state_dict()))
model.eval()
print(f"loaded {len(torch_model.state_dict())} entries, e.g. {list(torch_model.state_dict())[:4]}")

images = np.random.default_rng(0).standard_normal((4, 1, 16, 16)).astype(np.float32)
with torch.no_grad(), fl.no_grad():
    expected = torch_model(torch.from_numpy(images))
    output = model(fl.from_numpy(images))
print(f"CNN logits, flashlight vs torch: max difference {max_difference(output, expected):.1e}")

# 2. ncps.torch CfC models loaded into flashlight.ncps.CfC.
rng = np.random.default_rng(1)
x = rng.standard_normal((3, 20, 4)).astype(np.float32)
# Irregular sampling: one elapsed time per step, shared by the batch. (ncps.torch squeezes each step's timespans to
# (batch,), which broadcasts against its (batch, units) state only when they are shared, so it gets (1, time, 1);
# Flashlight takes per-step timespans as (time,), and per-sample ones as (batch, time) or (batch, time, 1).)
timespans = rng.uniform(0.2, 1.5, 20).astype(np.float32)
builds = {
    "AutoNCP(16, 2) wiring": (lambda: TorchCfC(4, torch_wirings.AutoNCP(16, 2, seed=3)),
                              lambda: CfC(4, AutoNCP(16, 2, seed=3))),
    "32 units, backbone, mixed memory": (
        lambda: TorchCfC(4, 32, proj_size=2, mixed_memory=True, backbone_units=64, backbone_layers=2),
        lambda: CfC(4, 32, proj_size=2, mixed_memory=True, backbone_units=64, backbone_layers=2)),
}
for name, (build_torch, build_flashlight) in builds.items():
    torch.manual_seed(0)
    reference = build_torch()
    liquid = build_flashlight()
    liquid.load_state_dict(to_flashlight(reference.state_dict()))
    with torch.no_grad(), fl.no_grad():
        ref_out, ref_state = reference(torch.from_numpy(x), timespans=torch.from_numpy(timespans).reshape(1, -1, 1))
        out, state = liquid(fl.from_numpy(x), timespans=fl.from_numpy(timespans))
    if isinstance(state, tuple):  # mixed memory: (h, c)
        state_diff = max(max_difference(a, b) for a, b in zip(state, ref_state))
    else:
        state_diff = max_difference(state, ref_state)
    print(f"ncps CfC ({name}): output {tuple(out.shape)}, flashlight vs ncps.torch: output max difference "
          f"{max_difference(out, ref_out):.1e}, final state {state_diff:.1e}")
