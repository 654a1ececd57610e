"""Citizen e-petitions (issue #19): supporters through the API, votes on anvil, the gas of one vote.

Rounds:
1. embedded chain, a real `gzchain serve`: the identity authority enrols the residents
   (`POST /petitions/credentials`, one transaction each), no goal;
2. the same server: each resident asks for a blind-signed token (`POST /petitions/{id}/tokens`, signed by
   their credential key) and unblinds it, as the wallet asks for every open petition's token at once;
   then each sends their one vote alone (`POST /petitions/{id}/votes`), concurrent residents' votes
   sharing the relay's `supportMany` batches. Goal: 1,000 supporters (both steps) in <= 10 s. A profile
   of the same steps in process says where the time goes;
3. anvil (zero fee, mining each transaction as it arrives, as the anvil test lane does), a real
   `gzchain serve` on it: 100,000 votes on one petition, 500 a request from two clients. Goal: <= 5 minutes.
   The votes' tokens are signed before the round with the authority's own key (what blind signing
   unblinds to, as the contract suite does): the round measures the relay and the chain, and the
   authority's signing is round 2's;
4. the gas of one vote: `support` alone, and per vote in a `supportMany` of the relay's batch size.

Run: `.venv/bin/python bench/petitions.py [--quick]`.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from multiprocessing import Pool
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx2 as httpx
from caliper import Report, Round, timed_round
from cryptography.hazmat.primitives.asymmetric.rsa import rsa_recover_prime_factors
from served import cpu_seconds, gzchain_serve

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from conftest import AnvilNode  # noqa: E402  (the same anvil launcher the tests use)

from gzchain.bootstrap import api_key_service, open_runtime  # noqa: E402
from gzchain.domain.petitions.blind import TokenPrivateKey, TokenPublicKey, blind, new_token, unblind  # noqa: E402
from gzchain.domain.petitions.fdh import full_domain_hash  # noqa: E402
from gzchain.domain.petitions.rules import Rules  # noqa: E402
from gzchain.services.petitions.relay import DEFAULT_BATCH, Vote  # noqa: E402
from gzchain.services.petitions.wallet import enrolment_proof, sign_request  # noqa: E402
from gzchain.settings import Settings  # noqa: E402

AUTHORITY, OFFICE = "gz-gsdata", "gz-xfj"
ZERO_FEE = ("--base-fee", "0", "--gas-price", "0", "--no-priority-fee")
VOTES_PER_REQUEST = 500  # the API's limit for one POST /petitions/{id}/votes
# Stages of one supporter in process, by the function that does each (outermost calls, cumulative).
STAGES = {
    "authority's RSA-2048 blind signature": ("sign_blinded",),
    "chain reads (eth_call)": ("call",),
    "supportMany transaction (dry run + run)": ("transact",),
    "resident's request signature check (EIP-191)": ("signer_of",),
    "resident's blinding and unblinding": ("blind", "unblind"),
    "store commits": ("commit",),
}


def the_scenario() -> ModuleType:
    """scenarios/petitions.py, for its residents and steps (loaded by path: this file has the same name)."""
    spec = importlib.util.spec_from_file_location("petitions_scenario", ROOT / "scenarios" / "petitions.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


STORY = the_scenario()


def prepare(data_dir: Path, settings: Settings) -> dict[str, str]:
    """A deployed chain and API keys for the identity authority and the petitions office."""
    runtime = open_runtime(settings)
    runtime.deploy()
    keys = api_key_service(runtime)
    tokens = {agency: keys.create(agency).token for agency in (AUTHORITY, OFFICE)}
    runtime.close()
    return tokens


def _ok(response: httpx.Response) -> Any:
    if response.status_code >= 300:
        raise RuntimeError(f"{response.request.method} {response.request.url.path}: {response.text[:300]}")
    return response.json()


class PetitionsClient:
    """What residents and agencies send, over HTTP."""

    def __init__(self, client: httpx.Client, tokens: dict[str, str]) -> None:
        self.client = client
        self.auth = {agency: {"Authorization": f"Bearer {token}"} for agency, token in tokens.items()}

    def enrol(self, person: Any) -> None:
        body = {
            "name": person.name,
            "id_number": person.id_number,
            "credential": person.key.address,
            "proof": enrolment_proof(person.key),
        }
        _ok(self.client.post("/petitions/credentials", json=body, headers=self.auth[AUTHORITY]))

    def published(self, person: Any, title: str, text: str) -> dict[str, Any]:
        signed = sign_request(person.key, "propose", {"title": title, "text": text})
        petition = _ok(self.client.post("/petitions", json={"title": title, "text": text, **signed}))
        return _ok(self.client.post(f"/petitions/{petition['id']}/publication", headers=self.auth[OFFICE]))

    def token(self, petition: dict[str, Any], person: Any, now: int) -> Vote:
        """A resident's blind token, unblinded and checked: their vote, ready to send."""
        petition_id, numbers = petition["id"], petition["token_key"]
        key = TokenPublicKey(int(numbers["n"], 16), int(numbers["e"]))
        request = blind(key, petition_id, new_token())
        blinded = "0x" + request.blinded.hex()
        signed = sign_request(person.key, "token", {"petition_id": petition_id, "blinded": blinded}, now)
        issued = _ok(
            self.client.post(f"/petitions/{petition_id}/tokens", json={"blinded": blinded, **signed})
        )
        return Vote(request.token, unblind(key, request, bytes.fromhex(issued["blind_signature"][2:])))

    def vote(self, petition_id: int, vote: Vote) -> None:
        """One resident's vote, alone in its request; fails unless the contract counted it."""
        body = {"votes": [{"token": "0x" + vote.token.hex(), "signature": "0x" + vote.signature.hex()}]}
        result = _ok(self.client.post(f"/petitions/{petition_id}/votes", json=body))["results"][0]
        if not result["counted"]:
            raise RuntimeError(f"vote not counted: {result['refused']}")

    def height(self) -> int:
        return _ok(self.client.get("/readyz"))["checks"]["chain"]["height"]

    def supporters(self, petition_id: int) -> int:
        return _ok(self.client.get(f"/petitions/{petition_id}"))["supporters"]


