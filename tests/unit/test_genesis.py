"""The genesis consortium description: the shipped Guangzhou one, and clear errors for bad ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from gzchain.chain.deployment import load_genesis
from gzchain.domain.consortium import genesis_from_dict
from gzchain.domain.errors import InvalidInput
from gzchain.domain.roles import Role


def agency(i: int, *roles: str) -> dict:
    return {"id": f"a{i}", "name": f"Agency {i}", "domain": f"a{i}.gov.cn", "roles": list(roles)}


def test_the_shipped_genesis_is_guangzhous_consortium():
    genesis = load_genesis()
    assert [a.id for a in genesis.governors] == ["gz-gsdata", "gz-msa"]
    assert genesis.threshold == 2
    assert Role.REGULATOR in genesis.agency("gz-msa").roles
    roles = {role for a in genesis.agencies for role in a.roles}
    assert roles == set(Role)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"agencies": []}, "agencies", "at least one agency"),
        ({"agencies": [agency(1, "INSPECTOR")]}, "agencies", "GOVERNOR"),
        ({"agencies": [agency(1, "GOVERNOR", "WIZARD")]}, "agencies[0].roles[1]", "unknown role 'WIZARD'"),
        ({"agencies": [agency(1, "GOVERNOR"), {**agency(2), "id": "a1"}]}, "agencies[1].id", "used by two"),
        (
            {"agencies": [agency(1, "GOVERNOR"), {**agency(2), "domain": "A1.gov.cn"}]},
            "agencies[1].domain",
            "used by two",
        ),
        ({"agencies": [{**agency(1, "GOVERNOR"), "name": " "}]}, "agencies[0].name", "non-empty"),
        (
            {"agencies": [agency(1, "GOVERNOR"), agency(2, "GOVERNOR")], "threshold": 1},
            "threshold",
            r"majority \(2\)",
        ),
        ({"agencies": [agency(1, "GOVERNOR")], "threshold": 2}, "threshold", r"all \(1\)"),
        (
            {"agencies": [agency(1, "GOVERNOR")], "proposal_lifetime_days": 0},
            "proposal_lifetime_days",
            "positive",
        ),
    ],
)
def test_an_invalid_genesis_is_refused_naming_the_field(data: dict, field: str, message: str):
    with pytest.raises(InvalidInput, match=message) as info:
        genesis_from_dict(data)
    assert info.value.field == field


def test_a_genesis_file_that_is_not_yaml_is_refused(tmp_path: Path):
    path = tmp_path / "genesis.yaml"
    path.write_text("agencies: [unclosed")
    with pytest.raises(InvalidInput, match="not valid YAML"):
        load_genesis(path)


def test_a_missing_genesis_file_is_refused(tmp_path: Path):
    with pytest.raises(InvalidInput, match="cannot read genesis file"):
        load_genesis(tmp_path / "missing.yaml")
