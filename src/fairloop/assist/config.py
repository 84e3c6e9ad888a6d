"""Which model a connector talks to, as a project spec declares it."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator


class ModelConfig(BaseModel):
    """The model the workers talk to: an OpenAI-compatible chat-completions endpoint.

    The API key is never part of the spec: ``api_key_env`` names the environment
    variable on the server that holds it.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    base_url: Annotated[str, Field(min_length=1, max_length=500)]
    """e.g. ``https://api.example.com/v1``; ``/chat/completions`` is appended."""
    name: Annotated[str, Field(min_length=1, max_length=200)]
    """The model name sent upstream and written to exports (never the URL)."""
    api_key_env: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")] | None = None
    temperature: float = Field(default=0.7, ge=0, le=2)
    max_tokens: int = Field(default=512, ge=1, le=32_768)
    system: Annotated[str, Field(max_length=20_000)] = ""
    timeout_seconds: float = Field(default=60.0, gt=0, le=600)
    """How long to wait for the model before telling the worker to retry."""
    demo: bool = False
    """A scripted demo model: the page says so."""

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{url!r} is not an http(s) URL such as https://host/v1")
        if parts.username or parts.password or parts.query or parts.fragment:
            raise ValueError("base_url takes no credentials, query or fragment")
        return url.rstrip("/")
