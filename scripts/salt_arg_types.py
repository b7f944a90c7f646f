"""The TypeScript type of each argument of a Salt state function, from what Salt itself says.

Sources, in order, each only ever widening what the one before found:
1. the signature's default: True/False -> boolean, an int or float -> number, a str -> string, a list or
   tuple -> list, a dict -> dict; None -> whatever the docstring says, plus null;
2. the docstring: `:param str x:`, `:type x: list`, `x (bool)`, `x : False`, "A list of ...";
3. the function's own source, where it plainly accepts more: `isinstance(x, str)`, `x == "value"`,
   `x in (True, False, "value")`, `is_true(x)`, `int(x)`, `str(x)`, `split_input(x)`, `x.split(`.
Where none of these says anything the type is `unknown`. A type is never narrower than what the three
sources show Salt accepting: a wrong narrow type would reject a config Salt runs.
"""

from __future__ import annotations

import inspect
import re

from salt_docstrings import ArgDoc

ORDER = ("str", "int", "float", "bool", "list", "dict")
# a str is `string | number`: Salt's YAML hands a state `minute: 5` or `version: 1.2` as numbers, and
# states (or the execution modules they call) turn them into strings
TS = {"str": "string | number", "int": "number", "float": "number", "bool": "boolean", "list": "List", "dict": "Dict"}
ISINSTANCE_NAMES = {
    "str": "str",
    "bool": "bool",
    "int": "int",
    "float": "float",
    "list": "list",
    "tuple": "list",
    "set": "list",
    "dict": "dict",
    "Mapping": "dict",
    "OrderedDict": "dict",
}

# What the three sources cannot see (a default of False for a value that is really a string): each checked
# against the state's code and its documentation examples.
OVERRIDES: dict[tuple[str, str], set[str]] = {
    # cron.present(identifier=False): the identifier is a string; False means "none"
    ("cron.present", "identifier"): {"str", "bool"},
    ("cron.absent", "identifier"): {"str", "bool"},
    ("cron.env_present", "identifier"): {"str", "bool"},
    ("cron.env_absent", "identifier"): {"str", "bool"},
    # service.running(enable=None): True enables, False disables (a string goes through is_true)
    ("service.running", "enable"): {"bool"},
    ("service.dead", "enable"): {"bool"},
}


def default_kind(value) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, dict):
        return "dict"
    return None


def shown_kind(text: str | None) -> str | None:
    """The kind of a default shown in the docstring (`no_block : False`, `wait : 3`)."""
    if text is None:
        return None
    text = text.strip().strip("`")
    if text in ("True", "False"):
        return "bool"
    if re.fullmatch(r"-?\d+", text):
        return "int"
    if re.fullmatch(r"-?\d+\.\d+", text):
        return "float"
    return None


def source_kinds(source: str, name: str) -> set[str]:
    """What the function's own code shows it accepts for `name`, beyond its default."""
    ref = rf"(?<![\w.]){re.escape(name)}\b"
    found: set[str] = set()
    for match in re.finditer(rf"isinstance\(\s*{ref}\s*,\s*(\([^)]*\)|[\w.]+)", source):
        for word in re.findall(r"[\w]+", match.group(1)):
            if word in ("string_types", "text_type"):
                word = "str"
            if word in ISINSTANCE_NAMES:
                found.add(ISINSTANCE_NAMES[word])
    if re.search(rf"{ref}\s*(?:==|!=)\s*[\"']", source) or re.search(
        rf"{ref}\s+(?:not\s+)?in\s+[\(\[\{{][^)\]}}]*[\"']", source
    ):
        found.add("str")
    if re.search(rf"is_true\(\s*{ref}\s*\)", source):
        found |= {"str", "int"}
    if re.search(rf"(?:int|float)\(\s*{ref}\s*\)", source):
        found |= {"str", "int", "float"}
    if re.search(rf"(?<![\w.])str\(\s*{ref}\s*\)", source):
        found |= {"int", "float"}
    if re.search(rf"split_input\(\s*{ref}\b|{ref}\.split\(", source):
        found.add("str")
    if re.search(rf"{ref}\.(?:items|keys|values)\(\)", source):
        found.add("dict")
    if re.search(rf"for\s+[\w, ]+\s+in\s+{ref}\s*:|{ref}\.append\(", source):
        found.add("list")
    return found


