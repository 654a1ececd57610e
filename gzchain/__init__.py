"""gzchain: a permissioned blockchain for city government services."""

import os

# eth-hash (under web3, py-evm and eth-account) would otherwise pick pycryptodome, whose Keccak-256 costs
# ~7x safe-pysha3's C one on the short inputs they hash (addresses, selectors, EVM SHA3): ~15 % of a busy
# server's CPU. Set before any of them hashes; an explicit choice in the environment still wins.
os.environ.setdefault("ETH_HASH_BACKEND", "pysha3")

__version__ = "0.1.0"
