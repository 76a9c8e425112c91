"""default_collate and default_convert (torch.utils.data._utils.collate): samples to batches of tensors."""
from __future__ import annotations

import collections.abc

import numpy as np

import flashlight as fl

__all__ = ["default_collate", "default_convert"]

_NP_STR_KINDS = ("U", "S", "O")


def default_convert(data):
    """Numpy arrays and numbers inside containers become tensors; nothing is batched (batch_size=None)."""
    if isinstance(data, fl.Tensor):
        return data
    if isinstance(data, np.ndarray):
        return data if data.dtype.kind in _NP_STR_KINDS else fl.as_tensor(data)
    if isinstance(data, np.generic):
        return fl.as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        converted = {k: default_convert(v) for k, v in data.items()}
        try:
            return type(data)(converted)
        except TypeError:
            return converted
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return [default_convert(d) for d in data]
    return data


def default_collate(batch):
    """torch's default collation: tensors are stacked, numpy arrays and numbers become tensors (floats float64,
    ints int64), strings stay lists, and mappings, named tuples and sequences are collated field by field."""
    elem = batch[0]
    if isinstance(elem, fl.Tensor):
        return fl.stack(list(batch), 0)
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind in _NP_STR_KINDS:
            raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
                            f"found {elem.dtype}")
        return default_collate([fl.as_tensor(b) for b in batch])
    if isinstance(elem, np.generic):
        return fl.as_tensor(np.array(batch))
    if isinstance(elem, bool):
        return fl.tensor(batch, dtype=fl.bool)
    if isinstance(elem, float):
        return fl.tensor(batch, dtype=fl.float64)
    if isinstance(elem, int):
        return fl.tensor(batch, dtype=fl.int64)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        collated = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            return type(elem)(collated) if type(elem) is not dict else collated
        except TypeError:
            return collated
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return type(elem)(*(default_collate(samples) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if not all(len(e) == size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = [default_collate(list(samples)) for samples in zip(*batch)]
        if isinstance(elem, tuple):
            return transposed
        try:
            return type(elem)(transposed)
        except TypeError:
            return transposed
    raise TypeError("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found "
                    f"{type(elem)}")
