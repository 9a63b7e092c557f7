"""`make ui`: Dagster's webserver and daemon (``dagster dev``) on this workspace.

``dagster dev`` works and is what Chartwatch needs (a webserver, a daemon, the
instance of DAGSTER_HOME); Dagster 1.13 marks it superseded by ``dg dev``, from the
separate ``dagster-dg-cli`` and a ``dg`` project layout Chartwatch does not use, and
prints a warning saying so on every start. The warning tells a newcomer nothing they
can act on, so this entry point runs the same command without it.

``python -m pipelines.ui -w workspace.yaml -h 127.0.0.1 -p 3000`` takes the options of
``dagster dev``.
"""

from __future__ import annotations

import warnings

import dagster as dg
from dagster._cli.dev import dev_command


def main() -> None:
    warnings.filterwarnings("ignore", category=dg.SupersessionWarning)
    dev_command(prog_name="dagster dev")


if __name__ == "__main__":
    main()
