// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title IPetitions
/// @notice Residents' e-petitions: pseudonymous credentials, proposals published or rejected, support by
/// one-per-resident blind-signed tokens, the mayor's answer within a deadline, overdue answers in the open.
/// @dev Nothing personal is on chain. A credential is the address of a resident's own key, enrolled by the
/// IDENTITY_AUTHORITY after a real-name check off chain. Proposal, rejection and response texts stay off
/// chain; the chain holds their salted SHA-256 (gzchain/domain/petitions). A vote is (petitionId, token,
/// signature): an RSA full-domain-hash signature by the petition's token key, which the authority makes
/// blind, so it never sees the token it signs. The contract checks it with the modexp precompile and spends
/// the token's nullifier keccak256(abi.encode(petitionId, token)). Votes are relayed by the PETITIONS_OFFICE:
/// no resident address appears in them.
interface IPetitions {
    /// @dev Stored status. `state` adds what time decides: Lapsed (Open past its support period without
    /// reaching the threshold) and Overdue (AwaitingResponse past its response deadline).
    enum PetitionStatus {
        None,
        Proposed,
        Rejected,
        Open,
        AwaitingResponse,
        Responded
    }

    enum PetitionState {
        None,
        Proposed,
        Rejected,
        Open,
        Lapsed,
        AwaitingResponse,
        Overdue,
        Responded
    }

    enum CredentialStatus {
        None,
        Enrolled,
        Revoked
    }

    /// @dev Why one vote of a batch was skipped (the rest of the batch still counts).
    enum SkipReason {
        None,
        AlreadySupported,
        TokenNotSigned
    }

    /// @dev The rules a petition is published under; changed only by M-of-N vote of the consortium's governors.
    struct Rules {
        uint32 threshold; // supporters that oblige the mayor's office to answer
        uint64 supportPeriod; // seconds a published petition is open for support
        uint64 responsePeriod; // seconds the mayor's office has to answer once the threshold is reached
    }

    struct Petition {
        PetitionStatus status;
        bytes32 textHash; // salted SHA-256 of the proposal text (off chain)
        uint64 proposedAt;
        uint64 publishedAt;
        uint64 supportEndsAt;
        uint64 thresholdReachedAt;
        uint64 responseDueAt;
        uint64 respondedAt;
        uint32 threshold;
        uint64 responsePeriod;
        uint32 supporters;
        uint16 rejectionCode;
        bytes32 rejectionHash; // salted SHA-256 of the rejection's words (off chain)
        bytes32 responseHash; // salted SHA-256 of the response text (off chain)
    }

    struct RulesChange {
        Rules rules;
        address proposer;
        uint64 expiresAt;
        bool executed;
    }

    event PetitionCredentialEnrolled(address indexed credential);
    event PetitionCredentialRevoked(address indexed credential);
    event PetitionProposed(uint256 indexed petitionId, bytes32 textHash);
    event PetitionTokenKeyRegistered(uint256 indexed petitionId, bytes modulus, uint256 exponent);
    event PetitionRejected(uint256 indexed petitionId, uint16 code, bytes32 reasonHash);
    event PetitionPublished(uint256 indexed petitionId, uint64 supportEndsAt, uint32 threshold);
    event PetitionSupported(uint256 indexed petitionId, bytes32 indexed nullifier, uint32 supporters);
    event PetitionSupportSkipped(uint256 indexed petitionId, bytes32 indexed nullifier, SkipReason reason);
    event PetitionThresholdReached(uint256 indexed petitionId, uint32 supporters, uint64 responseDueAt);
    event PetitionResponded(uint256 indexed petitionId, bytes32 responseHash, bool late);
    event PetitionRulesChangeProposed(uint256 indexed changeId, address indexed proposer, Rules rules, uint64 expiresAt);
    event PetitionRulesChangeApproved(uint256 indexed changeId, address indexed governor, uint256 approvals);
    event PetitionRulesChanged(uint256 indexed changeId, Rules rules);

    error PetitionCredentialAlreadyEnrolled(address credential);
    error PetitionCredentialNotEnrolled(address credential);
    error PetitionInvalidCredential(address credential);
    error PetitionUnknown(uint256 petitionId);
    error PetitionInvalidHash(string field);
    /// @dev The petition is in `status`, not the one the action needs.
    error PetitionWrongStatus(uint256 petitionId, PetitionStatus status);
    error PetitionTokenKeyMissing(uint256 petitionId);
    error PetitionTokenKeyAlreadyRegistered(uint256 petitionId);
    /// @dev The modulus must be 256 to 512 bytes in whole 32-byte words with its top bit set; the exponent odd, >= 3.
    error PetitionInvalidTokenKey(uint256 petitionId);
    error PetitionInvalidReasonCode(uint16 code);
    error PetitionSupportNotOpen(uint256 petitionId, uint64 supportEndsAt, uint64 at);
    error PetitionAlreadySupported(uint256 petitionId, bytes32 nullifier);
    /// @dev The signature is not the petition token key's signature of the token: it did not come from
    /// the identity authority for an enrolled credential.
    error PetitionTokenNotSigned(uint256 petitionId, bytes32 nullifier);
    error PetitionBatchMismatch(uint256 tokens, uint256 signatures);
    error PetitionRulesOutOfRange(Rules rules);
    error PetitionUnknownRulesChange(uint256 changeId);
    error PetitionRulesChangeClosed(uint256 changeId);
    error PetitionRulesChangeAlreadyApproved(uint256 changeId, address governor);

