"""DataLoader (torch.utils.data.DataLoader): batches from a dataset, in the main process or in worker processes.

Workers are started with the 'spawn' method by default, as torch does on macOS: MLX runs a scheduler thread, and
a process forked from one that has used MLX deadlocks on its first evaluation. Scripts that use num_workers > 0
therefore need the usual `if __name__ == "__main__":` guard."""
from __future__ import annotations

import itertools
import multiprocessing
import pickle
import queue
from dataclasses import dataclass
from typing import Any, Callable

import flashlight as fl
from flashlight.utils.data.collate import default_collate, default_convert
from flashlight.utils.data.dataset import IterableDataset
from flashlight.utils.data.sampler import BatchSampler, RandomSampler, SequentialSampler

__all__ = ["DataLoader", "get_worker_info", "WorkerInfo"]


@dataclass(frozen=True)
class WorkerInfo:
    id: int
    num_workers: int
    seed: int
    dataset: Any


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """Inside a worker process: its id, the number of workers, its seed and its copy of the dataset. None in the
    main process."""
    return _worker_info


class _Fetcher:
    """Turns a batch of indices (map-style) or the next items of an iterator (iterable) into a collated batch."""

    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool, batch_size):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.batch_size = batch_size
        self.iterator = iter(dataset) if isinstance(dataset, IterableDataset) else None

    def fetch(self, indices):
        if self.iterator is not None:
            if not self.auto_collation:
                return self.collate_fn(next(self.iterator))
            data = list(itertools.islice(self.iterator, self.batch_size))
            if not data or (self.drop_last and len(data) < self.batch_size):
                raise StopIteration
            return self.collate_fn(data)
        if self.auto_collation:
            getitems = getattr(self.dataset, "__getitems__", None)
            data = getitems(indices) if getitems else [self.dataset[i] for i in indices]
            return self.collate_fn(data)
        return self.collate_fn(self.dataset[indices])


def _worker_loop(dataset, auto_collation, collate_fn, drop_last, batch_size, index_queue, result_queue, worker_id,
                 num_workers, seed, worker_init_fn):
    global _worker_info
    fl.manual_seed(seed)
    _worker_info = WorkerInfo(worker_id, num_workers, seed, dataset)
    try:
        if worker_init_fn is not None:
            worker_init_fn(worker_id)
        fetcher = _Fetcher(dataset, auto_collation, collate_fn, drop_last, batch_size)
    except Exception as e:  # reported on the first request
        fetcher, init_error = None, e
    while True:
        task = index_queue.get()
        if task is None:
            return
        idx, indices = task
        if fetcher is None:
            result_queue.put((idx, None, repr(init_error)))
            continue
        try:
            # Pickled here, not in the queue's feeder thread: MLX evaluates only on threads that own a stream.
            result_queue.put((idx, pickle.dumps(fetcher.fetch(indices), pickle.HIGHEST_PROTOCOL), None))
        except StopIteration:
            result_queue.put((idx, _IterableEnd(worker_id), None))
        except Exception as e:
            import traceback
            result_queue.put((idx, None, f"Caught {type(e).__name__} in DataLoader worker process {worker_id}.\n"
                                         + traceback.format_exc()))


class _IterableEnd:
    def __init__(self, worker_id: int):
        self.worker_id = worker_id


class DataLoader:
    def __init__(self, dataset, batch_size: int | None = 1, shuffle: bool | None = None, sampler=None,
                 batch_sampler=None, num_workers: int = 0, collate_fn: Callable | None = None,
                 pin_memory: bool = False, drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable | None = None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False, pin_memory_device: str = "",
                 in_order: bool = True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                             "multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 "
                             "to enable multiprocessing, otherwise set prefetch_factor to None.")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = 2 if prefetch_factor is None and num_workers > 0 else prefetch_factor
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.generator = generator
        self.persistent_workers = persistent_workers
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            if shuffle not in (None, False):
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle option, but got "
                                 f"shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified sampler option, but got "
                                 f"sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified batch_sampler option, but "
                                 f"got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and "
                                 "drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with "
                             "drop_last")
        if sampler is None and not self._iterable:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None and not self._iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None or (self._iterable and self.batch_size is not None)

    def _index_stream(self):
        if self._iterable:
            return itertools.repeat(None)
        return iter(self.batch_sampler) if self.batch_sampler is not None else iter(self.sampler)

    def __len__(self) -> int:
        if self._iterable:
            n = len(self.dataset)
            if self.batch_size is not None:
                n = n // self.batch_size if self.drop_last else -(-n // self.batch_size)
            return n
        return len(self.batch_sampler) if self.batch_sampler is not None else len(self.sampler)

    def __iter__(self):
        if self.num_workers == 0:
            return self._single_process()
        return self._multi_process()

    def _single_process(self):
        fetcher = _Fetcher(self.dataset, self._auto_collation, self.collate_fn, self.drop_last, self.batch_size)
        for indices in self._index_stream():
            try:
                yield fetcher.fetch(indices)
            except StopIteration:
                return

    def _multi_process(self):
        ctx = self.multiprocessing_context or "spawn"
        if isinstance(ctx, str):
            ctx = multiprocessing.get_context(ctx)
        base_seed = int(fl.randint(0, 2**31 - 1, (1,), generator=self.generator).item())
        result_queue = ctx.Queue()
        index_queues, workers = [], []
        for wid in range(self.num_workers):
            iq = ctx.Queue()
            w = ctx.Process(target=_worker_loop, daemon=True,
                            args=(self.dataset, self._auto_collation, self.collate_fn, self.drop_last,
                                  self.batch_size, iq, result_queue, wid, self.num_workers, base_seed + wid,
                                  self.worker_init_fn))
            w.start()
            index_queues.append(iq)
            workers.append(w)
        try:
            yield from self._dispatch(index_queues, result_queue, workers)
        finally:
            for iq in index_queues:
                iq.put(None)
            for w in workers:
                w.join(timeout=5)
                if w.is_alive():
                    w.terminate()

    def _dispatch(self, index_queues, result_queue, workers):
        """Keeps prefetch_factor tasks in flight per worker (round robin) and yields results in task order."""
        stream = self._index_stream()
        n = len(workers)
        active = set(range(n))
        next_task, next_yield = 0, 0
        owner, pending = {}, {}

        def send(worker_id):
            nonlocal next_task
            try:
                indices = next(stream)
            except StopIteration:
                return False
            index_queues[worker_id].put((next_task, indices))
            owner[next_task] = worker_id
            next_task += 1
            return True

        for _ in range(self.prefetch_factor):
            for wid in range(n):
                send(wid)
        while next_yield < next_task:
            while next_yield not in pending:
                try:
                    idx, data, err = result_queue.get(timeout=self.timeout if self.timeout > 0 else 5.0)
                except queue.Empty:
                    if self.timeout > 0:
                        raise RuntimeError(f"DataLoader timed out after {self.timeout} seconds")
                    dead = [w.pid for w in workers if not w.is_alive()]
                    if dead:
                        raise RuntimeError(f"DataLoader worker (pid(s) {', '.join(map(str, dead))}) exited "
                                           "unexpectedly")
                    continue
                if err is not None:
                    raise RuntimeError(err)
                pending[idx] = pickle.loads(data) if isinstance(data, bytes) else data
            data = pending.pop(next_yield)
            wid = owner.pop(next_yield)
            next_yield += 1
            if isinstance(data, _IterableEnd):
                active.discard(data.worker_id)
                continue
            yield data
            if wid in active:
                send(wid)
