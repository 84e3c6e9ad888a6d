"""The interface every model connector offers, and the one error it raises.

Connector.stream(messages) -> async iterator of text pieces
ModelError(message, code)   the call failed; ``message`` is safe to show a worker
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol, TypedDict


class Message(TypedDict):
    role: str  # system | user | assistant
    content: str


class ModelError(Exception):
    """The model could not answer. ``message`` is ours, written for the worker; nothing
    the upstream server sent back is ever put in it."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


class Connector(Protocol):
    """A chat model. ``stream`` yields the reply in pieces as they arrive."""

    def stream(self, messages: list[Message]) -> AsyncIterator[str]: ...
