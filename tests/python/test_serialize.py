"""fl.save / fl.load: round trips, nested structures, interop both ways with the safetensors package (the reference
implementation) for every dtype, torch state dicts, torch's keywords, atomic replacement and error classes."""
import collections
import io
import json
import os
import struct

import numpy as np
import pytest
import safetensors.numpy
import safetensors.torch
import torch

import flashlight as fl
from flashlight import _C
from flashlight.serialization import STRUCTURE_KEY

DTYPES = [("bool", torch.bool), ("uint8", torch.uint8), ("int8", torch.int8), ("int16", torch.int16),
          ("int32", torch.int32), ("int64", torch.int64), ("float16", torch.float16), ("bfloat16", torch.bfloat16),
          ("float32", torch.float32), ("float64", torch.float64)]


def torch_sample(tdtype, shape=(2, 3)):
    """Values exact in every dtype (negatives where signed, halves and infinities for floats)."""
    n = int(np.prod(shape))
    if tdtype == torch.bool:
        return (torch.arange(n) % 3 == 0).reshape(shape)
    if tdtype.is_floating_point:
        x = (torch.arange(n, dtype=torch.float64) - 2) * 0.5
        if n >= 2:
            x[-1], x[-2] = float("inf"), -float("inf")
        return x.to(tdtype).reshape(shape)
    lo = 0 if tdtype == torch.uint8 else -3
    return (torch.arange(n) + lo).to(tdtype).reshape(shape)


def to_fl(t):
    """A torch tensor as a flashlight tensor of the same dtype (bfloat16 via its float32 values)."""
    if t.dtype == torch.bfloat16:
        return fl.from_numpy(t.float().numpy()).to(fl.bfloat16)
    return fl.from_numpy(t.numpy().copy())


def to_torch(x):
    if x.dtype == fl.bfloat16:
        return torch.from_numpy(np.asarray(x.to(fl.float32)).copy()).to(torch.bfloat16)
    return torch.from_numpy(np.asarray(x).copy())


def assert_same(x, t):
    assert isinstance(x, fl.Tensor)
    assert str(x.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    assert tuple(x.shape) == tuple(t.shape)
    assert torch.equal(to_torch(x), t)


# --- round trips -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,tdtype", DTYPES)
def test_round_trip_every_dtype(tmp_path, name, tdtype):
    t = torch_sample(tdtype)
    fl.save(to_fl(t), tmp_path / "t.safetensors")
    assert_same(fl.load(tmp_path / "t.safetensors"), t)


def test_zero_dim_empty_and_views(tmp_path):
    base = fl.arange(24, dtype=fl.float32).reshape(2, 3, 4)
    tbase = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4)
    obj = {"scalar": fl.tensor(2.5, dtype=fl.float64), "empty": fl.zeros(0, dtype=fl.int32),
           "empty3": fl.zeros(2, 0, 3, dtype=fl.float16), "transposed": base.transpose(0, 2),
           "strided": base[:, :, 1::2], "expanded": base[:, :1, :].expand(2, 5, 4), "diag": base.diagonal(0, 1, 2)}
    fl.save(obj, tmp_path / "v.safetensors")
    back = fl.load(tmp_path / "v.safetensors")
    assert list(back) == list(obj)
    assert_same(back["scalar"], torch.tensor(2.5, dtype=torch.float64))
    assert_same(back["empty"], torch.zeros(0, dtype=torch.int32))
    assert_same(back["empty3"], torch.zeros(2, 0, 3, dtype=torch.float16))
    assert_same(back["transposed"], tbase.transpose(0, 2))
    assert_same(back["strided"], tbase[:, :, 1::2])
    assert_same(back["expanded"], tbase[:, :1, :].expand(2, 5, 4))
    assert_same(back["diag"], tbase.diagonal(0, 1, 2))
    # By value: each view is stored as its own elements, readable by the reference reader.
    ref = safetensors.numpy.load_file(tmp_path / "v.safetensors")
    np.testing.assert_array_equal(ref["expanded"], tbase[:, :1, :].expand(2, 5, 4).numpy())


