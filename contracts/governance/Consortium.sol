// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IConsortium} from "../interfaces/IConsortium.sol";
import {Roles} from "./Roles.sol";

/// @title Consortium
/// @notice Member agencies, their roles, and the M-of-N governor proposals that change both.
/// @dev Roles live in OpenZeppelin's AccessControl, but only executed proposals change them:
/// the public grant/revoke/renounce entry points are disabled. A role counts only while its holder is an
/// active member, so suspending a member removes every write right at once without touching its roles.
contract Consortium is IConsortium, AccessControl {
    uint64 private immutable _proposalLifetime;

    mapping(address account => Member) private _members;
    address[] private _memberList;
    mapping(bytes32 domainHash => address account) private _memberByDomain;
    uint256 private _threshold;
    uint256 private _activeGovernors;

    mapping(uint256 proposalId => Proposal) private _proposals;
    mapping(uint256 proposalId => mapping(address governor => bool)) private _approved;
    uint256 private _proposalCount;

    /// @param genesisMembers the founding agencies with their roles; at least one must be a governor.
    /// @param initialThreshold approvals a proposal needs; a majority of the genesis governors at least.
    /// @param lifetime seconds a proposal stays open for approval.
    constructor(GenesisMember[] memory genesisMembers, uint256 initialThreshold, uint64 lifetime) {
        if (lifetime == 0) revert ConsortiumInvalidGenesis();
        _proposalLifetime = lifetime;
        for (uint256 i = 0; i < genesisMembers.length; i++) {
            GenesisMember memory m = genesisMembers[i];
            _addMember(m.account, m.name, m.domain);
            for (uint256 j = 0; j < m.roles.length; j++) {
                _requireKnownRole(m.roles[j]);
                _grantRole(m.roles[j], m.account);
            }
        }
        uint256 governors = governorCount();
        if (governors == 0) revert ConsortiumInvalidGenesis();
        _requireThresholdInRange(initialThreshold, governors);
        _threshold = initialThreshold;
        emit ConsortiumThresholdChanged(0, initialThreshold);
    }

    modifier onlyGovernor() {
        requireActiveRole(Roles.GOVERNOR, msg.sender);
        _;
    }

    // ---- questions every contract asks ----

    /// @inheritdoc IConsortium
    function hasActiveRole(bytes32 role, address account) public view returns (bool) {
        return _members[account].status == MemberStatus.Active && hasRole(role, account);
    }

    /// @inheritdoc IConsortium
    function requireActiveRole(bytes32 role, address account) public view {
        if (_members[account].status == MemberStatus.Suspended) revert ConsortiumMemberNotActive(account);
        if (!hasActiveRole(role, account)) revert ConsortiumMissingRole(account, role);
    }

    // ---- reads ----

    function member(address account) external view returns (Member memory) {
        if (_members[account].status == MemberStatus.None) revert ConsortiumNotAMember(account);
        return _members[account];
    }

    /// @notice The member whose internet domain is `domain` (zero if none): the trust anchor OpenAttestation
    /// gets from a DNS-TXT record, here decided by consortium vote.
    function memberByDomain(string calldata domain) external view returns (address) {
        return _memberByDomain[keccak256(bytes(domain))];
    }

    function members() external view returns (address[] memory) {
        return _memberList;
    }

    function rolesOf(address account) external view returns (bytes32[] memory held) {
        bytes32[] memory all = Roles.all();
        uint256 count = 0;
        for (uint256 i = 0; i < all.length; i++) {
            if (hasRole(all[i], account)) count++;
        }
        held = new bytes32[](count);
        count = 0;
        for (uint256 i = 0; i < all.length; i++) {
            if (hasRole(all[i], account)) held[count++] = all[i];
        }
    }

    function allRoles() external pure returns (bytes32[] memory) {
        return Roles.all();
    }

    function threshold() external view returns (uint256) {
        return _threshold;
    }

    /// @notice Active members holding GOVERNOR: the N of M-of-N.
    function governorCount() public view returns (uint256) {
        return _activeGovernors;
    }

    function proposalLifetime() external view returns (uint64) {
        return _proposalLifetime;
    }

    function proposal(uint256 proposalId) external view returns (Proposal memory) {
        if (proposalState(proposalId) == ProposalState.None) revert ConsortiumUnknownProposal(proposalId);
        return _proposals[proposalId];
    }

    function proposalCount() external view returns (uint256) {
        return _proposalCount;
    }

    function proposalState(uint256 proposalId) public view returns (ProposalState) {
        Proposal storage p = _proposals[proposalId];
        if (p.createdAt == 0) return ProposalState.None;
        if (p.executed) return ProposalState.Executed;
        if (block.timestamp > p.expiresAt) return ProposalState.Expired;
        return ProposalState.Pending;
    }

    /// @notice Approvals that count now: those of governors who are still active governors.
    /// @dev Iterates the member list, which stays small: a city's agencies, not its citizens.
    function approvals(uint256 proposalId) public view returns (uint256 count) {
        for (uint256 i = 0; i < _memberList.length; i++) {
            address account = _memberList[i];
            if (_approved[proposalId][account] && hasActiveRole(Roles.GOVERNOR, account)) count++;
        }
    }

    /// @notice The governors whose approval of `proposalId` counts now.
    function approvers(uint256 proposalId) external view returns (address[] memory found) {
        found = new address[](approvals(proposalId));
        uint256 next = 0;
        for (uint256 i = 0; i < _memberList.length; i++) {
            address account = _memberList[i];
            if (_approved[proposalId][account] && hasActiveRole(Roles.GOVERNOR, account)) found[next++] = account;
        }
    }

    function hasApproved(uint256 proposalId, address governor) external view returns (bool) {
        return _approved[proposalId][governor];
    }

    // ---- proposals ----

    /// @notice Propose admitting `account` as an active member with no roles.
    /// @dev Requirements: caller is an active governor; `account` is not a member and not zero; `name` and
    /// `domain` hold no control or invisible formatting character (ConsortiumMisleadingText).
    /// Emits ConsortiumProposalCreated and ConsortiumProposalApproved (the proposer's own vote).
    function proposeAddMember(address account, string calldata name, string calldata domain)
        external
        onlyGovernor
        returns (uint256)
    {
        _requirePlainText("name", name);
        _requirePlainText("domain", domain);
        Proposal memory p = _draft(ProposalKind.AddMember, account);
        p.name = name;
        p.domain = domain;
        return _propose(p);
    }

    /// @notice Propose suspending `account`: it keeps its roles but loses every write right.
    /// @dev Requirements: caller is an active governor; `account` is an active member and not the last governor.
    function proposeSuspendMember(address account) external onlyGovernor returns (uint256) {
        return _propose(_draft(ProposalKind.SuspendMember, account));
    }

    /// @notice Propose reinstating the suspended member `account`.
    /// @dev Requirements: caller is an active governor; `account` is suspended.
    function proposeReinstateMember(address account) external onlyGovernor returns (uint256) {
        return _propose(_draft(ProposalKind.ReinstateMember, account));
    }

    /// @notice Propose granting `role` to the member `account`.
    /// @dev Requirements: caller is an active governor; `role` is known; `account` is a member without it.
    function proposeGrantRole(address account, bytes32 role) external onlyGovernor returns (uint256) {
        Proposal memory p = _draft(ProposalKind.GrantRole, account);
        p.role = role;
        return _propose(p);
    }

    /// @notice Propose revoking `role` from `account`.
    /// @dev Requirements: caller is an active governor; `account` holds `role`; the last governor keeps GOVERNOR.
    function proposeRevokeRole(address account, bytes32 role) external onlyGovernor returns (uint256) {
        Proposal memory p = _draft(ProposalKind.RevokeRole, account);
        p.role = role;
        return _propose(p);
    }

    /// @notice Propose a new approval threshold M.
    /// @dev Requirements: caller is an active governor; a majority of governors <= `newThreshold` <= governors.
    function proposeThreshold(uint256 newThreshold) external onlyGovernor returns (uint256) {
        Proposal memory p = _draft(ProposalKind.ChangeThreshold, address(0));
        p.threshold = newThreshold;
        return _propose(p);
    }

    /// @notice Approve a pending proposal; it executes in this call once M governors approve.
    /// @dev Requirements: caller is an active governor who has not approved it; the proposal is pending.
    /// Emits ConsortiumProposalApproved, and ConsortiumProposalExecuted with the change's own events.
    function approve(uint256 proposalId) external onlyGovernor {
        _requirePending(proposalId);
        if (_approved[proposalId][msg.sender]) revert ConsortiumAlreadyApproved(proposalId, msg.sender);
        _approveAndMaybeExecute(proposalId);
    }

    /// @dev Roles change only through executed proposals.
    function grantRole(bytes32, address) public pure override {
        revert ConsortiumDirectRoleChangeDisabled();
    }

    /// @dev Roles change only through executed proposals.
    function revokeRole(bytes32, address) public pure override {
        revert ConsortiumDirectRoleChangeDisabled();
    }

    /// @dev Roles change only through executed proposals.
    function renounceRole(bytes32, address) public pure override {
        revert ConsortiumDirectRoleChangeDisabled();
    }

    // ---- internals ----

    function _draft(ProposalKind kind, address account) private view returns (Proposal memory p) {
        p.kind = kind;
        p.proposer = msg.sender;
        p.account = account;
        p.createdAt = uint64(block.timestamp);
        p.expiresAt = uint64(block.timestamp) + _proposalLifetime;
    }

    function _propose(Proposal memory p) private returns (uint256 proposalId) {
        _requireExecutable(p);
        proposalId = ++_proposalCount;
        _proposals[proposalId] = p;
        emit ConsortiumProposalCreated(proposalId, p.kind, p.proposer, p.account, p.role, p.threshold, p.expiresAt);
        _approveAndMaybeExecute(proposalId);
    }

    function _approveAndMaybeExecute(uint256 proposalId) private {
        _approved[proposalId][msg.sender] = true;
        uint256 count = approvals(proposalId);
        emit ConsortiumProposalApproved(proposalId, msg.sender, count);
        if (count >= _threshold) _execute(proposalId);
    }

    function _execute(uint256 proposalId) private {
        Proposal storage p = _proposals[proposalId];
        // Re-checked because the consortium may have changed since the proposal was made.
        _requireExecutable(p);
        p.executed = true;
        if (p.kind == ProposalKind.AddMember) {
            _addMember(p.account, p.name, p.domain);
        } else if (p.kind == ProposalKind.SuspendMember) {
            if (hasRole(Roles.GOVERNOR, p.account)) _activeGovernors--;
            _members[p.account].status = MemberStatus.Suspended;
            emit ConsortiumMemberSuspended(p.account);
        } else if (p.kind == ProposalKind.ReinstateMember) {
            if (hasRole(Roles.GOVERNOR, p.account)) _activeGovernors++;
            _members[p.account].status = MemberStatus.Active;
            emit ConsortiumMemberReinstated(p.account);
        } else if (p.kind == ProposalKind.GrantRole) {
            _grantRole(p.role, p.account);
        } else if (p.kind == ProposalKind.RevokeRole) {
            _revokeRole(p.role, p.account);
        } else {
            _setThreshold(p.threshold);
        }
        emit ConsortiumProposalExecuted(proposalId, msg.sender);
        _fitThresholdToGovernors();
    }

    function _requireExecutable(Proposal memory p) private view {
        MemberStatus status = _members[p.account].status;
        if (p.kind == ProposalKind.AddMember) {
            if (p.account == address(0)) revert ConsortiumInvalidMember(p.account);
            if (status != MemberStatus.None) revert ConsortiumAlreadyAMember(p.account);
            _requireDomainAvailable(p.domain);
        } else if (p.kind == ProposalKind.SuspendMember) {
            if (status == MemberStatus.None) revert ConsortiumNotAMember(p.account);
            if (status == MemberStatus.Suspended) revert ConsortiumMemberSuspendedAlready(p.account);
            _requireNotLastGovernor(p.account);
        } else if (p.kind == ProposalKind.ReinstateMember) {
            if (status != MemberStatus.Suspended) revert ConsortiumMemberNotSuspended(p.account);
        } else if (p.kind == ProposalKind.GrantRole) {
            _requireKnownRole(p.role);
            if (status == MemberStatus.None) revert ConsortiumNotAMember(p.account);
            if (hasRole(p.role, p.account)) revert ConsortiumRoleAlreadyGranted(p.account, p.role);
        } else if (p.kind == ProposalKind.RevokeRole) {
            _requireKnownRole(p.role);
            if (!hasRole(p.role, p.account)) revert ConsortiumRoleNotGranted(p.account, p.role);
            if (p.role == Roles.GOVERNOR) _requireNotLastGovernor(p.account);
        } else {
            _requireThresholdInRange(p.threshold, governorCount());
        }
    }

    function _requirePending(uint256 proposalId) private view {
        ProposalState state = proposalState(proposalId);
        if (state == ProposalState.None) revert ConsortiumUnknownProposal(proposalId);
        if (state == ProposalState.Executed) revert ConsortiumProposalAlreadyExecuted(proposalId);
        if (state == ProposalState.Expired) revert ConsortiumProposalExpired(proposalId, _proposals[proposalId].expiresAt);
    }

    function _requireNotLastGovernor(address account) private view {
        if (hasActiveRole(Roles.GOVERNOR, account) && governorCount() == 1) revert ConsortiumLastGovernor(account);
    }

    function _requireKnownRole(bytes32 role) private pure {
        if (!Roles.isKnown(role)) revert ConsortiumUnknownRole(role);
    }

    function _requireThresholdInRange(uint256 candidate, uint256 governors) private pure {
        uint256 minimum = governors / 2 + 1;
        if (candidate < minimum || candidate > governors) {
            revert ConsortiumThresholdOutOfRange(candidate, minimum, governors);
        }
    }

    function _requireDomainAvailable(string memory domain) private view {
        if (bytes(domain).length == 0) revert ConsortiumInvalidDomain(domain);
        if (_memberByDomain[keccak256(bytes(domain))] != address(0)) revert ConsortiumDomainTaken(domain);
    }

    /// @dev Refuses bytes below 0x20, 0x7F, the C1 controls, and the UTF-8 of U+00AD, U+061C,
    /// U+200B-U+200F, U+202A-U+202E, U+2060-U+2064, U+2066-U+206F and U+FEFF: the controls and the format
    /// characters that reorder or hide text (gzchain.domain.text.CONTRACT_FORMAT_RANGES lists the same).
    function _requirePlainText(string memory field, string memory text) private pure {
        bytes memory b = bytes(text);
        for (uint256 i = 0; i < b.length; i++) {
            uint8 c = uint8(b[i]);
            if (c < 0x20 || c == 0x7F) revert ConsortiumMisleadingText(field, i);
            if (c == 0xC2 && i + 1 < b.length) {
                uint8 n = uint8(b[i + 1]);
                if (n <= 0x9F || n == 0xAD) revert ConsortiumMisleadingText(field, i);
            } else if (c == 0xD8 && i + 1 < b.length) {
                if (uint8(b[i + 1]) == 0x9C) revert ConsortiumMisleadingText(field, i);
            } else if (c == 0xE2 && i + 2 < b.length) {
                uint8 n = uint8(b[i + 1]);
                uint8 m = uint8(b[i + 2]);
                if (n == 0x80 && ((m >= 0x8B && m <= 0x8F) || (m >= 0xAA && m <= 0xAE))) {
                    revert ConsortiumMisleadingText(field, i);
                }
                if (n == 0x81 && ((m >= 0xA0 && m <= 0xA4) || (m >= 0xA6 && m <= 0xAF))) {
                    revert ConsortiumMisleadingText(field, i);
                }
            } else if (c == 0xEF && i + 2 < b.length) {
                if (uint8(b[i + 1]) == 0xBB && uint8(b[i + 2]) == 0xBF) revert ConsortiumMisleadingText(field, i);
            }
        }
    }

    function _addMember(address account, string memory name, string memory domain) private {
        if (account == address(0)) revert ConsortiumInvalidMember(account);
        _requirePlainText("name", name);
        _requirePlainText("domain", domain);
        if (_members[account].status != MemberStatus.None) revert ConsortiumAlreadyAMember(account);
        _requireDomainAvailable(domain);
        _members[account] = Member(name, domain, MemberStatus.Active, uint64(block.timestamp));
        _memberByDomain[keccak256(bytes(domain))] = account;
        _memberList.push(account);
        emit ConsortiumMemberAdded(account, name, domain);
    }

    /// @dev Keeps the active-governor count current as GOVERNOR is granted and revoked.
    function _grantRole(bytes32 role, address account) internal override returns (bool granted) {
        granted = super._grantRole(role, account);
        if (granted && role == Roles.GOVERNOR && _members[account].status == MemberStatus.Active) _activeGovernors++;
    }

    function _revokeRole(bytes32 role, address account) internal override returns (bool revoked) {
        revoked = super._revokeRole(role, account);
        if (revoked && role == Roles.GOVERNOR && _members[account].status == MemberStatus.Active) _activeGovernors--;
    }

    function _setThreshold(uint256 newThreshold) private {
        emit ConsortiumThresholdChanged(_threshold, newThreshold);
        _threshold = newThreshold;
    }

    /// @dev When governors come or go, M moves to the nearest value in [majority, N] so that it never
    /// exceeds N (the consortium could not act) nor falls below a majority (a minority could act).
    function _fitThresholdToGovernors() private {
        uint256 governors = governorCount();
        uint256 minimum = governors / 2 + 1;
        if (_threshold > governors) _setThreshold(governors);
        else if (_threshold < minimum) _setThreshold(minimum);
    }
}
