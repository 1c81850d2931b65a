"""A terminal progress bar for long management commands."""

import time


class ProgressBar:
    """A one-line progress bar on stderr (only when it is a terminal)."""

    def __init__(self, stream, enabled: bool):
        self.stream, self.enabled, self.last = stream, enabled, 0.0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or (time.monotonic() - self.last < 0.2 and done != total):
            return
        self.last = time.monotonic()
        if total:
            filled = int(30 * done / total)
            self.stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total}")
        else:
            self.stream.write(f"\r读取中… {done} 行")
        if total and done >= total:
            self.stream.write("\n")
        self.stream.flush()
