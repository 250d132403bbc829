"""Custom actions for the Safeline assistant (run by `rasa run actions`).

The actions decide; they never write texts. Each one reads the texter's answer, sets slots
(codes only: a step, a flag, a country), and a `*_next` slot that data/rules.yml turns into the
next response; the words are responses in domain.yml, chosen by the slots. The only thing an
action sends itself is data for the gateway: the screening summary,
`{"screening": {"outcome", "flags", "age"}}` with the codes of
hotline/conversations/screening.py, which the gateway stores on the conversation (Rasa never
writes the hotline's database).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import directory

ACTION_COUNT_MISUNDERSTANDINGS = "action_count_misunderstandings"
MISUNDERSTOOD_SLOT = "misunderstood"
ONCE = "once"
AGAIN = "again"

# Events that start a conversation afresh: nothing before them counts.
_RESET_EVENTS = {"restart", "session_started"}

YES, NO = "affirm", "deny"
PASS = {"skip", "dont_know"}  # "0", "skip", "I don't know": no answer, nothing recorded

# --- Check an offer ---------------------------------------------------------------------------
# The questions per kind of offer, in order. "yes" is the warning sign, except where noted.
OFFER_QUESTIONS = {
    "job": ("fee", "passport", "visa", "contract", "employer", "pay", "debt"),
    "study": ("fee", "passport", "visa", "contract", "employer", "pay", "debt"),
    "relationship": ("fee", "passport", "visa", "employer", "pay", "debt"),
}
OFFER_SIGN_IS_NO = {"contract"}  # "Do you have a written contract...?" - "no" is the sign

# --- Something is wrong: the screening -----------------------------------------------------------
# Up to 10 yes/no questions on the ILO forced-labour indicators (codes shared with the console,
# hotline/conversations/screening.py). "yes" is the sign for every one.
SCREENING_QUESTIONS = (
    "documents_kept",
    "cannot_leave",
    "not_paid",
    "debt",
    "deceived",
    "threats",
    "no_days_off",
    "isolated",
    "fear_of_authorities",
    "violence",
)
# A "yes" to any of these brings one more question: is the texter in danger right now?
DANGER_CHECK = frozenset({"cannot_leave", "threats", "violence"})
# Routing only, never shown: one of these, or three signs of any kind, is "strong signs"
# (the ILO: a single indicator may be enough; otherwise look at several together).
STRONG_SIGNS = frozenset({"documents_kept", "cannot_leave", "debt", "threats", "violence"})
STRONG_COUNT = 3
AGE_STEP = "age"
DANGER_STEP = "danger_now"
CHILD_AGES = frozenset({"under_18", "unsure"})
AGES = frozenset({"under_18", "unsure", "adult"})
ADULT_AGE = 18
NOT_FINISHED = "not_finished"


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


def last_bot_action(events: list[dict[str, Any]]) -> str | None:
    """The last action (other than listening) before the texter's latest message."""
    seen_user = False
    for event in reversed(events):
        kind = event.get("event")
        if kind == "user":
            if seen_user:
                return None
            seen_user = True
        elif kind == "action" and seen_user:
            name = event.get("name")
            if name and name != "action_listen":
                return name
        elif kind in _RESET_EVENTS and seen_user:
            return None
    return None


def previous_user_intent(events: list[dict[str, Any]]) -> str | None:
    """The intent of the texter's message before the latest one (within this conversation)."""
    users = []
    for event in events:
        if event.get("event") in _RESET_EVENTS:
            users = []
        elif event.get("event") == "user":
            users.append(((event.get("parse_data") or {}).get("intent") or {}).get("name"))
    return users[-2] if len(users) >= 2 else None


