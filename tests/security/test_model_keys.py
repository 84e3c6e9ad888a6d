"""A red-team spec reaches no value of the server's environment but a model key the
admin registered for the requester's organisation (FAIRLOOP_MODEL_KEY_ENVS).

Before: `api_key_env: FAIRLOOP_DATABASE_URL` sent the database URL (with its password)
to the requester's model host, as did FAIRLOOP_SECRET_KEY and another organisation's
key; the "not set on the server" error told which variables existed."""

from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairloop.assist.config import ModelConfig
from fairloop.domain.specs import parse_spec
from fairloop.errors import InvalidInput
from fairloop.services.projects import create_project
from fairloop.services.work.redteam import model_key
from tests import factories as f
from tests.factories.model import redteam_spec

FIELD = "task.model.api_key_env"


def refused_spec(db, requester, base_url, name):
    before = f.row_counts(db)
    with pytest.raises(InvalidInput) as refused:
        create_project(db, requester, parse_spec(redteam_spec(base_url, api_key_env=name)))
    assert f.row_counts(db) == before
    assert refused.value.field == FIELD
    return refused.value.message


@pytest.mark.parametrize("name", ["FAIRLOOP_DATABASE_URL", "FAIRLOOP_SECRET_KEY", "HOME", "PATH"])
def test_a_spec_naming_a_server_variable_is_refused_and_says_nothing_of_it(
    db, model_server, monkeypatch, name
):
    monkeypatch.setenv("FAIRLOOP_DATABASE_URL", "postgresql://app:hunter2@db/fairloop")
    monkeypatch.setenv("FAIRLOOP_MODEL_KEY_ENVS", "LAB_MODEL_KEY")
    requester, _ = f.user(db, "requester")
    message = refused_spec(db, requester, model_server.base_url, name)
    # The same words as for a name that exists nowhere: nothing tells what is set.
    missing = refused_spec(db, requester, model_server.base_url, "NO_SUCH_VARIABLE_AT_ALL")
    assert message.replace(name, "X") == missing.replace("NO_SUCH_VARIABLE_AT_ALL", "X")
    assert "not set" not in message and "registered" in message


def test_another_organisations_key_is_refused(db, model_server, monkeypatch):
    monkeypatch.setenv("OTHER_LAB_KEY", "sk-other-lab")
    monkeypatch.setenv("FAIRLOOP_MODEL_KEY_ENVS", "Other Lab:OTHER_LAB_KEY")
    requester, _ = f.user(db, "requester", org="Test Lab")
    refused_spec(db, requester, model_server.base_url, "OTHER_LAB_KEY")
    owner, _ = f.user(db, "requester", org="Other Lab")
    spec = parse_spec(redteam_spec(model_server.base_url, api_key_env="OTHER_LAB_KEY"))
    assert create_project(db, owner, spec) > 0


def test_a_key_unregistered_later_is_no_longer_sent(db, http, model_server, monkeypatch):
    monkeypatch.setenv("LAB_MODEL_KEY", "sk-lab")
    monkeypatch.setenv("FAIRLOOP_MODEL_KEY_ENVS", "Test Lab:LAB_MODEL_KEY")
    requester, _ = f.user(db, "requester", org="Test Lab")
    spec = parse_spec(redteam_spec(model_server.base_url, api_key_env="LAB_MODEL_KEY"))
    project_id = create_project(db, requester, spec)
    f.add_items(db, requester, project_id, [{"data": {"goal": "x"}, "hazards": ["vcr"]}])
    _, token = f.consented_worker(db, project_id)
    api = http(token)
    lease = api.post(f"/api/v1/projects/{project_id}/assignments").json()
    monkeypatch.setenv("FAIRLOOP_MODEL_KEY_ENVS", "")
    answered = api.post(f"/api/v1/assignments/{lease['id']}/turns", json={"content": "hi"})
    assert answered.status_code == 422 and answered.json()["error"]["field"] == FIELD


names = st.sampled_from(sorted(os.environ)) | st.from_regex(
    r"[A-Z_][A-Z0-9_]{0,20}", fullmatch=True
)
entries = st.lists(
    st.tuples(st.sampled_from(["", "Test Lab", "Other Lab"]), names), max_size=4
).map(lambda pairs: ",".join(f"{org}:{n}" if org else n for org, n in pairs))


@given(name=names, registered=entries, org=st.sampled_from(["Test Lab", "Other Lab"]))
def test_no_spec_reaches_an_environment_value_but_a_key_registered_for_its_org(
    name, registered, org
):
    """Whatever a spec names and whatever the admin registered, the key that would go
    out is either nothing or the value of a variable registered for this organisation."""
    saved = os.environ.get("FAIRLOOP_MODEL_KEY_ENVS")
    os.environ["FAIRLOOP_MODEL_KEY_ENVS"] = registered
    try:
        model = ModelConfig(base_url="https://model.example/v1", name="m", api_key_env=name)
        allowed = {
            entry.rpartition(":")[2]
            for entry in registered.split(",")
            if entry and entry.rpartition(":")[0] in ("", org)
        }
        try:
            key = model_key(model, org, field=FIELD)
        except InvalidInput:
            assert name not in allowed or not os.environ.get(name)
        else:
            assert name in allowed and key == os.environ[name]
    finally:
        if saved is None:
            os.environ.pop("FAIRLOOP_MODEL_KEY_ENVS", None)
        else:
            os.environ["FAIRLOOP_MODEL_KEY_ENVS"] = saved


def test_serve_lists_the_keys_an_older_red_team_project_needs_registered(
    db, model_server, monkeypatch
):
    from fairloop.services.work.redteam import unregistered_keys

    monkeypatch.setenv("LAB_MODEL_KEY", "sk-lab")
    monkeypatch.setenv("FAIRLOOP_MODEL_KEY_ENVS", "LAB_MODEL_KEY")
    requester, _ = f.user(db, "requester", org="Test Lab")
    spec = parse_spec(redteam_spec(model_server.base_url, api_key_env="LAB_MODEL_KEY"))
    create_project(db, requester, spec)
    assert unregistered_keys(db) == []
    monkeypatch.setenv("FAIRLOOP_MODEL_KEY_ENVS", "")  # as on an instance upgraded today
    assert unregistered_keys(db) == [("Test Lab", "Red team", "LAB_MODEL_KEY")]
