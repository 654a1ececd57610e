"""Helpers the contract suites share: revert assertions and agency handles."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from gzchain.bootstrap import Runtime
from gzchain.chain.transactions import Receipt
from gzchain.domain.errors import ContractReverted


@contextmanager
def reverts(error_name: str, **expected_args: Any) -> Iterator[pytest.ExceptionInfo[ContractReverted]]:
    """Assert the block raises ContractReverted with this custom error and these arguments."""
    with pytest.raises(ContractReverted) as info:
        yield info
    assert info.value.error_name == error_name, f"reverted with {info.value}, expected {error_name}"
    for key, value in expected_args.items():
        assert info.value.args_by_name[key] == value, f"{key}: {info.value.args_by_name[key]!r} != {value!r}"


class Agencies:
    """Send a contract call as an agency, by id: `agencies.send("gz-msa", fn)`."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def address(self, agency_id: str) -> str:
        return self.runtime.keys.address(agency_id)

    def send(self, agency_id: str, fn: Any) -> Receipt:
        return self.runtime.gateway.transact(fn, self.runtime.keys.signer(agency_id))
