"""README.md's Python examples run as written and do what their comments say.

The ```python blocks are extracted and executed in order in one namespace (the second block uses the first's
`import flashlight as fl`, as a reader's session would), in a scratch directory for the files they write.
"""
import pathlib
import re

import numpy as np
import pytest

import flashlight as fl

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def python_blocks():
    return re.findall(r"^```python\n(.*?)^```", README.read_text(), re.S | re.M)


@pytest.fixture(scope="module")
def readme_run(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("readme")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(cwd)
        namespace, after = {"__name__": "readme"}, []
        for i, block in enumerate(python_blocks()):
            exec(compile(block, f"README.md python block {i + 1}", "exec"), namespace)
            after.append(dict(namespace))  # the names as each block left them (later blocks reuse x, model)
    return cwd, after


def test_there_are_python_blocks():
    blocks = python_blocks()
    assert len(blocks) >= 2
    assert any("flashlight.ncps" in b for b in blocks)


def test_training_block(readme_run):
    cwd, ns = readme_run[0], readme_run[1][0]
    assert ns["loss"].dim() == 0 and np.isfinite(ns["loss"].item())
    # fl.save wrote a safetensors checkpoint that loads back into the same architecture.
    saved = fl.load(str(cwd / "model.safetensors"))
    assert set(saved) == set(ns["model"].state_dict())
    fresh = fl.nn.Sequential(fl.nn.Linear(784, 256), fl.nn.ReLU(), fl.nn.Linear(256, 10))
    fresh.load_state_dict(saved)
    assert fl.equal(fresh(ns["x"]), ns["model"](ns["x"]))


def test_liquid_block(readme_run):
    cwd, ns = readme_run[0], readme_run[1][1]
    assert tuple(ns["y"].shape) == (16, 100, 4)  # "y: (16, 100, 4)"
    assert ns["wiring"].units == 32 and ns["wiring"].output_dim == 4
    assert tuple(ns["out"].shape) == (16, 4) and not ns["out"].requires_grad  # "no autograd graph"
    assert (cwd / "wiring.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_mlx_style_claims(readme_run):
    """The paragraph after the liquid block: the MLX port's constructor, return_state, initial_state, and
    functional training with fl.value_and_grad and optimizer.update."""
    ns = readme_run[1][1]
    from flashlight.ncps import CfC, CfCCell
    from flashlight.ncps.wirings import AutoNCP

    x = ns["x"]
    bi = CfC(cell=CfCCell(wiring=ns["wiring"], activation="tanh", backbone_units=[64, 64], backbone_layers=2),
             bidirectional=True, merge_mode="concat")
    assert tuple(bi(x).shape) == (16, 100, 8)  # both directions' 4 motor outputs, concatenated
    model = CfC(8, AutoNCP(32, 4), return_state=True)
    y, state = model(x)
    y2, _ = model(x, initial_state=state)
    assert tuple(y2.shape) == (16, 100, 4) and not fl.equal(y, y2)
    target = fl.randn(16, 100, 4)

    def loss_fn(m, x, t):
        return ((m(x)[0] - t) ** 2).mean()

    optimizer = fl.optim.Adam(model.parameters(), lr=1e-2)
    loss, grads = fl.value_and_grad(model, loss_fn)(model, x, target)
    before = [p.detach().clone() for p in model.parameters()]
    optimizer.update(model, grads)
    assert any(not fl.equal(a, b) for a, b in zip(before, model.parameters()))
    assert loss_fn(model, x, target).item() < loss.item()
