"""fl.save / fl.load: PyTorch's checkpoint interface over safetensors files.

A Tensor, a state dict, or any nested structure of dicts, lists, tuples, numbers, strings, None and tensors can be
saved. The tensors go into the safetensors body under path-like names ("state.0.exp_avg"; a flat dict of tensors
keeps its own names, so the file is an ordinary safetensors file that other readers load), and the rest of the
structure is stored as JSON under __metadata__["flashlight.structure"], so fl.load rebuilds the same object (int
dict keys stay ints, tuples stay tuples, OrderedDicts stay ordered, tensors shared in several places stay shared).
Files without that entry, such as those of safetensors.torch.save_file, load as a dict of their tensors.

Unlike pickle, loading never runs code from the file, so `weights_only` is accepted and always honoured.
"""
import collections
import errno
import json
import numbers
import os

from flashlight._C import Tensor, device, _safetensors_dumps, _safetensors_load, _safetensors_loads, _safetensors_save

__all__ = ["save", "load"]

STRUCTURE_KEY = "flashlight.structure"
_VERSION = 1
_RESERVED = "__metadata__"  # safetensors' own key: no tensor may use it


def save(obj, f, pickle_module=None, pickle_protocol=None, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """torch.save: writes `obj` to `f` (a path, os.PathLike, or a binary file object) as a safetensors file.

    Paths are written atomically: a temp file beside `f` is fsynced and renamed over it, so a failure leaves the
    previous file intact. The pickle keywords are accepted for compatibility and have no effect.
    """
    tensors, root = _Encoder().encode_root(obj)
    metadata = {"format": "pt", STRUCTURE_KEY: json.dumps({"version": _VERSION, "root": root})}
    if _is_file_like(f, "write"):
        f.write(_safetensors_dumps(tensors, metadata))
    else:
        _safetensors_save(_path(f), tensors, metadata)


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None, **pickle_load_args):
    """torch.load: the object saved in `f` (a path, os.PathLike, or a binary file object).

    `map_location` may name a device (a str or fl.device) to move the tensors to; a dict or callable is accepted
    and leaves them on the CPU, where they are read. `pickle_module`, `weights_only`, `mmap` and pickle's keyword
    arguments are accepted for compatibility: nothing in a safetensors file can run code.
    """
    if _is_file_like(f, "read"):
        name = str(getattr(f, "name", "<file-like object>"))
        tensors, metadata = _safetensors_loads(bytes(f.read()), name)
    else:
        name = _path(f)
        if not os.path.exists(name):
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), name)
        tensors, metadata = _safetensors_load(name)
    if isinstance(map_location, (str, device)):
        tensors = {k: t.to(map_location) for k, t in tensors.items()}
    if STRUCTURE_KEY not in metadata:
        return tensors
    return _Decoder(tensors, name).decode_root(metadata[STRUCTURE_KEY])


def _is_file_like(f, method):
    return not isinstance(f, (str, bytes, os.PathLike)) and callable(getattr(f, method, None))


def _path(f):
    if not isinstance(f, (str, bytes, os.PathLike)):
        raise TypeError(f"expected a path (str or os.PathLike) or a binary file object, got {type(f).__name__}")
    return os.fsdecode(os.fspath(f))


