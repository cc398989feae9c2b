"""Who may review: the one rule the web page and the CLI both apply.

When the config lists reviewers (``[[web.reviewers]]``), every review action names one of them
and only an ``admin`` may override a flagged draft or a failed check, or resume a paused account. The
publication hand tools (check, retry, cancel) are any listed reviewer's. When it lists none, the
person at the shell is trusted under any name (whoever runs the CLI can change the database
anyway); the web page then lets nobody in.
"""

from __future__ import annotations

from bot.config.web import Role, WebSettings
from bot.domain.errors import BotError


class NotAllowed(BotError):
    """The named reviewer may not do this (not listed, or not an admin)."""


def is_admin(role: Role) -> bool:
    """Whether a reviewer of this role may override a flagged draft or a failed check."""
    return role is Role.ADMIN


def authorize(web: WebSettings, reviewer: str, *, override: bool = False, admin_to: str = "") -> None:
    """Refuse ``reviewer`` unless the config lets them act (and override, with ``override``;
    ``admin_to`` names an action only an admin may take, as "resume an account").

    Raises:
        NotAllowed: reviewers are listed and ``reviewer`` is not one of them, or is not an
            admin and ``override`` or ``admin_to`` is asked for.
    """
    if not web.reviewers:
        return
    found = web.reviewer(reviewer)
    if found is None:
        listed = ", ".join(r.name for r in web.reviewers)
        raise NotAllowed(
            f"reviewer {reviewer!r} is not listed in [[web.reviewers]] (listed: {listed}); "
            "name one with --as NAME"
        )
    if override and not is_admin(found.role):
        raise NotAllowed(
            f"reviewer {found.name!r} is a {found.role.value}: only an admin can override a flagged "
            "draft or a failed check"
        )
    if admin_to and not is_admin(found.role):
        raise NotAllowed(f"reviewer {found.name!r} is a {found.role.value}: only an admin can {admin_to}")
