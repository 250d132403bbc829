"""The conversations of issue 3, as a texter has them: check an offer, know your rights,
something is wrong (the screening), find help near me, and the ways out of each.

Every test is one texter's session against the trained model and the real action server:
what they type (a number picks an option shown last, as on SMS) and the SMS bodies they get.
Keywords the gateway turns into payloads (MENU, PERSON) are sent with `send_payload`.
"""

from __future__ import annotations

import pytest

from bot.responses import DEFAULT_EMERGENCY_TEXT
from tests.bot.test_conversations import MENU_OPTIONS, is_intro, is_menu

OFFER_NEXT = ["/before_you_go", "/request_human", "/check_offer", "/show_menu"]
YES_NO = ["/affirm", "/deny"]
AGES = [
    '/inform_age{"age": "under_18"}',
    '/inform_age{"age": "adult"}',
    '/inform_age{"age": "unsure"}',
]
COUNTRIES = ["co", "ph", "gb", "us"]


def at_menu(texter):
    assert is_intro(texter.send("hi"))
    assert is_menu(texter.send("1"))


def screening_payload(turn) -> dict | None:
    for payload in turn.custom:
        if "screening" in payload:
            return payload["screening"]
    return None


# --- Check an offer ------------------------------------------------------------------------------


def test_a_job_offer_by_numbers_explains_each_warning_sign(texter):
    at_menu(texter)
    turn = texter.send("1")
    assert turn.text.startswith("Let's look at the offer together.")
    assert turn.options[0] == '/check_offer{"offer_type": "job"}'
    first = texter.send("1")
    assert first.text.startswith("1/7 Do you have to pay money to get this offer")
    assert first.options == YES_NO

    fee = texter.send("1")  # yes: a fee
    assert len(fee.bodies) == 2
    assert fee.bodies[0].startswith("Paying to get a job or a place is a warning sign.")
    assert "receipt" in fee.bodies[0]
    assert fee.bodies[1].startswith("2/7 Will someone else keep your passport")

    passport = texter.send("2")  # no: nothing to explain
    assert passport.bodies == [passport.bodies[0]]
    assert passport.text.startswith("3/7 Are you told to travel on a tourist or visit visa")
    visa = texter.send("yes")
    assert visa.bodies[0].startswith("Working on a tourist or visit visa is usually not allowed")
    contract = texter.send("2")  # no written contract: that is the warning sign here
    assert contract.bodies[0].startswith("Without a written contract in your language")
    assert contract.bodies[1].startswith("5/7 Is the employer or agency hard to check")
    assert texter.send("0").text.startswith("6/7 Is the pay much higher than usual")  # skipped
    assert texter.send("skip").text.startswith("7/7 Will someone pay your travel or visa now")
    done = texter.send("1")
    assert done.bodies[0].startswith("Costs you must pay back by working can become a debt")
    assert done.bodies[1].startswith("Thank you. A warning sign does not always mean")
    assert "You choose what to do" in done.bodies[1]
    assert done.options == OFFER_NEXT
    assert done.custom == []  # an offer check is not stored anywhere


def test_a_marriage_offer_in_own_words_starts_its_own_questions(texter):
    at_menu(texter)
    first = texter.send("a man online wants to marry me")
    assert first.text.startswith("1/6 Has the person asked you to send money")
    for number in range(2, 7):
        assert texter.send("no").text.startswith(f"{number}/6 ")
    done = texter.send("2")
    assert done.bodies == [done.bodies[0]]
    assert done.text.startswith("Thank you. You did not report any of these warning signs.")
    assert done.options == OFFER_NEXT


def test_a_relationship_warning_sign_has_its_own_explanation(texter):
    at_menu(texter)
    texter.send("1")
    texter.send("2")  # marriage or an online relationship
    turn = texter.send("yes")
    assert turn.bodies[0].startswith("Being asked for money by someone you have not met")


def test_a_study_offer_with_every_question_skipped(texter):
    at_menu(texter)
    texter.send("1")
    assert texter.send("3").text.startswith("1/7 ")
    for _ in range(6):
        texter.send("0")
    done = texter.send("0")
    assert done.text.startswith("OK, we skipped the questions.")
    assert done.options == OFFER_NEXT


def test_a_job_offer_in_own_words_goes_straight_to_the_questions(texter):
    at_menu(texter)
    assert texter.send("i got a job offer in dubai").text.startswith("1/7 Do you have to pay")


