"""Many view calls of one contract in one eth_call, through its OpenZeppelin `Multicall.multicall`.

A read that needs a dozen views then costs one round trip (and one EVM run) instead of a dozen; each result
is decoded and normalised exactly as web3 decodes a single call, so callers see the same values either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eth_utils.abi import get_abi_output_types
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.contract.utils import format_contract_call_return_data_curried

from gzchain.chain.gateway import ChainGateway


def call_views(gateway: ChainGateway, contract: Contract, fns: Sequence[ContractFunction]) -> list[Any]:
    """The result of each view call in `fns`, in order; the whole read reverts if any call does."""
    if not fns:
        return []
    data = [fn._encode_transaction_data() for fn in fns]
    outputs = gateway.call(contract.functions.multicall(data))
    return [_decoded(gateway, fn, bytes(output)) for fn, output in zip(fns, outputs, strict=True)]


def _decoded(gateway: ChainGateway, fn: ContractFunction, output: bytes) -> Any:
    return format_contract_call_return_data_curried(
        gateway.w3, False, fn.abi, fn.abi_element_identifier, (), get_abi_output_types(fn.abi), output
    )