def embedded_rounds(report: Report, supporters: int, workers: int) -> None:
    people = STORY.residents(supporters + 1)
    with tempfile.TemporaryDirectory(prefix="gzchain-bench-") as data_dir:
        tokens = prepare(Path(data_dir), Settings(data_dir=Path(data_dir)))
        with (
            gzchain_serve(Path(data_dir)) as (url, server),
            httpx.Client(base_url=url, timeout=300) as http,
        ):
            api = PetitionsClient(http, tokens)
            api.enrol(people[0])
            petition = api.published(people[0], *STORY.CYCLE_LANE)
            published_height = api.height()
            report.add(
                timed_round(
                    "embedded · POST /petitions/credentials (enrol)",
                    lambda i: api.enrol(people[1 + i]),
                    supporters,
                    workers=workers,
                ),
                notes="one enrol transaction (and block) per resident",
            )
            # The API checks a request's time against the chain's clock, which on the embedded chain runs up
            # to a second a block ahead of the wall clock (1,000 enrolments, 1,000 blocks): residents date
            # their token requests by it, as `gzchain wallet petition-vote` does. No block is mined until
            # the votes.
            now = max(int(time.time()), petition["published_at"] + api.height() - published_height)
            spent = cpu_seconds(server.pid)
            votes: list[Vote | None] = [None] * supporters

            def token(i: int) -> None:
                votes[i] = api.token(petition, people[1 + i], now)

            tokens = timed_round(
                "embedded · POST /petitions/{id}/tokens (blind tokens)",
                token,
                supporters,
                workers=workers,
                unit="token",
            )
            sent = timed_round(
                "embedded · POST /petitions/{id}/votes, one vote a request",
                lambda i: api.vote(petition["id"], votes[i]),  # type: ignore[arg-type]
                supporters,
                workers=workers,
                unit="vote",
            )
            server_cpu = cpu_seconds(server.pid) - spent
            counted = api.supporters(petition["id"])
        report.add(tokens, notes=f"{workers} residents at a time")
        report.add(sent, notes="concurrent requests' votes share the relay's supportMany batches")
        both = Round(
            f"embedded · {supporters:,} supporters through the API (tokens, then votes)",
            min(tokens.succ, sent.succ),
            max(tokens.fail, sent.fail),
            tokens.seconds + sent.seconds,
            [],
            unit="supporter",
        )
        report.add(
            both,
            goal=f"{supporters:,} in <= 10 s",
            met=both.fail == 0 and counted == supporters and both.seconds <= 10,
            notes=f"the chain counted {counted:,}; server CPU "
            f"{1000 * server_cpu / max(1, supporters):.1f} ms a supporter",
        )
        report.extra["embedded_seconds_for_supporters"] = round(both.seconds, 2)
        report.extra["embedded_server_cpu_ms_per_supporter"] = round(
            1000 * server_cpu / max(1, supporters), 2
        )


