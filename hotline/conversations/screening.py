"""The screening summary a hand-off carries: codes shared by the assistant and the console.

Issue 3's screening (actions/) records its result with `handoff.record_screening(...)` using
these codes; the console shows them as words, never as codes or a score. Operator-facing
wording lives here; what texters read lives in the response files.
"""

from __future__ import annotations

from collections.abc import Iterable

# Outcome routes of the screening (CONTENT.md, "Something is wrong"), most serious first.
OUTCOMES = {
    "danger_now": "Danger now",
    "strong_signs": "Strong signs of exploitation",
    "some_signs": "Some signs of exploitation",
    "no_signs": "No signs reported",
    "not_finished": "Screening not finished",
}

# The ILO forced-labour indicators the screening asks about, as yes/no questions.
FLAGS = {
    "documents_kept": "Documents kept by someone else",
    "cannot_leave": "Cannot leave the job or place",
    "not_paid": "Not paid as promised",
    "debt": "Debt to the employer or agent",
    "deceived": "Job different from what was promised",
    "threats": "Threats to them or their family",
    "no_days_off": "No days off, excessive hours",
    "isolated": "Cannot contact family or friends",
    "fear_of_authorities": "Afraid of being reported to immigration",
    "violence": "Violence",
}

# Age answers; a child is under 18, or unsure (then treated as a child).
AGES = {"under_18": "Under 18", "unsure": "Not sure of age", "adult": "18 or older"}
CHILD_AGES = frozenset({"under_18", "unsure"})

# Hand-off reasons as the router and the assistant record them.
REASONS = {
    "asked": "Asked for a person",
    "emergency": "Emergency words",
    "danger_now": "Screening: danger now",
    "strong_signs": "Screening: strong signs",
    "some_signs": "Screening: some signs",
    "assistant_unavailable": "Assistant unavailable",
    "interrupted": "Service restarted mid-message",
}


def outcome_label(code: str | None) -> str:
    if not code:
        return ""
    return OUTCOMES.get(code, code.replace("_", " ").capitalize())


def flag_labels(codes: Iterable[str] | None) -> list[str]:
    return [FLAGS.get(code, code.replace("_", " ").capitalize()) for code in codes or []]


def reason_label(code: str | None) -> str:
    if not code:
        return ""
    return REASONS.get(code, code.replace("_", " ").capitalize())