def test_skipping_the_kind_of_offer_goes_back_to_the_menu(texter):
    at_menu(texter)
    texter.send("1")
    assert is_menu(texter.send("0"))


def test_an_answer_that_is_not_yes_or_no_is_asked_again_then_the_way_out(texter):
    at_menu(texter)
    texter.send("1")
    texter.send("1")
    again = texter.send("asdfgh")
    assert again.text.startswith("Sorry, I did not understand. For this question please reply 1")
    assert again.options == YES_NO
    assert texter.send("1").bodies[1].startswith("2/7 ")  # and the answer counts
    texter.send("asdfgh")
    out = texter.send("qwerty zxcv")
    assert out.options == ["/show_menu", "/request_human"]  # never loops


def test_a_story_instead_of_an_answer_gets_the_question_again(texter):
    at_menu(texter)
    texter.send("1")
    texter.send("1")
    turn = texter.send("my boss has my passport")
    assert turn.text.startswith("Sorry, I did not understand. For this question")


def test_menu_and_person_work_in_the_middle_of_an_offer_check(texter):
    at_menu(texter)
    texter.send("1")
    texter.send("1")
    assert is_menu(texter.send_payload("/show_menu"))
    texter.send("1")
    texter.send("1")
    turn = texter.send_payload("/request_human")
    assert turn.handoff == {"reason": "asked", "priority": "normal"}
    assert screening_payload(turn) is None


def test_ten_things_to_know_before_you_go_in_four_parts(texter):
    at_menu(texter)
    texter.send("1")
    texter.send("1")
    for _ in range(7):
        texter.send("2")
    parts = [texter.send("1")]  # "10 things to know before you go"
    assert parts[0].text.startswith("10 things to know before you go, part 1 of 4:")
    assert parts[0].options == ["/more", "/show_menu"]
    parts.append(texter.send("1"))
    parts.append(texter.send("more"))
    parts.append(texter.send("next"))
    for number, part in enumerate(parts[1:], start=2):
        assert part.text.startswith(f"Part {number} of 4:")
    text = "\n".join(part.text for part in parts)
    assert text.count("\n- ") == 10
    assert "passport" in text and "contract" in text and "code word" in text
    assert parts[-1].options == ["/know_rights", "/request_human", "/show_menu"]


def test_before_you_go_in_own_words(texter):
    at_menu(texter)
    assert texter.send("tips before going abroad").text.startswith("10 things to know")


# --- Know your rights ----------------------------------------------------------------------


def test_a_rights_module_without_a_country(texter):
    at_menu(texter)
    menu = texter.send("2")
    assert menu.text.startswith("Your rights.")
    assert len(menu.options) == 7
    turn = texter.send("1")
    assert turn.sent == '/know_rights{"rights_topic": "non_punishment"}'
    assert turn.bodies[0].startswith("Not punished: UN and Council of Europe standards say")
    assert "Not every country follows this fully." in turn.bodies[0]
    assert turn.bodies[1].startswith("The rules are different in each country.")
    assert turn.options == ["/know_rights", "/find_help", "/request_human", "/show_menu"]
    assert texter.send("1").text.startswith("Your rights.")  # other rights


def test_more_rights_topics_and_the_caution_about_embassies(texter):
    at_menu(texter)
    texter.send("2")
    more = texter.send("7")
    assert more.text.startswith("More topics about your rights:")
    assert more.options[3] == '/know_rights{"rights_topic": "consular_help"}'
    turn = texter.send("4")
    assert turn.bodies[0].startswith("Your embassy:")
    assert "may ask for asylum, talk to a lawyer or the hotline first" in turn.bodies[0]


@pytest.mark.parametrize(
    ("words", "start"),
    [
        ("will they deport me", "Staying: international standards say"),
        ("can i get my wages back", "Unpaid wages:"),
        ("can i see a doctor", "Health care:"),
        ("will i be arrested", "Not punished:"),
    ],
)
def test_a_rights_question_in_own_words_opens_its_topic(texter, words, start):
    at_menu(texter)
    assert texter.send(words).bodies[0].startswith(start)


def test_a_rights_module_with_what_applies_in_the_country(texter):
    at_menu(texter)
    texter.send("4")  # find help near me
    texter.send("3")  # United Kingdom
    texter.send_payload("/know_rights")
    turn = texter.send("3")  # time to recover and decide
    assert turn.bodies[0].startswith("Time to recover: the Council of Europe convention")
    here = turn.bodies[1]
    assert here.startswith("In United Kingdom: The National Referral Mechanism (NRM) gives")
    assert "(gov.uk)" in here  # the source of the note
    assert "Who can help: Modern Slavery & Exploitation Helpline: 08000 121 700" in here