def profiled_supporters(report: Report, count: int) -> None:
    """The same steps as round 2 in process (no HTTP), under cProfile: where a supporter's time goes."""
    runtime = open_runtime(Settings(ephemeral=True))
    runtime.deploy()
    try:
        service = runtime.petitions()
        people = STORY.residents(count + 1)
        STORY.enrol(service, people)
        STORY.change_rules(service, Rules(count + 1, *service.rules.current().as_tuple()[1:]))
        petition_id = STORY.propose(service, people[0], *STORY.CYCLE_LANE)
        service.office.publish(OFFICE, petition_id)
        key = service.chain.token_key(petition_id)
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        votes = [STORY.token_vote(service, petition_id, key, person) for person in people[1:]]
        service.relay.submit(petition_id, votes)
        profile.disable()
        seconds = time.perf_counter() - started
    finally:
        runtime.close()
    stages = _stage_seconds(profile)
    stages["other (web3 encoding, ORM, Python)"] = max(0.0, seconds - sum(stages.values()))
    report.extra["supporter_profile_ms"] = {k: round(1000 * v / count, 2) for k, v in stages.items()}
    report.extra["supporter_profile_total_ms"] = round(1000 * seconds / count, 2)


def _stage_seconds(profile: cProfile.Profile) -> dict[str, float]:
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    spent = dict.fromkeys(STAGES, 0.0)
    for (filename, _, function), (_, _, _, cumulative, callers) in stats.items():
        for stage, names in STAGES.items():
            if function not in names:
                continue
            if function == "commit" and "sqlalchemy/orm/session.py" not in filename:
                continue
            if function in ("call", "transact") and not filename.endswith("gzchain/chain/gateway.py"):
                continue
            if function not in ("commit",) and "gzchain" not in filename:
                continue
            # a function calling itself (or a stage calling the same stage) is counted once, outermost
            if not any(caller[:1] == (filename,) and caller[2] in names for caller in callers):
                spent[stage] += cumulative
    return spent


# ---- anvil: 100,000 votes ----


def _crt_signer(key: TokenPrivateKey) -> tuple[int, int, int, int, int]:
    p, q = rsa_recover_prime_factors(key.n, key.e, key.d)
    return p, q, key.d % (p - 1), key.d % (q - 1), pow(q, -1, p)


def _sign_range(args: tuple[tuple[int, ...], int, int, int]) -> list[tuple[bytes, bytes]]:
    """Tokens and their FDH signatures, by CRT (gmpy2 where installed: ~10x faster than Python ints)."""
    (p, q, dp, dq, q_inv), petition_id, count, length = args
    try:
        from gmpy2 import powmod
    except ImportError:
        powmod = pow
    out = []
    for _ in range(count):
        token = new_token()
        m = int.from_bytes(full_domain_hash(petition_id, token, length), "big")
        a, b = int(powmod(m, dp, p)), int(powmod(m, dq, q))
        out.append((token, (b + q * ((q_inv * (a - b)) % p)).to_bytes(length, "big")))
    return out


def signed_votes(key: TokenPrivateKey, petition_id: int, count: int) -> list[Vote]:
    crt, length = _crt_signer(key), key.public.length
    chunks = [min(5_000, count - first) for first in range(0, count, 5_000)]
    with Pool(os.cpu_count() or 2) as pool:
        parts = pool.map(_sign_range, [(crt, petition_id, size, length) for size in chunks])
    return [Vote(token, signature) for part in parts for token, signature in part]


@contextmanager
def anvil_petition(votes: int) -> Iterator[tuple[AnvilNode, Path, dict[str, str], int, list[Vote]]]:
    """anvil with the contracts, one published petition whose threshold is above `votes`, its votes."""
    node = AnvilNode(*ZERO_FEE).start()
    try:
        with tempfile.TemporaryDirectory(prefix="gzchain-bench-") as data_dir:
            settings = Settings(rpc_url=node.url, data_dir=Path(data_dir))
            tokens = prepare(Path(data_dir), settings)
            runtime = open_runtime(settings)
            try:
                service = runtime.petitions()
                proposer = STORY.residents(1)
                STORY.enrol(service, proposer)
                rules = service.rules.current()
                STORY.change_rules(service, Rules(votes + 1, rules.support_period_s, rules.response_period_s))
                petition_id = STORY.propose(service, proposer[0], *STORY.CYCLE_LANE)
                service.office.publish(OFFICE, petition_id)
                key = service.authority._key(petition_id)  # the authority's own key: see the docstring
            finally:
                runtime.close()
            yield node, Path(data_dir), tokens, petition_id, signed_votes(key, petition_id, votes)
    finally:
        node.stop()


