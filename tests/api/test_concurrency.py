"""Many agencies' systems at once: 50 concurrent clients writing through the API lose nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

CLIENTS = 50


def test_fifty_concurrent_clients_write_without_nonce_collisions_or_lost_writes(client, auth, runtime):
    governors = [auth("gz-msa"), auth("gz-gsdata")]

    def write(i: int):
        headers = {**governors[i % 2], "Idempotency-Key": f"client-{i}"}
        return client.post(
            "/consortium/proposals", json={"kind": "change_threshold", "threshold": 2}, headers=headers
        )

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        responses = list(pool.map(write, range(CLIENTS)))
    assert [r.status_code for r in responses] == [201] * CLIENTS, [
        r.text for r in responses if r.status_code != 201
    ]
    ids = {r.json()["proposal"]["id"] for r in responses}
    assert ids == set(range(1, CLIENTS + 1))
    tx_hashes = {r.json()["proof"]["tx_hash"] for r in responses}
    assert len(tx_hashes) == CLIENTS
    for address in {runtime.keys.address("gz-msa"), runtime.keys.address("gz-gsdata")}:
        nonces = sorted(
            runtime.gateway.w3.eth.get_transaction(h)["nonce"]
            for h in tx_hashes
            if runtime.gateway.w3.eth.get_transaction(h)["from"] == address
        )
        assert nonces == list(range(nonces[0], nonces[0] + CLIENTS // 2))
    assert len(client.get("/consortium/proposals").json()["proposals"]) == CLIENTS
