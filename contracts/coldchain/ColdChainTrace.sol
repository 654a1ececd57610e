// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {ConsortiumGated} from "../governance/ConsortiumGated.sol";
import {Roles} from "../governance/Roles.sol";
import {IColdChainTrace} from "../interfaces/IColdChainTrace.sol";
import {IConsortium} from "../interfaces/IConsortium.sol";

/// @title ColdChainTrace
/// @notice Imported cold-chain food traceability: the five-certificate clearance, custody hand-overs, EPCIS
/// event anchors with temperature readings, automatic breach flags, regulator release and recall, and splits
/// into child lots that inherit all of it.
/// @dev Inheritance is lazy: a lot stores only what happened to it, and every rule walks up its ancestors
/// (a split tree is shallow: batch, retail lot, shelf pack). So a recall costs the same for one lot as for
/// ten thousand, and reaches lots split off before it as well as their own descendants.
/// `multicall` (OpenZeppelin) lets an agency anchor a whole EPCIS document in one all-or-nothing transaction;
/// each call in it is checked exactly as if sent alone.
contract ColdChainTrace is IColdChainTrace, ConsortiumGated, Multicall {
    uint8 private constant _ALL_CERTIFICATES = 0x1f;
    uint8 private constant _INSPECTOR_KINDS = 0x07; // customs declaration, quarantine, nucleic-acid test
    uint8 private constant _CERTIFICATE_KINDS = 5;
    uint64 private constant _GTIN_LIMIT = 1e14;

    mapping(bytes32 batchId => Batch) private _batches;
    mapping(bytes32 batchId => bytes32[] childIds) private _children;
    mapping(bytes32 batchId => address[] custodians) private _custodians;
    mapping(bytes32 batchId => bytes32[] eventHashes) private _eventHashes;
    mapping(bytes32 batchId => mapping(bytes32 eventHash => AnchoredEvent)) private _anchors;
    mapping(bytes32 batchId => mapping(CertificateKind kind => Certificate)) private _certificates;
    mapping(bytes32 batchId => bytes32 eventHash) private _breaches;
    mapping(bytes32 batchId => Recall) private _recalls;
    mapping(address agency => uint8 kinds) private _entitlements;

    constructor(IConsortium consortium_) ConsortiumGated(consortium_) {}

    // ---- regulator ----

    /// @inheritdoc IColdChainTrace
    function setEntitlements(address agency, uint8 kinds) external onlyRole(Roles.REGULATOR) {
        _setEntitlements(agency, kinds);
    }

    /// @inheritdoc IColdChainTrace
    function release(bytes32 batchId, uint8 reasonCode, bytes32 reasonHash) external onlyRole(Roles.REGULATOR) {
        _release(batchId, reasonCode, reasonHash);
    }

    /// @inheritdoc IColdChainTrace
    function recall(bytes32 batchId, uint8 reasonCode, bytes32 reasonHash) external onlyRole(Roles.REGULATOR) {
        _recall(batchId, reasonCode, reasonHash);
    }

    // ---- operators ----

    /// @inheritdoc IColdChainTrace
    function createBatch(
        bytes32 batchId,
        uint64 gtin,
        uint128 quantity,
        bytes3 unit,
        bytes2 originCountry,
        int16 minTenths,
        int16 maxTenths
    ) external onlyRole(Roles.COLDCHAIN_OPERATOR) {
        _createBatch(batchId, gtin, quantity, unit, originCountry, minTenths, maxTenths);
    }

    /// @inheritdoc IColdChainTrace
    function anchorEvent(bytes32 batchId, EventAnchor calldata anchor) external onlyRole(Roles.COLDCHAIN_OPERATOR) {
        _anchorEvent(batchId, anchor);
    }

    /// @inheritdoc IColdChainTrace
    function ship(bytes32 batchId, EventAnchor calldata anchor, address recipient)
        external
        onlyRole(Roles.COLDCHAIN_OPERATOR)
    {
        _ship(batchId, anchor, recipient);
    }

    /// @inheritdoc IColdChainTrace
    function split(
        bytes32 parentId,
        EventAnchor calldata transformation,
        bytes32[] calldata childIds,
        uint128[] calldata quantities
    ) external onlyRole(Roles.COLDCHAIN_OPERATOR) {
        _split(parentId, transformation, childIds, quantities);
    }

    // ---- certificate issuers ----

    /// @inheritdoc IColdChainTrace
    function certify(bytes32 batchId, uint8 kind, bytes32 documentHash) external {
        CertificateKind certificateKind = _certificateKind(kind);
        consortium().requireActiveRole(_roleFor(certificateKind), msg.sender);
        if (_entitlements[msg.sender] & _bit(certificateKind) == 0) {
            revert ColdChainNotEntitled(msg.sender, certificateKind);
        }
        _certify(batchId, certificateKind, documentHash);
    }

    // ---- reads ----

    /// @inheritdoc IColdChainTrace
    function batch(bytes32 batchId) external view returns (Batch memory) {
        return _existing(batchId);
    }

    /// @inheritdoc IColdChainTrace
    function status(bytes32 batchId) external view returns (BatchStatus) {
        Batch storage b = _existing(batchId);
        if (b.destroyed) return BatchStatus.Destroyed;
        (uint8 certificates, bytes32 recalledBatchId, bytes32 flaggedBatchId) = _lineage(batchId);
        if (recalledBatchId != bytes32(0)) return BatchStatus.Recalled;
        if (b.split) return BatchStatus.Split;
        if (flaggedBatchId != bytes32(0)) return BatchStatus.Flagged;
        return certificates == _ALL_CERTIFICATES ? BatchStatus.Cleared : BatchStatus.AwaitingClearance;
    }

    /// @inheritdoc IColdChainTrace
    function certificatesOf(bytes32 batchId) external view returns (uint8 certificates) {
        _existing(batchId);
        (certificates,,) = _lineage(batchId);
    }

    /// @inheritdoc IColdChainTrace
    function certificate(bytes32 batchId, uint8 kind)
        external
        view
        returns (Certificate memory found, bytes32 attachedTo)
    {
        _existing(batchId);
        CertificateKind certificateKind = _certificateKind(kind);
        attachedTo = _certificateHolder(batchId, certificateKind);
        if (attachedTo != bytes32(0)) found = _certificates[attachedTo][certificateKind];
    }

    /// @inheritdoc IColdChainTrace
    function recallOf(bytes32 batchId) external view returns (Recall memory found, bytes32 recalledBatchId) {
        _existing(batchId);
        (, recalledBatchId,) = _lineage(batchId);
        if (recalledBatchId != bytes32(0)) found = _recalls[recalledBatchId];
    }

    /// @inheritdoc IColdChainTrace
    function holdOf(bytes32 batchId) external view returns (bytes32 flaggedBatchId, bytes32 breachEventHash) {
        _existing(batchId);
        (,, flaggedBatchId) = _lineage(batchId);
        if (flaggedBatchId != bytes32(0)) breachEventHash = _breaches[flaggedBatchId];
    }

    /// @inheritdoc IColdChainTrace
    function childrenOf(bytes32 batchId) external view returns (bytes32[] memory) {
        _existing(batchId);
        return _children[batchId];
    }

    /// @inheritdoc IColdChainTrace
    function custodiansOf(bytes32 batchId) external view returns (address[] memory) {
        _existing(batchId);
        return _custodians[batchId];
    }

    /// @inheritdoc IColdChainTrace
    function eventsOf(bytes32 batchId) external view returns (bytes32[] memory) {
        _existing(batchId);
        return _eventHashes[batchId];
    }

    /// @inheritdoc IColdChainTrace
    function anchoredEvent(bytes32 batchId, bytes32 eventHash) external view returns (AnchoredEvent memory) {
        return _existingEvent(batchId, eventHash);
    }

    /// @inheritdoc IColdChainTrace
    function verifyReading(bytes32 batchId, bytes32 eventHash, bytes32 leaf, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        AnchoredEvent storage e = _existingEvent(batchId, eventHash);
        return e.readingCount != 0 && MerkleProof.verifyCalldata(proof, e.readingsRoot, leaf);
    }

    /// @inheritdoc IColdChainTrace
    function entitlementsOf(address agency) external view returns (uint8) {
        return _entitlements[agency];
    }

    // ---- internals: regulator ----

    function _setEntitlements(address agency, uint8 kinds) private {
        if (kinds > _ALL_CERTIFICATES) revert ColdChainInvalidEntitlements(kinds);
        if (kinds & _INSPECTOR_KINDS != 0) consortium().requireActiveRole(Roles.INSPECTOR, agency);
        if (kinds & ~_INSPECTOR_KINDS != 0) consortium().requireActiveRole(Roles.COLDCHAIN_OPERATOR, agency);
        _entitlements[agency] = kinds;
        emit ColdChainEntitlementsSet(agency, msg.sender, kinds);
    }

    function _release(bytes32 batchId, uint8 reasonCode, bytes32 reasonHash) private {
        Batch storage b = _existing(batchId);
        if (b.destroyed) revert ColdChainBatchAlreadyDestroyed(batchId);
        if (!b.flagged) revert ColdChainBatchNotFlagged(batchId);
        _requireNotRecalled(batchId);
        _requireReason(reasonCode, uint8(type(ReleaseReason).max), reasonHash);
        bytes32 breach = _breaches[batchId];
        b.flagged = false;
        delete _breaches[batchId];
        emit ColdChainBatchReleased(batchId, msg.sender, breach, ReleaseReason(reasonCode), reasonHash);
    }

    function _recall(bytes32 batchId, uint8 reasonCode, bytes32 reasonHash) private {
        Batch storage b = _existing(batchId);
        if (b.destroyed) revert ColdChainBatchAlreadyDestroyed(batchId);
        _requireNotRecalled(batchId);
        _requireReason(reasonCode, uint8(type(RecallReason).max), reasonHash);
        RecallReason code = RecallReason(reasonCode);
        b.recalled = true;
        _recalls[batchId] = Recall(msg.sender, uint64(block.timestamp), code, reasonHash);
        emit ColdChainRecallOrdered(batchId, msg.sender, code, reasonHash);
    }

    /// @dev The words behind a reason stay off chain; the chain insists on a known code and their hash.
    function _requireReason(uint8 reasonCode, uint8 maxCode, bytes32 reasonHash) private pure {
        if (reasonCode > maxCode) revert ColdChainUnknownReason(reasonCode, maxCode);
        if (reasonHash == bytes32(0)) revert ColdChainEmptyReasonHash();
    }

    // ---- internals: batches ----

    function _createBatch(
        bytes32 batchId,
        uint64 gtin,
        uint128 quantity,
        bytes3 unit,
        bytes2 originCountry,
        int16 minTenths,
        int16 maxTenths
    ) private {
        if (!_isGtin(gtin)) revert ColdChainInvalidGtin(gtin);
        if (!_isUnit(unit)) revert ColdChainInvalidUnit(unit);
        if (!_isCountry(originCountry)) revert ColdChainInvalidCountry(originCountry);
        if (minTenths > maxTenths) revert ColdChainInvalidWindow(minTenths, maxTenths);
        Batch storage b = _newBatch(batchId, quantity);
        b.gtin = gtin;
        b.unit = unit;
        b.originCountry = originCountry;
        b.minTenths = minTenths;
        b.maxTenths = maxTenths;
        emit ColdChainBatchCreated(
            batchId, msg.sender, bytes32(0), gtin, quantity, unit, originCountry, minTenths, maxTenths
        );
    }

    function _newBatch(bytes32 batchId, uint128 quantity) private returns (Batch storage b) {
        if (batchId == bytes32(0)) revert ColdChainInvalidBatchId();
        if (quantity == 0) revert ColdChainInvalidQuantity(quantity);
        b = _batches[batchId];
        if (b.custodian != address(0)) revert ColdChainBatchExists(batchId);
        b.custodian = msg.sender;
        b.quantity = quantity;
        b.createdAt = uint64(block.timestamp);
        _custodians[batchId].push(msg.sender);
    }

    function _split(
        bytes32 parentId,
        EventAnchor calldata transformation,
        bytes32[] calldata childIds,
        uint128[] calldata quantities
    ) private {
        Batch storage parent = _heldByCaller(parentId);
        _requireNotRecalled(parentId);
        BizStep step = _bizStep(transformation.bizStep);
        if (
            step == BizStep.Shipping || step == BizStep.Receiving || step == BizStep.VoidShipping
                || step == BizStep.RetailSelling || step == BizStep.Destroying
        ) revert ColdChainBizStepNotAllowed(parentId, step);
        if (childIds.length == 0 || childIds.length != quantities.length) revert ColdChainInvalidSplit(parentId);
        uint256 total = 0;
        for (uint256 i = 0; i < quantities.length; i++) {
            total += quantities[i];
        }
        if (total != parent.quantity) revert ColdChainSplitMismatch(parentId, parent.quantity, total);
        _record(parentId, parent, transformation, step);
        parent.split = true;
        for (uint256 i = 0; i < childIds.length; i++) {
            _createChild(parentId, parent, childIds[i], quantities[i]);
        }
        emit ColdChainBatchSplit(parentId, transformation.eventHash, msg.sender, childIds, quantities);
    }

    function _createChild(bytes32 parentId, Batch storage parent, bytes32 childId, uint128 quantity) private {
        Batch storage child = _newBatch(childId, quantity);
        child.parentId = parentId;
        child.gtin = parent.gtin;
        child.unit = parent.unit;
        child.originCountry = parent.originCountry;
        child.minTenths = parent.minTenths;
        child.maxTenths = parent.maxTenths;
        _children[parentId].push(childId);
        emit ColdChainBatchCreated(
            childId,
            msg.sender,
            parentId,
            parent.gtin,
            quantity,
            parent.unit,
            parent.originCountry,
            parent.minTenths,
            parent.maxTenths
        );
    }

    // ---- internals: events and custody ----

    function _anchorEvent(bytes32 batchId, EventAnchor calldata anchor) private {
        BizStep step = _bizStep(anchor.bizStep);
        if (step == BizStep.Shipping) revert ColdChainBizStepNotAllowed(batchId, step);
        Batch storage b = _writable(batchId);
        if (step == BizStep.Receiving) {
            _requireRecipient(batchId, b);
        } else {
            _requireCustodian(batchId, b);
            if (step == BizStep.VoidShipping && b.pendingCustodian == address(0)) {
                revert ColdChainNoHandOverPending(batchId);
            }
            if (step != BizStep.VoidShipping && b.pendingCustodian != address(0)) {
                revert ColdChainHandOverPending(batchId, b.pendingCustodian);
            }
        }
        (uint8 certificates, bytes32 recalledBatchId, bytes32 flaggedBatchId) = _lineage(batchId);
        bool returnStep = step == BizStep.Destroying || step == BizStep.Receiving || step == BizStep.VoidShipping;
        if (recalledBatchId != bytes32(0) && !returnStep) revert ColdChainBatchRecalled(batchId, recalledBatchId);
        if (step == BizStep.RetailSelling) {
            if (certificates != _ALL_CERTIFICATES) revert ColdChainBatchNotCleared(batchId, certificates);
            if (flaggedBatchId != bytes32(0)) revert ColdChainBatchOnHold(batchId, flaggedBatchId);
        }
        _record(batchId, b, anchor, step);
        if (step == BizStep.Receiving) {
            address from = b.custodian;
            b.custodian = msg.sender;
            b.pendingCustodian = address(0);
            _custodians[batchId].push(msg.sender);
            emit ColdChainCustodyTransferred(batchId, from, msg.sender, anchor.eventHash);
        } else if (step == BizStep.VoidShipping) {
            address recipient = b.pendingCustodian;
            b.pendingCustodian = address(0);
            emit ColdChainShipmentVoided(batchId, msg.sender, recipient, anchor.eventHash);
        } else if (step == BizStep.Destroying) {
            b.destroyed = true;
            emit ColdChainBatchDestroyed(batchId, msg.sender, anchor.eventHash);
        }
    }

    function _ship(bytes32 batchId, EventAnchor calldata anchor, address recipient) private {
        BizStep step = _bizStep(anchor.bizStep);
        if (step != BizStep.Shipping) revert ColdChainBizStepNotAllowed(batchId, step);
        Batch storage b = _heldByCaller(batchId);
        if (
            recipient == msg.sender || !consortium().hasActiveRole(Roles.COLDCHAIN_OPERATOR, recipient)
        ) revert ColdChainInvalidRecipient(batchId, recipient);
        (, bytes32 recalledBatchId,) = _lineage(batchId);
        // After a recall the goods may only go back up the chain they came down.
        if (recalledBatchId != bytes32(0) && !_heldBefore(batchId, recipient)) {
            revert ColdChainInvalidRecipient(batchId, recipient);
        }
        _record(batchId, b, anchor, step);
        b.pendingCustodian = recipient;
        emit ColdChainShipped(batchId, msg.sender, recipient, anchor.eventHash);
    }

    /// @dev Stores the anchor and flags the batch when its readings leave the window.
    function _record(bytes32 batchId, Batch storage b, EventAnchor calldata anchor, BizStep step) private {
        bytes32 eventHash = anchor.eventHash;
        if (eventHash == bytes32(0) || anchor.eventTimeMs == 0) {
            revert ColdChainInvalidEvent(eventHash, anchor.eventTimeMs);
        }
        bool hasReadings = anchor.readingCount != 0;
        if (
            hasReadings
                ? anchor.minTenths > anchor.maxTenths || anchor.readingsRoot == bytes32(0)
                : anchor.minTenths != 0 || anchor.maxTenths != 0 || anchor.readingsRoot != bytes32(0)
        ) revert ColdChainInvalidReadings(eventHash);
        AnchoredEvent storage e = _anchors[batchId][eventHash];
        if (e.custodian != address(0)) revert ColdChainEventAlreadyAnchored(batchId, eventHash);
        e.custodian = msg.sender;
        e.eventTimeMs = anchor.eventTimeMs;
        e.bizStep = step;
        e.location = anchor.location;
        if (hasReadings) {
            e.minTenths = anchor.minTenths;
            e.maxTenths = anchor.maxTenths;
            e.readingCount = anchor.readingCount;
            e.readingsRoot = anchor.readingsRoot;
        }
        _eventHashes[batchId].push(eventHash);
        _emitAnchored(batchId, anchor, step);
        if (hasReadings && (anchor.minTenths < b.minTenths || anchor.maxTenths > b.maxTenths)) {
            b.flagged = true;
            _breaches[batchId] = eventHash;
            emit ColdChainBatchFlagged(
                batchId, eventHash, anchor.minTenths, anchor.maxTenths, b.minTenths, b.maxTenths
            );
        }
    }

    function _emitAnchored(bytes32 batchId, EventAnchor calldata anchor, BizStep step) private {
        emit ColdChainEventAnchored(
            batchId,
            anchor.eventHash,
            msg.sender,
            step,
            anchor.location,
            anchor.eventTimeMs,
            anchor.minTenths,
            anchor.maxTenths,
            anchor.readingCount,
            anchor.readingsRoot
        );
    }

    // ---- internals: certificates ----

    function _certify(bytes32 batchId, CertificateKind kind, bytes32 documentHash) private {
        if (documentHash == bytes32(0)) revert ColdChainEmptyDocumentHash();
        Batch storage b = _existing(batchId);
        if (b.destroyed) revert ColdChainBatchAlreadyDestroyed(batchId);
        (uint8 certificates, bytes32 recalledBatchId,) = _lineage(batchId);
        if (recalledBatchId != bytes32(0)) revert ColdChainBatchRecalled(batchId, recalledBatchId);
        if (certificates & _bit(kind) != 0) {
            revert ColdChainCertificateAlreadyAttached(batchId, kind, _certificateHolder(batchId, kind));
        }
        // The supervised warehouse certifies what it did to goods it holds.
        if (kind == CertificateKind.Disinfection || kind == CertificateKind.WarehouseRelease) {
            _requireCustodian(batchId, b);
        }
        if (kind == CertificateKind.WarehouseRelease && certificates != (_ALL_CERTIFICATES & ~_bit(kind))) {
            revert ColdChainReleaseBeforeChecks(batchId, certificates);
        }
        _certificates[batchId][kind] = Certificate(documentHash, msg.sender, uint64(block.timestamp));
        b.certificates |= _bit(kind);
        emit ColdChainCertificateAttached(batchId, documentHash, msg.sender, kind);
        if (certificates | _bit(kind) == _ALL_CERTIFICATES) emit ColdChainBatchCleared(batchId);
    }

    function _certificateHolder(bytes32 batchId, CertificateKind kind) private view returns (bytes32) {
        for (bytes32 id = batchId; id != bytes32(0); id = _batches[id].parentId) {
            if (_batches[id].certificates & _bit(kind) != 0) return id;
        }
        return bytes32(0);
    }

    // ---- internals: checks ----

    /// @dev One walk up the ancestors: the certificates on record, and the nearest recall and unreleased flag.
    function _lineage(bytes32 batchId)
        private
        view
        returns (uint8 certificates, bytes32 recalledBatchId, bytes32 flaggedBatchId)
    {
        for (bytes32 id = batchId; id != bytes32(0); id = _batches[id].parentId) {
            Batch storage b = _batches[id];
            certificates |= b.certificates;
            if (recalledBatchId == bytes32(0) && b.recalled) recalledBatchId = id;
            if (flaggedBatchId == bytes32(0) && b.flagged) flaggedBatchId = id;
        }
    }

    function _heldBefore(bytes32 batchId, address account) private view returns (bool) {
        for (bytes32 id = batchId; id != bytes32(0); id = _batches[id].parentId) {
            address[] storage holders = _custodians[id];
            for (uint256 i = 0; i < holders.length; i++) {
                if (holders[i] == account) return true;
            }
        }
        return false;
    }

    function _existing(bytes32 batchId) private view returns (Batch storage b) {
        b = _batches[batchId];
        if (b.custodian == address(0)) revert ColdChainUnknownBatch(batchId);
    }

    function _existingEvent(bytes32 batchId, bytes32 eventHash) private view returns (AnchoredEvent storage e) {
        _existing(batchId);
        e = _anchors[batchId][eventHash];
        if (e.custodian == address(0)) revert ColdChainUnknownEvent(batchId, eventHash);
    }

    /// @dev A batch that still takes events: it exists and is neither destroyed nor split.
    function _writable(bytes32 batchId) private view returns (Batch storage b) {
        b = _existing(batchId);
        if (b.destroyed) revert ColdChainBatchAlreadyDestroyed(batchId);
        if (b.split) revert ColdChainBatchAlreadySplit(batchId);
    }

    /// @dev A writable batch the caller holds with no hand-over under way.
    function _heldByCaller(bytes32 batchId) private view returns (Batch storage b) {
        b = _writable(batchId);
        _requireCustodian(batchId, b);
        if (b.pendingCustodian != address(0)) revert ColdChainHandOverPending(batchId, b.pendingCustodian);
    }

    function _requireCustodian(bytes32 batchId, Batch storage b) private view {
        if (b.custodian != msg.sender) revert ColdChainNotCustodian(batchId, b.custodian, msg.sender);
    }

    function _requireRecipient(bytes32 batchId, Batch storage b) private view {
        if (b.pendingCustodian == address(0)) revert ColdChainNoHandOverPending(batchId);
        if (b.pendingCustodian != msg.sender) revert ColdChainNotRecipient(batchId, b.pendingCustodian, msg.sender);
    }

    function _requireNotRecalled(bytes32 batchId) private view {
        (, bytes32 recalledBatchId,) = _lineage(batchId);
        if (recalledBatchId != bytes32(0)) revert ColdChainBatchRecalled(batchId, recalledBatchId);
    }

    // ---- internals: values ----

    function _bizStep(uint8 raw) private pure returns (BizStep) {
        if (raw > uint8(type(BizStep).max)) revert ColdChainUnknownBizStep(raw);
        return BizStep(raw);
    }

    function _certificateKind(uint8 raw) private pure returns (CertificateKind) {
        if (raw >= _CERTIFICATE_KINDS) revert ColdChainUnknownCertificateKind(raw);
        return CertificateKind(raw);
    }

    function _roleFor(CertificateKind kind) private pure returns (bytes32) {
        return _bit(kind) & _INSPECTOR_KINDS != 0 ? Roles.INSPECTOR : Roles.COLDCHAIN_OPERATOR;
    }

    function _bit(CertificateKind kind) private pure returns (uint8) {
        return uint8(1 << uint8(kind));
    }

    /// @dev A GTIN-8/12/13/14 as a number below 10^14 whose last digit is its GS1 mod-10 check digit.
    function _isGtin(uint64 gtin) private pure returns (bool) {
        if (gtin == 0 || gtin >= _GTIN_LIMIT) return false;
        uint256 rest = gtin / 10;
        uint256 sum = 0;
        uint256 weight = 3;
        while (rest != 0) {
            sum += (rest % 10) * weight;
            rest /= 10;
            weight = 4 - weight;
        }
        return (10 - (sum % 10)) % 10 == gtin % 10;
    }

    /// @dev UN/ECE Rec 20: 2-3 capitals or digits, a two-character code padded with one zero byte.
    function _isUnit(bytes3 unit) private pure returns (bool) {
        return _isCodeCharacter(unit[0]) && _isCodeCharacter(unit[1])
            && (unit[2] == 0x00 || _isCodeCharacter(unit[2]));
    }

    function _isCountry(bytes2 country) private pure returns (bool) {
        return _isCapital(country[0]) && _isCapital(country[1]);
    }

    function _isCodeCharacter(bytes1 c) private pure returns (bool) {
        return _isCapital(c) || (c >= "0" && c <= "9");
    }

    function _isCapital(bytes1 c) private pure returns (bool) {
        return c >= "A" && c <= "Z";
    }
}
