"""A progress reporter that counts what a backend reports (its bar's label, total and ticks)."""

from __future__ import annotations


class CountingReporter:
    def __init__(self) -> None:
        self.started: list[tuple[str, int | None]] = []
        self.ticks = 0

    def start(self, label: str, total: int | None = None) -> None:
        self.started.append((label, total))

    def advance(self, steps: int = 1) -> None:
        self.ticks += steps

    def finish(self) -> None:
        pass
