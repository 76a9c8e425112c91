"""Smoke test of `make bench`'s Python harness (bench/python) and summary (bench/compare.py), so they never rot: one
tiny workload in --quick mode on one thread, both libraries in their worker processes, then the summary files.
Timing values are not asserted (no timing assertions in tests); their consistency and the statistics are."""
import csv
import json
import pathlib
import subprocess
import sys

import pytest

import flashlight

pytest.importorskip("torch")  # the harness's other side (test-only dependency)

ROOT = pathlib.Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH / "python"))
sys.path.insert(0, str(BENCH))
import compare  # noqa: E402
import report  # noqa: E402


def fl_path():
    """The directory holding the flashlight package under test when _C sits inside it (a build tree's package, as
    dev_python.sh and make bench assemble, or a wheel), so the worker imports that same one; '' otherwise."""
    pkg = pathlib.Path(flashlight.__file__).parent
    return str(pkg.parent) if list(pkg.glob("_C*.so")) else ""


def test_quick_run_and_summary(tmp_path):
    cmd = [sys.executable, str(BENCH / "python" / "run_bench.py"), "--quick", "--threads", "1", "--workloads",
           "add_1elem", "--out", str(tmp_path)]
    if fl_path():
        cmd += ["--fl-path", fl_path()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads((tmp_path / "python_bench.json").read_text())
    assert results["mode"] == "quick" and results["threads"] == [1]
    assert set(results["libraries"]) == {"flashlight", "torch"}
    assert results["libraries"]["torch"]["threads_reported"] == {"1": {"threads": 1, "torch_threads": 1}}
    assert results["libraries"]["flashlight"]["threads_reported"] == {"1": {"threads": 1, "blas_threads": 1}}
    (entry,) = results["workloads"]
    assert entry["name"] == "add_1elem"
    medians = {}
    for lib in ("flashlight", "torch"):
        run = entry["by_threads"]["1"][lib]
        assert "error" not in run, run.get("error")
        assert 1 <= len(run["times"]) and all(t > 0 for t in run["times"])
        assert run["stats"]["median"] == report.summarize(run["times"])["median"]
        medians[lib] = run["stats"]["median"] * 1e6
    assert "a + b, 1-element tensors" in proc.stdout

    compare.main(tmp_path)  # Python rows only: no fl_bench.json here
    with open(tmp_path / "summary.csv") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["workload"] == "add_1elem" and row["threads"] == "1"
    assert float(row["ratio"]) == pytest.approx(medians["flashlight"] / medians["torch"])
    assert float(row["speedup"]) == pytest.approx(medians["torch"] / medians["flashlight"])
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["rows"][0]["workload"] == "add_1elem"
    assert "| a + b, 1-element tensors" in (tmp_path / "summary.md").read_text()
    pytest.importorskip("matplotlib")
    assert (tmp_path / "summary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_statistics_and_targets():
    s = report.summarize([5.0, 1.0, 4.0, 2.0, 3.0])
    assert (s["median"], s["q1"], s["q3"], s["n"]) == (3.0, 2.0, 4.0, 5)
    assert s["spread"] == pytest.approx(2.0 / 3.0)
    assert report.summarize([]) is None
    assert report.summarize([2.0])["spread"] == 0.0
    step = {"speedup": 20.0, "max_us": 2.5}
    assert report.target_met(step, 2.0, 25.0) == "yes"
    assert report.target_met(step, 3.0, 25.0) == "no"  # fast enough relative to torch, not in absolute terms
    assert report.target_met(step, 2.0, 19.0) == "no"
    assert report.target_met(None, 2.0, 25.0) == ""
    assert report.fmt_time(0.5) == "500 ns" and report.fmt_time(2500.0) == "2.50 ms"


def test_unknown_workload_is_rejected():
    proc = subprocess.run([sys.executable, str(BENCH / "python" / "run_bench.py"), "--workloads", "nope"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "unknown workload(s) nope" in proc.stderr


@pytest.fixture(scope="module")
def ncps_weights_dir(tmp_path_factory):
    pytest.importorskip("ncps")
    import prep_ncps
    path = tmp_path_factory.mktemp("ncps_weights")
    prep_ncps.main(path)
    return path


@pytest.mark.parametrize("key", ["cfc64", "cfc_ncp", "ltc_ncp"])
def test_ncp_workloads_compute_what_ncps_computes(key, ncps_weights_dir):
    # The Flashlight side of an NCP workload runs the same model as the ncps.torch side: same weights (prep_ncps),
    # same input, same outputs; otherwise the benchmark would compare different work.
    import numpy as np
    import torch
    import workloads
    from worker import Context

    tmp_path = ncps_weights_dir
    model = Context(torch, tmp_path).ncps_torch_model(key)
    x, _ = workloads._ncp_data(workloads.MODEL_OUTPUTS[key])
    x = np.ascontiguousarray(x[:4, :20])  # the benchmark's input, shortened to keep the test fast
    with torch.no_grad():
        want = model(torch.from_numpy(x))[0].numpy()
    _, forward, _ = workloads.fl_ncp_model(flashlight, key, Context(flashlight, tmp_path).ncps_weights(key))
    got = forward(flashlight.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
