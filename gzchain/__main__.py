"""`python -m gzchain`: the same command line as the `gzchain` script (the supervisor starts its child so)."""

from gzchain.cli import app

app(prog_name="gzchain")
