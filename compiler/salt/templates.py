"""Checks Jinja templates the way the pinned Salt renders them, without rendering them.

argv[1]: a JSON file: [{"file": path, "names": [context names the state gives]}]. stdout: one entry per
template: {"file": path, "problems": [{"line": n, "kind": "syntax"|"variable"|"filter", "message": "..."}]}.

The environment is Salt's own (salt/utils/templates.py, render_jinja_tmpl): a sandbox with StrictUndefined,
the same extensions, Salt's filters, tests and globals. A name the template reads that neither the state's
context, Salt's own template context nor a global provides is an UndefinedError at apply time, unless the
template only reads it behind `is defined` / `is undefined`.
"""

import importlib
import json
import logging
import os
import sys

out = os.fdopen(os.dup(1), "w", encoding="utf-8")
os.dup2(2, 1)
logging.disable(logging.CRITICAL)

import jinja2  # noqa: E402
import jinja2.ext  # noqa: E402
import jinja2.meta  # noqa: E402
import jinja2.nodes  # noqa: E402
import jinja2.sandbox  # noqa: E402
import salt.utils.jinja  # noqa: E402
import salt.utils.templates  # noqa: E402
from salt.utils.decorators.jinja import JinjaFilter, JinjaGlobal, JinjaTest  # noqa: E402

# every module that registers a filter, test or global, so none Salt may have loaded by render time is missing
for module in (
    "salt.modules.match",
    "salt.utils.data",
    "salt.utils.dateutils",
    "salt.utils.dictupdate",
    "salt.utils.files",
    "salt.utils.hashutils",
    "salt.utils.http",
    "salt.utils.network",
    "salt.utils.path",
    "salt.utils.stringutils",
    "salt.utils.user",
    "salt.utils.yamlencoding",
):
    try:
        importlib.import_module(module)
    except Exception:  # a module this platform cannot import registers nothing here, nor at apply
        pass

# what file.managed puts in every file template's context (salt/modules/file.py get_managed). Not `sls` nor
# the tpl*/sls* names: Salt's wrapper adds those only where `sls` is in the context (SLS files), and a file
# template reading `sls` fails at apply with "'sls' is undefined" (measured on 3008.4)
SALT_CONTEXT = {"name", "source", "user", "group", "mode", "attrs", "saltenv", "salt", "pillar", "grains", "opts"}


def environment():
    extensions = ["jinja2.ext.do", "jinja2.ext.loopcontrols", salt.utils.jinja.SerializerExtension]
    env = jinja2.sandbox.SandboxedEnvironment(undefined=jinja2.StrictUndefined, extensions=extensions)
    env.tests.update(JinjaTest.salt_jinja_tests)
    env.filters.update(JinjaFilter.salt_jinja_filters)
    env.globals.update(JinjaGlobal.salt_jinja_globals)
    env.globals["odict"] = dict
    env.globals["show_full_context"] = lambda: None
    env.tests["list"] = lambda v: isinstance(v, list)
    return env


def guarded(ast):
    """Names the template tests with `is defined` / `is undefined`: reading them may be safe."""
    names = set()
    for test in ast.find_all(jinja2.nodes.Test):
        if test.name in ("defined", "undefined") and isinstance(test.node, jinja2.nodes.Name):
            names.add(test.node.name)
    return names


def assigned(ast):
    """Names the template sets itself (`set`, `for`, macro arguments, `with`): Jinja's own analysis counts a name
    set in each branch of an `if` as undeclared, though it is defined wherever it is read."""
    names = set()
    for node in ast.find_all((jinja2.nodes.Assign, jinja2.nodes.AssignBlock, jinja2.nodes.For)):
        for target in node.target.find_all(jinja2.nodes.Name) if not isinstance(node.target, jinja2.nodes.Name) else [node.target]:
            names.add(target.name)
    for macro in ast.find_all((jinja2.nodes.Macro, jinja2.nodes.CallBlock)):
        names.update(arg.name for arg in macro.args)
    for scope in ast.find_all(jinja2.nodes.With):
        for target in scope.targets:
            names.update(n.name for n in ([target] if isinstance(target, jinja2.nodes.Name) else target.find_all(jinja2.nodes.Name)))
    return names


def first_line(ast, name):
    for node in ast.find_all(jinja2.nodes.Name):
        if node.name == name and node.ctx == "load":
            return node.lineno
    return 1


def check(env, entry):
    with open(entry["file"], encoding="utf-8") as f:
        text = f.read()
    try:
        ast = env.parse(text)
    except jinja2.TemplateSyntaxError as exc:
        return [{"line": exc.lineno or 1, "kind": "syntax", "message": exc.message or str(exc)}]
    try:
        env.compile(ast, filename=entry["file"])
    except jinja2.TemplateAssertionError as exc:  # an unknown filter or test (the names cannot be walked then)
        return [{"line": exc.lineno or 1, "kind": "filter", "message": exc.message or str(exc)}]
    problems = []
    known = SALT_CONTEXT | set(entry["names"]) | set(env.globals) | guarded(ast) | assigned(ast)
    for name in sorted(jinja2.meta.find_undeclared_variables(ast) - known):
        problems.append(
            {"line": first_line(ast, name), "kind": "variable", "message": f"'{name}' is undefined"}
        )
    return problems


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        entries = json.load(f)
    env = environment()
    results = []
    for entry in entries:
        try:
            problems = check(env, entry)
        except UnicodeDecodeError as exc:
            problems = [{"line": 1, "kind": "syntax", "message": f"not UTF-8: {exc.reason}"}]
        results.append({"file": entry["file"], "problems": problems})
    json.dump(results, out)
    out.flush()


main()
