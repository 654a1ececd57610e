"""`gzchain serve` with docker-compose.yml's API settings (issue #15 item 5), run as the real command.

The API service's environment is read from docker-compose.yml itself; only what names a container is
replaced (the node's URL by a chain-1337 zero-fee anvil like the Besu network, the folders by temporary
ones, PostgreSQL by the SQLite default). Without a keystore it refuses to start with one line of reason;
with the keystore `gzchain network init` created, it deploys and serves, and every transaction it sends is
signed by an agency key from that keystore, never by a demo key.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pytest
import yaml
from conftest import free_port
from web3 import Web3

from gzchain.chain.keys import (
    DEVELOPMENT_CHAIN_IDS,
    DemoKeyRing,
    EncryptedKeyRing,
    demo_keys_refusal,
    new_master_key,
    read_master_key,
)
from tests.conftest import AnvilNode

GZCHAIN = Path(sys.executable).with_name("gzchain")
ROOT = Path(__file__).resolve().parents[2]
# Where keys-init puts the host's keystore and master key inside the API container.
CONTAINER_KEYSTORE = "/var/lib/gzchain/keystore.json"
CONTAINER_MASTER_KEY = "/run/gzchain/master-key"


def compose_api_environment() -> dict[str, str]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return {k: str(v) for k, v in compose["services"]["api"]["environment"].items()}


def compose_style(node_url: str, tmp_path: Path, **host_paths: str) -> dict[str, str]:
    """The compose API's settings on this machine: container names and paths swapped for local ones."""
    settings = compose_api_environment()
    assert settings["GZCHAIN_FEE_POLICY"] == "zero"
    settings |= {"GZCHAIN_RPC_URL": node_url, "GZCHAIN_DATA_DIR": str(tmp_path / "data")}
    del settings["GZCHAIN_STORE_URL"]  # postgres:5432 is a container name; the store is not the point here
    for name, value in list(settings.items()):
        if value in host_paths:
            settings[name] = host_paths[value]
        elif value in (CONTAINER_KEYSTORE, CONTAINER_MASTER_KEY):
            del settings[name]  # no keystore given: what a compose file without one would do
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GZCHAIN_")}
    # rich wraps at 80 columns otherwise; the default master key folder is a temporary one
    return {**clean, "COLUMNS": "1000", "XDG_CONFIG_HOME": str(tmp_path / "config"), **settings}


def gzchain(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(GZCHAIN), *args], env=env, capture_output=True, text=True, timeout=180)


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.fixture(scope="module")
def besu_like_node():
    """Chain id 1337 as `gzchain network init` generates it, with Besu's free gas."""
    node = AnvilNode("--chain-id", "1337", "--base-fee", "0", "--gas-price", "0", "--no-priority-fee").start()
    yield node
    node.stop()


def test_compose_settings_without_a_keystore_make_serve_refuse_with_a_one_line_reason(
    besu_like_node, tmp_path: Path
):
    env = compose_style(besu_like_node.url, tmp_path)
    assert "GZCHAIN_KEYSTORE_FILE" not in env
    done = gzchain(env, "serve", "--port", str(free_port()))
    assert done.returncode == 4
    line = one_line(done.stderr)
    assert "refusing demo keys on chain 1337" in line
    assert "GZCHAIN_KEYSTORE_FILE" in line and "--allow-demo-keys" in line


def test_compose_settings_with_a_master_key_file_in_the_data_folder_make_serve_refuse(
    besu_like_node, tmp_path: Path
):
    inside = tmp_path / "data" / "master-key"
    inside.parent.mkdir()
    inside.write_text(new_master_key())
    inside.chmod(0o600)
    keystore = tmp_path / "keys" / "agencies.json"
    EncryptedKeyRing(keystore, read_master_key(None, inside)).add("gz-msa")
    env = compose_style(
        besu_like_node.url,
        tmp_path,
        **{CONTAINER_KEYSTORE: str(keystore), CONTAINER_MASTER_KEY: str(inside)},
    )
    done = gzchain(env, "serve", "--port", str(free_port()))
    assert done.returncode == 2
    line = one_line(done.stderr)
    assert f"master key file {inside} is inside the data folder" in line
    assert "GZCHAIN_ALLOW_MASTER_KEY_IN_DATA_DIR" in line


