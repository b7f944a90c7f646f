"""Generate the catalog of Salt state functions from the pinned Salt in .venv/.

Run: .venv/bin/python scripts/gen-salt-catalog.py [--out DIR]

Writes DIR/salt-states.json and DIR/salt-states.ts (DIR defaults to dsl/catalog/). The output depends
only on the Salt sources, never on the host: state modules are imported as plain Python modules and
introspected; their __virtual__() is never called (it would drop most platform-specific modules here).

Rules, mirroring salt/loader/lazy.py and salt/utils/args.py:
- a module's name is its __virtualname__ when it defines __virtual__ and __virtualname__, else the file
  name; files sharing a name (x509.py + x509_v2.py, network.py + win_network.py) are merged;
- a module's functions are those listed in __load__, else __all__, else dir(); private names (_x) and
  anything that is not a function defined in that module are skipped; __func_alias__ renames;
- not states: mod_* hooks (mod_watch, mod_init, mod_aggregate, mod_beacon, mod_run_check*) and helpers
  that accept neither `name` nor **kwargs (Salt always passes `name`, so they cannot be called as states);
- required arguments are the ones without a default (salt.utils.args.arg_lookup), except `name`, which
  Salt fills from the state ID.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import logging
import os
import re
import sys
from pathlib import Path

logging.disable(logging.CRITICAL)

import salt.state  # noqa: E402
import salt.states  # noqa: E402
import salt.utils.args  # noqa: E402
import salt.version  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = "scripts/gen-salt-catalog.py"

# Keys Salt consumes while compiling high data into low chunks, before the state function is called (so
# they are accepted by every state even though they are not in STATE_INTERNAL_KEYWORDS).
COMPILE_TIME_KEYWORDS = ("names",)

NOT_STATES = re.compile(r"^mod_")


def global_args() -> list[str]:
    keys = set(salt.state.STATE_INTERNAL_KEYWORDS)
    state_py = Path(salt.state.__file__).read_text(encoding="utf-8")
    for key in COMPILE_TIME_KEYWORDS:
        # Guard against a Salt upgrade silently dropping the compile-time expansion.
        if f'key == "{key}"' not in state_py:
            raise SystemExit(f"gen-salt-catalog: salt/state.py no longer handles {key!r}; update the script")
        keys.add(key)
    return sorted(str(k) for k in keys)


def first_sentence(doc: str | None) -> str:
    """The first prose paragraph of a docstring (skipping RST directives), cut at its first sentence."""
    if not doc:
        return ""
    lines = inspect.cleandoc(doc).splitlines()
    para: list[str] = []
    in_directive = False
    for line in lines:
        stripped = line.strip()
        if not stripped:
            if para:
                break
            in_directive = False
            continue
        if stripped.startswith(".. ") and not para:
            in_directive = True
            continue
        if in_directive and line[:1].isspace():
            continue
        in_directive = False
        if stripped.startswith(":") and not para:  # a field list (:param x:) before any prose
            break
        para.append(stripped)
    text = " ".join(para)
    match = re.search(r"[.!?](?=\s+[A-Z(`*])", text)
    if match:
        text = text[: match.end()]
    if len(text) > 240:
        text = text[:237].rstrip() + "..."
    return text


def virtual_name(mod, filename: str) -> str:
    vname = getattr(mod, "__virtualname__", None)
    if inspect.isfunction(getattr(mod, "__virtual__", None)) and isinstance(vname, str) and vname:
        return vname
    return filename


def introspect_module(mod) -> dict[str, dict]:
    try:
        attrs = list(mod.__load__)
    except AttributeError:
        attrs = list(getattr(mod, "__all__", dir(mod)))
    aliases = getattr(mod, "__func_alias__", {}) or {}
    out: dict[str, dict] = {}
    for attr in sorted(attrs):
        if attr.startswith("_") or NOT_STATES.match(attr):
            continue
        func = getattr(mod, attr, None)
        if not inspect.isfunction(func) or func.__module__ != mod.__name__:
            continue
        spec = salt.utils.args.get_function_argspec(func)
        lookup = salt.utils.args.arg_lookup(func, spec)
        params = list(spec.args)
        if "name" not in params and not spec.keywords:
            continue  # a helper, not a state: Salt always passes `name`
        entry = {
            "doc": first_sentence(func.__doc__),
            "kwargs": bool(spec.keywords),
            "params": params,
            "required": [a for a in lookup["args"] if a != "name"],
        }
        if spec.varargs:
            entry["varargs"] = True
        out[aliases.get(attr, attr)] = entry
    return out


def merge(a: dict, b: dict) -> dict:
    """Two files define the same state (platform variants): accept what either accepts."""
    params = list(a["params"]) + [p for p in b["params"] if p not in a["params"]]
    out = {
        "doc": a["doc"] or b["doc"],
        "kwargs": a["kwargs"] or b["kwargs"],
        "params": params,
        "required": [p for p in a["required"] if p in b["required"]],
    }
    if a.get("varargs") or b.get("varargs"):
        out["varargs"] = True
    return out


def collect() -> tuple[dict[str, dict], dict[str, dict]]:
    states_dir = Path(salt.states.__file__).parent
    modules: dict[str, dict] = {}
    functions: dict[str, dict] = {}
    origin: dict[str, list[str]] = {}
    for path in sorted(states_dir.glob("*.py")):
        if path.name == "__init__.py":
            continue
        mod = importlib.import_module(f"salt.states.{path.stem}")
        vname = virtual_name(mod, path.stem)
        info = modules.setdefault(vname, {"files": []})
        info["files"].append(path.name)
        deprecated = getattr(mod, "__deprecated__", None)
        if deprecated:
            info["deprecated"] = {"extension": str(deprecated[1]), "removed_in": str(deprecated[0])}
        for fname, entry in introspect_module(mod).items():
            full = f"{vname}.{fname}"
            origin.setdefault(full, []).append(path.name)
            functions[full] = merge(functions[full], entry) if full in functions else entry
    for full, files in origin.items():
        if len(files) > 1:
            functions[full]["merged_from"] = files
    return modules, functions


def dump_json(version: str, glob: list[str], modules: dict, functions: dict) -> str:
    def one(value) -> str:
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    def block(key: str, mapping: dict) -> str:
        rows = [f"    {one(k)}: {one(mapping[k])}" for k in sorted(mapping)]
        return f'  "{key}": {{\n' + ",\n".join(rows) + "\n  }"

    parts = [
        block("functions", functions),
        '  "generator": ' + one(GENERATOR),
        '  "global_args": [\n' + ",\n".join(f"    {one(g)}" for g in glob) + "\n  ]",
        block("modules", modules),
        '  "salt_version": ' + one(version),
    ]
    return "{\n" + ",\n".join(parts) + "\n}\n"


def ts_string(s: str) -> str:
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def jsdoc(text: str, indent: str) -> list[str]:
    text = text.replace("*/", "*\\/")
    return [f"{indent}/** {text} */"] if text else []


def dump_ts(version: str, glob: list[str], functions: dict) -> str:
    lines = [
        f"// Generated by {GENERATOR} from Salt {version}. Do not edit: re-run the script instead.",
        "// Every state function Salt ships (all platforms), with its argument names. Argument values are",
        "// `unknown` on purpose: this file only types names, so it stays cheap to type-check.",
        "",
        f"export const SALT_VERSION = {ts_string(version)}",
        "",
        "/** Arguments every state accepts (requisites, run-time options; salt/state.py). */",
        "export interface SaltGlobalStateArgs {",
    ]
    lines += [f"  {g}?: unknown" for g in glob]
    lines += ["}", "", "/** Each state function's own arguments; required ones are not optional. */"]
    lines.append("export interface SaltStateArgs {")
    for full in sorted(functions):
        entry = functions[full]
        lines += jsdoc(entry["doc"], "  ")
        members = [f"{p}{'' if p in entry['required'] else '?'}: unknown" for p in entry["params"]]
        if entry["kwargs"]:
            members.append("[kwarg: string]: unknown")
        if members:
            lines.append(f"  {ts_string(full)}: {{")
            lines += [f"    {m}" for m in members]
            lines.append("  }")
        else:
            lines.append(f"  {ts_string(full)}: {{}}")
    lines += ["}", "", "export type SaltStateFunction = keyof SaltStateArgs", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "dsl" / "catalog"), help="output directory")
    args = parser.parse_args()
    version = salt.version.__version__
    modules, functions = collect()
    glob = global_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "salt-states.json").write_text(dump_json(version, glob, modules, functions), encoding="utf-8")
    (out / "salt-states.ts").write_text(dump_ts(version, glob, functions), encoding="utf-8")
    print(
        f"gen-salt-catalog: Salt {version}: {len(modules)} modules, {len(functions)} functions -> {out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("SALT_LOG_LEVEL", "quiet")
    sys.exit(main())
