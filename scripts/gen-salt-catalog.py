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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from salt_arg_types import arg_types, kwargs_read, merge_types  # noqa: E402
from salt_docstrings import parse_args, prose  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = "scripts/gen-salt-catalog.py"

# Keys Salt consumes while compiling high data into low chunks, before the state function is called (so
# they are accepted by every state even though they are not in STATE_INTERNAL_KEYWORDS).
COMPILE_TIME_KEYWORDS = ("names",)

NOT_STATES = re.compile(r"^mod_")

# The DSL's own options (dsl/state.ts CommonOptions): requisites take handles, `id` names the state, and
# `order` and `failhard` are typed there; a state's parameter of the same name is typed by them.
REQUISITES = ("require", "watch", "onchanges", "onfail", "prereq", "listen", "use")
OPTION_KEYS = frozenset(
    ["id", "order", "failhard"]
    + [r for r in REQUISITES]
    + [f"{r}_in" for r in REQUISITES]
    + [f"{r}_any" for r in ("require", "watch", "onchanges", "onfail")]
)

# The global arguments a config sets by name, with what Salt accepts for each (salt/state.py); the rest of
# STATE_INTERNAL_KEYWORDS are Salt's own bookkeeping.
GLOBAL_TYPES = {
    "check_cmd": "Arg<string | List>",
    "creates": "Arg<string | List>",
    "fire_event": "Arg<boolean | string>",
    "names": "Arg<List>",
    "no_log": "Arg<boolean>",
    "onfail_stop": "Arg<boolean>",
    "onlyif": "Arg<string | boolean | List>",
    "parallel": "Arg<boolean>",
    "reload_grains": "Arg<boolean>",
    "reload_modules": "Arg<boolean>",
    "reload_pillar": "Arg<boolean>",
    "retry": "Arg<boolean | Dict>",
    "runas": "Arg<string>",
    "runas_password": "Arg<string>",
    "saltenv": "Arg<string>",
    "umask": "Arg<string | number>",
    "unless": "Arg<string | boolean | List>",
}

# How much of Salt's documentation the hover text carries: enough to tell what an argument is, while the
# generated declarations stay small enough for every `dsl check` to read quickly.
ARG_DOC_CHARS = 320
SUMMARY_CHARS = 600

# State functions whose keyword arguments are execution functions to call, by name (`test.kwarg: [...]`):
# any `module.function` key is theirs.
DOTTED_KWARGS = frozenset(["module.run", "module.wait"])

# State functions that take any argument by design and ignore it: test.nop, the no-op that carries data
# (a `use` source, a placeholder).
ANY_KWARGS = frozenset(["test.nop"])

# Entry fields that go into the TypeScript declarations only (the JSON the compiler loads stays small).
TS_ONLY = "_ts"


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


def summary(doc: str | None) -> str:
    """The docstring's opening prose (directives skipped), for the hover text of the function."""
    if not doc:
        return ""
    lines = inspect.cleandoc(doc).splitlines()
    start = next((i for i, l in enumerate(lines) if l.strip() and not l.startswith((" ", ".. ", ":"))), None)
    return prose(lines[start:], SUMMARY_CHARS) if start is not None else ""


def virtual_name(mod, filename: str) -> str:
    vname = getattr(mod, "__virtualname__", None)
    if inspect.isfunction(getattr(mod, "__virtual__", None)) and isinstance(vname, str) and vname:
        return vname
    return filename


