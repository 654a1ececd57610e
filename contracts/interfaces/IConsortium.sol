// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title IConsortium
/// @notice The consortium of government agencies: members, their roles, and M-of-N governance.
/// @dev Every scenario contract asks the Consortium whether `msg.sender` may act (see ConsortiumGated).
interface IConsortium {
    enum MemberStatus {
        None,
        Active,
        Suspended
    }

    enum ProposalKind {
        AddMember,
        SuspendMember,
        ReinstateMember,
        GrantRole,
        RevokeRole,
        ChangeThreshold
    }

    enum ProposalState {
        None,
        Pending,
        Executed,
        Expired
    }

    struct Member {
        string name;
        string domain;
        MemberStatus status;
        uint64 joinedAt;
    }

    struct GenesisMember {
        address account;
        string name;
        string domain;
        bytes32[] roles;
    }

    struct Proposal {
        ProposalKind kind;
        address proposer;
        address account;
        bytes32 role;
        uint256 threshold;
        string name;
        string domain;
        uint64 createdAt;
        uint64 expiresAt;
        bool executed;
    }

    event ConsortiumMemberAdded(address indexed account, string name, string domain);
    event ConsortiumMemberSuspended(address indexed account);
    event ConsortiumMemberReinstated(address indexed account);
    event ConsortiumThresholdChanged(uint256 previousThreshold, uint256 newThreshold);
    event ConsortiumProposalCreated(
        uint256 indexed proposalId,
        ProposalKind kind,
        address indexed proposer,
        address indexed account,
        bytes32 role,
        uint256 threshold,
        uint64 expiresAt
    );
    event ConsortiumProposalApproved(uint256 indexed proposalId, address indexed governor, uint256 approvals);
    event ConsortiumProposalExecuted(uint256 indexed proposalId, address indexed executor);

    error ConsortiumMissingRole(address account, bytes32 role);
    error ConsortiumMemberNotActive(address account);
    error ConsortiumMemberSuspendedAlready(address account);
    error ConsortiumMemberNotSuspended(address account);
    error ConsortiumNotAMember(address account);
    error ConsortiumAlreadyAMember(address account);
    error ConsortiumInvalidMember(address account);
    error ConsortiumInvalidDomain(string domain);
    error ConsortiumDomainTaken(string domain);
    /// @dev `field` ("name" or "domain") holds a control character or an invisible Unicode formatting
    /// character (a bidirectional override or isolate, a zero-width space…) whose UTF-8 starts at byte
    /// `position`: such text reads differently from what it is.
    error ConsortiumMisleadingText(string field, uint256 position);
    error ConsortiumUnknownRole(bytes32 role);
    error ConsortiumRoleAlreadyGranted(address account, bytes32 role);
    error ConsortiumRoleNotGranted(address account, bytes32 role);
    error ConsortiumThresholdOutOfRange(uint256 threshold, uint256 minimum, uint256 maximum);
    error ConsortiumLastGovernor(address account);
    error ConsortiumUnknownProposal(uint256 proposalId);
    error ConsortiumProposalExpired(uint256 proposalId, uint64 expiredAt);
    error ConsortiumProposalAlreadyExecuted(uint256 proposalId);
    error ConsortiumAlreadyApproved(uint256 proposalId, address governor);
    error ConsortiumDirectRoleChangeDisabled();
    error ConsortiumInvalidGenesis();

    /// @notice Whether `account` is an active member holding `role`: the question every write asks.
    function hasActiveRole(bytes32 role, address account) external view returns (bool);

    /// @notice Reverts with the reason `account` may not act as `role`; returns when it may.
    /// @dev Reverts `ConsortiumMemberNotActive` for a suspended member, `ConsortiumMissingRole` otherwise.
    function requireActiveRole(bytes32 role, address account) external view;

    function member(address account) external view returns (Member memory);

    function members() external view returns (address[] memory);

    function memberByDomain(string calldata domain) external view returns (address);

    function rolesOf(address account) external view returns (bytes32[] memory);

    function allRoles() external pure returns (bytes32[] memory);

    function threshold() external view returns (uint256);

    function governorCount() external view returns (uint256);

    function proposalLifetime() external view returns (uint64);

    function proposal(uint256 proposalId) external view returns (Proposal memory);

    function proposalCount() external view returns (uint256);

    function proposalState(uint256 proposalId) external view returns (ProposalState);

    function approvals(uint256 proposalId) external view returns (uint256);

    function hasApproved(uint256 proposalId, address governor) external view returns (bool);

    function approvers(uint256 proposalId) external view returns (address[] memory);

    function proposeAddMember(address account, string calldata name, string calldata domain) external returns (uint256);

    function proposeSuspendMember(address account) external returns (uint256);

    function proposeReinstateMember(address account) external returns (uint256);

    function proposeGrantRole(address account, bytes32 role) external returns (uint256);

    function proposeRevokeRole(address account, bytes32 role) external returns (uint256);

    function proposeThreshold(uint256 newThreshold) external returns (uint256);

    function approve(uint256 proposalId) external;
}
