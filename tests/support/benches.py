"""A benchmark script run at smoke size, as the bench smoke tests run it: no timing is judged."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_quick(script: str, results: Path) -> dict:
    """`bench/SCRIPT --quick`, writing into `results`; the JSON it wrote."""
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), "--quick"],
        env={**os.environ, "GZCHAIN_BENCH_RESULTS": str(results)},
        capture_output=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=900,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads((results / script.replace(".py", ".json")).read_text(encoding="utf-8"))
