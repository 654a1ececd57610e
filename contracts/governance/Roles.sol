// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title Roles
/// @notice The consortium's roles: one place, so the contracts and the Python side agree on the ids.
library Roles {
    bytes32 internal constant GOVERNOR = keccak256("GOVERNOR");
    bytes32 internal constant REGISTRAR = keccak256("REGISTRAR");
    bytes32 internal constant NOTARY = keccak256("NOTARY");
    bytes32 internal constant CERT_ISSUER = keccak256("CERT_ISSUER");
    bytes32 internal constant INSPECTOR = keccak256("INSPECTOR");
    bytes32 internal constant COLDCHAIN_OPERATOR = keccak256("COLDCHAIN_OPERATOR");
    bytes32 internal constant REGULATOR = keccak256("REGULATOR");
    bytes32 internal constant IDENTITY_AUTHORITY = keccak256("IDENTITY_AUTHORITY");
    bytes32 internal constant PETITIONS_OFFICE = keccak256("PETITIONS_OFFICE");
    bytes32 internal constant MAYOR_OFFICE = keccak256("MAYOR_OFFICE");

    function all() internal pure returns (bytes32[] memory roles) {
        roles = new bytes32[](10);
        roles[0] = GOVERNOR;
        roles[1] = REGISTRAR;
        roles[2] = NOTARY;
        roles[3] = CERT_ISSUER;
        roles[4] = INSPECTOR;
        roles[5] = COLDCHAIN_OPERATOR;
        roles[6] = REGULATOR;
        roles[7] = IDENTITY_AUTHORITY;
        roles[8] = PETITIONS_OFFICE;
        roles[9] = MAYOR_OFFICE;
    }

    function isKnown(bytes32 role) internal pure returns (bool) {
        bytes32[] memory roles = all();
        for (uint256 i = 0; i < roles.length; i++) {
            if (roles[i] == role) return true;
        }
        return false;
    }
}
