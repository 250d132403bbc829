"""Custom actions for the Safeline assistant (run by `rasa run actions`)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

ACTION_COUNT_MISUNDERSTANDINGS = "action_count_misunderstandings"
MISUNDERSTOOD_SLOT = "misunderstood"
ONCE = "once"
AGAIN = "again"

# Events that start a conversation afresh: nothing before them counts.
_RESET_EVENTS = {"restart", "session_started"}


def consecutive_misunderstandings(events: list[dict[str, Any]]) -> int:
    """How many user messages in a row, ending with the latest one, were not understood.

    The latest message counts as one (this action only runs when it was not understood).
    Each earlier message counts if this action answered it, so the count is the same whether
    the rules answered with the generic "I did not understand" or with a question asked again.
    The first message that was understood, a restart or a new session ends the run.
    """
    turns: list[list[str]] = []  # per user message: the actions that answered it
    for event in events:
        kind = event.get("event")
        if kind in _RESET_EVENTS:
            turns = []
        elif kind == "user":
            turns.append([])
        elif kind == "action" and turns:
            turns[-1].append(event.get("name") or "")
    count = 1
    for answered_by in reversed(turns[:-1]):
        if ACTION_COUNT_MISUNDERSTANDINGS not in answered_by:
            break
        count += 1
    return count


class ActionCountMisunderstandings(Action):
    """Counts misunderstandings in a row; the rules choose what to say from the slot.

    once  -> "I did not understand" and how to go on (or the open question, asked again);
    again -> the menu and a person are offered as numbered options. It never loops: from the
    second time on the texter always gets the two ways out.
    """

    def name(self) -> str:
        return ACTION_COUNT_MISUNDERSTANDINGS

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[dict[str, Any]]:
        count = consecutive_misunderstandings(list(tracker.events))
        return [SlotSet(MISUNDERSTOOD_SLOT, ONCE if count == 1 else AGAIN)]
