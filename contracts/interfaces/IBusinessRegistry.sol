// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title IBusinessRegistry
/// @notice Businesses keyed by Unified Social Credit Code (GB 32100-2015): the hash of each version of their
/// registration record, their status, and the documents notarised for them.
/// @dev A USCC is passed as `bytes18`, its 18 ASCII characters. The registration record itself lives off chain;
/// the chain holds a commitment to it: the sorted-pair Merkle root of per-field leaves, each salted with 32
/// random bytes (gzchain/domain/business_commitment.py), so no record can be confirmed by hashing guesses.
/// Versions recorded before salted commitments hold the plain SHA-256 of the record's canonical bytes.
/// A change type is a uint16 of bit flags defined once in gzchain/domain/business.py `ChangeType`.
/// Why a status changed or a notarisation was revoked is a reason code (the enums below, mirrored by
/// gzchain/domain/reasons.py) and a salted hash of the acting agency's words (`reason_hash` there); the words
/// and their salt stay off chain with that agency, so the chain reveals the ground and nothing else.
interface IBusinessRegistry {
    enum BusinessStatus {
        None,
        Active,
        Suspended, // listed for abnormal operations (经营异常名录)
        Deregistered // final
    }

    enum DocumentType {
        ArticlesOfAssociation,
        ShareholderResolution,
        BusinessLicence, // issued by the registrar
        AnnualReport,
        RegistrationDecision, // issued by the registrar
        AuditReport,
        PowerOfAttorney,
        Other
    }

    /// @dev Grounds for listing a business for abnormal operations (企业经营异常名录管理暂行办法, art. 4), and the
    /// others a registrar records.
    enum SuspensionReason {
        AnnualReportNotFiled, // 未按规定期限公示年度报告
        DisclosureOrderIgnored, // 未在责令的期限内公示有关企业信息
        FalseDisclosure, // 公示企业信息隐瞒真实情况、弄虚作假
        UnreachableAtAddress, // 通过登记的住所或者经营场所无法联系
        CourtOrder,
        LicenceWithdrawn,
        Other
    }

    enum ReinstatementReason {
        AnnualReportFiled, // the overdue report is now public
        InformationCorrected, // the ordered or corrected disclosure is now public
        ReachableAgain, // the business can be contacted at its registered address again
        ListedInError,
        CourtOrder,
        Other
    }

    enum DeregistrationReason {
        VoluntaryDissolution, // shareholders' resolution or end of term
        MergerOrDivision,
        LicenceRevoked, // 吊销营业执照
        CourtOrderedDissolution,
        Bankruptcy,
        SimplifiedDeregistration, // 简易注销
        Other
    }

    enum NotarisationRevocationReason {
        CourtRuling,
        ForgedOrAltered,
        IssuedInError,
        Superseded,
        WithdrawnByApplicant,
        Other
    }

    struct Business {
        bytes32 recordHash; // of the current version
        address registrar; // the agency that registered it
        uint64 registeredAt;
        uint32 version; // number of the current version; 1 at registration
        uint64 updatedAt;
        BusinessStatus status;
    }

    struct Version {
        bytes32 recordHash;
        address agency;
        uint16 changeType;
        uint64 at;
        uint8 reasonCode; // a status change's reason (the enum of its change type); 0 otherwise
        bytes32 reasonHash; // salted hash of the registrar's words; zero for registration and amendments
    }

    struct Notarisation {
        bytes18 uscc;
        DocumentType documentType;
        uint64 notarisedAt;
        address notary;
        uint64 revokedAt; // 0 while in force
        address revokedBy;
        NotarisationRevocationReason revocationReasonCode;
        bytes32 revocationReasonHash; // salted hash of the revoker's words; zero while in force
    }

    event BusinessRegistered(bytes18 indexed uscc, address indexed registrar, uint32 version, bytes32 recordHash);
    event BusinessAmended(
        bytes18 indexed uscc, address indexed registrar, uint32 version, bytes32 recordHash, uint16 changeType
    );
    event BusinessSuspended(
        bytes18 indexed uscc,
        address indexed registrar,
        uint32 version,
        SuspensionReason reasonCode,
        bytes32 reasonHash
    );
    event BusinessReinstated(
        bytes18 indexed uscc,
        address indexed registrar,
        uint32 version,
        ReinstatementReason reasonCode,
        bytes32 reasonHash
    );
    event BusinessDeregistered(
        bytes18 indexed uscc,
        address indexed registrar,
        uint32 version,
        DeregistrationReason reasonCode,
        bytes32 reasonHash
    );
    event DocumentNotarised(
        bytes18 indexed uscc, bytes32 indexed fileHash, address indexed notary, DocumentType documentType
    );
    event NotarisationRevoked(
        bytes18 indexed uscc,
        bytes32 indexed fileHash,
        address indexed revoker,
        NotarisationRevocationReason reasonCode,
        bytes32 reasonHash
    );