def introspect_module(mod, vname: str, globals_: set[str]) -> dict[str, dict]:
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
        fname = aliases.get(attr, attr)
        docs = parse_args(func.__doc__, ARG_DOC_CHARS)
        # keyword arguments the docstring documents as the state's own (pkg.installed's `hold`): accepted
        # by name like the signature's; any other extra argument needs the explicit `extra` escape
        # (or reads from **kwargs itself, as file.directory reads `mode`)
        documented = (
            [
                n
                for n in dict.fromkeys([*docs, *kwargs_read(func)])
                if n not in params
                and n != "kwargs"
                and not n.startswith("__")
                and n not in globals_
                and n not in OPTION_KEYS
            ]
            if spec.keywords
            else []
        )
        entry = {
            "doc": first_sentence(func.__doc__),
            "kwargs": bool(spec.keywords),
            "params": params,
            "required": [a for a in lookup["args"] if a != "name"],
        }
        if documented:
            entry["documented"] = documented
        if spec.varargs:
            entry["varargs"] = True
        entry[TS_ONLY] = {
            "summary": summary(func.__doc__),
            "types": arg_types(f"{vname}.{fname}", func, spec, docs, documented),
            "docs": {n: d.text for n, d in docs.items() if d.text},
        }
        out[fname] = entry
    return out


def merge(a: dict, b: dict) -> dict:
    """Two files define the same state (platform variants): accept what either accepts."""
    params = list(a["params"]) + [p for p in b["params"] if p not in a["params"]]
    documented = [p for p in a.get("documented", []) + b.get("documented", []) if p not in params]
    out = {
        "doc": a["doc"] or b["doc"],
        "kwargs": a["kwargs"] or b["kwargs"],
        "params": params,
        "required": [p for p in a["required"] if p in b["required"]],
    }
    if documented:
        out["documented"] = list(dict.fromkeys(documented))
    if a.get("varargs") or b.get("varargs"):
        out["varargs"] = True
    for flag in ("dotted_kwargs", "any_kwargs"):
        if a.get(flag) or b.get(flag):
            out[flag] = True
    ta, tb = a[TS_ONLY], b[TS_ONLY]
    names = list(dict.fromkeys([*ta["types"], *tb["types"]]))
    out[TS_ONLY] = {
        "summary": ta["summary"] or tb["summary"],
        # a parameter only one variant has takes any value in the other: keep the variant's own type
        "types": {n: merge_types(ta["types"].get(n), tb["types"].get(n)) for n in names},
        "docs": {**tb["docs"], **ta["docs"]},
    }
    return out


def collect(globals_: set[str]) -> tuple[dict[str, dict], dict[str, dict]]:
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
        for fname, entry in introspect_module(mod, vname, globals_).items():
            full = f"{vname}.{fname}"
            if full in DOTTED_KWARGS:
                entry["dotted_kwargs"] = True
            if full in ANY_KWARGS:
                entry["any_kwargs"] = True
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

    light = {k: {f: v for f, v in e.items() if f != TS_ONLY} for k, e in functions.items()}
    parts = [
        block("functions", light),
        '  "generator": ' + one(GENERATOR),
        '  "global_args": [\n' + ",\n".join(f"    {one(g)}" for g in glob) + "\n  ]",
        block("modules", modules),
        '  "salt_version": ' + one(version),
    ]
    return "{\n" + ",\n".join(parts) + "\n}\n"


def ts_string(s: str) -> str:
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def hover(text: str) -> str:
    """Salt's reStructuredText as the Markdown an editor's hover shows."""
    text = re.sub(r":[\w:]+:`([^`<]*?)\s*(?:<[^>]*>)?`", r"`\1`", text)  # :py:func:`pkg.install <...>`
    text = text.replace("``", "`").replace("*/", "*\\/").replace("@", "&#64;")
    if text.count("`") % 2:  # cut inside a literal or a role: end before it
        text = re.sub(r"\s*:[\w:]+:$", "", text[: text.rfind("`")].rstrip()) + "..."
    return text


def jsdoc(text: str, indent: str) -> list[str]:
    return [f"{indent}/** {hover(text)} */"] if text else []


def jsdoc_block(paragraphs: list[str], indent: str) -> list[str]:
    paragraphs = [hover(p) for p in paragraphs if p]
    if len(paragraphs) < 2:
        return jsdoc(paragraphs[0], indent) if paragraphs else []
    body = f"\n{indent} *\n".join(f"{indent} * {p}" for p in paragraphs)
    return [f"{indent}/**", body, f"{indent} */"]


