"""`gzchain petition` and the resident's `gzchain wallet petition-…` end to end, embedded and on anvil."""

from __future__ import annotations

import re
from pathlib import Path

from support.petitions import id_number

PASS = ["--passphrase", "correct horse battery"]


def test_a_resident_enrols_proposes_votes_once_and_sees_the_receipt(deployed_cli, tmp_path: Path):
    cli = deployed_cli
    shown = cli("wallet", "petition-key", *PASS)
    credential = re.search(r"credential (0x[0-9a-fA-F]{40})", shown).group(1)
    proof = re.search(r"proof\s+(0x[0-9a-f]+)", shown).group(1)
    assert credential in cli("wallet", "petition-key", *PASS)  # the same key when asked again
    cli("petition", "enrol", "--as", "gz-gsdata", "--name", "Chen", "--id-number", id_number(),
        "--credential", credential, "--proof", proof)  # fmt: skip
    text = tmp_path / "proposal.txt"
    text.write_text("Please run night buses from Tianhe to Baiyun airport.", encoding="utf-8")
    proposed = cli("wallet", "petition-propose", *PASS, "--title", "Night buses", "--text-file", str(text))
    petition_id = re.search(r"#(\d+)", proposed).group(1)
    assert "open" in cli("petition", "publish", "--as", "gz-xfj", petition_id)
    assert "counted" in cli("wallet", "petition-vote", *PASS, petition_id)
    assert "PetitionAlreadySupported" in cli("wallet", "petition-vote", *PASS, petition_id)
    assert "yes" in cli("wallet", "petition-receipts", *PASS)
    listing = cli("petition", "list", "--state", "open")
    assert "Night buses" in listing and "1/1,000" in listing
    assert "verified against the chain" in cli("petition", "show", petition_id)


def test_cli_refusals_exit_with_their_codes(deployed_cli):
    cli = deployed_cli
    shown = cli("wallet", "petition-key", *PASS)
    credential = re.search(r"credential (0x[0-9a-fA-F]{40})", shown).group(1)
    proof = re.search(r"proof\s+(0x[0-9a-f]+)", shown).group(1)
    bad = cli("petition", "enrol", "--as", "gz-gsdata", "--name", "Chen", "--id-number", "440106199001010010",
              "--credential", credential, "--proof", proof, expect=2)  # fmt: skip
    assert "check character" in bad
    assert "ConsortiumMissingRole" in cli(
        "petition", "enrol", "--as", "gz-xfj", "--name", "Chen", "--id-number", id_number(),
        "--credential", credential, "--proof", proof, expect=5,
    )  # fmt: skip
    assert "passphrase" in cli("wallet", "petition-receipts", "--passphrase", "wrong", expect=4)
    assert "PetitionUnknown" in cli("petition", "publish", "--as", "gz-xfj", "7", expect=5)
    cli("petition", "show", "7", expect=3)
    cli("petition", "list", "--state", "pending", expect=2)
