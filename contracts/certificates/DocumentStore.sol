// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {ERC165} from "@openzeppelin/contracts/utils/introspection/ERC165.sol";
import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {ConsortiumGated} from "../governance/ConsortiumGated.sol";
import {Roles} from "../governance/Roles.sol";
import {IConsortium} from "../interfaces/IConsortium.sol";
import {IDocumentStore} from "../interfaces/IDocumentStore.sol";
import {IDocumentStoreBatchable} from "../interfaces/IDocumentStoreBatchable.sol";

/// @title DocumentStore
/// @notice An OpenAttestation-compatible document store belonging to one certificate-issuing agency: it anchors
/// Merkle roots of batches of certificates and records revocations of roots and of single certificates.
/// @dev Only its issuing agency writes here, and only while the Consortium counts it an active CERT_ISSUER,
/// so suspending the agency stops both issuing and revoking at once. Verifiers should trust a store only if the
/// DocumentStoreFactory names it as the agency's store: anyone can deploy this code against any consortium.
contract DocumentStore is IDocumentStore, ConsortiumGated, ERC165 {
    string private constant _VERSION = "gzchain-1.0.0";
    uint8 private constant _MAX_REASON = uint8(type(RevocationReason).max);

    address private immutable _issuer;
    string private _name;
    mapping(bytes32 document => uint256 blockNumber) private _issued;
    mapping(bytes32 document => Revocation) private _revocations;

    /// @param consortium_ the consortium whose CERT_ISSUER role gates every write.
    /// @param issuer_ the agency that issues and revokes here.
    /// @param name_ the store's name, shown by OA's tools.
    constructor(IConsortium consortium_, address issuer_, string memory name_) ConsortiumGated(consortium_) {
        if (issuer_ == address(0)) revert DocumentStoreInvalidIssuer(issuer_);
        _issuer = issuer_;
        _name = name_;
    }

    /// @dev Only the store's own agency. Placed after `onlyRole(Roles.CERT_ISSUER)`, so that a suspended agency
    /// is told it is suspended, and another issuer that this is not its store.
    modifier onlyIssuingAgency() {
        if (msg.sender != _issuer) revert DocumentStoreNotTheIssuer(msg.sender, _issuer);
        _;
    }

    // ---- issuing ----

    /// @inheritdoc IDocumentStoreBatchable
    function issue(bytes32 documentRoot) external onlyRole(Roles.CERT_ISSUER) onlyIssuingAgency {
        _issue(documentRoot);
    }

    /// @inheritdoc IDocumentStore
    function bulkIssue(bytes32[] calldata documents) external onlyRole(Roles.CERT_ISSUER) onlyIssuingAgency {
        _bulkIssue(documents);
    }

    // ---- revoking ----

    /// @inheritdoc IDocumentStore
    function revoke(bytes32 document) external onlyRole(Roles.CERT_ISSUER) onlyIssuingAgency returns (bool) {
        _revoke(document, RevocationReason.Unspecified);
        return true;
    }

    /// @inheritdoc IDocumentStore
    function bulkRevoke(bytes32[] calldata documents) external onlyRole(Roles.CERT_ISSUER) onlyIssuingAgency {
        _bulkRevoke(documents, RevocationReason.Unspecified);
    }

    /// @inheritdoc IDocumentStore
    function revokeWithReason(bytes32 document, uint8 reason)
        external
        onlyRole(Roles.CERT_ISSUER)
        onlyIssuingAgency
    {
        _revoke(document, _reason(reason));
    }

    /// @inheritdoc IDocumentStore
    function bulkRevokeWithReason(bytes32[] calldata documents, uint8 reason)
        external
        onlyRole(Roles.CERT_ISSUER)
        onlyIssuingAgency
    {
        _bulkRevoke(documents, _reason(reason));
    }

    /// @inheritdoc IDocumentStoreBatchable
    function revoke(bytes32 documentRoot, bytes32 document, bytes32[] calldata proof)
        external
        onlyRole(Roles.CERT_ISSUER)
        onlyIssuingAgency
    {
        _revokeProven(documentRoot, document, proof, RevocationReason.Unspecified);
    }

    /// @inheritdoc IDocumentStore
    function revokeWithReason(bytes32 documentRoot, bytes32 document, bytes32[] calldata proof, uint8 reason)
        external
        onlyRole(Roles.CERT_ISSUER)
        onlyIssuingAgency
    {
        _revokeProven(documentRoot, document, proof, _reason(reason));
    }

    // ---- reads: legacy, one hash at a time ----

    /// @inheritdoc IDocumentStore
    function name() external view returns (string memory) {
        return _name;
    }

    /// @inheritdoc IDocumentStore
    function version() external pure returns (string memory) {
        return _VERSION;
    }

    /// @inheritdoc IDocumentStore
    function issuer() external view returns (address) {
        return _issuer;
    }

    /// @inheritdoc IDocumentStore
    function isIssued(bytes32 document) public view returns (bool) {
        return _issued[document] != 0;
    }

    /// @inheritdoc IDocumentStore
    function isRevoked(bytes32 document) public view returns (bool) {
        return _revocations[document].blockNumber != 0;
    }

    /// @inheritdoc IDocumentStore
    function getIssuedBlock(bytes32 document) external view returns (uint256) {
        if (!isIssued(document)) revert DocumentStoreNotIssued(document);
        return _issued[document];
    }

    /// @inheritdoc IDocumentStore
    function isIssuedBefore(bytes32 document, uint256 blockNumber) external view returns (bool) {
        return isIssued(document) && _issued[document] <= blockNumber;
    }

    /// @inheritdoc IDocumentStore
    function isRevokedBefore(bytes32 document, uint256 blockNumber) external view returns (bool) {
        return isRevoked(document) && _revocations[document].blockNumber <= blockNumber;
    }

    /// @inheritdoc IDocumentStore
    function documentIssued(bytes32 document) external view returns (uint256) {
        return _issued[document];
    }

    /// @inheritdoc IDocumentStore
    function documentRevoked(bytes32 document) external view returns (uint256) {
        return _revocations[document].blockNumber;
    }

    /// @inheritdoc IDocumentStore
    function revocation(bytes32 document) external view returns (Revocation memory) {
        if (!isRevoked(document)) revert DocumentStoreNotRevoked(document);
        return _revocations[document];
    }

    // ---- reads: batchable, one document of a batch ----

    /// @inheritdoc IDocumentStoreBatchable
    function isIssued(bytes32 documentRoot, bytes32 document, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        _requireProven(documentRoot, document, proof);
        return isIssued(documentRoot);
    }

    /// @inheritdoc IDocumentStoreBatchable
    function isRevoked(bytes32 documentRoot, bytes32 document, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        _requireProven(documentRoot, document, proof);
        if (!isIssued(documentRoot)) revert DocumentStoreNotIssued(documentRoot);
        return _firstRevoked(document, proof) != bytes32(0);
    }

    /// @inheritdoc IDocumentStoreBatchable
    function isActive(bytes32 documentRoot, bytes32 document, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        _requireProven(documentRoot, document, proof);
        return isIssued(documentRoot) && _firstRevoked(document, proof) == bytes32(0);
    }

    /// @notice ERC-165: IDocumentStore and ERC-165. The batchable functions are here, but their id (0xdcfd0745)
    /// is deliberately not claimed.
    /// @dev oa-verify 9.x, on a store claiming 0xdcfd0745, calls `isIssued(bytes32,bytes32,bytes32[])` with an
    /// OpenAttestation v2 document's targetHash and proof as they stand in the document: hex without `0x`, which
    /// ethers v5 refuses to encode ("Invalid call arguments"), so every v2 certificate came out DOCUMENT_NOT_ISSUED.
    /// Unclaimed, oa-verify asks `isIssued(bytes32)` of the root and `isRevoked(bytes32)` of every hash from the
    /// certificate up to the root, which this store answers exactly, batch and single revocations alike.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(IDocumentStore).interfaceId || super.supportsInterface(interfaceId);
    }

    // ---- internals ----

    function _issue(bytes32 document) private {
        if (document == bytes32(0)) revert DocumentStoreZeroDocument();
        if (isIssued(document)) revert DocumentStoreAlreadyIssued(document);
        _issued[document] = block.number;
        emit DocumentIssued(document);
    }

    function _bulkIssue(bytes32[] calldata documents) private {
        if (documents.length == 0) revert DocumentStoreEmptyBatch();
        for (uint256 i = 0; i < documents.length; i++) {
            _issue(documents[i]);
        }
    }

    function _revoke(bytes32 document, RevocationReason reason) private {
        if (document == bytes32(0)) revert DocumentStoreZeroDocument();
        if (isRevoked(document)) revert DocumentStoreAlreadyRevoked(document);
        uint64 revokedAt = uint64(block.timestamp);
        _revocations[document] = Revocation(uint64(block.number), revokedAt, reason);
        emit DocumentRevoked(document);
        emit DocumentStoreRevocationRecorded(document, msg.sender, reason, revokedAt);
    }

    function _bulkRevoke(bytes32[] calldata documents, RevocationReason reason) private {
        if (documents.length == 0) revert DocumentStoreEmptyBatch();
        for (uint256 i = 0; i < documents.length; i++) {
            _revoke(documents[i], reason);
        }
    }

    function _revokeProven(bytes32 documentRoot, bytes32 document, bytes32[] calldata proof, RevocationReason reason)
        private
    {
        _requireProven(documentRoot, document, proof);
        if (!isIssued(documentRoot)) revert DocumentStoreNotIssued(documentRoot);
        bytes32 revoked = _firstRevoked(document, proof);
        if (revoked != bytes32(0)) revert DocumentStoreAlreadyRevoked(revoked);
        _revoke(document, reason);
    }

    function _requireProven(bytes32 documentRoot, bytes32 document, bytes32[] calldata proof) private pure {
        if (documentRoot == bytes32(0) || document == bytes32(0)) revert DocumentStoreZeroDocument();
        if (!MerkleProof.verifyCalldata(proof, documentRoot, document)) {
            revert DocumentStoreInvalidProof(documentRoot, document);
        }
    }

    /// @dev The first revoked hash from `document` up its (already verified) proof to the root; zero if none.
    /// Checking the hashes in between too means a revoked sub-batch stays revoked, as oa-verify sees it.
    function _firstRevoked(bytes32 document, bytes32[] calldata proof) private view returns (bytes32) {
        bytes32 node = document;
        if (isRevoked(node)) return node;
        for (uint256 i = 0; i < proof.length; i++) {
            node = Hashes.commutativeKeccak256(node, proof[i]);
            if (isRevoked(node)) return node;
        }
        return bytes32(0);
    }

    function _reason(uint8 code) private pure returns (RevocationReason) {
        if (code > _MAX_REASON) revert DocumentStoreUnknownReason(code);
        return RevocationReason(code);
    }
}