def test_a_rights_module_with_who_can_help_in_the_country(texter):
    at_menu(texter)
    texter.send("4")
    texter.send("4")  # United States
    texter.send_payload("/know_rights")
    turn = texter.send("5")  # legal help: no legal aid listed, the hotline is
    assert turn.bodies[1].startswith("The rules in United States may be different.")
    assert "National Human Trafficking Hotline: call 1-888-373-7888" in turn.bodies[1]
    assert "(humantraffickinghotline.org)" in turn.bodies[1]


def test_a_rights_module_for_a_country_without_a_list(texter):
    at_menu(texter)
    texter.send("4")
    texter.send("nepal")
    texter.send_payload("/know_rights")
    turn = texter.send("4")
    assert turn.bodies[1].startswith("The rules in Nepal may be different. A person from")


# --- Something is wrong: the screening -----------------------------------------------------------


def start_screening(texter, age: str = "2"):
    at_menu(texter)
    consent = texter.send("3")
    assert consent.text.startswith("I can ask up to 10 short yes or no questions")
    assert "Skip any question with 0, stop with MENU." in consent.text
    assert "The hotline team sees your yes/no answers" in consent.text  # what is kept, why
    assert "kept encrypted until you reply DELETE" in consent.text  # and for how long
    assert consent.options == [*YES_NO, "/request_human"]  # a person instead of questions
    ask_age = texter.send("1")
    assert ask_age.text.startswith("How old are you?")
    assert ask_age.options == AGES
    return texter.send(age)


def answer(texter, answers: str):
    """Answers to the ten questions as digits: 1 yes, 2 no, 0 skip."""
    turns = []
    for number, digit in enumerate(answers, start=1):
        turns.append(texter.send(digit))
        if number < len(answers):
            assert turns[-1].text.startswith(f"{number + 1}/10 "), turns[-1].text
    return turns[-1]


def test_consent_no_is_respected_and_leads_to_the_menu(texter):
    at_menu(texter)
    texter.send("3")
    turn = texter.send("2")
    assert turn.bodies[0].startswith("That is fine. You decide what you share")
    assert is_menu(turn)
    assert turn.custom == []


def test_something_is_wrong_in_own_words_asks_for_consent_first(texter):
    at_menu(texter)
    for words in ("my boss has my passport", "they say i owe them", "i cant leave the house"):
        assert texter.send(words).text.startswith("I can ask up to 10 short yes or no")
        texter.send("no")


def test_danger_now_brings_the_emergency_numbers_and_a_person_first(texter):
    first = start_screening(texter)
    assert first.text.startswith("1/10 Does someone else keep your passport or ID card")
    assert first.options == YES_NO
    last = answer(texter, "2122222221")  # cannot leave, and violence
    assert last.text.startswith("One more question: are you in danger right now")
    turn = texter.send("1")
    assert turn.text.startswith("Thank you for telling me. Your safety comes first.")
    assert DEFAULT_EMERGENCY_TEXT in turn.text
    assert turn.handoff == {"reason": "danger_now", "priority": "urgent"}
    assert screening_payload(turn) == {
        "outcome": "danger_now",
        "flags": ["cannot_leave", "violence"],
        "age": "adult",
    }
    assert is_intro(texter.send("hello"))  # when the assistant is asked again: safety first


def test_strong_signs_offer_a_person_first_with_high_priority(texter):
    start_screening(texter)
    turn = answer(texter, "1222222222")  # documents kept
    assert turn.bodies[0].startswith("You have rights. Under international standards")
    assert turn.bodies[1].startswith("Thank you for answering. What you describe can be signs of")
    assert "Would you like to talk to a person now?" in turn.bodies[1]
    assert turn.options == ["/request_human", "/know_rights", "/show_menu"]
    assert screening_payload(turn) == {
        "outcome": "strong_signs",
        "flags": ["documents_kept"],
        "age": "adult",
    }
    assert turn.handoff is None  # offered, not imposed
    person = texter.send("1")
    assert person.handoff == {"reason": "strong_signs", "priority": "high"}
    assert "do not need to repeat them" in person.text
    assert screening_payload(person) is None  # already recorded with the outcome


