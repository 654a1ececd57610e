"""Writes to a persistent embedded chain forever, printing each confirmed tx hash; the test SIGKILLs it."""

from __future__ import annotations

import sys
from pathlib import Path

from gzchain.bootstrap import open_runtime
from gzchain.settings import Settings

runtime = open_runtime(Settings(data_dir=Path(sys.argv[1])))
runtime.deploy()
consortium = runtime.consortium()
while True:
    outcome = consortium.propose_threshold("gz-msa", 2)
    print(outcome.receipt.tx_hash, flush=True)
