"""Model connectors: an OpenAI-compatible chat client, the outbound-host rule, and a
scripted model that speaks the same protocol on loopback for tests and the demo."""

from fairloop.assist.connector import Connector, Message, ModelError
from fairloop.assist.openai import OpenAIChat
from fairloop.assist.outbound import check_url
from fairloop.assist.scripted import ScriptedModel, scripted_app

__all__ = [
    "Connector",
    "Message",
    "ModelError",
    "OpenAIChat",
    "ScriptedModel",
    "check_url",
    "scripted_app",
]