def test_threats_answered_no_to_danger_now_is_strong_signs(texter):
    start_screening(texter)
    answer(texter, "2222212222")
    turn = texter.send("2")
    assert screening_payload(turn)["outcome"] == "strong_signs"


def test_some_signs_show_rights_first_and_offer_a_person(texter):
    start_screening(texter)
    turn = answer(texter, "2212222222")  # not paid as promised
    assert turn.text.startswith("Thank you for answering. What you describe can be signs of")
    assert "unfair work" in turn.text
    assert turn.options == ["/know_rights", "/request_human", "/show_menu"]
    assert screening_payload(turn) == {
        "outcome": "some_signs",
        "flags": ["not_paid"],
        "age": "adult",
    }
    assert texter.send("2").handoff == {"reason": "some_signs", "priority": "normal"}


def test_no_signs_give_labour_rights_and_a_person_anyway(texter):
    start_screening(texter)
    turn = answer(texter, "2222222222")
    assert turn.bodies[0].startswith("Rights at work, in every country: to be paid")
    assert turn.bodies[1].startswith("Thank you for answering. You did not say yes")
    assert turn.options == ["/before_you_go", "/know_rights", "/request_human", "/show_menu"]
    assert screening_payload(turn) == {"outcome": "no_signs", "flags": [], "age": "adult"}
    for words in ("verdict", "victim", "score", "you are not"):
        assert words not in turn.text.lower()


def test_every_question_and_the_age_can_be_skipped(texter):
    start_screening(texter, age="0")
    turn = answer(texter, "0000000000")
    assert screening_payload(turn) == {"outcome": "no_signs", "flags": [], "age": None}


def test_the_child_pathway_for_under_18(texter):
    turn = start_screening(texter, age="16")
    assert turn.bodies[0].startswith("Thank you for telling me. Young people have extra rights")
    assert "116 111" in turn.bodies[0]  # child protection contacts
    assert turn.bodies[1].startswith("1/10 ")
    last = answer(texter, "1222222222")
    assert last.bodies[0].startswith("You have the right to be safe and looked after.")
    assert last.bodies[1].startswith("Thank you for telling me. What is happening is not OK")
    assert "not your fault" in last.bodies[1] and "116 111" in last.bodies[1]
    assert screening_payload(last)["age"] == "under_18"
    texter.send("2")  # know your rights
    child_rights = texter.send("1")
    assert child_rights.bodies[0].startswith(
        "It is not your fault. International rules say children"
    )


def test_not_sure_of_age_is_the_child_pathway(texter):
    turn = start_screening(texter, age="not sure")
    assert "Young people have extra rights" in turn.bodies[0]
    last = answer(texter, "2222222222")
    assert last.bodies[0].startswith("Young people have extra rights at work")
    assert screening_payload(last)["age"] == "unsure"


def test_an_age_by_option_and_a_wrong_answer_to_the_age(texter):
    at_menu(texter)
    texter.send("3")
    texter.send("yes")
    again = texter.send("yes")
    assert again.text.startswith("Sorry, I did not understand. Please reply with a number")
    assert again.options == AGES
    assert texter.send("1").bodies[0].startswith("Thank you for telling me. Young people")


def test_a_person_in_the_middle_records_what_was_answered(texter):
    start_screening(texter)
    texter.send("2")
    texter.send("1")  # cannot leave
    turn = texter.send_payload("/request_human")
    assert turn.handoff == {"reason": "asked", "priority": "normal"}
    assert screening_payload(turn) == {
        "outcome": "not_finished",
        "flags": ["cannot_leave"],
        "age": "adult",
    }


def test_menu_in_the_middle_stops_the_questions(texter):
    start_screening(texter)
    texter.send("1")
    turn = texter.send_payload("/show_menu")
    assert is_menu(turn) and turn.custom == []


def test_a_screening_answer_not_understood_is_asked_again(texter):
    start_screening(texter)
    again = texter.send("asdfgh")
    assert again.text.startswith("Sorry, I did not understand. For this question")
    assert texter.send("2").text.startswith("2/10 ")


# --- Find help near me -------------------------------------------------------------------------


