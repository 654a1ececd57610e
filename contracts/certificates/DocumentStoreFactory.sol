// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {ConsortiumGated} from "../governance/ConsortiumGated.sol";
import {Roles} from "../governance/Roles.sol";
import {IConsortium} from "../interfaces/IConsortium.sol";
import {IDocumentStoreFactory} from "../interfaces/IDocumentStoreFactory.sol";
import {DocumentStore} from "./DocumentStore.sol";

/// @title DocumentStoreFactory
/// @notice Creates one DocumentStore per certificate-issuing agency and is the registry verifiers trust for
/// "which store does this agency issue from".
/// @dev A store is bound to its agency and to this factory's consortium when created, and never changes hands.
contract DocumentStoreFactory is IDocumentStoreFactory, ConsortiumGated {
    mapping(address agency => address store) private _stores;
    mapping(address store => address agency) private _agencies;

    constructor(IConsortium consortium_) ConsortiumGated(consortium_) {}

    /// @inheritdoc IDocumentStoreFactory
    function createStore() external onlyRole(Roles.CERT_ISSUER) returns (address) {
        return _createStore(msg.sender);
    }

    /// @inheritdoc IDocumentStoreFactory
    function storeOf(address agency) external view returns (address) {
        return _stores[agency];
    }

    /// @inheritdoc IDocumentStoreFactory
    function agencyOf(address store) external view returns (address) {
        return _agencies[store];
    }

    function _createStore(address agency) private returns (address store) {
        if (_stores[agency] != address(0)) revert DocumentStoreFactoryStoreExists(agency, _stores[agency]);
        string memory name = consortium().member(agency).name;
        store = address(new DocumentStore(consortium(), agency, name));
        _stores[agency] = store;
        _agencies[store] = agency;
        emit DocumentStoreFactoryStoreCreated(agency, store, name);
    }
}
