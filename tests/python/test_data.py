"""flashlight.utils.data against torch.utils.data: batching, collation, samplers, splits, workers; pickling."""
import copy
import io
import pickle
from collections import namedtuple

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import flashlight as fl
from flashlight.utils import data as fdata
from flashlight.utils.progress import Progress
from data_workers import Failing, Stream

Point = namedtuple("Point", ["x", "y"])


class Squares(fdata.Dataset):
    """Sample i: a dict with a tensor, a numpy array, numbers, a string and a named tuple."""

    def __len__(self):
        return 10

    def __getitem__(self, i):
        return {"t": fl.full((2,), float(i)), "a": np.arange(3) * i, "f": i * 0.5, "n": i, "s": str(i),
                "p": Point(i, [i, -i])}


class TorchSquares(tdata.Dataset):
    def __len__(self):
        return 10

    def __getitem__(self, i):
        return {"t": torch.full((2,), float(i)), "a": np.arange(3) * i, "f": i * 0.5, "n": i, "s": str(i),
                "p": Point(i, [i, -i])}


def to_np(x):
    """A collated batch as nested plain Python / numpy, for comparing the two libraries."""
    if isinstance(x, (fl.Tensor, torch.Tensor)):
        return ("tensor", repr(x.dtype).split(".")[-1], x.numpy().tolist())
    if isinstance(x, dict):
        return {k: to_np(v) for k, v in x.items()}
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return (type(x).__name__,) + tuple(to_np(v) for v in x)
    if isinstance(x, (list, tuple)):
        return [to_np(v) for v in x]
    return x


@pytest.mark.parametrize("batch_size,drop_last", [(3, False), (3, True), (5, False), (1, False)])
def test_batches_and_collation_match_torch(batch_size, drop_last):
    f = fdata.DataLoader(Squares(), batch_size=batch_size, drop_last=drop_last)
    t = tdata.DataLoader(TorchSquares(), batch_size=batch_size, drop_last=drop_last)
    assert len(f) == len(t)
    assert [to_np(b) for b in f] == [to_np(b) for b in t]


def test_no_auto_batching_converts_like_torch():
    f = fdata.DataLoader(Squares(), batch_size=None)
    t = tdata.DataLoader(TorchSquares(), batch_size=None)
    assert [to_np(b) for b in f] == [to_np(b) for b in t]


def test_tensor_dataset_shuffle_is_a_seeded_permutation():
    x = fl.arange(20).reshape(10, 2)
    ds = fdata.TensorDataset(x, fl.arange(10))
    assert len(ds) == 10 and ds[3][1].item() == 3
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        fdata.TensorDataset(x, fl.arange(9))
    order = lambda seed: [int(v) for _, ys in fdata.DataLoader(  # noqa: E731
        ds, batch_size=4, shuffle=True, generator=fl.Generator().manual_seed(seed)) for v in ys.tolist()]
    assert sorted(order(1)) == list(range(10))
    assert order(1) == order(1) and order(1) != order(2)


def test_samplers_match_torch_where_deterministic():
    for bs, dl in [(3, False), (3, True), (4, False)]:
        assert list(fdata.BatchSampler(range(10), bs, dl)) == list(tdata.BatchSampler(range(10), bs, dl))
        assert len(fdata.BatchSampler(range(10), bs, dl)) == len(tdata.BatchSampler(range(10), bs, dl))
    assert list(fdata.SequentialSampler(range(5))) == [0, 1, 2, 3, 4]
    r = list(fdata.RandomSampler(range(7), generator=fl.Generator().manual_seed(0)))
    assert sorted(r) == list(range(7))
    rr = list(fdata.RandomSampler(range(3), replacement=True, num_samples=50))
    assert len(rr) == 50 and set(rr) <= {0, 1, 2}
    w = list(fdata.WeightedRandomSampler([0.0, 1.0, 0.0], 20))
    assert w == [1] * 20
    s = list(fdata.SubsetRandomSampler([5, 7, 9]))
    assert sorted(s) == [5, 7, 9]
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        fdata.BatchSampler(range(3), 0, False)


def test_random_split_subset_concat():
    parts = fdata.random_split(range(10), [0.3, 0.7], generator=fl.Generator().manual_seed(3))
    assert [len(p) for p in parts] == [3, 7]
    assert sorted(list(parts[0]) + list(parts[1])) == list(range(10))
    with pytest.raises(ValueError, match="Sum of input lengths"):
        fdata.random_split(range(10), [3, 3])
    c = fdata.ConcatDataset([fdata.Subset(range(10), [1, 2]), range(3)])
    assert len(c) == 5 and [c[i] for i in range(5)] == [1, 2, 0, 1, 2] and c[-1] == 2
    assert (fdata.Subset(range(4), [3]) + fdata.Subset(range(4), [0]))[1] == 0


def test_iterable_dataset_batches_and_errors():
    f = fdata.DataLoader(Stream(7), batch_size=3)
    assert [b.tolist() for b in f] == [[0, 1, 2], [3, 4, 5], [6]]
    assert len(f) == 3
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        fdata.DataLoader(Stream(3), shuffle=True)
    with pytest.raises(ValueError, match="mutually exclusive"):
        fdata.DataLoader(range(3), sampler=[0, 1], shuffle=True)


def test_worker_processes_give_the_same_batches():
    ds = fdata.TensorDataset(fl.arange(24, dtype=fl.float32).reshape(12, 2), fl.arange(12))
    single = [to_np(b) for b in fdata.DataLoader(ds, batch_size=5)]
    multi = [to_np(b) for b in fdata.DataLoader(ds, batch_size=5, num_workers=2)]
    assert multi == single
    # Each worker streams its shard of an IterableDataset.
    got = sorted(v for b in fdata.DataLoader(Stream(9), batch_size=2, num_workers=2) for v in b.tolist())
    assert got == list(range(9))
    with pytest.raises(RuntimeError, match="KeyError in DataLoader worker process"):
        list(fdata.DataLoader(Failing(), batch_size=1, num_workers=1))


def test_tensor_pickle_and_deepcopy_round_trip():
    for dtype in (fl.float32, fl.float64, fl.bfloat16, fl.int64, fl.bool, fl.float16):
        t = fl.tensor([[1.5, -2.0], [0.0, 3.25]]).to(dtype)
        u = pickle.loads(pickle.dumps(t))
        assert u.dtype == dtype and u.tolist() == t.tolist()
    w = fl.ones(2, requires_grad=True)
    (w * 3).sum().backward()
    c = copy.deepcopy(w)
    assert c.requires_grad and c.grad.tolist() == [3.0, 3.0]
    c.data.fill_(5)
    assert w.tolist() == [1.0, 1.0]
    with pytest.raises(RuntimeError, match="graph leaves"):
        copy.deepcopy(w * 2)


def test_progress_quiet_off_terminal_and_formats_line():
    buf = io.StringIO()
    items = list(Progress(range(5), desc="train", file=buf))
    assert items == [0, 1, 2, 3, 4] and buf.getvalue() == ""
    p = Progress(range(10), desc="fit", file=buf, log_every=5)
    for _ in p:
        p.set_postfix(loss=0.25)
    lines = buf.getvalue().splitlines()
    assert len(lines) == 2 and lines[-1].startswith("fit 100%|") and "10/10" in lines[-1]
    assert "it/s" in lines[-1] and "loss=0.25" in lines[-1]
