"""Fuzz target for the safetensors reader behind fl.load (atheris: libFuzzer for Python).

    python tests/fuzz/fuzz_safetensors.py [libFuzzer flags] [corpus dirs]
    e.g. python tests/fuzz/fuzz_safetensors.py -max_total_time=600 /tmp/corpus tests/fuzz/corpus

Each input is loaded with fl.load. A RuntimeError (what Flashlight raises for a malformed file) is the expected
outcome for bad input; any other exception, or a crash of the process, is a finding. An input that loads must
round-trip: saving what was loaded and loading it again gives the same bytes when saved once more.

The C++ reader is not coverage-instrumented here (it is built with gcc), so besides libFuzzer's byte mutations a
structure-aware mutator edits the JSON header (dims, dtypes, offsets, the header length, truncation), which reaches
the reader's checks far more often than random bytes would. tests/fuzz/fuzz_safetensors.cpp is the same target for
libFuzzer in C++ with a clang build.
"""
import io
import json
import random
import struct
import sys

import atheris

with atheris.instrument_imports(include=["flashlight.serialization"]):
    import flashlight as fl
    from flashlight import _C
    from flashlight.serialization import STRUCTURE_KEY

INTERESTING_INTS = [0, 1, 2, 3, 7, 8, -1, -8, 2**31 - 1, 2**31, 2**32, 2**53, 2**62, 2**63 - 1, 2**63, 2**64, 2**64 + 1]
INTERESTING_VALUES = INTERESTING_INTS + [1.5, -0.0, 1e308, "", "x", None, True, [], {}, [1, 2, 3]]
DTYPE_CODES = ["BOOL", "U8", "I8", "I16", "I32", "I64", "F16", "BF16", "F32", "F64", "U16", "F8_E4M3", "C64", "f32"]


def test_one_input(data: bytes):
    try:
        obj = fl.load(io.BytesIO(data))
    except RuntimeError as e:
        if type(e) is not RuntimeError:  # RecursionError and NotImplementedError derive from RuntimeError
            raise
        return
    first = io.BytesIO()
    fl.save(obj, first)
    second = io.BytesIO()
    fl.save(fl.load(io.BytesIO(first.getvalue())), second)
    if first.getvalue() != second.getvalue():
        raise AssertionError("a loaded file does not round-trip through fl.save / fl.load")


def split(data):
    """(header dict, data bytes) of a well-formed-enough input, else None."""
    if len(data) < 8:
        return None
    (n,) = struct.unpack("<Q", data[:8])
    try:
        header = json.loads(data[8:8 + n])
    except (ValueError, RecursionError):
        return None
    return (header, data[8 + n:]) if isinstance(header, dict) else None


def mutate(data, max_size, seed):
    rng = random.Random(seed)
    parsed = split(data) if rng.random() < 0.7 else None
    if parsed is None:
        return atheris.Mutate(data, max_size)
    header, body = parsed
    names = [k for k in header if k != "__metadata__"]
    action = rng.randrange(8)
    if names and action < 4:
        entry = header[rng.choice(names)]
        if not isinstance(entry, dict):
            header[rng.choice(names)] = {}
        elif action == 0 and isinstance(entry.get("shape"), list):
            shape = entry["shape"]
            if shape and rng.random() < 0.7:
                shape[rng.randrange(len(shape))] = rng.choice(INTERESTING_VALUES)
            else:
                shape.insert(rng.randrange(len(shape) + 1), rng.choice(INTERESTING_INTS))
        elif action == 1:
            entry["dtype"] = rng.choice(DTYPE_CODES + INTERESTING_VALUES[:3])
        elif action == 2 and isinstance(entry.get("data_offsets"), list) and entry["data_offsets"]:
            offsets = entry["data_offsets"]
            i = rng.randrange(len(offsets))
            offsets[i] = rng.choice([rng.choice(INTERESTING_INTS), offsets[i] + rng.randint(-9, 9) if
                                     isinstance(offsets[i], int) else 0])
        else:
            entry.pop(rng.choice(["dtype", "shape", "data_offsets"]), None)
    elif action == 4:
        meta = header.setdefault("__metadata__", {})
        if isinstance(meta, dict) and meta.get(STRUCTURE_KEY) and rng.random() < 0.8:
            text = meta[STRUCTURE_KEY].encode()
            meta[STRUCTURE_KEY] = atheris.Mutate(text, len(text) + 64).decode("utf-8", "replace")
        else:
            header["__metadata__"] = rng.choice(INTERESTING_VALUES[-5:] + [{"k": 1}, {STRUCTURE_KEY: "[]"}])
    elif action == 5:
        header[rng.choice(names + ["new"]) + rng.choice(["", "2"])] = {
            "dtype": rng.choice(DTYPE_CODES), "shape": [rng.randint(0, 4)],
            "data_offsets": [rng.randint(0, len(body)), rng.randint(0, len(body) + 8)]}
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    length = len(text)
    if action == 6:
        length = rng.choice([length + rng.randint(-9, 9), rng.choice(INTERESTING_INTS) % 2**64])
    if action == 7:
        body = body[:rng.randint(0, len(body))] if rng.random() < 0.7 else body + bytes(rng.randint(1, 16))
    return (struct.pack("<Q", max(length, 0) % 2**64) + text + body)[:max_size]


if __name__ == "__main__":
    print(f"INFO: flashlight._C from {_C.__file__}", file=sys.stderr, flush=True)
    atheris.Setup(sys.argv, test_one_input, custom_mutator=mutate)
    atheris.Fuzz()
