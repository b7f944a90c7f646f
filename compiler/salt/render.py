"""Renders one machine with the real Salt for `dsl check --salt`.

argv[1]: the path of its minion config file. stdout: {"top": ..., "pillar": ..., "highstate": ...} or
{"error": "..."}. One process per machine: Salt's loader caches modules per process, so several minion
configs in one interpreter would leak grains into each other. Salt's logging stays off stdout.
"""

import json
import logging
import os
import sys

out = os.fdopen(os.dup(1), "w", encoding="utf-8")
os.dup2(2, 1)
logging.disable(logging.CRITICAL)

import salt.client  # noqa: E402
import salt.config  # noqa: E402


def render(conf):
    opts = salt.config.minion_config(conf)
    caller = salt.client.Caller(mopts=opts)
    return {
        "top": caller.cmd("state.show_top"),
        "pillar": caller.cmd("pillar.items"),
        "highstate": caller.cmd("state.show_highstate"),
    }


def main():
    try:
        result = render(sys.argv[1])
    except Exception as exc:  # a machine Salt cannot render is a finding, not a crash
        result = {"error": f"{type(exc).__name__}: {exc}"}
    json.dump(result, out, default=repr)
    out.flush()


main()
