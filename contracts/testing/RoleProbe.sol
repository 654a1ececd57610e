// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {ConsortiumGated} from "../governance/ConsortiumGated.sol";
import {IConsortium} from "../interfaces/IConsortium.sol";
import {Roles} from "../governance/Roles.sol";

/// @title RoleProbe
/// @notice Test-only: a minimal gated contract that proves ConsortiumGated's checks. Never deployed by `gzchain deploy`.
contract RoleProbe is ConsortiumGated {
    event RoleProbeTouched(address indexed by);

    constructor(IConsortium consortium_) ConsortiumGated(consortium_) {}

    /// @notice A write that only a REGISTRAR may make.
    function touch() external onlyRole(Roles.REGISTRAR) {
        emit RoleProbeTouched(msg.sender);
    }
}
