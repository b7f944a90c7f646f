"""Read what Salt's state docstrings say about their arguments: per-argument text, a type where the text
states one plainly, and the `.. code-block:: yaml` examples.

Salt's state docstrings document arguments in three regular ways, all read here:
- a definition list: the argument's name alone at the docstring's left margin (optionally `name : default`
  or `name (type)`), its description indented below;
- Sphinx fields: `:param str name: text` (the type is optional) and `:type name: str`;
- both mixed in one docstring.
Anything else (prose that mentions an argument) is not read: a type comes only from a plain statement.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field

TERM = re.compile(r"^\*{0,2}`{0,2}([a-z_][a-z0-9_]*)`{0,2}\*{0,2}\s*(?:\(([^)]*)\))?\s*(?::\s*(.*))?$")
PARAM = re.compile(r"^:param\s+(?:([^:]+?)\s+)?([a-z_][a-z0-9_]*)\s*:\s*(.*)$")
TYPE_FIELD = re.compile(r"^:type\s+([a-z_][a-z0-9_]*)\s*:\s*(.*)$")
FIELD = re.compile(r"^:[a-z]+")
DIRECTIVE = re.compile(r"^\.\.\s")

# the words Salt's docstrings use for a type, and what each is in TypeScript's terms
TYPE_WORDS = {
    "str": "str",
    "string": "str",
    "bool": "bool",
    "boolean": "bool",
    "int": "int",
    "integer": "int",
    "float": "float",
    "list": "list",
    "dict": "dict",
    "dictionary": "dict",
}


@dataclass
class ArgDoc:
    text: str = ""
    # the kinds the docstring states plainly (str, bool, int, float, list, dict); empty when it does not
    kinds: set[str] = field(default_factory=set)
    # the default the docstring shows in `name : default`, as written
    shown_default: str | None = None
    # the whole description, for the type rules (the hover text is cut short)
    full: str = ""


def type_kinds(text: str) -> set[str] | None:
    """`str`, `list or str`, `str|list`, `list(str)`, `bool`: the kinds, or None when a word is unknown."""
    words = [w for w in re.split(r"\s*(?:\bor\b|\||,|/)\s*", text.strip().lower()) if w]
    kinds: set[str] = set()
    for word in words:
        word = re.sub(r"\(.*\)$|\[.*\]$", "", word).strip()
        if word not in TYPE_WORDS:
            return None
        kinds.add(TYPE_WORDS[word])
    return kinds or None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _block(lines: list[str], start: int, margin: int) -> tuple[list[str], int]:
    """The lines after `start` indented deeper than `margin` (blank lines inside kept), and where it ends."""
    out: list[str] = []
    i = start
    while i < len(lines):
        line = lines[i]
        if line.strip() and _indent(line) <= margin:
            break
        out.append(line)
        i += 1
    while out and not out[-1].strip():
        out.pop()
    return out, i


def prose(lines: list[str], limit: int) -> str:
    """The first paragraph of text (directives and literal blocks skipped), cut to about `limit` characters."""
    para: list[str] = []
    skip_margin: int | None = None
    for line in lines:
        stripped = line.strip()
        if skip_margin is not None:
            if not stripped or _indent(line) > skip_margin:
                continue
            skip_margin = None
        if not stripped:
            if para:
                break
            continue
        if DIRECTIVE.match(stripped) or stripped.endswith("::"):
            if para:
                break
            skip_margin = _indent(line)
            continue
        para.append(stripped)
    text = " ".join(para)
    if len(text) > limit:
        cut = re.search(r"[.!?](?=\s)", text[limit // 2 : limit])
        text = text[: limit // 2 + cut.end()] if cut else text[: limit - 3].rstrip() + "..."
    return text


def parse_args(doc: str | None, limit: int) -> dict[str, ArgDoc]:
    """Each argument the docstring documents, by name."""
    if not doc:
        return {}
    lines = inspect.cleandoc(doc).splitlines()
    out: dict[str, ArgDoc] = {}
    types: dict[str, set[str]] = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped or _indent(line) > 0:
            i += 1
            continue
        if DIRECTIVE.match(stripped):
            _, i = _block(lines, i + 1, 0)
            continue
        param = PARAM.match(stripped)
        if param:
            type_text, name, first = param.groups()
            body, i = _block(lines, i + 1, 0)
            entry = out.setdefault(name, ArgDoc())
            entry.text = prose([first, *body], limit) if first else prose(body, limit)
            entry.full = " ".join(l.strip() for l in [first, *body])
            kinds = type_kinds(type_text) if type_text else None
            if kinds:
                entry.kinds |= kinds
            continue
        typ = TYPE_FIELD.match(stripped)
        if typ:
            kinds = type_kinds(typ.group(2))
            if kinds:
                types.setdefault(typ.group(1), set()).update(kinds)
            i += 1
            continue
        term = TERM.match(stripped)
        nxt = next((l for l in lines[i + 1 :] if l.strip()), "")
        if term and not FIELD.match(stripped) and _indent(nxt) > 0 and i + 1 < len(lines) and lines[i + 1].strip():
            name, paren, after = term.groups()
            body, i = _block(lines, i + 1, 0)
            entry = out.setdefault(name, ArgDoc())
            entry.text = prose(body, limit)
            entry.full = " ".join(l.strip() for l in body)
            kinds = type_kinds(paren) if paren else None
            if after is not None and after.strip():
                shown = after.strip()
                after_kinds = type_kinds(shown)
                if after_kinds and shown.lower() not in ("none",):
                    kinds = (kinds or set()) | after_kinds
                else:
                    entry.shown_default = shown
            if kinds:
                entry.kinds |= kinds
            continue
        i += 1
    for name, kinds in types.items():
        if name in out:
            out[name].kinds |= kinds
    return out


YAML_BLOCK = re.compile(r"^(\s*)\.\. code-block::\s*(yaml|jinja|sls)\s*$")


def yaml_examples(doc: str | None) -> list[str]:
    """The `.. code-block:: yaml` (or `jinja`, `sls`) blocks of a docstring, dedented."""
    if not doc:
        return []
    lines = inspect.cleandoc(doc).splitlines()
    found: list[str] = []
    i = 0
    while i < len(lines):
        match = YAML_BLOCK.match(lines[i])
        if not match:
            i += 1
            continue
        margin = len(match.group(1))
        i += 1
        while i < len(lines) and _indent(lines[i]) > margin and lines[i].strip().startswith(":"):
            i += 1  # directive options (:linenos:, :emphasize-lines:)
        body, i = _block(lines, i, margin)
        text = inspect.cleandoc("\n".join(body))
        if text.strip():
            found.append(text)
    return found
