"""Per-account state: an account whose credentials were rejected is paused until resumed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.adapters.store.session import StoreBase
from bot.adapters.store.tables import AccountStateRow


class AccountsSql(StoreBase):
    """:class:`~bot.domain.ports.AccountStore` on SQLAlchemy."""

    def pause_account(self, account: str, reason: str, now: datetime, actor: str) -> None:
        with self._tx() as s:
            row = s.get(AccountStateRow, account)
            if row is None:
                s.add(AccountStateRow(account=account, paused_reason=reason, paused_at=now, updated_at=now))
            else:
                row.paused_reason, row.paused_at, row.updated_at = reason, now, now
            self._event(s, now, actor, "account", 0, "active", "paused", f"{account}: {reason}")

    def resume_account(self, account: str, now: datetime, actor: str) -> bool:
        with self._tx() as s:
            row = s.get(AccountStateRow, account)
            if row is None or row.paused_reason is None:
                return False
            row.paused_reason, row.paused_at, row.updated_at = None, None, now
            self._event(s, now, actor, "account", 0, "paused", "active", account)
            return True

    def paused_accounts(self) -> dict[str, str]:
        with self._tx() as s:
            rows = s.execute(
                select(AccountStateRow.account, AccountStateRow.paused_reason).where(
                    AccountStateRow.paused_reason.is_not(None)
                )
            )
            return {account: reason or "" for account, reason in rows}

    def account_marks(self) -> dict[str, str]:
        with self._tx() as s:
            rows = s.execute(
                select(AccountStateRow.account, AccountStateRow.paused_reason, AccountStateRow.updated_at)
            )
            return {
                account: f"{'paused' if reason is not None else 'active'} {updated:%Y-%m-%dT%H:%M:%S.%f}"
                for account, reason, updated in rows
            }
