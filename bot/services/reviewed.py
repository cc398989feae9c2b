"""What reviewers decided about drafts, as labeled texts the moderation gate can learn from.

An approved draft is a benign text; a draft rejected ``--because toxic`` is a toxic one,
labeled with the kind the semantic scorer found most likely when it scored the text
(``insult`` when it did not score it: edit the exported file to correct it); a draft
rejected as off-brand or for wrong facts is not toxic, so it is benign for the gate.
Rejections without a category, or ``other``, say nothing about toxicity and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import Decision, Draft, DraftState, RejectionCategory
from bot.domain.ports import DraftStore, EventLog

KINDS = ("threat", "identity_attack", "insult", "self_harm", "sexual")
DEFAULT_KIND = "insult"


@dataclass(frozen=True)
class ReviewedText:
    """One reviewed draft and the label it teaches."""

    draft_id: int
    text: str
    decision: str
    category: str
    label: str

    def to_dict(self) -> dict[str, object]:
        """The exported columns."""
        return {
            "text": self.text,
            "label": self.label,
            "decision": self.decision,
            "category": self.category,
            "draft_id": self.draft_id,
        }


class ReviewedTexts:
    """Reads reviewers' decisions from the store."""

    def __init__(self, drafts: DraftStore, events: EventLog) -> None:
        self.drafts = drafts
        self.events = events

    def collect(self) -> tuple[list[ReviewedText], int]:
        """The labeled texts, and how many rejections were left out (no usable category)."""
        found, skipped = [], 0
        for draft in self.drafts.list_drafts(states=(DraftState.APPROVED, DraftState.REJECTED)):
            if draft.state is DraftState.APPROVED:
                found.append(ReviewedText(draft.id, draft.text, Decision.APPROVED.value, "", "benign"))
                continue
            category = self._category(draft.id)
            if category in (None, RejectionCategory.OTHER):
                skipped += 1
                continue
            label = self._kind(draft) if category is RejectionCategory.TOXIC else "benign"
            found.append(ReviewedText(draft.id, draft.text, Decision.REJECTED.value, category.value, label))
        return found, skipped

    def _category(self, draft_id: int) -> RejectionCategory | None:
        rejections = [
            e
            for e in self.events.events(entity="draft", entity_id=draft_id, limit=1000)
            if e.to_state == "rejected"
        ]
        value = rejections[-1].details.get("category") if rejections else None
        return RejectionCategory(value) if value in set(RejectionCategory) else None

    def _kind(self, draft: Draft) -> str:
        records = [r for r in self.drafts.moderation_records(draft.id) if r.text_sha256 == draft.sha256]
        scores = records[-1].verdict.scores.get("semantic", {}) if records else {}
        kinds = {k: v for k, v in scores.items() if k in KINDS}
        return max(kinds, key=lambda k: kinds[k]) if kinds else DEFAULT_KIND
