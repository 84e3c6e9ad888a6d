"""Demo data written for fairloop: prompts people send to an AI assistant, to be
labelled by intent. Built from small hand-written lists, so nothing is downloaded."""

from __future__ import annotations

from itertools import product
from typing import Any

LABELS = ["coding", "writing", "advice", "factual", "other"]

_CODING = [
    ("reverse a list", "Python"), ("read a CSV file", "R"), ("parse JSON", "Go"),
    ("sort a dictionary by value", "Python"), ("make an HTTP request", "JavaScript"),
    ("write a unit test", "Java"), ("handle a null pointer", "C#"), ("remove duplicates from an array", "Ruby"),
    ("connect to PostgreSQL", "Rust"), ("format a date", "PHP"), ("read a file line by line", "C"),
    ("centre a div", "CSS"),
]  # fmt: skip
_CODING_FORMS = [
    "How do I {0} in {1}?",
    "My {1} code to {0} throws an error. What am I missing?",
    "Show me the shortest way to {0} in {1}.",
    "Explain step by step how to {0} using {1}.",
]
_WRITING = [
    ("cover letter", "a nursing job in Nairobi"), ("poem", "the monsoon"), ("product description", "a solar lamp"),
    ("wedding toast", "my sister"), ("short story", "a lost dog finding its way home"),
    ("thank-you note", "my thesis supervisor"), ("LinkedIn post", "finishing a data course"),
    ("speech", "a school prize day"), ("complaint letter", "a delayed parcel"), ("slogan", "a community bakery"),
    ("blog introduction", "learning to cook at forty"), ("limerick", "a cat who hates Mondays"),
]  # fmt: skip
_WRITING_FORMS = [
    "Write a {0} about {1}.",
    "Can you help me draft a {0} for {1}?",
    "I need a {0} about {1}, friendly but short.",
    "Please compose a {0} on {1}.",
]
_ADVICE = [
    "my landlord will not return my deposit", "I want to change careers at 35", "my friend keeps borrowing money",
    "I cannot sleep before exams", "my team leader takes credit for my work", "I am nervous about a job interview",
    "my phone was stolen with my banking app on it", "I want to start running but my knees hurt",
    "my neighbour plays loud music at night", "I have two job offers and cannot decide",
    "my child refuses to do homework", "I want to save money on a small salary",
]  # fmt: skip
_ADVICE_FORMS = [
    "What should I do if {0}?",
    "Any advice? {0}.",
    "How would you handle this: {0}?",
    "I need some guidance because {0}.",
]
_FACTUAL = [
    ("capital", "Kenya"), ("population", "Brazil"), ("highest mountain", "Africa"), ("official languages", "Switzerland"),
    ("currency", "the Philippines"), ("longest river", "Asia"), ("boiling point of water", "sea level"),
    ("year of independence", "Ghana"), ("largest city", "Canada"), ("speed of light", "a vacuum"),
    ("distance to the Moon", "Earth"), ("number of bones", "the human body"),
]  # fmt: skip
_FACTUAL_FORMS = [
    "What is the {0} of {1}?",
    "Quick question: {0} of {1}?",
    "Do you know the {0} of {1}?",
    "Tell me the {0} of {1}, please.",
]
_OTHER = [
    "hello", "are you a person?", "tell me a joke", "what day is it today?", "asdfgh",
    "can you remember what I said yesterday?", "thanks, that was helpful", "who made you?",
    "let's play twenty questions", "I am bored", "what is your favourite colour?", "good night",
    "do you dream?", "repeat after me: banana", "why is your answer so short?", "ok",
]  # fmt: skip


def demo_items() -> list[dict[str, Any]]:
    """About 250 items, each with a stable external id and the text to label."""
    texts: list[tuple[str, str]] = []
    texts += [("coding", f.format(*c)) for c, f in product(_CODING, _CODING_FORMS)]
    texts += [("writing", f.format(*w)) for w, f in product(_WRITING, _WRITING_FORMS)]
    texts += [("advice", f.format(a)) for a, f in product(_ADVICE, _ADVICE_FORMS)]
    texts += [("factual", f.format(*q)) for q, f in product(_FACTUAL, _FACTUAL_FORMS)]
    texts += [("other", t.capitalize()) for t in _OTHER]
    # Interleave the intents so that every worker sees a mix from the start.
    ordered = sorted(enumerate(texts), key=lambda p: (p[0] % 36, p[0]))
    return [
        {"id": f"demo-{i + 1:04d}", "data": {"text": text}}
        for i, (_, (_intent, text)) in enumerate(ordered)
    ]


DEMO_SPEC: dict[str, Any] = {
    "name": "What is the user asking for? (intent labelling)",
    "disclosure": {
        "purpose": "Label the intent of prompts that people send to an AI assistant.",
        "end_use": "Demo Lab trains a small router model that sends each prompt to the right "
        "specialist model; the labels also evaluate that router.",
        "data_use": "Demo Lab receives the labels under CC BY 4.0 and keeps them for two years; "
        "your identity is never shared, only a per-project pseudonym.",
        "withdrawal": "Stop at any time from your Work page. Everything you did is paid, "
        "and you may ask for your answers to be removed from future exports.",
        "contact": "data-team@demo-lab.example",
    },
    "task": {
        "type": "label",
        "instructions": "Read the prompt and choose **the one intent** that fits best:\n\n"
        "- **coding**: writing, fixing or explaining code\n"
        "- **writing**: producing a text for the user (letters, poems, posts)\n"
        "- **advice**: what to do in a personal, work or money situation\n"
        "- **factual**: a question with one checkable answer\n"
        "- **other**: greetings, chit-chat, questions about the assistant, nonsense",
        "labels": LABELS,
        "multiple": False,
        "required_fields": ["text"],
    },
    "overlap": 3,
    "lease_minutes": 30,
    "pay": {
        "currency": "USD",
        "per_task": "0.05",
        "estimated_seconds": 12,
        "hourly_floor": "12.00",
    },
    "notice_days": 7,
}
