"""Specs and items of the human-feedback task types, for tests."""

from __future__ import annotations

from typing import Any

from tests.factories import SPEC, spec

TASKS: dict[str, dict[str, Any]] = {
    "rate": {
        "type": "rate",
        "instructions": "Rate the response.",
        "criteria": [
            {"name": "helpfulness", "min": 1, "max": 7},
            {"name": "honesty", "min": 1, "max": 7},
        ],
        "flags": ["factual_error", "unsafe"],
        "pairs": {"criterion": "helpfulness", "min_margin": 1},
    },
    "compare": {
        "type": "compare",
        "instructions": "Which response is better?",
        "strengths": ["slightly better", "better", "much better"],
        "rationale_required": True,
    },
    "rank": {"type": "rank", "instructions": "Order best to worst.", "allow_ties": True},
    "write": {"type": "write", "instructions": "Write the reply.", "min_length": 5},
    "converse": {
        "type": "converse",
        "instructions": "Write a conversation.",
        "min_turns": 4,
        "max_turns": 8,
    },
}


def feedback_spec(kind: str, **overrides: Any) -> dict[str, Any]:
    task = {**TASKS[kind], **overrides.pop("task", {})}
    return spec(name=f"{kind} project", task=task, **overrides)


def item(kind: str, n: int, *, chat: bool = False) -> dict[str, Any]:
    """The n-th item of a project of ``kind``; ``chat`` gives the prompt as messages."""
    prompt: dict[str, Any] = (
        {"messages": [{"role": "user", "content": f"Question {n}?"}]}
        if chat
        else {"prompt": f"Question {n}?"}
    )
    if kind == "rate":
        data = {**prompt, "response": f"Answer {n}."}
    elif kind == "compare":
        data = {**prompt, "responses": [{"id": "a", "text": f"A{n}"}, {"id": "b", "text": f"B{n}"}]}
    elif kind == "rank":
        data = {**prompt, "responses": [{"id": r, "text": f"{r}{n}"} for r in "pqrs"]}
    elif kind == "write":
        data = {"messages": [{"role": "user", "content": f"Question {n}?"}], "draft": "A draft."}
    else:
        data = {"scenario": f"Ask about trains, case {n}."}
    return {"id": f"{kind}-{n}", "data": data}


CONVERSATION = [
    {"role": "user", "content": "When is the next train?"},
    {"role": "assistant", "content": "At **10:15**, platform 2."},
    {"role": "user", "content": "And after that?"},
    {"role": "assistant", "content": "10:45."},
]

GOOD_ANSWERS: dict[str, dict[str, Any]] = {
    "rate": {"ratings": {"helpfulness": 6, "honesty": 7}, "flags": ["unsafe"], "comment": "ok"},
    "compare": {"preferred": "a", "strength": 2, "rationale": "A is clearer."},
    "rank": {"order": ["q", ["p", "s"], "r"]},
    "write": {"text": "A careful reply."},
    "converse": {"messages": CONVERSATION},
}

__all__ = ["CONVERSATION", "GOOD_ANSWERS", "SPEC", "TASKS", "feedback_spec", "item"]
