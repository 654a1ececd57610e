// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title IColdChainTrace
/// @notice Imported cold-chain food on chain: batches and the lots split from them, the "five certificates"
/// (五证) that clear a batch for sale, the custody chain, GS1 EPCIS 2.0 event anchors, temperature breaches,
/// and recalls that reach every descendant lot.
/// @dev Off chain each batch is a GS1 lot (GTIN + lot number); `batchId` is the Keccak-256 of its constrained
/// canonical GS1 Digital Link URI (gzchain/domain/coldchain.py `batch_id`). Full EPCIS events and raw sensor
/// readings live in gzchain's store; the chain holds each event's CBV 2.0 event hash and what the rules need.
/// Temperatures are in tenths of a degree Celsius (-180 is -18.0 °C); event times in Unix milliseconds.
/// A recall or release says why by a reason code (the enums below, mirrored by gzchain/domain/reasons.py) and
/// a salted hash of the regulator's words; the words and their salt stay off chain with the regulator.
interface IColdChainTrace {
    /// @dev The five certificates, in the order they are normally issued. A set of them is a bit mask
    /// (bit `1 << kind`); all five is 0x1f.
    enum CertificateKind {
        CustomsDeclaration, // 海关进口货物报关单: customs (INSPECTOR, entitled)
        InspectionQuarantine, // 入境货物检验检疫证明: customs (INSPECTOR, entitled)
        NucleicAcidTest, // 核酸检测阴性报告: CDC (INSPECTOR, entitled)
        Disinfection, // 消毒凭证: the supervised warehouse holding the batch (COLDCHAIN_OPERATOR, entitled)
        WarehouseRelease // 集中监管仓出库证明: the supervised warehouse holding the batch, after the other four
    }

    /// @dev What `status` reports, most decisive first: Destroyed, Recalled (itself or an ancestor), Split,
    /// Flagged (itself or an ancestor, until a regulator releases it), then Cleared or AwaitingClearance.
    enum BatchStatus {
        None,
        AwaitingClearance,
        Cleared,
        Flagged,
        Recalled,
        Split,
        Destroyed
    }

    /// @dev The CBV 2.0 business steps in alphabetical order after Unspecified (an event without bizStep).
    /// gzchain/domain/coldchain.py `BIZ_STEP_WORDS` lists the same words in the same order.
    enum BizStep {
        Unspecified,
        Accepting,
        Arriving,
        Assembling,
        Collecting,
        Commissioning,
        Consigning,
        CreatingClassInstance,
        CycleCounting,
        Decommissioning,
        Departing,
        Destroying,
        Disassembling,
        Dispensing,
        Encoding,
        EnteringExiting,
        Holding,
        Inspecting,
        Installing,
        Killing,
        Loading,
        Other,
        Packing,
        Picking,
        Receiving,
        Removing,
        Repackaging,
        Repairing,
        Replacing,
        Reserving,
        RetailSelling,
        Sampling,
        SensorReporting,
        Shipping,
        StagingOutbound,
        StockTaking,
        Stocking,
        Storing,
        Transporting,
        Unloading,
        Unpacking,
        VoidShipping
    }

    enum RecallReason {
        TemperatureAbuse, // the cold chain was broken
        PathogenDetected, // e.g. a positive nucleic-acid or microbiological test
        CertificateFraud, // a forged or mismatched certificate
        LabellingError, // undeclared allergen, wrong lot or origin
        ForeignMatter,
        OrderedByAuthority, // another authority's notice
        Other
    }

    enum ReleaseReason {
        SensorFault, // the breach readings came from a faulty logger
        WithinTolerance, // the excursion was short enough to leave the goods safe
        LabTestPassed, // samples taken after the breach tested safe
        Other
    }

    struct Batch {
        bytes32 parentId; // zero for a batch created by an importer, the parent lot for a split-off lot
        address custodian; // who holds it and alone may anchor its events
        uint8 certificates; // attached to this batch itself; see `certificatesOf` for inherited ones
        bool split; // consumed by a split into child lots: it takes no more events
        bool destroyed;
        bool recalled; // recalled itself; see `status` for a recall inherited from an ancestor
        bool flagged; // a reading broke the window and no regulator has released it yet
        address pendingCustodian; // named by a shipping event, until it anchors the receiving event
        uint64 gtin; // GTIN-14 as a number, check digit included
        bytes3 unit; // UN/ECE Rec 20 code, e.g. "KGM"; a two-letter code ends in a zero byte
        uint128 quantity; // in `unit`
        bytes2 originCountry; // ISO 3166-1 alpha-2, e.g. "BR"
        int16 minTenths; // allowed temperature window, inclusive
        int16 maxTenths;
        uint64 createdAt;
    }

