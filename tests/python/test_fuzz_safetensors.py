"""The safetensors reader under fuzzing: the kept seed corpus replayed in process, a bounded atheris run of
tests/fuzz/fuzz_safetensors.py in a subprocess (so a crash fails the test instead of killing pytest), and checks that
the harness does report an unexpected exception and a crash."""
import io
import os
import pathlib
import subprocess
import sys

import pytest

import flashlight as fl
from flashlight import _C

FUZZ_DIR = pathlib.Path(__file__).resolve().parents[1] / "fuzz"
HARNESS = FUZZ_DIR / "fuzz_safetensors.py"
CORPUS = sorted((FUZZ_DIR / "corpus").iterdir())

# Runs the harness with the flashlight this test imported: tools/dev_python.sh drops the editable install's import
# hook in this process (PYTHONPATH names the dev build), so the subprocess must drop it too. INJECT replaces fl.load.
BOOT = """
import runpy, sys
if {drop_hook}:
    sys.meta_path[:] = [f for f in sys.meta_path if not type(f).__name__.startswith("ScikitBuild")]
{inject}
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def run_harness(tmp_path, *flags, inject=""):
    drop_hook = not any(type(f).__name__.startswith("ScikitBuild") for f in sys.meta_path)
    (tmp_path / "new").mkdir(exist_ok=True)
    cmd = [sys.executable, "-c", BOOT.format(drop_hook=drop_hook, inject=inject), str(HARNESS), *flags,
           f"-artifact_prefix={tmp_path}/", str(tmp_path / "new"), str(FUZZ_DIR / "corpus")]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=dict(os.environ))
    return proc.returncode, proc.stdout + proc.stderr


def roundtrip_bytes(obj):
    buf = io.BytesIO()
    fl.save(obj, buf)
    return buf.getvalue()


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_seed_corpus_replays(path):
    data = path.read_bytes()
    if path.name.startswith("valid_"):
        once = roundtrip_bytes(fl.load(io.BytesIO(data)))
        assert roundtrip_bytes(fl.load(io.BytesIO(once))) == once
        assert fl.load(path) is not None  # from the file too
    else:
        assert path.name.startswith("bad_")
        with pytest.raises(RuntimeError, match="invalid safetensors file") as info:
            fl.load(path)
        assert type(info.value) is RuntimeError


def test_seed_corpus_covers_every_dtype():
    names = {p.name for p in CORPUS}
    for d in ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64"):
        assert f"valid_{d}.safetensors" in names
    assert sum(n.startswith("bad_truncated") for n in names) >= 5


def test_bounded_fuzz_run_finds_nothing(tmp_path):
    rc, out = run_harness(tmp_path, "-runs=30000", "-seed=20240601", "-max_total_time=120")
    assert f"INFO: flashlight._C from {_C.__file__}" in out  # the build under test, not another install
    assert rc == 0, out[-4000:]
    assert "Done 30000 runs" in out, out[-2000:]
    assert not list(tmp_path.glob("crash-*"))


@pytest.mark.parametrize("inject,expected", [
    ("import flashlight\nflashlight.load = lambda f: {}[f]", "Uncaught Python exception"),
    ("import ctypes, flashlight\nflashlight.load = lambda f: ctypes.string_at(0)", "deadly signal"),
])
def test_harness_reports_findings(tmp_path, inject, expected):
    # A reader that raises KeyError, or crashes the process, must fail the run and leave a reproducer.
    rc, out = run_harness(tmp_path, "-runs=50", "-seed=1", inject=inject)
    assert rc != 0 and expected in out, out[-2000:]
    assert list(tmp_path.glob("crash-*"))
