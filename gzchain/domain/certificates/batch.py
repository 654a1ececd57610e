"""Putting documents wrapped one by one under a single Merkle root, as OpenAttestation's wrapDocuments does.

Wrapping each document is independent work (salting and hashing) that can be spread over processes; only
the tree needs all of them. The result is byte-for-byte what `wrap_documents` gives for the same salts.
"""

from __future__ import annotations

from collections.abc import Sequence

from gzchain.domain.merkle import build_tree
from gzchain.domain.oa import WrappedDocument


def seal_batch(wrapped: Sequence[WrappedDocument]) -> bytes:
    """Give each document (wrapped alone) its proof up to the batch's root, in place; return the root."""
    tree = build_tree([bytes.fromhex(document["signature"]["targetHash"]) for document in wrapped])
    root = tree.root.hex()
    for index, document in enumerate(wrapped):
        proof = [node.hex() for node in tree.proof(index)]
        document["signature"] = {**document["signature"], "proof": proof, "merkleRoot": root}
    return tree.root
