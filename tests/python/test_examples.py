"""The user-facing examples (examples/python/*.py) run, each in its own interpreter, and achieve what they print.

Each example runs as a script with this interpreter and environment; the test checks its exit status and parses
the numbers its key lines report (an accuracy above its stated threshold, outputs equal to a reference, a loss
below a baseline). The migration example also runs under torch with only its imports changed, which shows that the
rest of it is PyTorch code."""
import os
import pathlib
import re
import subprocess
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples" / "python"

# Runs a script with the flashlight this test imported: tools/dev_python.sh drops an editable install's import hook
# in this process (PYTHONPATH names the dev build), so the child drops it too.
BOOT = """
import runpy, sys
if {drop_hook}:
    sys.meta_path[:] = [f for f in sys.meta_path if not type(f).__name__.startswith("ScikitBuild")]
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def run_script(path, cwd):
    drop_hook = not any(type(f).__name__.startswith("ScikitBuild") for f in sys.meta_path)
    env = dict(os.environ)
    # GNU OpenMP threads (MKL's GEMM) spin while they wait; on an oversubscribed CPU (a shared CI machine) that
    # makes these small models several times slower. Passive waiting changes no result.
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    proc = subprocess.run([sys.executable, "-c", BOOT.format(drop_hook=drop_hook), str(path)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, f"{path.name} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def number(output, pattern):
    """The float captured by `pattern`'s first group in `output` (which must contain it)."""
    m = re.search(pattern, output)
    assert m, f"no line matching {pattern!r} in:\n{output}"
    return float(m.group(1))


def numbers(output, pattern):
    found = [tuple(float(g) for g in m.groups()) for m in re.finditer(pattern, output)]
    assert found, f"no line matching {pattern!r} in:\n{output}"
    return found


FLOAT = r"([-+0-9.e]+)"


def check_mlp(out):
    assert "output: (32, 10) flashlight.float32" in out
    assert number(out, rf"final training accuracy: {FLOAT}") > 0.95


def check_bidirectional_cfc(out):
    assert "output shape: (32, 24, 4)" in out  # both directions' 2 motor neurons, concatenated
    assert number(out, rf"relative to the mean predictor: {FLOAT}") < 0.25


def check_ltc_sequences(out):
    assert "output shape: (64, 32, 1)" in out
    assert number(out, rf"relative to the mean predictor: {FLOAT}") < 0.5


def check_stateful(out):
    assert "state shape: (2, 16)" in out
    assert number(out, rf"carried state vs whole sequence: max difference {FLOAT}") < 1e-5
    assert number(out, rf"reset to zeros: +max difference {FLOAT}") > 1e-2
    final, persistence, _ = numbers(out, rf"final one-step-ahead MSE: {FLOAT} \(repeating the last sample: {FLOAT}, "
                                         rf"the series' variance: {FLOAT}\)")[0]
    assert final < 0.5 * persistence


def check_mlx_style_training(out):
    assert "gradient tree: ['rnn_cell'] -> ['backbone', 'ff1', 'ff2', 'time_a', 'time_b']" in out
    updated, total = numbers(out, r"parameters updated: (\d+) of (\d+)")[0]
    assert updated == total > 0
    first, final = numbers(out, rf"loss: {FLOAT} at the start, {FLOAT} after")[0]
    assert final < 0.02 * first


def check_cnn_digits(out):
    assert number(out, rf"held-out accuracy: {FLOAT}") > 0.95  # the final line (the epochs' lines have no colon)


def check_custom_function(out):
    assert "grad_fn: ScaledTanhBackward" in out
    for d in numbers(out, rf"output {FLOAT}, grad x {FLOAT}, grad scale {FLOAT}")[0]:
        assert d < 1e-5
    assert number(out, rf"finite differences \(float64\): max error {FLOAT}") < 1e-7
    first, final = numbers(out, rf"loss {FLOAT} -> {FLOAT}, scale moved by")[0]
    assert final < 0.1 * first


def check_load_torch_state_dict(out):
    assert number(out, rf"CNN logits, flashlight vs torch: max difference {FLOAT}") < 1e-5
    diffs = numbers(out, rf"flashlight vs ncps.torch: output max difference {FLOAT}, final state {FLOAT}")
    assert len(diffs) == 2 and max(max(d) for d in diffs) < 1e-5


CHECKS = {name[len("check_"):]: fn for name, fn in globals().items() if name.startswith("check_")}


def test_every_example_is_checked():
    assert sorted(p.stem for p in EXAMPLES.glob("*.py") if p.stem != "liquid_demo") == sorted(CHECKS)


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_example(name, tmp_path):
    script = EXAMPLES / f"{name}.py"
    assert script.read_text().startswith('"""')  # each example opens with what it shows
    CHECKS[name](run_script(script, tmp_path))


def test_mlp_is_pytorch_code_apart_from_its_imports(tmp_path):
    source = (EXAMPLES / "mlp.py").read_text()
    imports = {"import flashlight as fl  # was: import torch\n": "import torch as fl\n",
               "from flashlight import nn  # was: from torch import nn\n": "from torch import nn\n"}
    for old, new in imports.items():
        assert old in source
        source = source.replace(old, new)
    assert "flashlight" not in source.split('"""')[2]  # nothing else names flashlight
    script = tmp_path / "mlp_torch.py"
    script.write_text(source)
    out = run_script(script, tmp_path)
    assert "output: (32, 10) torch.float32" in out
    assert number(out, rf"final training accuracy: {FLOAT}") > 0.95