def test_nested_structure_like_an_optimizer_state_dict(tmp_path):
    w = fl.randn(3, 2, requires_grad=True)
    obj = {
        "state": {0: {"step": fl.tensor(3.0), "exp_avg": fl.ones(3, 2)}, 1: {"step": fl.tensor(1.0)}},
        "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "params": [0, 1], "amsgrad": False,
                          "name": None, "maximize": True, "big": 2**70, "inf": float("inf"), "s": "é\n\"x\""}],
        "tied": [w, w],
        "ordered": collections.OrderedDict([("b", 1), ("a", (2, [3, {"deep": fl.zeros(1)}]))]),
        "keys": {(1, "x"): "tuple key", 2.5: "float key", None: "none key", True: "bool key"},
        "empty": {"d": {}, "l": [], "t": ()},
    }
    path = tmp_path / "opt.pt"
    fl.save(obj, path)
    back = fl.load(path)
    assert back.keys() == obj.keys()
    assert list(back["state"]) == [0, 1]  # int keys come back as ints
    assert back["param_groups"] == obj["param_groups"]
    assert type(back["param_groups"][0]["betas"]) is tuple
    assert back["state"][0]["step"].item() == 3.0 and back["state"][1]["step"].item() == 1.0
    assert torch.equal(to_torch(back["state"][0]["exp_avg"]), torch.ones(3, 2))
    assert back["tied"][0] is back["tied"][1]  # shared tensors stay shared
    assert back["tied"][0].requires_grad and back["tied"][0].is_leaf
    assert torch.equal(to_torch(back["tied"][0].detach()), to_torch(w.detach()))
    assert type(back["ordered"]) is collections.OrderedDict and list(back["ordered"]) == ["b", "a"]
    assert back["ordered"]["a"][0] == 2 and back["ordered"]["a"][1][0] == 3
    assert back["ordered"]["a"][1][1]["deep"].shape == (1,)
    assert back["keys"] == obj["keys"]
    assert back["empty"] == {"d": {}, "l": [], "t": ()}
    # The tensors sit under path-like names in a standard file.
    names = set(safetensors.numpy.load_file(path))
    assert names == {"state.0.step", "state.0.exp_avg", "state.1.step", "tied.0", "ordered.a.1.1.deep"}


def test_colliding_and_reserved_names(tmp_path):
    a, b, c = fl.ones(1), fl.zeros(1), fl.full((1,), 2.0)
    obj = {"a.b": a, "a": {"b": b}, "__metadata__": c}
    fl.save(obj, tmp_path / "c.safetensors")
    back = fl.load(tmp_path / "c.safetensors")
    assert back["a.b"].item() == 1 and back["a"]["b"].item() == 0 and back["__metadata__"].item() == 2
    assert set(safetensors.numpy.load_file(tmp_path / "c.safetensors")) == {"a.b", "a.b#1", "__metadata__#1"}


def test_paths_pathlike_and_file_objects(tmp_path):
    class MyPath:
        def __init__(self, p):
            self.p = p

        def __fspath__(self):
            return str(self.p)

    x = fl.arange(5)
    for where in (str(tmp_path / "s.pt"), tmp_path / "p.pt", MyPath(tmp_path / "m.pt"), bytes(tmp_path / "b.pt")):
        fl.save(x, where)
        assert fl.load(where).tolist() == [0, 1, 2, 3, 4]
    buf = io.BytesIO()
    fl.save({"x": x}, buf)
    fl.save({"x": x}, tmp_path / "d.pt")
    assert buf.getvalue() == (tmp_path / "d.pt").read_bytes()  # the same bytes as a file on disk
    buf.seek(0)
    assert fl.load(buf)["x"].tolist() == [0, 1, 2, 3, 4]
    with open(tmp_path / "f.pt", "wb") as f:
        fl.save([x, 1], f)
    with open(tmp_path / "f.pt", "rb") as f:
        back = fl.load(f)
    assert back[0].tolist() == [0, 1, 2, 3, 4] and back[1] == 1


def test_torch_keywords_are_accepted(tmp_path):
    p = tmp_path / "k.pt"
    fl.save({"w": fl.ones(2)}, p, pickle_protocol=2, _use_new_zipfile_serialization=True)
    for kwargs in ({"map_location": "cpu"}, {"map_location": fl.device("cpu")}, {"map_location": {"cuda:0": "cpu"}},
                   {"map_location": lambda storage, loc: storage}, {"map_location": torch.device("cpu")},
                   {"weights_only": True}, {"weights_only": False}, {"mmap": True}, {"pickle_module": None, "encoding": "latin1"}):
        back = fl.load(p, **kwargs)
        assert back["w"].tolist() == [1.0, 1.0] and back["w"].device == fl.device("cpu")


