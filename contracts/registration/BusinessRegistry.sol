// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {ConsortiumGated} from "../governance/ConsortiumGated.sol";
import {Roles} from "../governance/Roles.sol";
import {IBusinessRegistry} from "../interfaces/IBusinessRegistry.sol";
import {IConsortium} from "../interfaces/IConsortium.sol";
import {UsccCheck} from "./UsccCheck.sol";

/// @title BusinessRegistry
/// @notice Industrial-and-commercial registration on chain: each business's record hash per version, its
/// status lifecycle, and the documents notaries (and registrars, for what they issue) notarised for it.
/// @dev The contract validates every USCC itself, so nobody can register a malformed code by bypassing
/// gzchain's service. Every change appends a version; nothing is ever overwritten but the current state.
contract BusinessRegistry is IBusinessRegistry, ConsortiumGated {
    // Change types: the bit flags of gzchain/domain/business.py ChangeType. Part of the on-chain format.
    uint16 private constant _REGISTERED = 1 << 0;
    uint16 private constant _AMENDMENTS = 0x007e; // name, address, capital, legal rep., scope, shareholders
    uint16 private constant _SUSPENDED = 1 << 7;
    uint16 private constant _REINSTATED = 1 << 8;
    uint16 private constant _DEREGISTERED = 1 << 9;

    mapping(bytes18 uscc => Business) private _businesses;
    mapping(bytes18 uscc => Version[]) private _versions;
    mapping(bytes18 uscc => bytes32[]) private _filings;
    mapping(bytes32 fileHash => Notarisation) private _notarisations;

    constructor(IConsortium consortium_) ConsortiumGated(consortium_) {}

    // ---- registration ----

    /// @inheritdoc IBusinessRegistry
    function register(bytes18 uscc, bytes32 recordHash) external onlyRole(Roles.REGISTRAR) {
        _register(uscc, recordHash);
    }

    /// @inheritdoc IBusinessRegistry
    function amend(bytes18 uscc, bytes32 recordHash, uint16 changeType) external onlyRole(Roles.REGISTRAR) {
        _amend(uscc, recordHash, changeType);
    }

    /// @inheritdoc IBusinessRegistry
    function suspend(bytes18 uscc, uint8 reasonCode, bytes32 reasonHash) external onlyRole(Roles.REGISTRAR) {
        _suspend(uscc, reasonCode, reasonHash);
    }

    /// @inheritdoc IBusinessRegistry
    function reinstate(bytes18 uscc, uint8 reasonCode, bytes32 reasonHash) external onlyRole(Roles.REGISTRAR) {
        _reinstate(uscc, reasonCode, reasonHash);
    }

    /// @inheritdoc IBusinessRegistry
    function deregister(bytes18 uscc, uint8 reasonCode, bytes32 reasonHash) external onlyRole(Roles.REGISTRAR) {
        _deregister(uscc, reasonCode, reasonHash);
    }

    // ---- notarised filings ----

    /// @inheritdoc IBusinessRegistry
    function notarise(bytes32 fileHash, bytes18 uscc, uint8 documentType) external {
        bytes32 actingAs = _requireEitherRole(Roles.NOTARY, Roles.REGISTRAR);
        DocumentType kind = _documentType(documentType);
        _requireMayHandle(actingAs, kind);
        _notarise(fileHash, uscc, kind);
    }

    /// @inheritdoc IBusinessRegistry
    function revokeNotarisation(bytes32 fileHash, uint8 reasonCode, bytes32 reasonHash) external {
        bytes32 actingAs = _requireEitherRole(Roles.NOTARY, Roles.REGISTRAR);
        Notarisation storage n = _existingNotarisation(fileHash);
        if (n.notary != msg.sender) revert BusinessRegistryNotTheNotary(fileHash, n.notary, msg.sender);
        _requireMayHandle(actingAs, n.documentType);
        _revokeNotarisation(fileHash, n, reasonCode, reasonHash);
    }

    // ---- reads ----

    /// @inheritdoc IBusinessRegistry
    function business(bytes18 uscc) external view returns (Business memory) {
        return _existing(uscc);
    }

    /// @inheritdoc IBusinessRegistry
    function versions(bytes18 uscc) external view returns (Version[] memory) {
        _existing(uscc);
        return _versions[uscc];
    }

    /// @inheritdoc IBusinessRegistry
    function filingsOf(bytes18 uscc) external view returns (bytes32[] memory) {
        _existing(uscc);
        return _filings[uscc];
    }

    /// @inheritdoc IBusinessRegistry
    function notarisation(bytes32 fileHash) external view returns (Notarisation memory) {
        return _existingNotarisation(fileHash);
    }

    /// @inheritdoc IBusinessRegistry
    function isNotarised(bytes32 fileHash) external view returns (bool) {
        Notarisation storage n = _notarisations[fileHash];
        return n.notary != address(0) && n.revokedBy == address(0);
    }

    // ---- internals ----

    function _register(bytes18 uscc, bytes32 recordHash) private {
        uint8 position = UsccCheck.firstInvalidPosition(uscc);
        if (position != 0) revert BusinessRegistryInvalidUscc(uscc, position);
        if (recordHash == bytes32(0)) revert BusinessRegistryEmptyHash();
        Business storage b = _businesses[uscc];
        // A USCC is assigned for life: a deregistered business's code is never registered again.
        if (b.status != BusinessStatus.None) revert BusinessRegistryAlreadyRegistered(uscc);
        b.registrar = msg.sender;
        b.registeredAt = uint64(block.timestamp);
        b.status = BusinessStatus.Active;
        uint32 version = _appendVersion(uscc, b, recordHash, _REGISTERED, 0, bytes32(0));
        emit BusinessRegistered(uscc, msg.sender, version, recordHash);
    }

    function _amend(bytes18 uscc, bytes32 recordHash, uint16 changeType) private {
        Business storage b = _existing(uscc);
        if (b.status == BusinessStatus.Deregistered) revert BusinessRegistryDeregistered(uscc);
        if (changeType == 0 || changeType & ~_AMENDMENTS != 0) revert BusinessRegistryInvalidChangeType(changeType);
        if (recordHash == bytes32(0)) revert BusinessRegistryEmptyHash();
        if (recordHash == b.recordHash) revert BusinessRegistryRecordUnchanged(uscc, recordHash);
        uint32 version = _appendVersion(uscc, b, recordHash, changeType, 0, bytes32(0));
        emit BusinessAmended(uscc, msg.sender, version, recordHash, changeType);
    }

    function _suspend(bytes18 uscc, uint8 reasonCode, bytes32 reasonHash) private {
        uint8 max = uint8(type(SuspensionReason).max);
        uint32 version = _changeStatus(uscc, BusinessStatus.Suspended, _SUSPENDED, reasonCode, max, reasonHash);
        emit BusinessSuspended(uscc, msg.sender, version, SuspensionReason(reasonCode), reasonHash);
    }

    function _reinstate(bytes18 uscc, uint8 reasonCode, bytes32 reasonHash) private {
        uint8 max = uint8(type(ReinstatementReason).max);
        uint32 version = _changeStatus(uscc, BusinessStatus.Active, _REINSTATED, reasonCode, max, reasonHash);
        emit BusinessReinstated(uscc, msg.sender, version, ReinstatementReason(reasonCode), reasonHash);
    }

    function _deregister(bytes18 uscc, uint8 reasonCode, bytes32 reasonHash) private {
        uint8 max = uint8(type(DeregistrationReason).max);
        uint32 version =
            _changeStatus(uscc, BusinessStatus.Deregistered, _DEREGISTERED, reasonCode, max, reasonHash);
        emit BusinessDeregistered(uscc, msg.sender, version, DeregistrationReason(reasonCode), reasonHash);
    }

    /// @dev Active ⇄ Suspended, Active | Suspended → Deregistered; the record itself is unchanged, so the new
    /// version repeats the current record hash.
    function _changeStatus(
        bytes18 uscc,
        BusinessStatus to,
        uint16 changeType,
        uint8 reasonCode,
        uint8 maxCode,
        bytes32 reasonHash
    ) private returns (uint32) {
        Business storage b = _existing(uscc);
        BusinessStatus from = b.status;
        bool allowed = to == BusinessStatus.Deregistered
            ? from != BusinessStatus.Deregistered
            : from == (to == BusinessStatus.Suspended ? BusinessStatus.Active : BusinessStatus.Suspended);
        if (!allowed) revert BusinessRegistryInvalidTransition(uscc, from, to);
        _requireReason(reasonCode, maxCode, reasonHash);
        b.status = to;
        return _appendVersion(uscc, b, b.recordHash, changeType, reasonCode, reasonHash);
    }

    function _appendVersion(
        bytes18 uscc,
        Business storage b,
        bytes32 recordHash,
        uint16 changeType,
        uint8 reasonCode,
        bytes32 reasonHash
    ) private returns (uint32 version) {
        version = b.version + 1;
        b.version = version;
        b.recordHash = recordHash;
        b.updatedAt = uint64(block.timestamp);
        _versions[uscc].push(Version(recordHash, msg.sender, changeType, uint64(block.timestamp), reasonCode, reasonHash));
    }

    function _notarise(bytes32 fileHash, bytes18 uscc, DocumentType kind) private {
        if (fileHash == bytes32(0)) revert BusinessRegistryEmptyHash();
        if (_existing(uscc).status == BusinessStatus.Deregistered) revert BusinessRegistryDeregistered(uscc);
        Notarisation storage n = _notarisations[fileHash];
        // Refused even when revoked: a revoked notarisation stays on record as it was.
        if (n.notary != address(0)) revert BusinessRegistryAlreadyNotarised(fileHash);
        n.uscc = uscc;
        n.documentType = kind;
        n.notarisedAt = uint64(block.timestamp);
        n.notary = msg.sender;
        _filings[uscc].push(fileHash);
        emit DocumentNotarised(uscc, fileHash, msg.sender, kind);
    }

    function _revokeNotarisation(bytes32 fileHash, Notarisation storage n, uint8 reasonCode, bytes32 reasonHash)
        private
    {
        if (n.revokedBy != address(0)) revert BusinessRegistryNotarisationAlreadyRevoked(fileHash);
        _requireReason(reasonCode, uint8(type(NotarisationRevocationReason).max), reasonHash);
        NotarisationRevocationReason code = NotarisationRevocationReason(reasonCode);
        n.revokedAt = uint64(block.timestamp);
        n.revokedBy = msg.sender;
        n.revocationReasonCode = code;
        n.revocationReasonHash = reasonHash;
        emit NotarisationRevoked(n.uscc, fileHash, msg.sender, code, reasonHash);
    }

    /// @dev The words behind a reason stay off chain; the chain insists on a known code and their hash.
    function _requireReason(uint8 reasonCode, uint8 maxCode, bytes32 reasonHash) private pure {
        if (reasonCode > maxCode) revert BusinessRegistryUnknownReason(reasonCode, maxCode);
        if (reasonHash == bytes32(0)) revert BusinessRegistryEmptyReasonHash();
    }

    function _existing(bytes18 uscc) private view returns (Business storage b) {
        b = _businesses[uscc];
        if (b.status == BusinessStatus.None) revert BusinessRegistryUnknownBusiness(uscc);
    }

    function _existingNotarisation(bytes32 fileHash) private view returns (Notarisation storage n) {
        n = _notarisations[fileHash];
        if (n.notary == address(0)) revert BusinessRegistryUnknownNotarisation(fileHash);
    }

    /// @dev A registrar notarises only what it issues itself; a notary notarises any document.
    function _requireMayHandle(bytes32 actingAs, DocumentType kind) private view {
        bool issuedByRegistrar = kind == DocumentType.BusinessLicence || kind == DocumentType.RegistrationDecision;
        if (actingAs == Roles.REGISTRAR && !issuedByRegistrar) {
            revert BusinessRegistryDocumentTypeNotAllowed(msg.sender, kind);
        }
    }

    function _documentType(uint8 raw) private pure returns (DocumentType) {
        if (raw > uint8(type(DocumentType).max)) revert BusinessRegistryUnknownDocumentType(raw);
        return DocumentType(raw);
    }
}
