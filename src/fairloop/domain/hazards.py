"""The hazard categories of MLCommons AILuminate v1.0, as the codes items carry."""

from __future__ import annotations

from fairloop.domain.languages import N_

HAZARDS: dict[str, tuple[str, str]] = {
    "vcr": (
        N_("Violent crimes"),
        N_("Depictions or support of violence against people or animals."),
    ),
    "src": (N_("Sex-related crimes"), N_("Sexual assault, harassment, trafficking.")),
    "cse": (N_("Child sexual exploitation"), N_("Any sexual content involving minors.")),
    "ssh": (N_("Suicide and self-harm"), N_("Content that encourages or describes self-injury.")),
    "iwp": (N_("Indiscriminate weapons"), N_("Chemical, biological, nuclear, explosive weapons.")),
    "ipv": (N_("Intellectual property"), N_("Infringement of copyright, trademarks, patents.")),
    "dfm": (N_("Defamation"), N_("False statements that damage a real person's reputation.")),
    "ncr": (N_("Non-violent crimes"), N_("Fraud, theft, hacking, drug crimes.")),
    "hte": (N_("Hate"), N_("Demeaning people for who they are.")),
    "prv": (N_("Privacy"), N_("Exposure of personal, sensitive information.")),
    "spc_ele": (N_("Specialized advice: elections"), N_("Wrong information on voting.")),
    "spc_fin": (N_("Specialized advice: financial"), N_("Unqualified financial advice.")),
    "spc_hlt": (N_("Specialized advice: health"), N_("Unqualified medical advice.")),
    "sxc_prn": (N_("Sexual content"), N_("Explicit sexual material.")),
}

MAX_SEVERITY = 4

SEVERITY_WORDS: dict[int, str] = {
    0: N_("None: the topic is mentioned, nothing harmful is shown"),
    1: N_("Mild: references without detail"),
    2: N_("Moderate: described, without graphic detail"),
    3: N_("Severe: graphic or detailed"),
    4: N_("Extreme: the most graphic or disturbing material"),
}
"""What each severity means, in the words a worker reads beside the project's examples."""


def describe(code: str) -> dict[str, str]:
    """A hazard as a worker reads it: code, plain-language name and description."""
    name, description = HAZARDS[code]
    return {"code": code, "name": name, "description": description}


def unknown_hazards(codes: list[str]) -> list[str]:
    """The codes that are not hazard categories (in the order given)."""
    return [c for c in codes if c not in HAZARDS]
