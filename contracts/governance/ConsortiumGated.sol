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

    /// @dev For a write open to two roles, where what the caller may do depends on the role it acts under:
    /// returns `secondary` if `msg.sender` actively holds it but not `primary`, else `primary`. A caller
    /// holding neither is refused exactly as `onlyRole(primary)` would refuse it.
    function _requireEitherRole(bytes32 primary, bytes32 secondary) internal view returns (bytes32 actingAs) {
        if (!_consortium.hasActiveRole(primary, msg.sender) && _consortium.hasActiveRole(secondary, msg.sender)) {
            return secondary;
        }
        _consortium.requireActiveRole(primary, msg.sender);
        return primary;
    }
}
