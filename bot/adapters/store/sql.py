"""The store on SQLAlchemy: SQLite (one daemon, many CLI processes) or Postgres (many daemons).

:class:`SqlStore` implements :class:`bot.domain.ports.Store` by composing one class per entity
(campaigns, slots, drafts, reviews, publications, accounts, daemons, events), all on one engine.
Every change of state is a compare-and-set (``UPDATE ... WHERE state = :expected``) in the same
transaction as its event-log line, so concurrent CLI processes and daemons get exactly one
winner and a :class:`~bot.domain.errors.StateConflict` for the others. Sessions never leave it.
"""

from __future__ import annotations

from bot.adapters.store.accounts import AccountsSql
from bot.adapters.store.campaigns import CampaignsSql
from bot.adapters.store.daemons import DaemonsSql
from bot.adapters.store.events import EventsSql
from bot.adapters.store.publications import PublicationsSql
from bot.adapters.store.requests import RequestsSql
from bot.adapters.store.reviews import ReviewsSql
from bot.adapters.store.slots import SlotsSql


class SqlStore(
    CampaignsSql, SlotsSql, ReviewsSql, PublicationsSql, AccountsSql, DaemonsSql, EventsSql, RequestsSql
):
    """All durable state. Create with :meth:`open`; ``check=False`` skips the schema check."""
