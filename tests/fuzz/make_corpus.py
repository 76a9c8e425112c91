"""Writes the kept seed corpus tests/fuzz/corpus/: valid_* files (each dtype, written by the reference
implementation, and nested structures written by fl.save) that must load, and bad_* files (truncations, lying
headers, each malformed class) that must raise RuntimeError. Rerun after changing the format:
    python tests/fuzz/make_corpus.py
"""
import collections
import io
import json
import pathlib
import struct

import safetensors.torch
import torch

import flashlight as fl
from flashlight.serialization import STRUCTURE_KEY

CORPUS = pathlib.Path(__file__).resolve().parent / "corpus"
DTYPES = [torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64, torch.float16, torch.bfloat16,
          torch.float32, torch.float64]


def st(header, data=b"", length=None):
    raw = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(raw) if length is None else length) + raw + data


def fl_bytes(obj):
    buf = io.BytesIO()
    fl.save(obj, buf)
    return buf.getvalue()


def main():
    CORPUS.mkdir(exist_ok=True)
    for old in CORPUS.iterdir():
        old.unlink()
    valid = {}
    for d in DTYPES:
        name = str(d).split(".")[-1]
        t = (torch.arange(6) - 2).to(d).reshape(2, 3)
        valid[name] = safetensors.torch.save({"t": t, "scalar": t[0, 0].clone(), "empty": t[:0]})
    valid["all_dtypes"] = safetensors.torch.save({str(d): torch.ones(2, dtype=d) for d in DTYPES},
                                                 metadata={"format": "pt", "note": "x"})
    valid["empty_file"] = safetensors.torch.save({})
    valid["fl_tensor"] = fl_bytes(fl.arange(4, dtype=fl.float32))
    valid["fl_nested"] = fl_bytes({
        "state": {0: {"step": fl.tensor(2.0), "exp_avg": fl.zeros(2, 2)}},
        "param_groups": [{"lr": 0.1, "betas": (0.9, 0.99), "params": [0], "name": None, "flag": True}],
        "od": collections.OrderedDict([("w", fl.ones(3, requires_grad=True)), ("k", {(1, 2): "v"})]),
    })
    for name, data in valid.items():
        (CORPUS / f"valid_{name}.safetensors").write_bytes(data)

    ok = {"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}
    bad = {
        "zero_bytes": b"",
        "short": b"\x08\x00\x00",
        "header_len_huge": st(ok, bytes(8), 2**64 - 1),
        "header_len_past_end": st(ok, bytes(8), 200),
        "header_len_too_short": st(ok, bytes(8), 10),
        "not_json": st(b"{]"),
        "json_array": st(b"[{}]"),
        "nul_in_header": st(json.dumps(ok).encode() + b"\0\0", bytes(8)),
        "entry_not_object": st({"x": 3}),
        "missing_dtype": st({"x": {"shape": [2], "data_offsets": [0, 8]}}, bytes(8)),
        "unknown_dtype": st({"x": {"dtype": "U64", "shape": [1], "data_offsets": [0, 8]}}, bytes(8)),
        "negative_dim": st({"x": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}, bytes(8)),
        "overflow_shape": st({"x": {"dtype": "F64", "shape": [2**31 - 1] * 4, "data_offsets": [0, 8]}}, bytes(8)),
        "lying_shape": st({"x": {"dtype": "F64", "shape": [2**30], "data_offsets": [0, 8]}}, bytes(8)),
        "offsets_reversed": st({"x": {"dtype": "F32", "shape": [0], "data_offsets": [8, 0]}}, bytes(8)),
        "offsets_out_of_range": st({"x": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}}, bytes(8)),
        "overlap": st({"a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]},
                       "b": {"dtype": "U8", "shape": [2], "data_offsets": [1, 3]}}, bytes(3)),
        "gap": st({"a": {"dtype": "U8", "shape": [1], "data_offsets": [1, 2]}}, bytes(2)),
        "duplicate": st(b'{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},'
                        b'"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}', bytes(2)),
        "metadata_not_string": st({"__metadata__": {"k": [1]}}),
        "structure_not_json": st({"__metadata__": {STRUCTURE_KEY: "{"}}),
        "structure_missing_tensor": st({"__metadata__": {STRUCTURE_KEY: '{"version":1,"root":{"T":"nope"}}'}}),
        "deep_header": st(b"[" * 5000 + b"]" * 5000),
        # Found by the fuzzer: nlohmann-json let these bytes through, and the name was not valid UTF-8 for Python.
        "invalid_utf8_name": st(b'{"\xff\xfft":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', b"\0"),
    }
    for cut in (7, 8, 20, len(valid["fl_nested"]) // 2, len(valid["fl_nested"]) - 1):
        bad[f"truncated_nested_{cut}"] = valid["fl_nested"][:cut]
    bad["truncated_f64"] = valid["float64"][:-3]
    for name, data in bad.items():
        (CORPUS / f"bad_{name}.safetensors").write_bytes(data)


if __name__ == "__main__":
    main()
