"""What reviewers decided about drafts, as labeled texts the moderation gate can learn from.

An approved draft is a benign text; a draft rejected ``--because toxic`` is a toxic one,
labeled with the kind the semantic scorer found most likely when it scored the text
(``insult`` when it did not score it: edit the exported file to correct it); a draft
rejected as off-brand or for wrong facts is not toxic, so it is benign for the gate.
Rejections without a category, or ``other``, say nothing about toxicity and are left out, as
are drafts approved automatically (the gate's own decision) and repeated texts.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import Decision, Draft, DraftState, RejectionCategory
from bot.domain.ports import EventLog, ReviewStore

#: The reviewer name of ``approval = "auto"`` approvals: the gate's own decisions teach nothing.
AUTO_REVIEWER = "auto"
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

    def __init__(self, drafts: ReviewStore, events: EventLog) -> None:
        self.drafts = drafts
        self.events = events

    def collect(self) -> tuple[list[ReviewedText], int]:
        """The labeled texts, and how many rejections were left out (no usable category)."""
        found: list[ReviewedText] = []
        skipped, seen = 0, set()
        for draft in self.drafts.list_drafts(states=(DraftState.APPROVED, DraftState.REJECTED)):
            if draft.text in seen:
                continue
            seen.add(draft.text)
            if draft.state is DraftState.APPROVED:
                if not self._approved_by_a_person(draft.id):
                    skipped += 1
                    continue
                found.append(ReviewedText(draft.id, draft.text, Decision.APPROVED.value, "", "benign"))
                continue
            category = self._category(draft.id)
            if category in (None, RejectionCategory.OTHER):
                skipped += 1
                continue
            label = self._kind(draft) if category is RejectionCategory.TOXIC else "benign"
            found.append(ReviewedText(draft.id, draft.text, Decision.REJECTED.value, category.value, label))
        return found, skipped

    def _approved_by_a_person(self, draft_id: int) -> bool:
        approvals = [a for a in self.drafts.approvals(draft_id) if a.decision is Decision.APPROVED]
        return bool(approvals) and approvals[-1].reviewer != AUTO_REVIEWER

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
