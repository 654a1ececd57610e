// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {ConsortiumGated} from "../governance/ConsortiumGated.sol";
import {Roles} from "../governance/Roles.sol";
import {IConsortium} from "../interfaces/IConsortium.sol";
import {IPetitions} from "../interfaces/IPetitions.sol";

/// @title Petitions
/// @notice Residents' e-petitions with one unlinkable vote per resident (see IPetitions).
contract Petitions is IPetitions, ConsortiumGated {
    address private constant MODEXP = address(0x05);
    uint64 private constant MIN_PERIOD = 1 days;
    uint64 private constant MAX_PERIOD = 365 days;

    mapping(address credential => CredentialStatus) private _credentials;
    uint256 private _enrolled;

    mapping(uint256 petitionId => Petition) private _petitions;
    mapping(uint256 petitionId => bytes) private _modulus;
    mapping(uint256 petitionId => uint256) private _exponent;
    mapping(bytes32 nullifier => bool) private _spent;
    uint256 private _petitionCount;

    Rules private _rules;
    mapping(uint256 changeId => RulesChange) private _changes;
    mapping(uint256 changeId => mapping(address governor => bool)) private _approved;
    uint256 private _changeCount;

    /// @param initialRules the rules until the governors change them (1,000 supporters, 30 and 30 days).
    constructor(IConsortium consortium_, Rules memory initialRules) ConsortiumGated(consortium_) {
        _requireRulesInRange(initialRules);
        _rules = initialRules;
    }

    // ---- credentials ----

    /// @inheritdoc IPetitions
    function enrol(address credential) external onlyRole(Roles.IDENTITY_AUTHORITY) {
        _enrol(credential);
    }

    /// @inheritdoc IPetitions
    function revoke(address credential) external onlyRole(Roles.IDENTITY_AUTHORITY) {
        _revoke(credential);
    }

    /// @inheritdoc IPetitions
    function reenrol(address previous, address next) external onlyRole(Roles.IDENTITY_AUTHORITY) {
        _revoke(previous);
        _enrol(next);
    }

    function credentialStatus(address credential) external view returns (CredentialStatus) {
        return _credentials[credential];
    }

    /// @notice Credentials enrolled and not revoked: an upper bound anyone can hold the supporter counts to.
    function enrolledCount() external view returns (uint256) {
        return _enrolled;
    }

    // ---- petitions ----

    /// @inheritdoc IPetitions
    function propose(bytes32 textHash) external onlyRole(Roles.PETITIONS_OFFICE) returns (uint256 petitionId) {
        if (textHash == bytes32(0)) revert PetitionInvalidHash("textHash");
        petitionId = ++_petitionCount;
        Petition storage p = _petitions[petitionId];
        p.status = PetitionStatus.Proposed;
        p.textHash = textHash;
        p.proposedAt = uint64(block.timestamp);
        emit PetitionProposed(petitionId, textHash);
    }

    /// @inheritdoc IPetitions
    function registerTokenKey(uint256 petitionId, bytes calldata modulus, uint256 exponent)
        external
        onlyRole(Roles.IDENTITY_AUTHORITY)
    {
        _requireStatus(petitionId, PetitionStatus.Proposed);
        if (_modulus[petitionId].length != 0) revert PetitionTokenKeyAlreadyRegistered(petitionId);
        uint256 length = modulus.length;
        if (length < 256 || length > 512 || length % 32 != 0 || uint8(modulus[0]) < 0x80) {
            revert PetitionInvalidTokenKey(petitionId);
        }
        if (exponent < 3 || exponent % 2 == 0 || uint8(modulus[length - 1]) % 2 == 0) {
            revert PetitionInvalidTokenKey(petitionId);
        }
        _modulus[petitionId] = modulus;
        _exponent[petitionId] = exponent;
        emit PetitionTokenKeyRegistered(petitionId, modulus, exponent);
    }

    /// @inheritdoc IPetitions
    function publish(uint256 petitionId) external onlyRole(Roles.PETITIONS_OFFICE) {
        _requireStatus(petitionId, PetitionStatus.Proposed);
        if (_modulus[petitionId].length == 0) revert PetitionTokenKeyMissing(petitionId);
        Petition storage p = _petitions[petitionId];
        p.status = PetitionStatus.Open;
        p.publishedAt = uint64(block.timestamp);
        p.supportEndsAt = uint64(block.timestamp) + _rules.supportPeriod;
        p.threshold = _rules.threshold;
        p.responsePeriod = _rules.responsePeriod;
        emit PetitionPublished(petitionId, p.supportEndsAt, p.threshold);
    }

    /// @inheritdoc IPetitions
    function reject(uint256 petitionId, uint16 code, bytes32 reasonHash) external onlyRole(Roles.PETITIONS_OFFICE) {
        _requireStatus(petitionId, PetitionStatus.Proposed);
        if (code == 0) revert PetitionInvalidReasonCode(code);
        if (reasonHash == bytes32(0)) revert PetitionInvalidHash("reasonHash");
        Petition storage p = _petitions[petitionId];
        p.status = PetitionStatus.Rejected;
        p.rejectionCode = code;
        p.rejectionHash = reasonHash;
        emit PetitionRejected(petitionId, code, reasonHash);
    }

    /// @inheritdoc IPetitions
    function support(uint256 petitionId, bytes32 token, bytes calldata signature)
        external
        onlyRole(Roles.PETITIONS_OFFICE)
    {
        _requireSupportOpen(petitionId);
        bytes32 nullifier = nullifierOf(petitionId, token);
        if (_spent[nullifier]) revert PetitionAlreadySupported(petitionId, nullifier);
        if (!_signed(_verifier(petitionId), petitionId, token, signature)) {
            revert PetitionTokenNotSigned(petitionId, nullifier);
        }
        _count(petitionId, nullifier, 1);
    }

    /// @inheritdoc IPetitions
    function supportMany(uint256 petitionId, bytes32[] calldata tokens, bytes[] calldata signatures)
        external
        onlyRole(Roles.PETITIONS_OFFICE)
        returns (uint256 counted)
    {
        if (tokens.length != signatures.length) revert PetitionBatchMismatch(tokens.length, signatures.length);
        _requireSupportOpen(petitionId);
        Verifier memory verifier = _verifier(petitionId);
        for (uint256 i = 0; i < tokens.length; i++) {
            bytes32 nullifier = nullifierOf(petitionId, tokens[i]);
            if (_spent[nullifier]) {
                emit PetitionSupportSkipped(petitionId, nullifier, SkipReason.AlreadySupported);
            } else if (!_signed(verifier, petitionId, tokens[i], signatures[i])) {
                emit PetitionSupportSkipped(petitionId, nullifier, SkipReason.TokenNotSigned);
            } else {
                _count(petitionId, nullifier, 1);
                counted++;
            }
        }
    }

    /// @inheritdoc IPetitions
    function respond(uint256 petitionId, bytes32 responseHash) external onlyRole(Roles.MAYOR_OFFICE) {
        _requireStatus(petitionId, PetitionStatus.AwaitingResponse);
        if (responseHash == bytes32(0)) revert PetitionInvalidHash("responseHash");
        Petition storage p = _petitions[petitionId];
        p.status = PetitionStatus.Responded;
        p.respondedAt = uint64(block.timestamp);
        p.responseHash = responseHash;
        emit PetitionResponded(petitionId, responseHash, block.timestamp > p.responseDueAt);
    }

    function petition(uint256 petitionId) external view returns (Petition memory) {
        _requireKnown(petitionId);
        return _petitions[petitionId];
    }

    /// @inheritdoc IPetitions
    function state(uint256 petitionId) public view returns (PetitionState) {
        Petition storage p = _petitions[petitionId];
        PetitionStatus status = p.status;
        if (status == PetitionStatus.Open && block.timestamp >= p.supportEndsAt) return PetitionState.Lapsed;
        if (status == PetitionStatus.AwaitingResponse && block.timestamp > p.responseDueAt) {
            return PetitionState.Overdue;
        }
        if (status == PetitionStatus.None) return PetitionState.None;
        if (status == PetitionStatus.Proposed) return PetitionState.Proposed;
        if (status == PetitionStatus.Rejected) return PetitionState.Rejected;
        if (status == PetitionStatus.Open) return PetitionState.Open;
        if (status == PetitionStatus.AwaitingResponse) return PetitionState.AwaitingResponse;
        return PetitionState.Responded;
    }

    /// @notice Whether the petition reached its threshold and its response deadline passed unanswered.
    function isOverdue(uint256 petitionId) external view returns (bool) {
        return state(petitionId) == PetitionState.Overdue;
    }

    function petitionCount() external view returns (uint256) {
        return _petitionCount;
    }

    function tokenKey(uint256 petitionId) external view returns (bytes memory modulus, uint256 exponent) {
        _requireKnown(petitionId);
        return (_modulus[petitionId], _exponent[petitionId]);
    }

    function nullifierOf(uint256 petitionId, bytes32 token) public pure returns (bytes32) {
        return keccak256(abi.encode(petitionId, token));
    }

    function isSpent(bytes32 nullifier) external view returns (bool) {
        return _spent[nullifier];
    }

    /// @inheritdoc IPetitions
    function fullDomainHash(uint256 petitionId, bytes32 token, uint256 length) public view returns (bytes memory m) {
        m = new bytes(length);
        _fullDomainHashInto(m, petitionId, token);
    }

    // ---- rules ----

    function rules() external view returns (Rules memory) {
        return _rules;
    }

    /// @inheritdoc IPetitions
    function proposeRules(Rules calldata newRules) external onlyRole(Roles.GOVERNOR) returns (uint256 changeId) {
        _requireRulesInRange(newRules);
        changeId = ++_changeCount;
        uint64 expiresAt = uint64(block.timestamp) + consortium().proposalLifetime();
        _changes[changeId] = RulesChange(newRules, msg.sender, expiresAt, false);
        emit PetitionRulesChangeProposed(changeId, msg.sender, newRules, expiresAt);
        _approveRules(changeId);
    }

    /// @inheritdoc IPetitions
    function approveRules(uint256 changeId) external onlyRole(Roles.GOVERNOR) {
        RulesChange storage change = _changes[changeId];
        if (change.expiresAt == 0) revert PetitionUnknownRulesChange(changeId);
        if (change.executed || block.timestamp > change.expiresAt) revert PetitionRulesChangeClosed(changeId);
        if (_approved[changeId][msg.sender]) revert PetitionRulesChangeAlreadyApproved(changeId, msg.sender);
        _approveRules(changeId);
    }

    function rulesChange(uint256 changeId) external view returns (RulesChange memory) {
        if (_changes[changeId].expiresAt == 0) revert PetitionUnknownRulesChange(changeId);
        return _changes[changeId];
    }

    /// @notice Approvals that count now: those of members who are still active governors.
    function rulesApprovals(uint256 changeId) public view returns (uint256 count) {
        address[] memory members = consortium().members();
        for (uint256 i = 0; i < members.length; i++) {
            if (_approved[changeId][members[i]] && consortium().hasActiveRole(Roles.GOVERNOR, members[i])) count++;
        }
    }

    // ---- internals ----

    function _enrol(address credential) private {
        if (credential == address(0)) revert PetitionInvalidCredential(credential);
        if (_credentials[credential] != CredentialStatus.None) revert PetitionCredentialAlreadyEnrolled(credential);
        _credentials[credential] = CredentialStatus.Enrolled;
        _enrolled++;
        emit PetitionCredentialEnrolled(credential);
    }

    function _revoke(address credential) private {
        if (_credentials[credential] != CredentialStatus.Enrolled) revert PetitionCredentialNotEnrolled(credential);
        _credentials[credential] = CredentialStatus.Revoked;
        _enrolled--;
        emit PetitionCredentialRevoked(credential);
    }

    function _approveRules(uint256 changeId) private {
        _approved[changeId][msg.sender] = true;
        uint256 count = rulesApprovals(changeId);
        emit PetitionRulesChangeApproved(changeId, msg.sender, count);
        if (count >= consortium().threshold()) {
            RulesChange storage change = _changes[changeId];
            change.executed = true;
            _rules = change.rules;
            emit PetitionRulesChanged(changeId, change.rules);
        }
    }

    function _count(uint256 petitionId, bytes32 nullifier, uint32 votes) private {
        _spent[nullifier] = true;
        Petition storage p = _petitions[petitionId];
        p.supporters += votes;
        emit PetitionSupported(petitionId, nullifier, p.supporters);
        if (p.status == PetitionStatus.Open && p.supporters >= p.threshold) {
            p.status = PetitionStatus.AwaitingResponse;
            p.thresholdReachedAt = uint64(block.timestamp);
            p.responseDueAt = uint64(block.timestamp) + p.responsePeriod;
            emit PetitionThresholdReached(petitionId, p.supporters, p.responseDueAt);
        }
    }

    /// @dev What checking a petition's votes needs, loaded once per batch: the modexp input with the key in
    /// place (EIP-198: lengths, then base = signature, exponent, modulus) and buffers for the two sides.
    struct Verifier {
        uint256 length;
        bytes input;
        bytes power;
        bytes digest;
    }

    function _verifier(uint256 petitionId) private view returns (Verifier memory v) {
        bytes memory n = _modulus[petitionId];
        v.length = n.length;
        v.input = abi.encodePacked(n.length, uint256(32), n.length, new bytes(n.length), _exponent[petitionId], n);
        v.power = new bytes(n.length);
        v.digest = new bytes(n.length);
    }

    /// @dev sig^e mod n == FDH(petitionId, token), with the modexp precompile (EIP-198) and no allocation.
    function _signed(Verifier memory v, uint256 petitionId, bytes32 token, bytes calldata signature)
        private
        view
        returns (bool equal)
    {
        uint256 length = v.length;
        if (signature.length != length) return false;
        bytes memory input = v.input;
        bytes memory power = v.power;
        bool ok;
        assembly {
            calldatacopy(add(input, 128), signature.offset, length) // after the three 32-byte lengths
            ok := staticcall(gas(), 0x05, add(input, 32), mload(input), add(power, 32), length)
        }
        if (!ok) return false;
        bytes memory digest = v.digest;
        _fullDomainHashInto(digest, petitionId, token);
        assembly {
            equal := eq(keccak256(add(power, 32), length), keccak256(add(digest, 32), length))
        }
    }

    /// @dev Fills `m` (its length rounded up to whole words is allocated) with the FDH; see IPetitions.
    function _fullDomainHashInto(bytes memory m, uint256 petitionId, bytes32 token) private view {
        uint256 length = m.length;
        bool ok = true;
        assembly {
            let seed := mload(0x40) // scratch past every allocation: abi.encode(petitionId, token, counter)
            mstore(seed, petitionId)
            mstore(add(seed, 32), token)
            let out := add(m, 32)
            for { let offset := 0 } lt(offset, length) { offset := add(offset, 32) } {
                mstore(add(seed, 64), div(offset, 32))
                ok := and(ok, staticcall(gas(), 0x02, seed, 96, add(out, offset), 32))
            }
        }
        if (!ok) revert PetitionInvalidHash("fullDomainHash");
        if (length > 0) m[0] = bytes1(uint8(m[0]) & 0x7f);
    }

    function _requireKnown(uint256 petitionId) private view {
        if (_petitions[petitionId].status == PetitionStatus.None) revert PetitionUnknown(petitionId);
    }

    function _requireStatus(uint256 petitionId, PetitionStatus expected) private view {
        _requireKnown(petitionId);
        PetitionStatus status = _petitions[petitionId].status;
        if (status != expected) revert PetitionWrongStatus(petitionId, status);
    }

    function _requireSupportOpen(uint256 petitionId) private view {
        _requireKnown(petitionId);
        Petition storage p = _petitions[petitionId];
        if (p.status != PetitionStatus.Open && p.status != PetitionStatus.AwaitingResponse) {
            revert PetitionWrongStatus(petitionId, p.status);
        }
        if (block.timestamp >= p.supportEndsAt) {
            revert PetitionSupportNotOpen(petitionId, p.supportEndsAt, uint64(block.timestamp));
        }
    }

    function _requireRulesInRange(Rules memory candidate) private pure {
        if (
            candidate.threshold == 0 || candidate.supportPeriod < MIN_PERIOD || candidate.supportPeriod > MAX_PERIOD
                || candidate.responsePeriod < MIN_PERIOD || candidate.responsePeriod > MAX_PERIOD
        ) revert PetitionRulesOutOfRange(candidate);
    }
}