class Server:
    def __init__(self, env: dict[str, str]) -> None:
        self.url = f"http://127.0.0.1:{free_port()}"
        port = self.url.rsplit(":", 1)[1]
        self.process = subprocess.Popen(
            [str(GZCHAIN), "serve", "--port", port],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        pytest.fail(f"server did not become ready: {self.process.stderr.read().decode()[-2000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def test_compose_settings_with_the_network_init_keystore_serve_and_sign_with_its_keys(
    besu_like_node, tmp_path: Path
):
    init_env = {**compose_style(besu_like_node.url, tmp_path), "COLUMNS": "200"}
    keystore = tmp_path / "deploy" / "keystore" / "agencies.json"
    created = gzchain(
        init_env, "network", "init", "--out", str(tmp_path / "net"), "--keystore", str(keystore)
    )
    assert created.returncode == 0, created.stderr
    master = tmp_path / "config" / "gzchain" / "master-key"  # the default: the user's config folder
    ring = EncryptedKeyRing(keystore, read_master_key(None, master))
    msa = ring.address("gz-msa")
    assert msa != DemoKeyRing().address("gz-msa")

    # What keys-init copies into the container, at the paths the compose API settings name.
    env = compose_style(
        besu_like_node.url, tmp_path, **{CONTAINER_KEYSTORE: str(keystore), CONTAINER_MASTER_KEY: str(master)}
    )
    assert env["GZCHAIN_KEYSTORE_FILE"] == str(keystore) and env["GZCHAIN_MASTER_KEY_FILE"] == str(master)
    deployed = gzchain(env, "deploy")  # the compose API's command: deploy, then serve
    assert deployed.returncode == 0, deployed.stderr
    issued = gzchain(env, "api-keys", "create", "--agency", "gz-msa")
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip().splitlines()[-1]

    server = Server(env)
    try:
        members = httpx.get(f"{server.url}/consortium/members", timeout=30).json()
        assert {m["agency_id"]: m["address"] for m in members["members"]} == {
            agency: ring.address(agency) for agency in ring.agencies()
        }
        proposed = httpx.post(
            f"{server.url}/consortium/proposals",
            json={"kind": "change_threshold", "threshold": 2},
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "keystore-signs"},
            timeout=60,
        )
        assert proposed.status_code == 201, proposed.text
    finally:
        server.stop()
    outcome = proposed.json()
    assert outcome["proposal"]["proposer"] == msa
    sent = Web3(Web3.HTTPProvider(besu_like_node.url)).eth.get_transaction(outcome["proof"]["tx_hash"])
    assert sent["from"] == msa and sent["gasPrice"] == 0  # Besu's free gas, the compose fee policy
    # With a master key the store's key is derived from it: no key file sits in the data folder.
    assert not (tmp_path / "data" / "store.key").exists()


def test_demo_keys_are_accepted_on_the_embedded_and_anvil_development_chains():
    assert demo_keys_refusal(DemoKeyRing(), 131277322940537) is None
    assert demo_keys_refusal(DemoKeyRing(), 31337) is None
    assert demo_keys_refusal(DemoKeyRing(), 1337) is not None


def test_the_embedded_chain_id_is_a_development_one(gateway):
    assert gateway.chain_id in DEVELOPMENT_CHAIN_IDS


def test_a_real_keystore_is_accepted_on_any_chain(tmp_path: Path):
    master = read_master_key(new_master_key(), None)
    assert demo_keys_refusal(EncryptedKeyRing(tmp_path / "keys.json", master), 1337) is None
