// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IDocumentStoreBatchable} from "./IDocumentStoreBatchable.sol";

/// @title IDocumentStore
/// @notice One issuing agency's OpenAttestation document store: the legacy interface OA's tools call
/// (`issue`, `bulkIssue`, `revoke`, `bulkRevoke`, `isIssued`, `isRevoked`, `getIssuedBlock`, …), the batchable
/// one, and revocations that say when and why.
/// @dev A hash is a document's targetHash or a batch's Merkle root. Revoking a root revokes the whole batch;
/// revoking a targetHash revokes one document of it, because verifiers check every hash from the document up
/// to the root. The reason code is on chain; the words behind it stay off chain with the issuer, since they
/// may name a person.
interface IDocumentStore is IDocumentStoreBatchable {
    /// @dev Part of the on-chain format: gzchain/domain/certificates/revocation.py mirrors these codes.
    enum RevocationReason {
        Unspecified, // OA's own tools revoke without a reason
        Fraud, // obtained by deception, or forged evidence behind it
        IssuedInError, // wrong holder or wrong details
        Superseded, // replaced by a newly issued document
        Withdrawn // the issuing authority withdrew it (e.g. a licence cancelled)
    }

    struct Revocation {
        uint64 blockNumber;
        uint64 revokedAt; // block timestamp, seconds since the epoch
        RevocationReason reason;
    }

    /// @notice OpenAttestation's event for an issued document or batch root.
    event DocumentIssued(bytes32 indexed document);
    /// @notice OpenAttestation's event for a revoked hash.
    event DocumentRevoked(bytes32 indexed document);
    /// @notice The same revocation with who revoked it, why and when.
    event DocumentStoreRevocationRecorded(
        bytes32 indexed document, address indexed revoker, RevocationReason reason, uint64 revokedAt
    );

    error DocumentStoreInvalidIssuer(address issuer);
    error DocumentStoreNotTheIssuer(address account, address issuer);
    error DocumentStoreZeroDocument();
    error DocumentStoreEmptyBatch();
    error DocumentStoreAlreadyIssued(bytes32 document);
    error DocumentStoreNotIssued(bytes32 document);
    error DocumentStoreAlreadyRevoked(bytes32 document);
    error DocumentStoreNotRevoked(bytes32 document);
    error DocumentStoreInvalidProof(bytes32 documentRoot, bytes32 document);
    error DocumentStoreUnknownReason(uint8 reason);

    /// @notice The store's name: its issuing agency's name in the consortium.
    function name() external view returns (string memory);

    /// @notice The version of this store's code.
    function version() external view returns (string memory);

    /// @notice The one agency that issues and revokes in this store.
    function issuer() external view returns (address);

    /// @notice Issue several documents or batch roots at once.
    /// @dev Requirements: as `issue`, for each of `documents`, and at least one.
    /// Emits DocumentIssued for each.
    function bulkIssue(bytes32[] calldata documents) external;

    /// @notice Revoke a hash (a document's targetHash or a batch root) for an unspecified reason, as OA's tools do.
    /// @dev Requirements: the caller is the store's issuing agency and an active CERT_ISSUER member;
    /// `document` is not zero and not revoked yet. It need not be issued itself: a targetHash inside an issued
    /// batch never is. Emits DocumentRevoked and DocumentStoreRevocationRecorded.
    /// @return Always true: the revocation happened (OA's legacy signature returns a bool).
    function revoke(bytes32 document) external returns (bool);

    /// @notice Revoke several hashes at once for an unspecified reason.
    /// @dev Requirements: as `revoke(bytes32)`, for each of `documents`, and at least one.
    function bulkRevoke(bytes32[] calldata documents) external;

    /// @notice Revoke a hash (a document's targetHash or a batch root) and record why.
    /// @dev Requirements: as `revoke(bytes32)`; `reason` is a RevocationReason code.
    /// Emits DocumentRevoked and DocumentStoreRevocationRecorded.
    function revokeWithReason(bytes32 document, uint8 reason) external;

    /// @notice Revoke several hashes at once, all for the same reason.
    /// @dev Requirements: as `revokeWithReason(bytes32,uint8)`, for each of `documents`, and at least one.
    function bulkRevokeWithReason(bytes32[] calldata documents, uint8 reason) external;

    /// @notice Revoke one document of an issued batch, proven to belong to it, and record why.
    /// @dev Requirements: as `revoke(bytes32,bytes32,bytes32[])`; `reason` is a RevocationReason code.
    /// To revoke the whole batch pass the root as both `documentRoot` and `document`, with an empty proof.
    /// Emits DocumentRevoked and DocumentStoreRevocationRecorded.
    function revokeWithReason(bytes32 documentRoot, bytes32 document, bytes32[] calldata proof, uint8 reason)
        external;

    /// @notice Whether this exact hash was issued (for a batch: its root).
    function isIssued(bytes32 document) external view returns (bool);

    /// @notice Whether this exact hash was revoked. Verifiers ask it of every hash from a document to its root.
    function isRevoked(bytes32 document) external view returns (bool);

    /// @notice The block `document` was issued in.
    /// @dev Reverts DocumentStoreNotIssued when it was not.
    function getIssuedBlock(bytes32 document) external view returns (uint256);

    /// @notice Whether `document` was issued in or before block `blockNumber`.
    function isIssuedBefore(bytes32 document, uint256 blockNumber) external view returns (bool);

    /// @notice Whether `document` was revoked in or before block `blockNumber`.
    function isRevokedBefore(bytes32 document, uint256 blockNumber) external view returns (bool);

    /// @notice The block `document` was issued in; zero if it was not (OA's public `documentIssued` mapping).
    function documentIssued(bytes32 document) external view returns (uint256);

    /// @notice The block `document` was revoked in; zero if it was not (OA's public `documentRevoked` mapping).
    function documentRevoked(bytes32 document) external view returns (uint256);

    /// @notice When and why `document` was revoked.
    /// @dev Reverts DocumentStoreNotRevoked when it was not.
    function revocation(bytes32 document) external view returns (Revocation memory);
}
