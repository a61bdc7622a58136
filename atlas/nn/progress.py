"""Training progress on standard error: a live bar on a terminal, plain lines otherwise.

On a terminal the bar is redrawn in place (``\\r``) at most ten times a
second; when the stream is a file or a pipe (a log, CI) only one line per
epoch is written, so logs stay readable.
"""

from __future__ import annotations

import time
from typing import TextIO


class Progress:
    """Reports steps and epochs of a run of ``epochs`` x ``steps_per_epoch`` steps."""

    width = 30
    interval = 0.1  # seconds between redraws of the bar

    def __init__(
        self, epochs: int, steps_per_epoch: int, *, enabled: bool | None, stream: TextIO
    ) -> None:
        self.epochs, self.steps_per_epoch = epochs, steps_per_epoch
        self.enabled = enabled is not False
        self.stream = stream
        self.is_tty = self.enabled and bool(getattr(stream, "isatty", lambda: False)())
        self._epoch, self._done_in_epoch = 0, 0
        self._last_draw = 0.0
        self._start = time.perf_counter()

    def step(self, epoch: int, loss: float) -> None:
        """One optimizer step of ``epoch`` finished with minibatch ``loss``."""
        if epoch != self._epoch:
            self._epoch, self._done_in_epoch = epoch, 0
        self._done_in_epoch += 1
        if not self.is_tty:
            return
        now = time.perf_counter()
        if now - self._last_draw < self.interval and self._done_in_epoch < self.steps_per_epoch:
            return
        self._last_draw = now
        filled = self.width * self._done_in_epoch // self.steps_per_epoch
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\repoch {epoch}/{self.epochs} [{bar}] loss {loss:.4f}")
        self.stream.flush()

    def epoch_done(
        self, epoch: int, train_loss: float, train_acc: float, test_loss: float, test_acc: float
    ) -> None:
        """Print the summary line of an evaluated epoch."""
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self._start
        line = (f"epoch {epoch}/{self.epochs}  train loss {train_loss:.4f} acc {train_acc:.4f}  "
                f"test loss {test_loss:.4f} acc {test_acc:.4f}  [{elapsed:.1f} s]")
        self.stream.write(("\r\033[K" if self.is_tty else "") + line + "\n")
        self.stream.flush()

    def close(self, message: str) -> None:
        """Finish the display with a last line (e.g. the final accuracy or why it stopped)."""
        if not self.enabled:
            return
        self.stream.write(("\r\033[K" if self.is_tty else "") + message + "\n")
        self.stream.flush()