    /// @notice What a custodian anchors of one EPCIS event.
    /// @dev `eventHash` is the SHA-256 of the CBV 2.0 pre-hash string (the hex of `ni:///sha-256;…`);
    /// `location` the Keccak-256 of the event's bizLocation (else readPoint) as a canonical GS1 URI, zero if
    /// none; `bizStep` a `BizStep` as uint8. With sensor data, `readingCount` readings lie between
    /// `minTenths` and `maxTenths` (rounded outwards) and `readingsRoot` is the sorted-pair Keccak Merkle
    /// root of their leaves; without, the four are zero.
    struct EventAnchor {
        bytes32 eventHash;
        uint8 bizStep;
        bytes32 location;
        uint64 eventTimeMs;
        int16 minTenths;
        int16 maxTenths;
        uint32 readingCount;
        bytes32 readingsRoot;
    }

    struct AnchoredEvent {
        address custodian; // who anchored it
        uint64 eventTimeMs;
        BizStep bizStep;
        int16 minTenths;
        int16 maxTenths;
        uint32 readingCount;
        bytes32 location;
        bytes32 readingsRoot;
    }

    struct Certificate {
        bytes32 documentHash; // SHA-256 of the document
        address certifier;
        uint64 attachedAt;
    }

    struct Recall {
        address regulator;
        uint64 recalledAt;
        RecallReason reasonCode;
        bytes32 reasonHash; // salted hash of the regulator's words
    }

    event ColdChainEntitlementsSet(address indexed agency, address indexed regulator, uint8 kinds);
    event ColdChainBatchCreated(
        bytes32 indexed batchId,
        address indexed custodian,
        bytes32 indexed parentId,
        uint64 gtin,
        uint128 quantity,
        bytes3 unit,
        bytes2 originCountry,
        int16 minTenths,
        int16 maxTenths
    );
    event ColdChainCertificateAttached(
        bytes32 indexed batchId, bytes32 indexed documentHash, address indexed certifier, CertificateKind kind
    );
    event ColdChainBatchCleared(bytes32 indexed batchId);
    event ColdChainEventAnchored(
        bytes32 indexed batchId,
        bytes32 indexed eventHash,
        address indexed custodian,
        BizStep bizStep,
        bytes32 location,
        uint64 eventTimeMs,
        int16 minTenths,
        int16 maxTenths,
        uint32 readingCount,
        bytes32 readingsRoot
    );
    event ColdChainShipped(
        bytes32 indexed batchId, address indexed shipper, address indexed recipient, bytes32 eventHash
    );
    event ColdChainShipmentVoided(
        bytes32 indexed batchId, address indexed shipper, address indexed recipient, bytes32 eventHash
    );
    event ColdChainCustodyTransferred(
        bytes32 indexed batchId, address indexed from, address indexed to, bytes32 eventHash
    );
    event ColdChainBatchFlagged(
        bytes32 indexed batchId,
        bytes32 indexed eventHash,
        int16 minTenths,
        int16 maxTenths,
        int16 windowMinTenths,
        int16 windowMaxTenths
    );
    event ColdChainBatchReleased(
        bytes32 indexed batchId,
        address indexed regulator,
        bytes32 indexed breachEventHash,
        ReleaseReason reasonCode,
        bytes32 reasonHash
    );
    event ColdChainRecallOrdered(
        bytes32 indexed batchId, address indexed regulator, RecallReason reasonCode, bytes32 reasonHash
    );
    event ColdChainBatchSplit(
        bytes32 indexed parentId,
        bytes32 indexed eventHash,
        address indexed custodian,
        bytes32[] childIds,
        uint128[] quantities
    );
    event ColdChainBatchDestroyed(bytes32 indexed batchId, address indexed custodian, bytes32 eventHash);

