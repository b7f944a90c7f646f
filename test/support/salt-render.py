"""Render SLS texts with Salt's own render pipeline, one JSON line in, one JSON line out.

Input lines:  {"text": "...", "renderer": "yaml" | "jinja|yaml", "loader": "pure" (optional)}
  "loader": "pure" swaps Salt's YAML loader for the same SaltYamlSafeLoader built on PyYAML's pure-Python
  SafeLoader (what Salt uses where libyaml is missing); by default Salt picks CSafeLoader (libyaml).
  The pillar seen by Jinja is fixed: {"salt_dsl": {"answer": 42, "words": ["on", "0644"]}}.
Output lines: {"data": <encoded value>} or {"error": "..."}

Encoding of values JSON cannot carry:
  floats nan/inf/-inf -> {"$float": "nan" | "inf" | "-inf"}
  mappings with non-string keys -> {"$map": [[key, value], ...]}
  bytes -> {"$bytes": "<base64>"}; anything else -> {"$type": "<name>", "repr": "..."}
  a real key that starts with "$" gets one more "$" in front, so markers never collide with data.
"""

import base64
import importlib.util
import json
import logging
import math
import os
import sys
import tempfile

logging.disable(logging.CRITICAL)

import salt.config  # noqa: E402
import salt.loader  # noqa: E402
import salt.template  # noqa: E402
import salt.utils.yamlloader  # noqa: E402
import yaml  # noqa: E402


def pure_loader_class():
    """Salt's SaltYamlSafeLoader, loaded again from its own source with libyaml hidden."""
    spec = importlib.util.spec_from_file_location("_salt_yamlloader_pure", salt.utils.yamlloader.__file__)
    module = importlib.util.module_from_spec(spec)
    c_loader = yaml.__dict__.pop("CSafeLoader", None)
    try:
        spec.loader.exec_module(module)
    finally:
        if c_loader is not None:
            yaml.CSafeLoader = c_loader
    assert module.SaltYamlSafeLoader.__mro__[1] is yaml.SafeLoader
    return module.SaltYamlSafeLoader


def make_opts(root):
    opts = salt.config.DEFAULT_MINION_OPTS.copy()
    opts.update(
        {
            "file_client": "local",
            "cachedir": os.path.join(root, "cache"),
            "file_roots": {"base": [os.path.join(root, "srv")]},
            "pillar_roots": {"base": [os.path.join(root, "pillar")]},
            "id": "salt-dsl-test",
            "grains": {},
            "pillar": {"salt_dsl": {"answer": 42, "words": ["on", "0644"]}},
        }
    )
    for path in (opts["cachedir"], opts["file_roots"]["base"][0], opts["pillar_roots"]["base"][0]):
        os.makedirs(path, exist_ok=True)
    return opts


def encode(value):
    if isinstance(value, float):
        if math.isnan(value):
            return {"$float": "nan"}
        if math.isinf(value):
            return {"$float": "inf" if value > 0 else "-inf"}
        return value
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value):
            return {("$" + key if key.startswith("$") else key): encode(v) for key, v in value.items()}
        return {"$map": [[encode(key), encode(v)] for key, v in value.items()]}
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    return {"$type": type(value).__name__, "repr": repr(value)}


def render_with_loader(loader_class, render_pipe):
    original = salt.utils.yamlloader.SaltYamlSafeLoader
    salt.utils.yamlloader.SaltYamlSafeLoader = loader_class
    try:
        return render_pipe()
    finally:
        salt.utils.yamlloader.SaltYamlSafeLoader = original


def render(renderers, opts, line):
    try:
        item = json.loads(line)
        renderer = item["renderer"]
    except (ValueError, KeyError, TypeError) as exc:
        return {"error": f"bad input line: {exc}"}
    if renderer not in ("yaml", "jinja|yaml"):
        return {"error": f"unsupported renderer {renderer!r}"}

    def render_pipe():
        return salt.template.compile_template_str(
            item["text"],
            renderers,
            renderer,
            opts["renderer_blacklist"],
            opts["renderer_whitelist"],
        )

    try:
        if item.get("loader") == "pure":
            data = render_with_loader(PURE_LOADER, render_pipe)
        else:
            data = render_pipe()
    except Exception as exc:  # noqa: BLE001 - every failure is reported to the caller
        return {"error": f"{type(exc).__name__}: {exc}"}
    return {"data": encode(data)}


PURE_LOADER = pure_loader_class()


def main():
    sys.stdin.reconfigure(encoding="utf-8")
    sys.stdout.reconfigure(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="salt-render-") as root:
        opts = make_opts(root)
        functions = salt.loader.minion_mods(opts)
        renderers = salt.loader.render(opts, functions, pillar=opts["pillar"])
        for line in sys.stdin:
            if not line.strip():
                continue
            result = render(renderers, opts, line)
            sys.stdout.write(json.dumps(result, allow_nan=False) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