def global_type(name: str, functions: dict) -> str:
    """A global argument's type, wide enough for every function with a parameter of that name (cmd.run's
    `runas`): `state()` intersects the two, which is cheaper for tsc than omitting one per call."""
    typ = GLOBAL_TYPES.get(name, "unknown")
    for entry in functions.values():
        own = entry[TS_ONLY]["types"].get(name)
        if own is not None and own != "unknown" and name in entry["params"]:
            typ = merge_types(typ, own)
    return typ


def dump_ts(version: str, glob: list[str], functions: dict) -> str:
    lines = [
        f"// Generated by {GENERATOR} from Salt {version}. Do not edit: re-run the script instead.",
        "// Every state function Salt ships (all platforms): its arguments, typed from their defaults, the",
        "// docstring and the state's own checks (`unknown` where Salt says nothing reliable), with Salt's",
        "// documentation as the hover text.",
        "",
        "import type { Arg, Dict, List, PassesOn } from './arg-types.ts'",
        "",
        f"export const SALT_VERSION = {ts_string(version)}",
        "",
        "/** Arguments every state accepts (requisites, run-time options; salt/state.py). */",
        "export interface SaltGlobalStateArgs {",
    ]
    lines += [f"  {g}?: {global_type(g, functions)}" for g in glob]
    lines += ["}", "", "/** Each state function's own arguments; required ones are not optional. */"]
    lines.append("export interface SaltStateArgs {")
    modules: dict[str, list[str]] = {}
    for full in sorted(functions):
        entry = functions[full]
        ts = entry[TS_ONLY]
        module, _, fname = full.partition(".")
        modules.setdefault(module, []).append(fname)
        lines += jsdoc(entry["doc"], "  ")
        names = [p for p in entry["params"] + entry.get("documented", []) if p not in OPTION_KEYS]
        if "name" not in names:
            names.insert(0, "name")  # Salt passes it (from the state ID) to every state, as a kwarg if need be
        # a **kwargs function passes what it does not name on: `extra` says so explicitly
        passes_on = "PassesOn & " if entry["kwargs"] else ""
        lines.append(f"  {ts_string(full)}: {passes_on}{{")
        for p in names:
            if p == "name":
                # an editor shows no documentation for the function's name (a string), so the state's own
                # documentation comes with the argument every state has
                lines += jsdoc_block([f"`{full}`: {ts['summary'] or entry['doc']}", ts["docs"].get(p, "")], "    ")
            else:
                lines += jsdoc(ts["docs"].get(p, ""), "    ")
            optional = "" if p in entry["required"] else "?"
            default = "Arg<string | number>" if p == "name" else "unknown"
            lines.append(f"    {p}{optional}: {ts['types'].get(p, default)}")
        if entry.get("dotted_kwargs"):
            lines.append("    /** An execution function to call, with its arguments: `'test.kwarg': [{ a: 1 }]`. */")
            lines.append("    [fn: `${string}.${string}`]: unknown")
        if entry.get("any_kwargs"):
            lines.append("    /** Any other argument: this state takes and ignores it. */")
            lines.append("    [kwarg: string]: unknown")
        lines.append("  }")
    lines += ["}", "", "export type SaltStateFunction = keyof SaltStateArgs", ""]
    lines.append("/** Each state module's functions, as one string (for the message of a misspelled name). */")
    lines.append("export interface SaltModuleFunctions {")
    lines += [f"  {m}: {ts_string(', '.join(fns))}" for m, fns in sorted(modules.items())]
    lines += ["}", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "dsl" / "catalog"), help="output directory")
    args = parser.parse_args()
    version = salt.version.__version__
    glob = global_args()
    modules, functions = collect(set(glob))
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