def votes_round(url: str, petition_id: int, votes: list[Vote], clients: int) -> Round:
    bodies = [
        {
            "votes": [
                {"token": "0x" + v.token.hex(), "signature": "0x" + v.signature.hex()}
                for v in votes[i : i + VOTES_PER_REQUEST]
            ]
        }
        for i in range(0, len(votes), VOTES_PER_REQUEST)
    ]
    latencies: list[float] = []
    tally = {"counted": 0, "not": 0}

    def send(http: httpx.Client, body: dict[str, Any]) -> None:
        began = time.perf_counter()
        results = _ok(http.post(f"/petitions/{petition_id}/votes", json=body))["results"]
        latencies.append((time.perf_counter() - began) * 1000)
        counted = sum(r["counted"] for r in results)
        tally["counted"] += counted
        tally["not"] += len(results) - counted

    with httpx.Client(base_url=url, timeout=600) as http:
        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            for done in [pool.submit(send, http, body) for body in bodies]:
                done.result()
        seconds = time.perf_counter() - started
    return Round(
        f"anvil · {len(votes):,} votes on one petition, {VOTES_PER_REQUEST} a request, {clients} clients",
        tally["counted"],
        tally["not"],
        seconds,
        latencies,
        unit="vote",
    )


def anvil_rounds(report: Report, votes: int, clients: int) -> None:
    started = time.perf_counter()
    with anvil_petition(votes) as (node, data_dir, _, petition_id, prepared):
        report.extra["anvil_votes_signing_seconds"] = round(time.perf_counter() - started, 1)
        with gzchain_serve(data_dir, env={"GZCHAIN_RPC_URL": node.url}) as (url, server):
            spent = cpu_seconds(server.pid)
            round_ = votes_round(url, petition_id, prepared, clients)
            server_cpu = cpu_seconds(server.pid) - spent
            with httpx.Client(base_url=url, timeout=60) as http:
                counted = _ok(http.get(f"/petitions/{petition_id}"))["supporters"]
        report.add(
            round_,
            goal=f"{votes:,} in <= 5 min",
            met=round_.fail == 0 and counted == votes and round_.seconds <= 300,
            notes=f"the chain counted {counted:,}; relay batches of {DEFAULT_BATCH}; server CPU "
            f"{1e6 * server_cpu / max(1, votes):.0f} µs a vote",
        )
        report.extra["anvil_seconds_for_votes"] = round(round_.seconds, 1)
        report.extra["anvil_server_cpu_us_per_vote"] = round(1e6 * server_cpu / max(1, votes), 1)
        report.extra["gas"] = vote_gas(node, data_dir, petition_id)


def vote_gas(node: AnvilNode, data_dir: Path, petition_id: int) -> dict[str, int]:
    """Gas of one vote sent alone, and per vote in a batch of the relay's size (fresh tokens)."""
    runtime = open_runtime(Settings(rpc_url=node.url, data_dir=data_dir))
    try:
        service = runtime.petitions()
        key = service.authority._key(petition_id)
        one, *batch = signed_votes(key, petition_id, 1 + DEFAULT_BATCH)
        fns, send = service.chain.fns, service.chain.send
        alone = send(OFFICE, fns.support(petition_id, one.token, one.signature)).gas_used
        many = send(
            OFFICE,
            fns.supportMany(petition_id, [v.token for v in batch], [v.signature for v in batch]),
        ).gas_used
    finally:
        runtime.close()
    return {"support_one_vote": alone, f"supportMany_per_vote_of_{DEFAULT_BATCH}": many // DEFAULT_BATCH}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run, goals not judged")
    parser.add_argument("--supporters", type=int, default=None, help="residents in round 2 (1,000)")
    parser.add_argument("--votes", type=int, default=None, help="votes in round 3 (100,000)")
    args = parser.parse_args()
    supporters = args.supporters or (20 if args.quick else 1_000)
    votes = args.votes or (1_000 if args.quick else 100_000)
    report = Report("petitions")
    embedded_rounds(report, supporters, workers=8)
    profiled_supporters(report, 10 if args.quick else 200)
    anvil_rounds(report, votes, clients=2)
    report.finish(judged=not args.quick)
    profile = report.extra["supporter_profile_ms"]
    print("a supporter in process, ms:", ", ".join(f"{stage} {ms}" for stage, ms in profile.items()))
    print("gas:", report.extra["gas"])


if __name__ == "__main__":
    main()