def checks_only(source: str, name: str, kind: str) -> bool:
    """`isinstance(x, str)` alone, for an argument whose default is a str: something else arrives too."""
    ref = rf"(?<![\w.]){re.escape(name)}\b"
    own = {w for w, k in ISINSTANCE_NAMES.items() if k == kind}
    for match in re.finditer(rf"isinstance\(\s*{ref}\s*,\s*(\([^)]*\)|[\w.]+)", source):
        words = set(re.findall(r"\w+", match.group(1))) - {"six", "string_types", "text_type"}
        if words and words <= own:
            return True
    return False


def kwargs_read(func) -> list[str]:
    """The keyword arguments the function reads from its **kwargs itself (file.directory's `mode`)."""
    try:
        source = inspect.getsource(func)
    except (OSError, TypeError):
        return []
    if func.__doc__:
        source = source.replace(func.__doc__, "")
    found = re.findall(
        r"kwargs\.(?:get|pop)\(\s*[\"'](\w+)[\"']|[\"'](\w+)[\"']\s+(?:not\s+)?in\s+kwargs\b|kwargs\[[\"'](\w+)[\"']\]",
        source,
    )
    return list(dict.fromkeys(next(g for g in groups if g) for groups in found))


def prose_kind(doc: ArgDoc | None) -> str | None:
    """"A list of ...", "A dictionary of ...": what the description opens with (it can contradict `:param str`)."""
    if doc is None:
        return None
    match = re.match(r"(?:An?\s+)?(?:[\w-]+\s+)?(list|dictionary|dict)\b", doc.full, re.I)
    if match:
        return "list" if match.group(1).lower() == "list" else "dict"
    return None


def ts_type(kinds: set[str] | None, nullable: bool) -> str:
    if not kinds:
        return "unknown"
    parts = list(dict.fromkeys(p for k in ORDER if k in kinds for p in TS[k].split(" | ")))
    if nullable:
        parts.append("null")
    return f"Arg<{' | '.join(parts)}>"


def arg_types(full: str, func, spec, docs: dict[str, ArgDoc], documented: list[str]) -> dict[str, str]:
    """The TypeScript type of each parameter and documented keyword argument of `func`, by name."""
    try:
        source = inspect.getsource(func)
    except (OSError, TypeError):
        source = ""
    # the code only: the docstring's examples would read as code
    if func.__doc__:
        source = source.replace(func.__doc__, "")
    defaults = list(spec.defaults or ())
    first_default = len(spec.args) - len(defaults)
    out: dict[str, str] = {}
    for index, name in enumerate(spec.args):
        doc = docs.get(name)
        has_default = index >= first_default
        default = defaults[index - first_default] if has_default else None
        kinds: set[str] = set()
        nullable = has_default and default is None
        if has_default and default is not None:
            kind = default_kind(default)
            if kind is None:
                out[name] = "unknown"
                continue
            kinds.add(kind)
        if doc is not None:
            kinds |= doc.kinds
            kind = prose_kind(doc)
            if not kinds:
                # from nothing, only "A list of" says enough ("A json dict" may be a JSON string)
                kind = shown_kind(doc.shown_default) or (kind if kind == "list" else None)
            if kind:
                kinds.add(kind)
        if has_default and default is not None and checks_only(source, name, default_kind(default) or ""):
            out[name] = "unknown"  # mount.mounted(opts="defaults") checks for a str: a list arrives too
            continue
        kinds |= OVERRIDES.get((full, name), set())
        if kinds:
            kinds |= source_kinds(source, name)
            # "Set this to False to skip the backup" (a string whose False turns something off)
            if doc is not None and re.search(r"\b(?:True|False)\b", doc.full):
                kinds.add("bool")
        if name == "name":
            kinds, nullable = {"str"}, False
        out[name] = ts_type(kinds, nullable)
    for name in documented:
        doc = docs.get(name, ArgDoc())
        kinds = set(doc.kinds)
        kind = shown_kind(doc.shown_default)
        if kind:
            kinds.add(kind)
        if kinds:
            kinds |= source_kinds(source, name)
        out[name] = ts_type(kinds, False)
    return out


def merge_types(a: str | None, b: str | None) -> str:
    """Two platform variants of one state: the type accepting what either accepts."""
    if a is None or b is None:
        return a or b or "unknown"
    if a == "unknown" or b == "unknown":
        return "unknown"
    parts = [p for t in (a, b) for p in t[len("Arg<") : -1].split(" | ")]
    ordered = list(dict.fromkeys(p for k in ORDER for p in TS[k].split(" | "))) + ["null"]
    return f"Arg<{' | '.join(p for p in dict.fromkeys(ordered) if p in parts)}>"