class _Encoder:
    """The structure as JSON, with each tensor replaced by {"T": name} and its value collected in `tensors`.

    Every JSON object of the encoding is a tag: {"T": name[, "g": true]} a tensor (requiring grad), {"D": pairs} a
    dict, {"O": pairs} an OrderedDict, {"U": items} a tuple. Lists, numbers, strings, bools and None are themselves.
    """

    def __init__(self):
        self.tensors = {}
        self.names = {}  # id(tensor) -> name, so a tensor referenced twice is stored once
        self.active = set()  # ids of the containers being encoded, to report cycles

    def encode_root(self, obj):
        return self.tensors, self.encode(obj, [])

    def encode(self, obj, path):
        if isinstance(obj, Tensor):
            return self.tensor(obj, path)
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, numbers.Integral):  # numpy integers too
            return int(obj)
        if isinstance(obj, numbers.Real):
            return float(obj)
        if isinstance(obj, (dict, list, tuple)):
            if id(obj) in self.active:
                raise ValueError(f"fl.save: {_where(path)} contains itself; a reference cycle cannot be saved")
            self.active.add(id(obj))
            try:
                return self.container(obj, path)
            finally:
                self.active.discard(id(obj))
        raise TypeError(f"fl.save: cannot save an object of type {type(obj).__name__} at {_where(path)}; "
                        "only tensors, dicts, lists, tuples, numbers, strings and None can be saved")

    def container(self, obj, path):
        if isinstance(obj, list):
            return [self.encode(v, path + [str(i)]) for i, v in enumerate(obj)]
        if isinstance(obj, tuple):
            return {"U": [self.encode(v, path + [str(i)]) for i, v in enumerate(obj)]}
        pairs = [[self.key(k, path), self.encode(v, path + [str(k)])] for k, v in obj.items()]
        return {"O" if isinstance(obj, collections.OrderedDict) else "D": pairs}

    def key(self, k, path):
        if isinstance(k, Tensor) or not _is_plain_key(k):
            raise TypeError(f"fl.save: cannot save a dict key of type {type(k).__name__} at {_where(path)}; keys "
                            "must be strings, numbers, bools, None or tuples of these")
        return self.encode(k, path)

    def tensor(self, t, path):
        name = self.names.get(id(t))
        if name is None:
            name = ".".join(path) or "tensor"
            if name in self.tensors or name == _RESERVED:
                suffix = 1
                while f"{name}#{suffix}" in self.tensors:
                    suffix += 1
                name = f"{name}#{suffix}"
            self.tensors[name] = t
            self.names[id(t)] = name
        return {"T": name, "g": True} if t.requires_grad else {"T": name}


def _is_plain_key(k):
    if k is None or isinstance(k, (bool, int, float, str)):
        return True
    return isinstance(k, tuple) and all(_is_plain_key(v) for v in k)


def _where(path):
    return "the top level" if not path else "'" + ".".join(path) + "'"


class _Decoder:
    """Rebuilds the object from the encoding of _Encoder; anything malformed raises RuntimeError."""

    def __init__(self, tensors, name):
        self.tensors = tensors
        self.name = name
        self.loaded = {}  # tensor name -> the Tensor returned (one object per stored tensor)

    def fail(self, problem):
        raise RuntimeError(f"invalid safetensors file '{self.name}': __metadata__[{STRUCTURE_KEY!r}] {problem}")

    def decode_root(self, text):
        try:
            doc = json.loads(text)
        except (ValueError, RecursionError) as e:
            self.fail(f"is not valid JSON ({e})")
        if not isinstance(doc, dict) or doc.get("version") != _VERSION or "root" not in doc:
            self.fail(f"is not a version-{_VERSION} flashlight structure")
        try:
            return self.decode(doc["root"])
        except RecursionError:
            self.fail("nests too deeply")

    def decode(self, node):
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):
            return [self.decode(v) for v in node]
        if not isinstance(node, dict) or len(node) == 0:
            self.fail(f"holds an unexpected value {_short(node)}")
        if "T" in node:
            return self.tensor(node)
        if len(node) != 1:
            self.fail(f"holds an unknown tag {_short(node)}")
        (tag, items), = node.items()
        if not isinstance(items, list):
            self.fail(f"holds a malformed {tag!r} entry {_short(node)}")
        if tag == "U":
            return tuple(self.decode(v) for v in items)
        if tag in ("D", "O"):
            out = collections.OrderedDict() if tag == "O" else {}
            for pair in items:
                if not isinstance(pair, list) or len(pair) != 2:
                    self.fail(f"holds a dict item that is not a [key, value] pair: {_short(pair)}")
                key = self.decode(pair[0])
                if not _is_plain_key(key):
                    self.fail(f"holds a dict key that cannot be one: {_short(pair[0])}")
                out[key] = self.decode(pair[1])
            return out
        self.fail(f"holds an unknown tag {_short(node)}")

    def tensor(self, node):
        name, grad = node["T"], node.get("g", False)
        if not isinstance(name, str) or not isinstance(grad, bool) or set(node) - {"T", "g"}:
            self.fail(f"holds a malformed tensor reference {_short(node)}")
        if name not in self.tensors:
            self.fail(f"refers to tensor {_short(name)}, which the file does not hold")
        t = self.loaded.get(name)
        if t is None:
            t = self.loaded[name] = self.tensors[name]
            if grad:
                if not t.is_floating_point():
                    self.fail(f"asks for gradients of the non-float tensor {_short(name)}")
                t.requires_grad_(True)
        return t


def _short(value):
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
