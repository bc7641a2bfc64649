"""Per-epoch progress: a tqdm bar on a terminal, a few plain lines in logs, nothing with --quiet."""

from __future__ import annotations

import sys
import time

from tqdm import tqdm


class EpochProgress:
    def __init__(self, total: int, description: str, quiet: bool = False, done: int = 0) -> None:
        """``done``: epochs finished before (a resumed run), so the time left counts only new ones."""
        self.total = total
        self.done = done
        self.quiet = quiet or total <= done
        self.interactive = sys.stderr.isatty()
        self.bar = tqdm(total=total, initial=done, desc=description, unit="epoch", leave=False) if (
            self.interactive and not self.quiet) else None
        self.description = description
        self.every = max(1, total // 10)
        self.started = time.monotonic()

    def update(self, epoch: int, loss: float, samples_per_second: float) -> None:
        """``epoch`` counts from 1."""
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.set_postfix(loss=f"{loss:.4f}", samples_s=f"{samples_per_second:,.0f}")
            self.bar.update(1)
        elif epoch % self.every == 0 or epoch == self.total:
            left = (time.monotonic() - self.started) / (epoch - self.done) * (self.total - epoch)
            print(f"{self.description}: epoch {epoch}/{self.total} loss {loss:.4f} "
                  f"({samples_per_second:,.0f} samples/s, {left:.0f} s left)", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
