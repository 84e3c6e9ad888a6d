"""A careless admin is stopped: settings that would let a project pay nothing, or let
hazard content count as no exposure, are refused by name and value before anything
starts (issue 15, part 8)."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal

import pytest

from fairloop.errors import InvalidInput
from fairloop.settings import Settings, get_settings

REFUSED = [
    (
        "FAIRLOOP_MIN_HOURLY_FLOOR",
        "0",
        "FAIRLOOP_MIN_HOURLY_FLOOR='0': a minimum hourly floor must be more than 0, not 0: "
        "a floor of 0 lets a project pay nothing",
    ),
    (
        "FAIRLOOP_MIN_HOURLY_FLOOR",
        "-1.00",
        "FAIRLOOP_MIN_HOURLY_FLOOR='-1.00': a minimum hourly floor must be more than 0, not "
        "-1.00: a floor of 0 lets a project pay nothing",
    ),
    (
        "FAIRLOOP_MIN_HOURLY_FLOORS",
        "GBP:12.21,EUR:0.00",
        "FAIRLOOP_MIN_HOURLY_FLOORS='GBP:12.21,EUR:0.00': the minimum in EUR ('EUR:0.00') "
        "must be more than 0, not 0.00: a floor of 0 lets a project pay nothing",
    ),
    (
        "FAIRLOOP_MIN_HOURLY_FLOORS",
        "GBP",
        "FAIRLOOP_MIN_HOURLY_FLOORS='GBP': 'GBP' is not a CODE:amount pair such as GBP:12.21",
    ),
    (
        "FAIRLOOP_EXPOSURE_WEIGHTS",
        "0,0,0,0,0",
        "FAIRLOOP_EXPOSURE_WEIGHTS='0,0,0,0,0': the weight of severity 0 is 0: every weight "
        "must be more than 0, or minutes of that content would not count as exposure",
    ),
    (
        "FAIRLOOP_EXPOSURE_WEIGHTS",
        "1,1,1.5,0,3",
        "FAIRLOOP_EXPOSURE_WEIGHTS='1,1,1.5,0,3': the weight of severity 3 is 0: every weight "
        "must be more than 0, or minutes of that content would not count as exposure",
    ),
    (
        "FAIRLOOP_EXPOSURE_WEIGHTS",
        "3,2,1.5,1,1",
        "FAIRLOOP_EXPOSURE_WEIGHTS='3,2,1.5,1,1': weights must not decrease with severity: "
        "severity 0 weighs 3 but severity 1 weighs 2",
    ),
    (
        "FAIRLOOP_EXPOSURE_WEIGHTS",
        "1,2,3",
        "FAIRLOOP_EXPOSURE_WEIGHTS='1,2,3': exposure weights are 5 numbers from 0 to 100, one "
        "per severity 0 to 4, such as 1,1,1.5,2,3",
    ),
    (
        "FAIRLOOP_FLOORS_BY_COUNTRY",
        "GB:GBP:0",
        "FAIRLOOP_FLOORS_BY_COUNTRY='GB:GBP:0': the floor of GB in GBP ('GB:GBP:0') must be "
        "more than 0, not 0: a floor of 0 lets a project pay nothing",
    ),
    (
        "FAIRLOOP_FLOORS_BY_COUNTRY",
        "GB:12.21",
        "FAIRLOOP_FLOORS_BY_COUNTRY='GB:12.21': 'GB:12.21' is not a COUNTRY:CODE:amount such "
        "as GB:GBP:12.21",
    ),
    (
        "FAIRLOOP_FLOORS_BY_COUNTRY",
        "UK:GBP:12.21,UK:GBP:13.00",
        "FAIRLOOP_FLOORS_BY_COUNTRY='UK:GBP:12.21,UK:GBP:13.00': UK is given twice in GBP",
    ),
    (
        "FAIRLOOP_CURRENCY",
        "dollars",
        "FAIRLOOP_CURRENCY='dollars': 'dollars' is not a currency code such as USD "
        "(3 capital letters)",
    ),
]


@pytest.fixture
def environment(monkeypatch):
    """``environment(NAME=value)``: the settings as an instance started with those."""

    def read(**variables: str) -> Settings:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        return get_settings()

    yield read
    get_settings.cache_clear()


@pytest.mark.parametrize(("variable", "value", "message"), REFUSED)
def test_a_bad_floor_or_weight_is_refused_by_name_and_value(environment, variable, value, message):
    with pytest.raises(InvalidInput) as refused:
        environment(**{variable: value})
    assert refused.value.message == message
    assert refused.value.field == variable


@pytest.mark.parametrize(("variable", "value", "message"), REFUSED[::3])
def test_the_command_line_prints_the_refusal_and_does_nothing(tmp_path, variable, value, message):
    env = {**os.environ, "FAIRLOOP_SECRET_KEY": "k" * 40, variable: value}
    env["FAIRLOOP_DATABASE_URL"] = f"sqlite:///{tmp_path / 'fairloop.db'}"
    ran = subprocess.run(
        [sys.executable, "-m", "fairloop", "pay", "settle"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert ran.returncode == 1
    assert ran.stderr.strip() == f"error (invalid) [{variable}]: {message}"
    assert not (tmp_path / "fairloop.db").exists()


def test_the_default_gbp_minimum_is_the_uk_national_living_wage(environment):
    # GBP 12.21 an hour from April 2025, for workers aged 21 and over.
    assert environment().minimum_floors()["GBP"] == Decimal("12.21")


def test_an_instance_minimum_is_the_higher_where_both_settings_name_a_currency(environment):
    floors = environment(FAIRLOOP_CURRENCY="GBP", FAIRLOOP_MIN_HOURLY_FLOOR="15.00")
    assert floors.minimum_floors() == {"GBP": Decimal("15.00"), "EUR": Decimal("11.00")}
    floors = environment(FAIRLOOP_MIN_HOURLY_FLOOR="10.00")
    assert floors.minimum_floors()["GBP"] == Decimal("12.21")


def test_floors_by_country_and_weights_read_as_documented(environment):
    read = environment(
        FAIRLOOP_FLOORS_BY_COUNTRY="GB:GBP:12.21, GB:USD:15.50,US:USD:12.00",
        FAIRLOOP_EXPOSURE_WEIGHTS="1,1,1,1,1",
    )
    assert read.country_floors() == {
        ("GB", "GBP"): Decimal("12.21"),
        ("GB", "USD"): Decimal("15.50"),
        ("US", "USD"): Decimal("12.00"),
    }
    assert read.exposure_weights == "1,1,1,1,1"
