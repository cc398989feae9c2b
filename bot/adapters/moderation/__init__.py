"""Moderation: scorers behind the ModerationScorer port, combined by the gate."""
