"""Datasets for the DataLoader worker tests, in a module that spawned workers import quickly (no torch)."""
import flashlight as fl
from flashlight.utils import data as fdata


class Stream(fdata.IterableDataset):
    """0..n-1, sharded across workers by get_worker_info()."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = fdata.get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(start, self.n, step))

    def __len__(self):
        return self.n


class Failing(fdata.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        if i == 2:
            raise KeyError("bad sample")
        return fl.tensor(i)
