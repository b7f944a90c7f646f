"""Every state call in the `.. code-block:: yaml` examples of the pinned Salt's state modules, as JSON.

Run: .venv/bin/python test/support/salt-doc-examples.py > examples.json

Each example block is read with Salt's own YAML loader (as Salt reads an SLS). Blocks holding Jinja, or
that are not SLS (a pillar, a minion config), are counted and left out. Each state call becomes
{"module", "line", "id", "fn", "args", "requisites"}: `args` without the requisites (which the DSL takes as
handles, not strings); `requisites` names those left out.
"""

from __future__ import annotations

import ast
import json
import logging
import sys
from pathlib import Path

logging.disable(logging.CRITICAL)

import salt.states  # noqa: E402
import salt.utils.yaml  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from salt_docstrings import yaml_examples  # noqa: E402

REQUISITES = ("require", "watch", "onchanges", "onfail", "prereq", "listen", "use")
REQUISITE_KEYS = frozenset(
    list(REQUISITES)
    + [f"{r}_in" for r in REQUISITES]
    + [f"{r}_any" for r in ("require", "watch", "onchanges", "onfail")]
    + ["onfail_all"]
)


def docstrings(path: Path):
    """(line, docstring) of the module and of every function in it, without importing it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree, clean=False)
    if doc:
        yield 1, doc
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            doc = ast.get_docstring(node, clean=False)
            if doc:
                yield node.lineno, doc


def plain(value) -> bool:
    """JSON data, as TypeScript can write it."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, list):
        return all(plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain(v) for k, v in value.items())
    return False


def calls(data) -> list[dict] | None:
    """The state calls of one SLS document, or None when it is not one."""
    if not isinstance(data, dict):
        return None
    out: list[dict] = []
    for sid, body in data.items():
        if sid in ("include", "extend") or not isinstance(body, dict):
            return None
        for key, items in body.items():
            if not isinstance(key, str) or key.startswith("__"):
                return None
            items = items if isinstance(items, list) else ([] if items is None else None)
            if items is None:
                return None
            fn = key
            if "." not in key:
                bare = [i for i in items if isinstance(i, str)]
                if len(bare) != 1:
                    return None
                fn = f"{key}.{bare[0]}"
                items = [i for i in items if not isinstance(i, str)]
            args: dict = {}
            requisites: list[str] = []
            for item in items:
                if not isinstance(item, dict) or len(item) != 1:
                    return None
                (name, value), = item.items()
                if not isinstance(name, str):
                    return None
                if name in REQUISITE_KEYS:
                    requisites.append(name)
                    continue
                args[name] = value
            if not plain(args):
                return None
            out.append({"id": str(sid), "fn": fn, "args": args, "requisites": requisites})
    return out


def main() -> int:
    states_dir = Path(salt.states.__file__).parent
    examples: list[dict] = []
    blocks = {"total": 0, "jinja": 0, "not_yaml": 0, "not_sls": 0, "read": 0}
    for path in sorted(states_dir.glob("*.py")):
        for line, doc in docstrings(path):
            for block in yaml_examples(doc):
                blocks["total"] += 1
                if "{{" in block or "{%" in block:
                    blocks["jinja"] += 1
                    continue
                try:
                    data = salt.utils.yaml.safe_load(block)
                except Exception:  # noqa: BLE001 (an example that is not YAML at all)
                    blocks["not_yaml"] += 1
                    continue
                found = calls(data)
                if not found:
                    blocks["not_sls"] += 1
                    continue
                blocks["read"] += 1
                for call in found:
                    examples.append({"module": path.name, "line": line, **call})
    json.dump({"blocks": blocks, "examples": examples}, sys.stdout, indent=1, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