# --- interop with the reference implementation --------------------------------------------------------------------

@pytest.mark.parametrize("name,tdtype", DTYPES)
def test_reference_reads_flashlight_files(tmp_path, name, tdtype):
    t, e, s = torch_sample(tdtype), torch_sample(tdtype, (0, 2)), torch_sample(tdtype, ())
    fl.save({"t": to_fl(t), "empty": to_fl(e), "scalar": to_fl(s)}, tmp_path / "x.safetensors")
    ref = safetensors.torch.load_file(tmp_path / "x.safetensors")
    assert set(ref) == {"t", "empty", "scalar"}
    for key, want in (("t", t), ("empty", e), ("scalar", s)):
        assert ref[key].dtype == tdtype and torch.equal(ref[key], want)
    if tdtype != torch.bfloat16:  # numpy has no bfloat16
        np.testing.assert_array_equal(safetensors.numpy.load_file(tmp_path / "x.safetensors")["t"], t.numpy())


@pytest.mark.parametrize("name,tdtype", DTYPES)
def test_flashlight_reads_reference_files(tmp_path, name, tdtype):
    t = torch_sample(tdtype, (3, 1, 2))
    safetensors.torch.save_file({"t": t, "s": torch_sample(tdtype, ())}, tmp_path / "r.safetensors",
                                metadata={"format": "pt"})
    back = fl.load(tmp_path / "r.safetensors")
    assert list(back) == ["s", "t"]
    assert_same(back["t"], t)
    assert_same(back["s"], torch_sample(tdtype, ()))


def test_bytes_match_the_reference_writer():
    tensors = {name: torch_sample(tdtype, (i % 3 + 1, 2)) for i, (name, tdtype) in enumerate(DTYPES)}
    tensors["z_empty"] = torch.zeros(0, 4, dtype=torch.float32)
    ours = _C._safetensors_dumps({k: to_fl(v) for k, v in tensors.items()}, {"format": "pt"})
    assert ours == safetensors.torch.save(tensors, metadata={"format": "pt"})


def test_torch_state_dict_through_numpy():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3), torch.nn.Linear(3, 2))
    model(torch.randn(5, 4))  # moves the running stats and num_batches_tracked
    sd = model.state_dict()
    ours = collections.OrderedDict((k, fl.from_numpy(v.numpy())) for k, v in sd.items())
    buf = io.BytesIO()
    fl.save(ours, buf)
    buf.seek(0)
    back = fl.load(buf)
    assert type(back) is collections.OrderedDict and list(back) == list(sd)
    for k, v in sd.items():
        assert_same(back[k], v)
    # The same file is a torch-loadable safetensors checkpoint.
    ref = safetensors.torch.load(buf.getvalue())
    model2 = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3), torch.nn.Linear(3, 2))
    model2.load_state_dict(ref)
    x = torch.randn(2, 4)
    assert torch.equal(model.eval()(x), model2.eval()(x))


# --- errors and atomicity -----------------------------------------------------------------------------------------

def st_bytes(header, data=b""):
    raw = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + data