    error ColdChainInvalidBatchId();
    error ColdChainBatchExists(bytes32 batchId);
    error ColdChainUnknownBatch(bytes32 batchId);
    error ColdChainInvalidGtin(uint64 gtin);
    error ColdChainInvalidQuantity(uint128 quantity);
    error ColdChainInvalidUnit(bytes3 unit);
    error ColdChainInvalidCountry(bytes2 country);
    error ColdChainInvalidWindow(int16 minTenths, int16 maxTenths);
    error ColdChainUnknownCertificateKind(uint8 kind);
    error ColdChainInvalidEntitlements(uint8 kinds);
    error ColdChainNotEntitled(address account, CertificateKind kind);
    error ColdChainEmptyDocumentHash();
    error ColdChainCertificateAlreadyAttached(bytes32 batchId, CertificateKind kind, bytes32 attachedTo);
    error ColdChainReleaseBeforeChecks(bytes32 batchId, uint8 certificates);
    error ColdChainNotCustodian(bytes32 batchId, address custodian, address account);
    error ColdChainHandOverPending(bytes32 batchId, address recipient);
    error ColdChainNoHandOverPending(bytes32 batchId);
    error ColdChainNotRecipient(bytes32 batchId, address recipient, address account);
    error ColdChainInvalidRecipient(bytes32 batchId, address recipient);
    error ColdChainUnknownBizStep(uint8 bizStep);
    error ColdChainBizStepNotAllowed(bytes32 batchId, BizStep bizStep);
    error ColdChainInvalidEvent(bytes32 eventHash, uint64 eventTimeMs);
    error ColdChainInvalidReadings(bytes32 eventHash);
    error ColdChainEventAlreadyAnchored(bytes32 batchId, bytes32 eventHash);
    error ColdChainUnknownEvent(bytes32 batchId, bytes32 eventHash);
    error ColdChainBatchNotCleared(bytes32 batchId, uint8 certificates);
    error ColdChainBatchOnHold(bytes32 batchId, bytes32 flaggedBatchId);
    /// @dev `recalledBatchId` is the batch the regulator recalled: `batchId` itself or an ancestor.
    error ColdChainBatchRecalled(bytes32 batchId, bytes32 recalledBatchId);
    error ColdChainBatchAlreadySplit(bytes32 batchId);
    error ColdChainBatchAlreadyDestroyed(bytes32 batchId);
    error ColdChainBatchNotFlagged(bytes32 batchId);
    /// @dev A recall or release needs the salted hash of its words: zero is refused.
    error ColdChainEmptyReasonHash();
    /// @dev `maxCode` is the highest code the action's reason enum defines.
    error ColdChainUnknownReason(uint8 reasonCode, uint8 maxCode);
    error ColdChainInvalidSplit(bytes32 parentId);
    error ColdChainSplitMismatch(bytes32 parentId, uint128 expected, uint256 total);

    // ---- regulator ----

    /// @notice Set which certificates `agency` may attach (a CertificateKind bit mask; 0 withdraws all).
    /// @dev The kinds an agency is entitled to decide who attaches what, beyond its role: customs, not the CDC,
    /// attaches a customs declaration, and only the designated supervised warehouse issues a disinfection
    /// voucher or a release certificate. Requirements: caller is an active REGULATOR; `kinds` <= 0x1f;
    /// `agency` actively holds INSPECTOR for customs, quarantine and nucleic-acid kinds, COLDCHAIN_OPERATOR
    /// for disinfection and release. Emits ColdChainEntitlementsSet.
    function setEntitlements(address agency, uint8 kinds) external;

    /// @notice Release a flagged batch (and the lots split from it) for sale again, saying why.
    /// @dev Requirements: caller is an active REGULATOR; the batch is flagged itself, not destroyed and not
    /// recalled; `reasonCode` is a ReleaseReason; `reasonHash` is not zero. Emits ColdChainBatchReleased.
    function release(bytes32 batchId, uint8 reasonCode, bytes32 reasonHash) external;

    /// @notice Recall a batch: it and every lot ever split from it, down to the last descendant.
    /// @dev From then on each of them accepts only destroying, a return (shipping to an operator that held
    /// the batch or an ancestor before), the receiving that completes a hand-over, and void_shipping.
    /// Requirements: caller is an active REGULATOR; the batch is not destroyed and not already recalled
    /// (itself or through an ancestor); `reasonCode` is a RecallReason; `reasonHash` is not zero.
    /// Emits ColdChainRecallOrdered.
    function recall(bytes32 batchId, uint8 reasonCode, bytes32 reasonHash) external;

    // ---- operators ----

    /// @notice Book an imported batch; the caller becomes its custodian.
    /// @dev Requirements: caller is an active COLDCHAIN_OPERATOR; `batchId` is not zero and new; `gtin` is a
    /// GTIN-14 with a right check digit; `quantity` > 0; `unit` is 2-3 capitals or digits; `originCountry`
    /// two capitals; `minTenths` <= `maxTenths`. Emits ColdChainBatchCreated.
    function createBatch(
        bytes32 batchId,
        uint64 gtin,
        uint128 quantity,
        bytes3 unit,
        bytes2 originCountry,
        int16 minTenths,
        int16 maxTenths
    ) external;

    /// @notice Anchor an EPCIS event of a batch: any business step but shipping (see `ship`).
    /// @dev Receiving completes a pending hand-over and is anchored by the named recipient; void_shipping
    /// cancels one and is anchored by the shipper; every other step by the custodian while no hand-over is
    /// pending. A retail_selling event needs all five certificates and no unreleased flag. Readings outside
    /// the window flag the batch. Destroying ends the batch. After a recall only destroying, receiving and
    /// void_shipping are accepted here. Requirements: caller is an active COLDCHAIN_OPERATOR; the batch
    /// exists, is not destroyed or split; the anchor is well formed and new for this batch.
    /// Emits ColdChainEventAnchored, and ColdChainCustodyTransferred, ColdChainShipmentVoided,
    /// ColdChainBatchFlagged or ColdChainBatchDestroyed as they apply.
    function anchorEvent(bytes32 batchId, EventAnchor calldata anchor) external;

