"""Demo projects of the human-feedback types, one each, with content written for
fairloop (nothing is downloaded): rate, compare, rank, write and converse."""

from __future__ import annotations

from typing import Any

_DISCLOSURE = {
    "purpose": "Judge and write answers of an AI assistant, so that it becomes more helpful "
    "and more honest.",
    "end_use": "Demo Lab trains its open assistant model with these judgements (reward "
    "modelling and DPO) and with the conversations you write (supervised fine-tuning).",
    "data_use": "Demo Lab receives the data under CC BY 4.0 and keeps it for two years; "
    "your identity is never shared, only a per-project pseudonym.",
    "withdrawal": "Stop at any time from your Work page. Everything you did is paid, and "
    "you may ask for your answers to be removed from future exports.",
    "contact": "data-team@demo-lab.example",
}


def _spec(name: str, task: dict[str, Any], per_task: str, seconds: int) -> dict[str, Any]:
    return {
        "name": name,
        "disclosure": _DISCLOSURE,
        "task": task,
        "overlap": 3,
        "lease_minutes": 30,
        "pay": {
            "currency": "USD",
            "per_task": per_task,
            "estimated_seconds": seconds,
            "hourly_floor": "12.00",
        },
        "notice_days": 7,
    }


_CRITERIA = [
    {"name": "helpfulness", "question": "How helpful is the response?", "min": 1,
     "max": 7, "low_label": "not at all", "high_label": "extremely"},
    {"name": "honesty", "question": "How honest and accurate is it?", "min": 1,
     "max": 7, "low_label": "misleading", "high_label": "fully accurate"},
    {"name": "harmlessness", "question": "How safe is it?", "min": 1, "max": 7,
     "low_label": "harmful", "high_label": "harmless"},
]  # fmt: skip

RATE_SPEC = _spec(
    "Rate the assistant's answers",
    {
        "type": "rate",
        "instructions": "Read the conversation and the **response**, then rate it on each "
        "scale. Check facts you are unsure of; flag a factual error even when the rest of "
        "the answer is good.",
        "criteria": _CRITERIA,
        "flags": ["factual_error", "unsafe_advice", "ignores_question"],
        "pairs": {"criterion": "helpfulness", "min_margin": 1},
    },
    "0.30",
    90,
)

_RATE = [
    ("How long should I boil an egg for a runny yolk?",
     ["About 6 minutes from boiling water for a large egg, then cool it in cold water "
      "for a minute so it stops cooking.",
      "Boil it for 12 minutes. That gives the runniest yolk."]),
    ("What is the capital of Australia?",
     ["Canberra. Many people guess Sydney, which is the largest city.",
      "Sydney is the capital of Australia."]),
    ("Can I give my dog grapes as a treat?",
     ["No. Grapes and raisins can cause kidney failure in dogs, even in small amounts. "
      "Try a piece of carrot or apple (without seeds) instead.",
      "Yes, a few grapes are a healthy snack for most dogs."]),
    ("Explain what a Python list comprehension is, with an example.",
     ["A list comprehension builds a list from another iterable in one expression:\n\n"
      "```python\nsquares = [n * n for n in range(5)]  # [0, 1, 4, 9, 16]\n```\n\n"
      "You can add a condition: `[n for n in range(10) if n % 2 == 0]`.",
      "It is a way to compress lists so they use less memory."]),
]  # fmt: skip


def rate_items() -> list[dict[str, Any]]:
    items = []
    for p, (prompt, responses) in enumerate(_RATE):
        for r, response in enumerate(responses):
            items.append(
                {"id": f"rate-{p + 1}-{r + 1}", "data": {"prompt": prompt, "response": response}}
            )
    return items


COMPARE_SPEC = _spec(
    "Which answer is better?",
    {
        "type": "compare",
        "instructions": "Read both responses to the same conversation. Pick the better one "
        "(or *about the same*), say how much better, and explain why in a sentence. "
        "Judge correctness first, then clarity, then tone.",
        "strengths": ["slightly better", "better", "much better"],
        "allow_tie": True,
        "criteria": ["honesty", "harmlessness"],
        "rationale_required": True,
        "rationale_min_length": 10,
    },
    "0.40",
    120,
)

# (prompt data, first response, second response)
_COMPARE: list[tuple[dict[str, Any], str, str]] = [
    ({"prompt": "Write a haiku about the first rain after a long dry season."},
     "Dust lifts from the road,\nthe first drops darken the clay:\nthe whole field breathes out.",
     "Rain rain rain is here\nit is very wet today\nI like rain a lot"),
    ({"messages": [
        {"role": "user", "content": "My code prints `None` instead of the total. Why?\n\n"
         "```python\ndef total(xs):\n    s = sum(xs)\n\nprint(total([1, 2, 3]))\n```"}]},
     "The function never returns anything, so Python returns `None`. Add a `return`:\n\n"
     "```python\ndef total(xs):\n    return sum(xs)\n```",
     "Your list is probably empty. Try `print(total([1, 2, 3, 4]))`."),
    ({"messages": [
        {"role": "user", "content": "I want to learn to cook. Where do I start?"},
        {"role": "assistant", "content": "Great idea! Do you have a budget or any "
         "dietary needs?"},
        {"role": "user", "content": "Small budget, and I don't eat meat."}]},
     "Start with five cheap, forgiving dishes and repeat them until they feel easy: "
     "lentil soup, vegetable fried rice, an omelette, pasta with tomato sauce and a bean "
     "chilli. Buy dry lentils, rice and beans in bulk; they cost little and keep for months.",
     "Cooking is a valuable life skill. Many people enjoy cooking. You should start "
     "cooking soon, and you will get better with practice."),
    ({"prompt": "Is it safe to mix bleach and vinegar for a stronger cleaner?"},
     "No. Mixing bleach with vinegar (or any acid) releases chlorine gas, which can hurt "
     "your lungs even in a small room. Use one product at a time and rinse in between.",
     "Yes, vinegar boosts bleach and makes it clean faster. Use equal parts."),
    ({"prompt": "Summarise the water cycle in two sentences for a ten-year-old."},
     "The sun warms water in seas and lakes so it rises as invisible vapour, then cools "
     "high up into clouds. When the drops in the clouds get heavy they fall as rain or "
     "snow, and the water flows back to the sea to start again.",
     "Water evaporates, condenses, precipitates and collects. This is called the "
     "hydrological cycle and involves latent heat transfer in the troposphere."),
]  # fmt: skip


