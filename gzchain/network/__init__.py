"""The production network: Hyperledger Besu QBFT validators, generated in Python so no Besu is needed.

keys (node keys and enode identities), genesis (QBFT genesis and its extraData), permissions (the node and
account allowlists), nodes (each validator's Besu configuration), generate (the whole folder).
"""