    /// @notice Anchor a shipping event that hands the batch over to `recipient`, who then anchors the
    /// matching receiving event.
    /// @dev Requirements: caller is an active COLDCHAIN_OPERATOR and the custodian; no hand-over is pending;
    /// the anchor's bizStep is shipping; `recipient` is another active COLDCHAIN_OPERATOR, and after a recall
    /// one that held the batch or an ancestor before (a return). Emits ColdChainEventAnchored and
    /// ColdChainShipped (and ColdChainBatchFlagged if a reading broke the window).
    function ship(bytes32 batchId, EventAnchor calldata anchor, address recipient) external;

    /// @notice Split a batch into child lots (an EPCIS TransformationEvent), which inherit its unit, origin,
    /// window, certificates, flag and any later recall; the custodian of the batch holds them.
    /// @dev Requirements: caller is an active COLDCHAIN_OPERATOR and the custodian; no hand-over is pending;
    /// the batch is not recalled; the anchor is well formed and its bizStep is none of shipping, receiving,
    /// void_shipping, retail_selling, destroying; at least one child; every child id is new and not zero;
    /// every quantity > 0 and together they equal the batch's quantity. Emits ColdChainEventAnchored,
    /// ColdChainBatchCreated for every child, then ColdChainBatchSplit.
    function split(
        bytes32 parentId,
        EventAnchor calldata transformation,
        bytes32[] calldata childIds,
        uint128[] calldata quantities
    ) external;

    // ---- certificate issuers ----

    /// @notice Attach one of the five certificates: the SHA-256 of the document.
    /// @dev Requirements: caller actively holds the kind's role (INSPECTOR for customs declaration,
    /// quarantine and nucleic-acid test; COLDCHAIN_OPERATOR for disinfection and release) and is entitled to
    /// the kind (`setEntitlements`); for disinfection and release it is the batch's custodian; a release
    /// needs the other four on record; the batch exists, is not destroyed or recalled, and has no
    /// certificate of this kind (its own or inherited); `documentHash` is not zero.
    /// Emits ColdChainCertificateAttached, and ColdChainBatchCleared when this makes five.
    function certify(bytes32 batchId, uint8 kind, bytes32 documentHash) external;

    // ---- reads ----

    /// @notice The batch as stored. Reverts `ColdChainUnknownBatch` if there is none.
    function batch(bytes32 batchId) external view returns (Batch memory);

    /// @notice The batch's status, inherited recall and flag included. Reverts `ColdChainUnknownBatch`.
    function status(bytes32 batchId) external view returns (BatchStatus);

    /// @notice The certificates on record for the batch, its own and its ancestors', as a bit mask.
    function certificatesOf(bytes32 batchId) external view returns (uint8);

    /// @notice The certificate of `kind` that applies to the batch, and the batch (itself or an ancestor) it
    /// was attached to; an empty certificate and zero when there is none.
    function certificate(bytes32 batchId, uint8 kind)
        external
        view
        returns (Certificate memory found, bytes32 attachedTo);

    /// @notice The recall that applies to the batch and the batch it was ordered for (zero if none).
    function recallOf(bytes32 batchId) external view returns (Recall memory found, bytes32 recalledBatchId);

    /// @notice The unreleased flag that holds the batch: the flagged batch (itself or an ancestor, zero if
    /// none) and the event whose readings broke the window.
    function holdOf(bytes32 batchId) external view returns (bytes32 flaggedBatchId, bytes32 breachEventHash);

    /// @notice The lots split from the batch, in order.
    function childrenOf(bytes32 batchId) external view returns (bytes32[] memory);

    /// @notice Everyone who held the batch itself, first to current (a lot's ancestors' holders not included).
    function custodiansOf(bytes32 batchId) external view returns (address[] memory);

    /// @notice Hashes of the events anchored for the batch, in the order they were anchored.
    function eventsOf(bytes32 batchId) external view returns (bytes32[] memory);

    /// @notice One anchored event. Reverts `ColdChainUnknownEvent` if it was not anchored for this batch.
    function anchoredEvent(bytes32 batchId, bytes32 eventHash) external view returns (AnchoredEvent memory);

    /// @notice Whether `leaf` (one reading, see gzchain/domain/coldchain.py `reading_leaf`) belongs to the
    /// readings anchored with the event, by its sorted-pair Merkle `proof`.
    function verifyReading(bytes32 batchId, bytes32 eventHash, bytes32 leaf, bytes32[] calldata proof)
        external
        view
        returns (bool);

    /// @notice The certificate kinds `agency` may attach, as a bit mask.
    function entitlementsOf(address agency) external view returns (uint8);
}