def test_find_help_asks_the_country_then_shows_the_directory_by_kind(texter):
    at_menu(texter)
    ask = texter.send("4")
    assert ask.text.startswith("Which country do you need help in?")
    assert "I will not guess it from your number." in ask.text
    assert ask.options == [f'/inform_country{{"country": "{code}"}}' for code in COUNTRIES]
    kinds = texter.send("3")
    assert kinds.text.startswith("Help in United Kingdom. What do you need?")
    assert len(kinds.options) == 8 and kinds.options[-1] == "/change_country"
    hotlines = texter.send("2")
    assert hotlines.text == (
        "In United Kingdom (source in brackets):\n"
        "Modern Slavery & Exploitation Helpline: 08000 121 700, 24/7 (modernslaveryhelpline.org)"
        "\n1 Other kinds of help\n2 Talk to a person\n3 Menu"
    )
    again = texter.send("1")  # other kinds of help: the country is remembered
    assert again.text.startswith("Help in United Kingdom.")
    emergency = texter.send("1")
    assert "999 or 112, 24/7 (gov.uk)" in emergency.text


def test_a_country_in_own_words(texter):
    at_menu(texter)
    texter.send("find help near me")
    assert texter.send("im in the uk").text.startswith("Help in United Kingdom.")


def test_a_country_without_a_list_shows_what_works_in_many_countries(texter):
    at_menu(texter)
    texter.send("4")
    kinds = texter.send("nepal")
    assert kinds.text.startswith("We have no local list for Nepal yet")
    emergency = texter.send("1")
    assert emergency.text.startswith("We have no local contact of this kind for Nepal yet.")
    assert "112: 112 (EU; works on many mobiles elsewhere), 24/7" in emergency.text
    texter.send("1")
    nothing = texter.send("3")  # shelter: nothing listed, a person can look
    assert nothing.text.startswith("We have no contact of this kind for Nepal yet.")
    assert DEFAULT_EMERGENCY_TEXT in nothing.text


def test_no_embassy_listed_comes_with_the_asylum_caution(texter):
    at_menu(texter)
    texter.send("4")
    texter.send("1")  # Colombia
    turn = texter.send("6")
    assert turn.text.startswith("We have no embassy list for Colombia yet.")
    assert "asylum" in turn.text


def test_a_kind_of_help_in_own_words_before_the_country(texter):
    at_menu(texter)
    ask = texter.send("i need a shelter")
    assert ask.text.startswith("Which country do you need help in?")
    shelter = texter.send("3")
    assert shelter.text.startswith("In United Kingdom (source in brackets):\nSalvation Army")


def test_another_country(texter):
    at_menu(texter)
    texter.send("4")
    texter.send("2")
    assert texter.send("8").text.startswith("Which country do you need help in?")
    assert texter.send("colombia").text.startswith("Help in Colombia.")


def test_a_country_not_found_is_asked_again_then_a_person_is_offered(texter):
    at_menu(texter)
    texter.send("4")
    again = texter.send("asdfgh")
    assert again.text.startswith("Sorry, I did not find that country.")
    assert again.options == [f'/inform_country{{"country": "{code}"}}' for code in COUNTRIES]
    out = texter.send("qwerty zxcv")
    assert out.text.startswith("OK. A person from the hotline can look for help near you")
    assert out.options == ["/request_human", "/show_menu"]


def test_the_country_question_can_be_skipped(texter):
    at_menu(texter)
    texter.send("4")
    assert texter.send("0").text.startswith("OK. A person from the hotline can look for help")


def test_children_get_child_protection_contacts_for_their_country(texter):
    at_menu(texter)
    texter.send("4")
    texter.send("2")  # Philippines
    turn = texter.send("7")
    assert "Bantay Bata 163: 163 (abs-cbnfoundation.com)" in turn.text


# --- Keywords and the ways out everywhere ------------------------------------------------------


@pytest.mark.parametrize(
    "start",
    [["1"], ["1", "1"], ["2"], ["3"], ["3", "1"], ["3", "1", "2"], ["4"], ["4", "3"]],
    ids=[
        "offer-kind",
        "offer-question",
        "rights",
        "consent",
        "age",
        "question",
        "country",
        "kinds",
    ],
)
def test_menu_and_person_work_at_every_step(texter, start):
    at_menu(texter)
    for message in start:
        texter.send(message)
    assert is_menu(texter.send_payload("/show_menu"))
    for message in start:
        texter.send(message)
    assert texter.send_payload("/request_human").handoff is not None
    assert is_intro(texter.send("hi"))


@pytest.mark.parametrize("words", ["i want to talk to a real person", "menu pls"])
def test_a_person_and_the_menu_in_own_words_in_the_middle_of_the_questions(texter, words):
    start_screening(texter)
    turn = texter.send(words)
    assert turn.handoff is not None or turn.options == MENU_OPTIONS
