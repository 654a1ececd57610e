"""The `gzchain` command end to end, on the persistent embedded chain and on anvil."""

from __future__ import annotations

import pytest
from conftest import AnvilNode, free_port
from typer.testing import CliRunner

from gzchain.cli import app

WIDE = {"COLUMNS": "250"}


@pytest.fixture
def cli(isolated_env):
    runner = CliRunner(env=WIDE)

    def run(*args: str, expect: int = 0) -> str:
        result = runner.invoke(app, list(args))
        output = result.output
        assert result.exit_code == expect, output + (repr(result.exception) if result.exception else "")
        return output

    return run


@pytest.mark.parametrize("lane", ["embedded", "anvil"])
def test_deploy_then_members_lists_the_agencies_with_roles(cli, lane: str, request):
    args = ["--rpc-url", request.getfixturevalue("anvil").url] if lane == "anvil" else []
    out = cli(*args, "deploy")
    assert "deployed Consortium" in out
    assert "DEMO keys" in out
    members = cli(*args, "consortium", "members")
    assert "threshold 2 of 2 governors" in members
    assert "gz-msa" in members and "GOVERNOR, REGISTRAR, REGULATOR" in members
    assert "gz-customs" in members and "INSPECTOR" in members
    assert "tianhe-supermarket" in members and "COLDCHAIN_OPERATOR" in members
    assert "nothing changed" in cli(*args, "deploy")


def test_commands_run_one_after_another_see_each_others_writes(cli):
    cli("deploy")
    assert "pending, 1 approval(s)" in cli(
        "consortium",
        "propose",
        "add-member",
        "--as",
        "gz-msa",
        "--account",
        "haizhu-health",
        "--name",
        "Haizhu Health Bureau",
        "--domain",
        "wjj.haizhu.gov.cn",
    )
    assert "executed" in cli("consortium", "approve", "--as", "gz-gsdata", "1")
    assert "Haizhu Health Bureau" in cli("consortium", "members")
    assert "executed" in cli("consortium", "proposals")
    cli("consortium", "propose", "grant-role", "--as", "gz-msa", "haizhu-health", "INSPECTOR")
    assert "add_member" not in cli("consortium", "proposals", "--pending")


def test_a_refused_action_exits_5_and_names_the_rule(cli):
    cli("deploy")
    out = cli("consortium", "propose", "threshold", "--as", "gz-notary", "1", expect=5)
    assert "ConsortiumMissingRole" in out and "role=GOVERNOR" in out


def test_bad_input_exits_2_with_the_field(cli):
    cli("deploy")
    out = cli("consortium", "propose", "grant-role", "--as", "gz-msa", "gz-notary", "WIZARD", expect=2)
    assert "role: unknown role 'WIZARD'" in out


def test_commands_before_deploy_say_what_to_do(cli):
    assert "run `gzchain deploy`" in cli("consortium", "members", expect=3)


def test_an_unreachable_node_exits_7_without_a_traceback(cli):
    out = cli("--rpc-url", f"http://127.0.0.1:{free_port()}", "consortium", "members", expect=7)
    assert "unreachable" in out and "Traceback" not in out


def test_version_names_the_pinned_compiler(cli):
    assert "solc 0.8.28, evm shanghai" in cli("version")


def test_the_demo_runs_every_scenario_green(cli):
    out = cli("demo")
    assert "✓ Consortium governance" in out


def test_the_demo_runs_against_a_real_node(cli, anvil: AnvilNode):
    assert "✓ Consortium governance" in cli("--rpc-url", anvil.url, "demo")
