"""Requests a person makes of the daemon for a draft: the web server never loads the model, so
``regenerate`` from the web page is a request row the daemon picks up at its next pass.

State machine::

    pending -> running (claimed with a lease) -> done | failed
    running -> running (the lease ran out: another daemon takes it over)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class RequestKind(StrEnum):
    REGENERATE = "regenerate"


class RequestState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


#: States of a request that is still to be served (one per draft at a time).
OPEN_REQUEST_STATES = frozenset({RequestState.PENDING, RequestState.RUNNING})


@dataclass(frozen=True)
class DraftRequest:
    """One request: who asked what for which draft, and how it ended."""

    id: int
    draft_id: int
    kind: RequestKind
    state: RequestState
    requested_by: str
    created_at: datetime
    updated_at: datetime
    claimed_by: str | None = None
    claimed_until: datetime | None = None
    #: What the daemon made: ``{"drafts": [ids]}`` for a regeneration.
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
