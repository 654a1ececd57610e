// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title IDocumentStoreBatchable
/// @notice OpenAttestation's batchable document store: questions about one document of an issued Merkle batch,
/// answered from the batch's root, the document's targetHash and the proof that leads from one to the other.
/// @dev Its ERC-165 id is 0xdcfd0745, the id oa-verify probes with `supportsInterface` before it takes this path
/// instead of asking the legacy `isRevoked(bytes32)` about every hash on the way to the root. gzchain's
/// DocumentStore implements it but does not claim the id: see DocumentStore.supportsInterface.
interface IDocumentStoreBatchable {
    /// @notice Issue a document, or a whole batch by its Merkle root.
    /// @dev Requirements: the caller is the store's issuing agency and an active CERT_ISSUER member;
    /// `documentRoot` is not zero and not issued yet.
    /// Emits DocumentIssued.
    function issue(bytes32 documentRoot) external;

    /// @notice Revoke one document of an issued batch (reason Unspecified; see revokeWithReason).
    /// @dev Requirements: as `issue`; `proof` leads from `document` to the issued `documentRoot`; neither the
    /// document nor any hash on its way to the root is revoked already.
    /// Emits DocumentRevoked and DocumentStoreRevocationRecorded.
    function revoke(bytes32 documentRoot, bytes32 document, bytes32[] calldata proof) external;

    /// @notice Whether the batch `document` belongs to is issued.
    /// @dev Reverts DocumentStoreInvalidProof unless `proof` leads from `document` to `documentRoot`.
    function isIssued(bytes32 documentRoot, bytes32 document, bytes32[] calldata proof)
        external
        view
        returns (bool);

    /// @notice Whether `document`, or any hash on its way to `documentRoot` (the root included), is revoked.
    /// @dev Reverts DocumentStoreInvalidProof for a proof that does not lead to the root, and
    /// DocumentStoreNotIssued when the root is not issued: revocation means nothing for what was never issued.
    function isRevoked(bytes32 documentRoot, bytes32 document, bytes32[] calldata proof)
        external
        view
        returns (bool);

    /// @notice Whether `document` is issued and not revoked: the one question a verifier needs answered.
    /// @dev Reverts DocumentStoreInvalidProof unless `proof` leads from `document` to `documentRoot`.
    function isActive(bytes32 documentRoot, bytes32 document, bytes32[] calldata proof)
        external
        view
        returns (bool);
}
