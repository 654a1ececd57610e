"""`gzchain coldchain label` and `gzchain cert qr` refuse what no label or QR code could be made from.

Their success, decoded by a scanner and opened in a browser, is in tests/browser/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gzchain.cli import app

runner = CliRunner(env={"COLUMNS": "250"})


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--base-url", "https://trace.gz.gov.cn", "--out", "label.gif"], "--out: must end in .png or .svg"),
        (["--base-url", "ftp://trace.gz.gov.cn", "--out", "label.svg"], "--base-url: must be the portal's"),
    ],
)
def test_a_label_that_cannot_be_made_is_refused_before_the_chain_is_read(isolated_env, options, said):
    result = runner.invoke(app, ["coldchain", "label", "BR2611-0001-A", *options])

    assert result.exit_code == 2, result.output
    assert said in result.output
    assert not (isolated_env / "data").exists(), "no chain was opened"


def test_a_file_that_is_no_certificate_gets_no_qr_code(isolated_env):
    document = isolated_env / "note.json"
    document.write_text(json.dumps({"hello": "world"}), encoding="utf-8")
    out = isolated_env / "qr.png"

    result = runner.invoke(
        app, ["cert", "qr", str(document), "--base-url", "https://zwfw.gz.gov.cn", "--out", str(out)]
    )

    assert result.exit_code == 2, result.output
    assert "signature: is missing" in result.output
    assert not Path(out).exists()
