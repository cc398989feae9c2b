"""Progress display for model loading and generation: a rich bar on a terminal, nothing in
the daemon's log. Generators hold a :class:`Reporter`; the CLI swaps in :func:`for_terminal`.
"""

from __future__ import annotations

import sys
from typing import Any, Protocol


class Reporter(Protocol):
    """Receives progress of one task at a time."""

    def start(self, label: str, total: int | None = None) -> None:
        """Begin a task; ``total`` None shows a spinner."""
        ...

    def advance(self, steps: int = 1) -> None:
        """The current task made ``steps`` steps."""
        ...

    def finish(self) -> None:
        """The current task is done (idempotent)."""
        ...


class Quiet:
    """Shows nothing (daemon, tests, pipes)."""

    def start(self, label: str, total: int | None = None) -> None:
        """Ignored."""

    def advance(self, steps: int = 1) -> None:
        """Ignored."""

    def finish(self) -> None:
        """Ignored."""


class RichReporter:
    """A rich progress bar on stderr, one task at a time."""

    def __init__(self) -> None:
        self._progress: Any = None
        self._task: Any = None

    def start(self, label: str, total: int | None = None) -> None:
        """Show a bar (or a spinner) for a new task."""
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.finish()
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}" if total else ""),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task(label, total=total)

    def advance(self, steps: int = 1) -> None:
        """Move the bar."""
        if self._progress is not None:
            self._progress.advance(self._task, steps)

    def finish(self) -> None:
        """Remove the bar."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def for_terminal(enabled: bool | None = None) -> Reporter:
    """A rich reporter when stderr is a terminal (or ``enabled``), else a quiet one."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    return RichReporter() if enabled else Quiet()
