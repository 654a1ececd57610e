// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title IDocumentStoreFactory
/// @notice Creates each certificate-issuing agency's one DocumentStore, and says which store is whose.
/// @dev Together with the Consortium's `memberByDomain`, `storeOf` plays the part of OpenAttestation's DNS-TXT
/// record: a document's issuer domain → the member agency → the only store that agency issues from.
interface IDocumentStoreFactory {
    event DocumentStoreFactoryStoreCreated(address indexed agency, address indexed store, string name);

    error DocumentStoreFactoryStoreExists(address agency, address store);

    /// @notice Create the calling agency's document store, named after the agency in the consortium.
    /// @dev Requirements: the caller is an active CERT_ISSUER member without a store.
    /// Emits DocumentStoreFactoryStoreCreated.
    function createStore() external returns (address store);

    /// @notice The store `agency` issues from; zero if it has none.
    function storeOf(address agency) external view returns (address);

    /// @notice The agency a store created here belongs to; zero for any other address.
    function agencyOf(address store) external view returns (address);
}
