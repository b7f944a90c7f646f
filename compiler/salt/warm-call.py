"""A salt-call started ahead of time: Python and Salt's modules load while salt-dsl still builds or runs
the previous call, then it waits for its command line on stdin.

stdin gives one JSON line, {"argv": [...], "env": {...}, "cwd": DIR}, and the run is then exactly
`salt-call ARGV` (the same entry point the salt-call script calls), in DIR: its config dir, which is how a
later salt-dsl run finds a salt-call that outlived the run that started it. End of stdin without a line (salt-dsl finished without
needing it, or was killed) exits at once, having done nothing.
"""

import json
import os
import sys
import tempfile

# the modules every salt-call loads before it reads its config (most of its start-up)
import salt.cli.call  # noqa: F401
import salt.cli.caller  # noqa: F401
import salt.config  # noqa: F401
import salt.loader  # noqa: F401
import salt.minion  # noqa: F401
import salt.scripts
import salt.state  # noqa: F401

line = sys.stdin.readline()
if not line.strip():
    sys.exit(0)
request = json.loads(line)
os.environ.update(request.get("env", {}))
if request.get("cwd"):
    os.chdir(request["cwd"])
tempfile.tempdir = None  # TMPDIR may have changed: found again at the next use
sys.argv = ["salt-call", *request["argv"]]
sys.exit(salt.scripts.salt_call())
