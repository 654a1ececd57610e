"""Keccak-256 sorted-pair Merkle trees, built the way OpenAttestation batches documents.

Leaves are 32-byte hashes, sorted bytewise before the tree is built, so a batch's root depends only on
which leaves it holds, not on the order they were given in. A parent is the Keccak-256 of its two
children concatenated smaller-first, which is what OpenZeppelin's `MerkleProof.verify` computes; that
lets the DocumentStore contract check the very proofs OA wraps into documents. A node left without a
partner at the end of an odd-sized level moves up unchanged, and its proof records nothing for that level.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gzchain.domain.errors import InvalidInput
from gzchain.domain.keccak import keccak

HASH_SIZE = 32


def hash_pair(first: bytes, second: bytes) -> bytes:
    """Keccak-256 of the two hashes concatenated smaller-first (commutative by construction)."""
    return keccak(first + second if first <= second else second + first)


@dataclass(frozen=True)
class MerkleTree:
    """Every level of a built tree, leaves first; `positions[i]` is where given leaf `i` sits once sorted."""

    levels: tuple[tuple[bytes, ...], ...]
    positions: tuple[int, ...]

    @property
    def root(self) -> bytes:
        return self.levels[-1][0]

    @property
    def leaf_count(self) -> int:
        return len(self.positions)

    def proof(self, index: int) -> list[bytes]:
        """Siblings from leaf to root of the leaf given at `index`, skipping levels where it had none."""
        if not 0 <= index < len(self.positions):
            raise InvalidInput(f"no leaf {index} in a tree of {len(self.positions)}", field="index")
        position = self.positions[index]
        siblings: list[bytes] = []
        for level in self.levels[:-1]:
            partner = position ^ 1
            if partner < len(level):
                siblings.append(level[partner])
            position //= 2
        return siblings


def build_tree(leaves: Sequence[bytes]) -> MerkleTree:
    """Build the tree over `leaves` (each 32 bytes); raises InvalidInput for none or a malformed one."""
    if not leaves:
        raise InvalidInput("a Merkle tree needs at least one leaf", field="leaves")
    for index, leaf in enumerate(leaves):
        if not isinstance(leaf, bytes) or len(leaf) != HASH_SIZE:
            raise InvalidInput(f"each leaf must be {HASH_SIZE} bytes", field=f"leaves.{index}")
    order = sorted(range(len(leaves)), key=leaves.__getitem__)
    positions = [0] * len(leaves)
    for position, index in enumerate(order):
        positions[index] = position
    level = tuple(leaves[index] for index in order)
    levels = [level]
    while len(level) > 1:
        paired = [hash_pair(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = tuple(paired)
        levels.append(level)
    return MerkleTree(levels=tuple(levels), positions=tuple(positions))


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """The root of the tree over `leaves`."""
    return build_tree(leaves).root


def verify(proof: Sequence[bytes], root: bytes, leaf: bytes) -> bool:
    """True when folding `proof` into `leaf` with the sorted-pair hash yields `root`; never raises."""
    if not _is_hash(root) or not _is_hash(leaf) or not all(_is_hash(node) for node in proof):
        return False
    computed = leaf
    for node in proof:
        computed = hash_pair(computed, node)
    return computed == root


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == HASH_SIZE