    // ---- residents' credentials (IDENTITY_AUTHORITY) ----

    /// @notice Enrol a resident's pseudonymous credential (the address of their own key).
    /// @dev Requirements: caller holds IDENTITY_AUTHORITY; `credential` is not zero and was never enrolled.
    /// Emits PetitionCredentialEnrolled.
    function enrol(address credential) external;

    /// @notice Revoke a credential (a lost or compromised key). Tokens signed before stay valid.
    /// @dev Requirements: caller holds IDENTITY_AUTHORITY; `credential` is enrolled. Emits PetitionCredentialRevoked.
    function revoke(address credential) external;

    /// @notice Replace a resident's credential: revoke `previous` and enrol `next` in one step.
    /// @dev Requirements: as `revoke(previous)` and `enrol(next)`. Emits both their events.
    function reenrol(address previous, address next) external;

    function credentialStatus(address credential) external view returns (CredentialStatus);

    function enrolledCount() external view returns (uint256);

    // ---- petitions ----

    /// @notice Record a resident's proposal by the salted hash of its text; returns its id (1, 2, …).
    /// @dev Requirements: caller holds PETITIONS_OFFICE; `textHash` is not zero. Emits PetitionProposed.
    function propose(bytes32 textHash) external returns (uint256 petitionId);

    /// @notice Put the petition's RSA token public key on chain, before publication.
    /// @dev Requirements: caller holds IDENTITY_AUTHORITY; the petition is Proposed with no key yet; the key
    /// is well formed (PetitionInvalidTokenKey). Emits PetitionTokenKeyRegistered.
    function registerTokenKey(uint256 petitionId, bytes calldata modulus, uint256 exponent) external;

    /// @notice Open a proposed petition for support under the current rules.
    /// @dev Requirements: caller holds PETITIONS_OFFICE; the petition is Proposed and has a token key.
    /// Emits PetitionPublished.
    function publish(uint256 petitionId) external;

    /// @notice Reject a proposed petition with a reason code and the salted hash of the reason's words.
    /// @dev Requirements: caller holds PETITIONS_OFFICE; the petition is Proposed; `code` is not 0;
    /// `reasonHash` is not zero. Emits PetitionRejected.
    function reject(uint256 petitionId, uint16 code, bytes32 reasonHash) external;

    /// @notice Count one resident's support: `signature` is the petition key's RSA-FDH signature of `token`.
    /// @dev Requirements: caller holds PETITIONS_OFFICE; the petition is open for support (Open or
    /// AwaitingResponse, before supportEndsAt); the signature verifies (PetitionTokenNotSigned); the token's
    /// nullifier is unspent (PetitionAlreadySupported). Emits PetitionSupported, and PetitionThresholdReached
    /// on the vote that reaches the threshold.
    function support(uint256 petitionId, bytes32 token, bytes calldata signature) external;

    /// @notice Count a batch of votes on one petition; a bad vote is skipped with PetitionSupportSkipped and
    /// the others count. Returns how many counted.
    /// @dev Requirements: as `support`, except that a spent nullifier or a bad signature skips that vote
    /// instead of reverting; `tokens` and `signatures` have the same length.
    function supportMany(uint256 petitionId, bytes32[] calldata tokens, bytes[] calldata signatures)
        external
        returns (uint256 counted);

    /// @notice The mayor's office answers a petition that reached its threshold (late answers are marked late).
    /// @dev Requirements: caller holds MAYOR_OFFICE; the petition is AwaitingResponse; `responseHash` is not
    /// zero. Emits PetitionResponded.
    function respond(uint256 petitionId, bytes32 responseHash) external;

    function petition(uint256 petitionId) external view returns (Petition memory);

    function state(uint256 petitionId) external view returns (PetitionState);

    function isOverdue(uint256 petitionId) external view returns (bool);

    function petitionCount() external view returns (uint256);

    function tokenKey(uint256 petitionId) external view returns (bytes memory modulus, uint256 exponent);

    function nullifierOf(uint256 petitionId, bytes32 token) external pure returns (bytes32);

    function isSpent(bytes32 nullifier) external view returns (bool);

    /// @notice The full-domain hash a token key signs: SHA-256 in counter mode over abi.encode(petitionId,
    /// token, counter) to the modulus length, top bit cleared so that it is below the modulus.
    function fullDomainHash(uint256 petitionId, bytes32 token, uint256 length) external view returns (bytes memory);

    // ---- rules (the consortium's governors, M of N) ----

    function rules() external view returns (Rules memory);

    /// @notice Propose new petition rules; the proposer's approval counts.
    /// @dev Requirements: caller holds GOVERNOR; threshold >= 1, periods from 1 day to 365 days.
    /// Emits PetitionRulesChangeProposed and PetitionRulesChangeApproved (and PetitionRulesChanged at M).
    function proposeRules(Rules calldata newRules) external returns (uint256 changeId);

    /// @notice Approve a pending rules change; it takes effect once the consortium's threshold of active
    /// governors approve it. Petitions already published keep the rules they were published under.
    /// @dev Requirements: caller holds GOVERNOR and has not approved; the change is neither executed nor expired.
    function approveRules(uint256 changeId) external;

    function rulesChange(uint256 changeId) external view returns (RulesChange memory);

    function rulesApprovals(uint256 changeId) external view returns (uint256);
}
