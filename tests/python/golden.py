"""Reads ../shared/golden (reference results from the real ncps) with numpy alone, independently of fl.load, so
the golden tests do not depend on the reader they might be checking."""
import json
import pathlib
import struct

import numpy as np

SHARED = pathlib.Path(__file__).resolve().parents[2].parent / "shared"
GOLDEN_NCPS = SHARED / "golden" / "ncps"
_DTYPES = {"F64": np.float64, "F32": np.float32, "I32": np.int32, "I64": np.int64, "U8": np.uint8, "BOOL": np.bool_}


def read_safetensors(path) -> dict:
    """name -> numpy array for every tensor of a safetensors file."""
    raw = pathlib.Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        data = raw[8 + n + begin : 8 + n + end]
        out[name] = np.frombuffer(data, dtype=_DTYPES[info["dtype"]]).reshape(info["shape"]).copy()
    return out


def ncps_index() -> dict:
    return json.loads((GOLDEN_NCPS / "index.json").read_text())