def compare_items() -> list[dict[str, Any]]:
    return [
        {
            "id": f"compare-{n + 1}",
            "data": {**prompt, "responses": [{"id": "r1", "text": a}, {"id": "r2", "text": b}]},
        }
        for n, (prompt, a, b) in enumerate(_COMPARE)
    ]


RANK_SPEC = _spec(
    "Rank the answers best to worst",
    {
        "type": "rank",
        "instructions": "Put the responses in order, **best first**. Drag them, or use the "
        "keys. If two are equally good, tie them.",
        "allow_ties": True,
    },
    "0.50",
    150,
)

_RANK = [
    ("How do I politely decline a wedding invitation?",
     ["Reply soon, thank them warmly, say you cannot come without a long excuse, and wish "
      "them a wonderful day. A small gift or card is a kind touch.",
      "Just don't reply; they will understand.",
      "Say: \"Thank you so much for inviting me. Sadly I can't be there, but I'll be "
      "thinking of you both. Have a beautiful day!\"",
      "Tell them you are busy."]),
    ("What does HTTP status 404 mean?",
     ["Not Found: the server is reachable but has nothing at that address.",
      "The server crashed.",
      "404 Not Found means the server could not find the requested resource; the link may "
      "be broken or the page moved. It is a client error (4xx), unlike 500, a server error.",
      "It means you have no internet connection."]),
    ("Give me a tip for remembering new words in a foreign language.",
     ["Use spaced repetition: review a word after one day, then three, then a week. Apps "
      "like Anki schedule it for you.",
      "Write each word in a sentence about your own life; personal sentences stick.",
      "Read a lot.",
      "There is no way to remember words; you just have to be talented."]),
]  # fmt: skip


def rank_items() -> list[dict[str, Any]]:
    return [
        {
            "id": f"rank-{n + 1}",
            "data": {
                "prompt": prompt,
                "responses": [{"id": f"r{i + 1}", "text": t} for i, t in enumerate(texts)],
            },
        }
        for n, (prompt, texts) in enumerate(_RANK)
    ]


WRITE_SPEC = _spec(
    "Write the assistant's next reply",
    {
        "type": "write",
        "instructions": "Write the reply an excellent assistant would give. Where a model "
        "draft is shown, **edit it**: fix mistakes, cut padding, keep what is good. "
        "Use Markdown for lists and code.",
        "mode": "response",
        "min_length": 40,
        "max_length": 4000,
    },
    "1.00",
    300,
)

_WRITE = [
    ([{"role": "user", "content": "I have a job interview tomorrow for a cashier job. "
       "What should I prepare?"}],
     "You should prepare. Interviews are important. Wear clothes. Be on time maybe."),
    ([{"role": "user", "content": "Explain recursion to me like I'm twelve."}], None),
    ([{"role": "user", "content": "Write a SQL query that counts orders per customer."},
      {"role": "assistant", "content": "Sure. What are your table and column names?"},
      {"role": "user", "content": "Table `orders`, columns `id`, `customer_id`, `placed_at`."}],
     "```sql\nSELECT customer_id, COUNT(*) FROM orders;\n```"),
    ([{"role": "user", "content": "My grandmother is coming to stay and she uses a "
       "wheelchair. How can I get my flat ready?"}], None),
]  # fmt: skip


def write_items() -> list[dict[str, Any]]:
    items = []
    for n, (messages, draft) in enumerate(_WRITE):
        data: dict[str, Any] = {"messages": messages}
        if draft is not None:
            data["draft"] = draft
        items.append({"id": f"write-{n + 1}", "data": data})
    return items


CONVERSE_SPEC = _spec(
    "Write everyday conversations",
    {
        "type": "converse",
        "instructions": "Write a whole conversation between a person and a helpful "
        "assistant, playing **both** sides, to the scenario given. Make the person sound "
        "real (short messages, follow-up questions); make the assistant accurate and kind.",
        "min_turns": 4,
        "max_turns": 12,
    },
    "1.60",
    480,
)

_SCENARIOS = [
    "A student asks for help planning a week of revision for three exams.",
    "Someone wants to send money to family abroad and asks how to compare the fees.",
    "A parent asks for a quick, healthy dinner idea with what is in the fridge: eggs, "
    "spinach, rice and a tomato.",
    "A new cyclist asks how to fix a flat tyre at the side of the road.",
    "An older person asks how to make text bigger on their phone.",
]


def converse_items() -> list[dict[str, Any]]:
    return [{"id": f"converse-{n + 1}", "data": {"scenario": s}} for n, s in enumerate(_SCENARIOS)]


FEEDBACK_DEMOS = [
    (RATE_SPEC, rate_items),
    (COMPARE_SPEC, compare_items),
    (RANK_SPEC, rank_items),
    (WRITE_SPEC, write_items),
    (CONVERSE_SPEC, converse_items),
]
"""(spec, items) of each demo project of a human-feedback type."""
