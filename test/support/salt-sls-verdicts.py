"""salt-sls-verdicts: what `state.sls <name> test=True` returns, for many SLS of one tree, in one process.

Usage: python3 salt-sls-verdicts.py CONF_DIR < names   (one SLS name a line)
Writes one JSON line per name: {"sls": name, "errors": [...] | null, "states": N, "deps": {...}, "ms": 1.2}
`errors` is the list of strings state.sls would return (render, requisite and compile errors such as
"Recursive requisites were found: ..."); null when Salt ran the states (in test mode). `deps` is what
Salt's ordering graph resolved: per state ID, per requisite type, the IDs of the states it binds (a
prereq check node counts as its state), read from the in-edges of each state's node.

state.sls builds a HighState (loaders, pillar, file client: ~0.3 s) for every call; here one HighState
serves every name (its highstate emptied before each), and each name goes through the same steps salt/modules/state.py `sls` takes:
render_highstate({saltenv: [name]}), then State.call_high (reconcile_extend, verify_high, requisite_in,
compile_high_data with its ordering graph, then the states in test mode). The test that uses it checks a
sample of names against the real salt-call path (SaltOracle) as well.
"""

import json
import os
import sys
import time

PROTO_OUT = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
os.dup2(2, 1)  # whatever Salt prints goes to stderr

import salt.config  # noqa: E402
import salt.loader  # noqa: E402
import salt.state  # noqa: E402
from salt.utils.datastructures import HashableOrderedDict  # noqa: E402


def resolved(dependency_graph):
    """Per state ID, per requisite type, the sorted IDs of the states its node's in-edges come from."""
    dag = dependency_graph.dag
    out = {}
    for node, data in dag.nodes.items():
        chunk = data.get("chunk")
        if chunk is None or node.endswith("__prereq_test__"):
            continue
        by_type = out.setdefault(chunk["__id__"], {})
        for source, _, req_type in dag.in_edges(node, keys=True):
            dep = dag.nodes[source].get("chunk")
            if dep is not None:
                by_type.setdefault(str(req_type), set()).add(dep["__id__"])
    return {i: {t: sorted(ids) for t, ids in types.items()} for i, types in out.items()}


def main():
    conf_dir = sys.argv[1]
    opts = salt.config.minion_config(os.path.join(conf_dir, "minion"))
    opts["file_client"] = "local"
    opts["grains"] = salt.loader.grains(opts)
    opts["test"] = True
    opts["saltenv"] = "base"
    high_state = salt.state.HighState(opts)
    high_state.push_active()
    try:
        for line in sys.stdin:
            name = line.strip()
            if not name:
                continue
            started = time.perf_counter()
            # render_highstate merges into this dict: each name starts from an empty highstate
            high_state.building_highstate = HashableOrderedDict()
            high, errors = high_state.render_highstate({"base": [name]})
            states = 0
            if not errors:
                ret = high_state.state.call_high(high)
                if isinstance(ret, list):
                    errors = ret
                else:
                    states = len(ret)
            deps = resolved(high_state.state.dependency_dag) if not errors else {}
            PROTO_OUT.write(
                json.dumps(
                    {
                        "sls": name,
                        "errors": [str(e) for e in errors] if errors else None,
                        "states": states,
                        "deps": deps,
                        "ms": round((time.perf_counter() - started) * 1000, 2),
                    }
                )
                + "\n"
            )
    finally:
        high_state.pop_active()


if __name__ == "__main__":
    main()
