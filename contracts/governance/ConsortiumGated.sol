// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IConsortium} from "../interfaces/IConsortium.sol";

/// @title ConsortiumGated
/// @notice The one place scenario contracts check roles: every write asks the Consortium about `msg.sender`.
/// @dev A refusal bubbles up the Consortium's own error (`ConsortiumMissingRole` / `ConsortiumMemberNotActive`).
abstract contract ConsortiumGated {
    IConsortium private immutable _consortium;

    constructor(IConsortium consortium_) {
        _consortium = consortium_;
    }

    modifier onlyRole(bytes32 role) {
        _consortium.requireActiveRole(role, msg.sender);
        _;
    }

    function consortium() public view returns (IConsortium) {
        return _consortium;
    }
}
