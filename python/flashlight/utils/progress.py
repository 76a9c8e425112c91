"""A small progress bar for training loops: `for batch in progress(loader, desc="train"):` shows count, rate and
ETA (and any `set_postfix(loss=...)` values) on a terminal, redrawn at most 10 times a second. When the output is
not a terminal it stays quiet, except for an optional summary line every `log_every` steps."""
from __future__ import annotations

import sys
import time
from typing import Iterable, TextIO

__all__ = ["progress", "Progress"]


def _fmt_time(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    m, s = divmod(seconds, 60)
    h, m = divmod(m, 60)
    return f"{h:d}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


class Progress:
    def __init__(self, iterable: Iterable | None = None, total: int | None = None, desc: str = "",
                 file: TextIO | None = None, width: int = 24, log_every: int = 0, disable: bool = False):
        self.iterable = iterable
        if total is None and iterable is not None and hasattr(iterable, "__len__"):
            total = len(iterable)
        self.total = total
        self.desc = desc
        self.file = file if file is not None else sys.stderr
        self.width = width
        self.log_every = log_every
        self.tty = not disable and hasattr(self.file, "isatty") and self.file.isatty()
        self.disable = disable
        self.n = 0
        self.postfix: dict = {}
        self.start = time.perf_counter()
        self._last_draw = 0.0

    def __iter__(self):
        for item in self.iterable:
            yield item
            self.update(1)
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def set_postfix(self, **kwargs) -> None:
        self.postfix.update(kwargs)

    @property
    def rate(self) -> float:
        elapsed = time.perf_counter() - self.start
        return self.n / elapsed if elapsed > 0 else 0.0

    def line(self) -> str:
        """The status line: desc, bar and count (when the total is known), rate, elapsed, ETA and postfix."""
        elapsed = time.perf_counter() - self.start
        rate = self.rate
        parts = [self.desc] if self.desc else []
        if self.total:
            frac = min(self.n / self.total, 1.0)
            filled = int(frac * self.width)
            parts.append(f"{frac * 100:3.0f}%|{'#' * filled}{' ' * (self.width - filled)}| {self.n}/{self.total}")
            eta = (self.total - self.n) / rate if rate > 0 else 0.0
            parts.append(f"[{_fmt_time(elapsed)}<{_fmt_time(eta)}, {rate:.1f} it/s]")
        else:
            parts.append(f"{self.n} it [{_fmt_time(elapsed)}, {rate:.1f} it/s]")
        if self.postfix:
            parts.append(", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                                   for k, v in self.postfix.items()))
        return " ".join(parts)

    def update(self, n: int = 1) -> None:
        self.n += n
        if self.disable:
            return
        if self.tty:
            now = time.perf_counter()
            if now - self._last_draw >= 0.1 or (self.total and self.n >= self.total):
                self._last_draw = now
                self.file.write("\r" + self.line() + "\033[K")
                self.file.flush()
        elif self.log_every and self.n % self.log_every == 0:
            self.file.write(self.line() + "\n")
            self.file.flush()

    def close(self) -> None:
        if self.tty and not self.disable:
            self.file.write("\r" + self.line() + "\033[K\n")
            self.file.flush()
            self.disable = True


def progress(iterable: Iterable | None = None, total: int | None = None, desc: str = "", **kwargs) -> Progress:
    """Wraps an iterable (or, with total=, a manually updated counter) in a Progress bar."""
    return Progress(iterable, total=total, desc=desc, **kwargs)