def latest_intent(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def latest_entity(tracker: Tracker, entity: str) -> str | None:
    for found in (tracker.latest_message or {}).get("entities") or []:
        if found.get("entity") == entity and found.get("value") is not None:
            return str(found["value"])
    return None


def conversation_language(tracker: Tracker) -> str:
    """The language the gateway gave with the latest message (as bot/nlg.py reads it)."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    if not metadata:
        for event in reversed(tracker.events):
            if event.get("event") == "user":
                metadata = event.get("metadata") or {}
                break
    language = metadata.get("language") if isinstance(metadata, dict) else None
    return language if isinstance(language, str) and language else "en"


def age_from_text(text: str) -> str | None:
    """An age band from a number written in any script ("I am 16" → under_18), or None."""
    digits = "".join(
        str(unicodedata.decimal(char)) if unicodedata.decimal(char, None) is not None else " "
        for char in text or ""
    )
    numbers = [int(n) for n in re.findall(r"\d+", digits)]
    plausible = [n for n in numbers if 5 <= n <= 99]
    if len(plausible) != 1:
        return None
    return "under_18" if plausible[0] < ADULT_AGE else "adult"


def screening_outcome(flags: list[str], danger: bool) -> str:
    """The route: danger_now, strong_signs, some_signs or no_signs (never shown as a score)."""
    if danger:
        return "danger_now"
    if any(flag in STRONG_SIGNS for flag in flags) or len(flags) >= STRONG_COUNT:
        return "strong_signs"
    return "some_signs" if flags else "no_signs"


def screening_summary(outcome: str, flags: list[str], age: str | None) -> dict[str, Any]:
    """What the gateway stores on the conversation: codes only, never the texter's words."""
    return {"screening": {"outcome": outcome, "flags": sorted(set(flags)), "age": age}}


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


class ActionOffer(Action):
    """Check an offer: starts the questions for a kind of offer, then takes each answer.

    Sets offer_next: question | explain_question (a warning sign was reported: explain it,
    then ask the next) | explain_done | done | reask (not a yes, no or skip).
    """

    def name(self) -> str:
        return "action_offer"

    async def run(self, dispatcher, tracker, domain):
        intent = latest_intent(tracker)
        if intent == "check_offer":
            offer_type = latest_entity(tracker, "offer_type") or tracker.get_slot("offer_type")
            if offer_type not in OFFER_QUESTIONS:
                offer_type = "job"
            questions = OFFER_QUESTIONS[offer_type]
            return [
                SlotSet("offer_type", offer_type),
                SlotSet("offer_step", questions[0]),
                SlotSet("offer_flags", []),
                SlotSet("offer_answered", []),
                SlotSet("offer_explain", None),
                SlotSet("offer_result", None),
                SlotSet("progress", f"1/{len(questions)}"),
                SlotSet("offer_next", "question"),
            ]

        offer_type = tracker.get_slot("offer_type") or "job"
        questions = OFFER_QUESTIONS.get(offer_type, OFFER_QUESTIONS["job"])
        step = tracker.get_slot("offer_step")
        if step not in questions:
            return [SlotSet("offer_result", "skipped"), SlotSet("offer_next", "done")]
        if intent not in (YES, NO) and intent not in PASS:
            return [SlotSet("offer_next", "reask")]

        flags = list(tracker.get_slot("offer_flags") or [])
        answered = list(tracker.get_slot("offer_answered") or [])
        sign = False
        if intent in (YES, NO):
            answered.append(step)
            sign = intent == (NO if step in OFFER_SIGN_IS_NO else YES)
            if sign and step not in flags:
                flags.append(step)
        events = [
            SlotSet("offer_flags", flags),
            SlotSet("offer_answered", answered),
            SlotSet("offer_explain", step if sign else None),
        ]
        index = questions.index(step) + 1
        if index < len(questions):
            return events + [
                SlotSet("offer_step", questions[index]),
                SlotSet("progress", f"{index + 1}/{len(questions)}"),
                SlotSet("offer_next", "explain_question" if sign else "question"),
            ]
        result = "signs" if flags else ("no_signs" if answered else "skipped")
        return events + [
            SlotSet("offer_step", None),
            SlotSet("offer_result", result),
            SlotSet("offer_next", "explain_done" if sign else "done"),
        ]


class ActionScreening(Action):
    """Something is wrong: consent given → age → up to 10 questions → (danger?) → outcome.

    Sets screening_next: question | child (the child pathway's words, then the questions) |
    reask | danger_now | strong_signs | some_signs | no_signs. With the outcome it sends the
    screening summary for the gateway to store on the conversation.
    """

    def name(self) -> str:
        return "action_screening"

    async def run(self, dispatcher, tracker, domain):
        intent = latest_intent(tracker)
        if last_bot_action(list(tracker.events)) == "utter_screening_consent":
            return [
                SlotSet("screening_step", AGE_STEP),
                SlotSet("screening_flags", []),
                SlotSet("screening_outcome", None),
                SlotSet("age", None),
                SlotSet("child", False),
                SlotSet("progress", None),
                SlotSet("screening_next", "question"),
            ]

        step = tracker.get_slot("screening_step")
        if step == AGE_STEP:
            return self._age(tracker, intent)
        if step in SCREENING_QUESTIONS:
            return self._answer(dispatcher, tracker, intent, step)
        if step == DANGER_STEP:
            if intent not in (YES, NO) and intent not in PASS:
                return [SlotSet("screening_next", "reask")]
            flags = list(tracker.get_slot("screening_flags") or [])
            return self._outcome(dispatcher, tracker, flags, danger=intent == YES)
        # No screening in progress (e.g. an old option): start again from the consent.
        return [SlotSet("screening_next", "reask"), SlotSet("screening_step", AGE_STEP)]

    def _age(self, tracker: Tracker, intent: str | None) -> list[dict[str, Any]]:
        if intent == "inform_age":
            age = latest_entity(tracker, "age")
            if age not in AGES:
                age = age_from_text((tracker.latest_message or {}).get("text") or "")
            if age is None:
                return [SlotSet("screening_next", "reask")]
        elif intent == "dont_know":
            age = "unsure"  # unsure is treated as a child (presumption of age)
        elif intent == "skip":
            age = None
        else:
            return [SlotSet("screening_next", "reask")]
        child = age in CHILD_AGES
        return [
            SlotSet("age", age),
            SlotSet("child", child),
            SlotSet("screening_step", SCREENING_QUESTIONS[0]),
            SlotSet("progress", f"1/{len(SCREENING_QUESTIONS)}"),
            SlotSet("screening_next", "child" if child else "question"),
        ]

    def _answer(self, dispatcher, tracker, intent, step) -> list[dict[str, Any]]:
        if intent not in (YES, NO) and intent not in PASS:
            return [SlotSet("screening_next", "reask")]
        flags = list(tracker.get_slot("screening_flags") or [])
        if intent == YES and step not in flags:
            flags.append(step)
        index = SCREENING_QUESTIONS.index(step) + 1
        if index < len(SCREENING_QUESTIONS):
            return [
                SlotSet("screening_flags", flags),
                SlotSet("screening_step", SCREENING_QUESTIONS[index]),
                SlotSet("progress", f"{index + 1}/{len(SCREENING_QUESTIONS)}"),
                SlotSet("screening_next", "question"),
            ]
        if DANGER_CHECK & set(flags):
            return [
                SlotSet("screening_flags", flags),
                SlotSet("screening_step", DANGER_STEP),
                SlotSet("progress", None),
                SlotSet("screening_next", "question"),
            ]
        return self._outcome(dispatcher, tracker, flags, danger=False)

    def _outcome(self, dispatcher, tracker, flags, danger: bool) -> list[dict[str, Any]]:
        outcome = screening_outcome(flags, danger)
        dispatcher.utter_message(
            json_message=screening_summary(outcome, flags, tracker.get_slot("age"))
        )
        return [
            SlotSet("screening_flags", flags),
            SlotSet("screening_step", None),
            SlotSet("progress", None),
            SlotSet("screening_outcome", outcome),
            SlotSet("screening_next", outcome),
        ]


class ActionHandoffSummary(Action):
    """Before a hand-off: if a screening was started and not finished, send what was answered
    (outcome not_finished), so the person who takes over does not ask again."""

    def name(self) -> str:
        return "action_handoff_summary"

    async def run(self, dispatcher, tracker, domain):
        step = tracker.get_slot("screening_step")
        if step and step != AGE_STEP and not tracker.get_slot("screening_outcome"):
            flags = list(tracker.get_slot("screening_flags") or [])
            dispatcher.utter_message(
                json_message=screening_summary(NOT_FINISHED, flags, tracker.get_slot("age"))
            )
        return []


class ActionFindHelp(Action):
    """Find help near me: the country first (asked, never guessed), then a kind of help.

    Sets help_next: ask_country | categories | entries (help_found: local, baseline, none).
    """

    def name(self) -> str:
        return "action_find_help"

    async def run(self, dispatcher, tracker, domain):
        category = latest_entity(tracker, "help_category")
        if category not in directory.CATEGORIES:
            category = None
        country = tracker.get_slot("country")
        events = [SlotSet("help_category", category)]
        if not country:
            return events + [SlotSet("help_next", "ask_country")]
        return events + help_events(country, category)


def help_events(country: str, category: str | None) -> list[dict[str, Any]]:
    events = [SlotSet("country_listed", directory.is_listed(country))]
    if category is None:
        return events + [SlotSet("help_next", "categories")]
    found, _ = directory.help_entries(country, category)
    return events + [SlotSet("help_found", found), SlotSet("help_next", "entries")]


class ActionSetCountry(Action):
    """The country the texter chose (a numbered option) or wrote ("im in the uk").

    Sets country (ISO code) and help_next: categories | entries (a kind of help was asked for
    before the country) | not_found | gave_up (not found twice in a row).
    """

    def name(self) -> str:
        return "action_set_country"

    async def run(self, dispatcher, tracker, domain):
        code = (latest_entity(tracker, "country") or "").lower()
        if not (len(code) == 2 and code.isalpha()):
            text = (tracker.latest_message or {}).get("text") or ""
            code = directory.find_country(text, conversation_language(tracker)) or ""
        if not code:
            asked_again = last_bot_action(list(tracker.events)) == "utter_ask_country_again"
            return [SlotSet("help_next", "gave_up" if asked_again else "not_found")]
        # Keep the kind of help only if it was asked for just before the country question.
        category = tracker.get_slot("help_category")
        if previous_user_intent(list(tracker.events)) != "find_help":
            category = None
        return [SlotSet("country", code), SlotSet("help_category", category)] + help_events(
            code, category
        )


class ActionRights(Action):
    """A rights module: what the directory knows for the texter's country.

    Sets rights_topic and rights_local: note_helpers | note | helpers | nothing (a country is
    known but the directory has nothing for it) | None (no country yet).
    """

    def name(self) -> str:
        return "action_rights"

    async def run(self, dispatcher, tracker, domain):
        topic = latest_entity(tracker, "rights_topic")
        if topic not in directory.RIGHTS_TOPICS:
            topic = tracker.get_slot("rights_topic")
        country = tracker.get_slot("country")
        local = None
        if country:
            note = directory.rights_note(country, topic, conversation_language(tracker))
            helpers = directory.rights_helpers(country, topic)
            local = {
                (True, True): "note_helpers",
                (True, False): "note",
                (False, True): "helpers",
                (False, False): "nothing",
            }[(note is not None, bool(helpers))]
        return [SlotSet("rights_topic", topic), SlotSet("rights_local", local)]
