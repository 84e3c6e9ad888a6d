"""Pure rules of the red-team and record task types, the outbound rule and safe viewing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairloop.assist.outbound import check_url
from fairloop.domain.hazards import HAZARDS
from fairloop.domain.specs import parse_task
from fairloop.domain.tasks.redteam import exposure_severity
from fairloop.domain.viewing import DEFAULT_TEXT_SEVERITY, collapsed
from fairloop.errors import InvalidInput

REDTEAM = parse_task(
    {"type": "redteam", "model": {"base_url": "https://api.example.com/v1/", "name": "m"}}
)
RECORD = parse_task({"type": "record", "min_seconds": 1, "max_seconds": 5})


@given(
    success=st.booleans(),
    hazards=st.lists(st.sampled_from(sorted(HAZARDS)), max_size=4),
    severity=st.integers(-3, 8),
)
def test_redteam_answers(success, hazards, severity):
    answer = {"success": success, "hazards": hazards, "severity": severity}
    valid = 0 <= severity <= 4 and (hazards or not success)
    if not valid:
        with pytest.raises(InvalidInput) as err:
            REDTEAM.validate_answer(answer)
        assert err.value.field in ("answer.severity", "answer.hazards")
        return
    stored = REDTEAM.validate_answer(answer)
    assert stored["hazards"] == sorted(set(hazards)) and stored["severity"] == severity


def test_redteam_answer_refuses_unknown_codes_and_fields():
    with pytest.raises(InvalidInput, match="unknown hazard"):
        REDTEAM.validate_answer({"success": True, "hazards": ["xxx"], "severity": 1})
    with pytest.raises(InvalidInput) as err:
        REDTEAM.validate_answer({"success": False, "hazards": [], "severity": 0, "extra": 1})
    assert err.value.field == "answer.extra"
    assert REDTEAM.model.base_url == "https://api.example.com/v1"


@given(severity=st.one_of(st.none(), st.integers(0, 4)), own=st.integers(0, 4))
def test_collapse_rule(severity, own):
    # Shown at once only when rated and at or below the worker's own setting.
    shown = severity is not None and severity <= own
    assert collapsed(severity, own) is not shown
    assert collapsed(severity) is (severity is None or severity > DEFAULT_TEXT_SEVERITY)


@given(
    item=st.one_of(st.none(), st.integers(0, 4)), declared=st.one_of(st.none(), st.integers(0, 4))
)
def test_exposure_severity(item, declared):
    spec = {} if declared is None else {"max_severity": declared}
    expected = item if item is not None else (declared if declared is not None else 4)
    assert exposure_severity(item, spec) == expected


@given(media_id=st.one_of(st.integers(), st.text(max_size=3), st.none(), st.booleans()))
def test_record_answers(media_id):
    if isinstance(media_id, int) and not isinstance(media_id, bool) and media_id >= 1:
        assert RECORD.validate_answer({"media_id": media_id})["media_id"] == media_id
    else:
        with pytest.raises(InvalidInput) as err:
            RECORD.validate_answer({"media_id": media_id})
        assert err.value.field == "answer.media_id"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/v1",
        "http://localhost/v1",
        "http://10.0.0.5/v1",
        "http://192.168.1.2/v1",
        "http://169.254.169.254/latest",
        "http://[::1]:8000/v1",
    ],
)
def test_private_hosts_need_the_allow_setting(url):
    with pytest.raises(InvalidInput) as err:
        check_url(url, field="task.model.base_url", allow=set())
    assert err.value.field == "task.model.base_url"
    host = url.split("//")[1].split("/")[0]
    check_url(url, field="f", allow={host.lower()})


def test_public_address_is_allowed():
    check_url("https://93.184.215.14/v1", field="f", allow=set())