    /// @dev `position` (1-18) is the first character that breaks the shape or a check character.
    error BusinessRegistryInvalidUscc(bytes18 uscc, uint8 position);
    error BusinessRegistryEmptyHash();
    /// @dev A status change or revocation needs the salted hash of its words: zero is refused.
    error BusinessRegistryEmptyReasonHash();
    /// @dev `maxCode` is the highest code the action's reason enum defines.
    error BusinessRegistryUnknownReason(uint8 reasonCode, uint8 maxCode);
    error BusinessRegistryAlreadyRegistered(bytes18 uscc);
    error BusinessRegistryUnknownBusiness(bytes18 uscc);
    error BusinessRegistryDeregistered(bytes18 uscc);
    error BusinessRegistryInvalidTransition(bytes18 uscc, BusinessStatus from, BusinessStatus to);
    error BusinessRegistryInvalidChangeType(uint16 changeType);
    error BusinessRegistryRecordUnchanged(bytes18 uscc, bytes32 recordHash);
    error BusinessRegistryUnknownDocumentType(uint8 documentType);
    error BusinessRegistryDocumentTypeNotAllowed(address account, DocumentType documentType);
    error BusinessRegistryAlreadyNotarised(bytes32 fileHash);
    error BusinessRegistryUnknownNotarisation(bytes32 fileHash);
    error BusinessRegistryNotTheNotary(bytes32 fileHash, address notary, address account);
    error BusinessRegistryNotarisationAlreadyRevoked(bytes32 fileHash);

    /// @notice Register a new business: version 1 of its record, status Active.
    /// @dev Requirements: caller is an active REGISTRAR; `uscc` has the USCC shape and both check characters
    /// right; it was never registered before (a USCC is assigned for life); `recordHash` is not zero.
    /// Emits BusinessRegistered.
    function register(bytes18 uscc, bytes32 recordHash) external;

    /// @notice Record an amended registration record as a new version.
    /// @dev Requirements: caller is an active REGISTRAR; the business exists and is not deregistered;
    /// `changeType` is a non-empty set of amendment bits only (mask 0x007E); `recordHash` is not zero and
    /// differs from the current one. Emits BusinessAmended.
    function amend(bytes18 uscc, bytes32 recordHash, uint16 changeType) external;

    /// @notice List an active business for abnormal operations.
    /// @dev Requirements: caller is an active REGISTRAR; the business is Active; `reasonCode` is a
    /// SuspensionReason; `reasonHash` is not zero.
    /// Emits BusinessSuspended.
    function suspend(bytes18 uscc, uint8 reasonCode, bytes32 reasonHash) external;

    /// @notice Take a suspended business off the abnormal-operations list.
    /// @dev Requirements: caller is an active REGISTRAR; the business is Suspended; `reasonCode` is a
    /// ReinstatementReason; `reasonHash` is not zero.
    /// Emits BusinessReinstated.
    function reinstate(bytes18 uscc, uint8 reasonCode, bytes32 reasonHash) external;

    /// @notice Deregister a business for good; its history and filings stay readable.
    /// @dev Requirements: caller is an active REGISTRAR; the business is Active or Suspended; `reasonCode` is
    /// a DeregistrationReason; `reasonHash` is not zero. Emits BusinessDeregistered.
    function deregister(bytes18 uscc, uint8 reasonCode, bytes32 reasonHash) external;

    /// @notice Notarise a document filed for a business: the SHA-256 of the file's bytes.
    /// @dev Requirements: caller is an active NOTARY (any document type) or an active REGISTRAR notarising a
    /// document it issues itself (BusinessLicence, RegistrationDecision); `documentType` is known; the business
    /// exists and is not deregistered; `fileHash` is not zero and was never notarised. Emits DocumentNotarised.
    function notarise(bytes32 fileHash, bytes18 uscc, uint8 documentType) external;

    /// @notice Revoke a notarisation (e.g. after a court ruling); it stays readable, marked revoked.
    /// @dev Requirements: the notarisation exists and is in force; caller is the agency that notarised it and
    /// still holds the role that allowed it to; `reasonCode` is a NotarisationRevocationReason; `reasonHash`
    /// is not zero. Emits NotarisationRevoked.
    function revokeNotarisation(bytes32 fileHash, uint8 reasonCode, bytes32 reasonHash) external;

    /// @notice The business's current state. Reverts `BusinessRegistryUnknownBusiness` if never registered.
    function business(bytes18 uscc) external view returns (Business memory);

    /// @notice Every version of the business's record, oldest first: the provable history.
    /// @dev Reverts `BusinessRegistryUnknownBusiness` if never registered.
    function versions(bytes18 uscc) external view returns (Version[] memory);

    /// @notice File hashes of the documents notarised for the business, in order, revoked ones included.
    /// @dev Reverts `BusinessRegistryUnknownBusiness` if never registered.
    function filingsOf(bytes18 uscc) external view returns (bytes32[] memory);

    /// @notice The notarisation of `fileHash`. Reverts `BusinessRegistryUnknownNotarisation` if there is none.
    function notarisation(bytes32 fileHash) external view returns (Notarisation memory);

    /// @notice Whether `fileHash` is notarised and the notarisation is in force (not revoked).
    function isNotarised(bytes32 fileHash) external view returns (bool);
}