MALFORMED = [
    ("truncated", st_bytes({"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 5),
     "past the end of the 5-byte data section"),
    ("short", b"\x01\x02", "fewer than the 8-byte header length"),
    ("huge header length", struct.pack("<Q", 2**63) + b"{}", "exceeds the limit"),
    ("header past end", struct.pack("<Q", 1000) + b"{}", "exceeds the 2 bytes that follow it"),
    ("bad JSON", st_bytes(b"{nope"), "not valid JSON"),
    ("not an object", st_bytes([1]), "not a JSON object"),
    ("missing field", st_bytes({"x": {"dtype": "F32", "shape": [0]}}), 'has no "data_offsets"'),
    ("unknown dtype", st_bytes({"x": {"dtype": "F8_E4M3", "shape": [1], "data_offsets": [0, 1]}}, b"\0"),
     "unsupported dtype 'F8_E4M3'"),
    ("negative dim", st_bytes({"x": {"dtype": "U8", "shape": [-1], "data_offsets": [0, 1]}}, b"\0"), "negative"),
    ("lying shape", st_bytes({"x": {"dtype": "F64", "shape": [2**30], "data_offsets": [0, 8]}}, b"\0" * 8),
     "span 8 bytes"),
    ("overlap", st_bytes({"a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]},
                          "b": {"dtype": "U8", "shape": [1], "data_offsets": [1, 2]}}, b"\0\0"), "overlap"),
    ("bad metadata", st_bytes({"__metadata__": {"k": 1}}), "is not a string"),
    ("bad structure", st_bytes({"__metadata__": {STRUCTURE_KEY: "{oops"}}), "is not valid JSON"),
    ("wrong version", st_bytes({"__metadata__": {STRUCTURE_KEY: '{"version": 9, "root": 1}'}}),
     "is not a version-1 flashlight structure"),
    ("missing tensor", st_bytes({"__metadata__": {STRUCTURE_KEY: '{"version": 1, "root": {"T": "w"}}'}}),
     "refers to tensor 'w', which the file does not hold"),
    ("unknown tag", st_bytes({"__metadata__": {STRUCTURE_KEY: '{"version": 1, "root": {"Q": []}}'}}),
     "unknown tag"),
    ("unhashable key", st_bytes({"__metadata__": {STRUCTURE_KEY: '{"version": 1, "root": {"D": [[[1], 2]]}}'}}),
     "dict key that cannot be one"),
    ("grad of ints", st_bytes({"__metadata__": {STRUCTURE_KEY: '{"version": 1, "root": {"T": "i", "g": true}}'},
                               "i": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}}, b"\1"),
     "gradients of the non-float tensor"),
    ("deep structure", st_bytes({"__metadata__": {STRUCTURE_KEY: '{"version": 1, "root": ' + "[" * 100000 +
                                                  "]" * 100000 + "}"}}), "flashlight.structure"),
]


@pytest.mark.parametrize("what,data,message", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_files_raise_runtime_error(tmp_path, what, data, message):
    p = tmp_path / "bad.safetensors"
    p.write_bytes(data)
    with pytest.raises(RuntimeError, match=f"invalid safetensors file '{p}'") as info:
        fl.load(p)
    assert message in str(info.value)
    with pytest.raises(RuntimeError, match="invalid safetensors file '<file-like object>'"):
        fl.load(io.BytesIO(data))


def test_save_and_load_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        fl.load(tmp_path / "missing.pt")
    with pytest.raises(RuntimeError, match=f"Parent directory {tmp_path / 'nodir'} does not exist."):
        fl.save(fl.ones(1), tmp_path / "nodir" / "x.pt")
    with pytest.raises(TypeError, match="cannot save an object of type ndarray at 'a.0'"):
        fl.save({"a": [np.ones(2)]}, tmp_path / "x.pt")
    with pytest.raises(TypeError, match="cannot save a dict key of type frozenset"):
        fl.save({frozenset(): 1}, tmp_path / "x.pt")
    cyclic = []
    cyclic.append(cyclic)
    with pytest.raises(ValueError, match="reference cycle"):
        fl.save(cyclic, tmp_path / "x.pt")
    with pytest.raises(TypeError, match="expected a path"):
        fl.save(fl.ones(1), 3)
    with pytest.raises(RuntimeError, match="not a regular file"):
        fl.load(tmp_path)


def test_failed_save_keeps_the_previous_file(tmp_path):
    p = tmp_path / "ckpt.pt"
    fl.save({"w": fl.ones(3)}, p)
    before = p.read_bytes()
    with pytest.raises(TypeError):
        fl.save({"w": fl.zeros(3), "bad": object()}, p)
    (tmp_path / "dir.pt").mkdir()
    (tmp_path / "dir.pt" / "keep").write_text("x")
    with pytest.raises(RuntimeError, match="could not replace"):  # written in full, then the rename fails
        fl.save({"w": fl.zeros(3)}, tmp_path / "dir.pt")
    assert p.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["ckpt.pt", "dir.pt"]  # no temp file left behind
    assert fl.load(p)["w"].tolist() == [1.0, 1.0, 1.0]
