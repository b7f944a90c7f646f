"""salt-oracle: serve many `salt-call --local --out=json` calls from one long-lived Python process.

Protocol: one JSON object per line on stdin, one JSON answer per line on the original stdout.
  -> {"id": 1, "op": "call", "key": "<spec json>", "confDir": "/tmp/x/conf", "fun": "state.show_sls",
      "args": ["a"], "kwargs": {}}
  <- {"id": 1, "ok": true, "stdout": "{\"local\": ...}\n", "stderr": "...", "retcode": 2, "exit": 1, "ms": 12.3}
  <- {"id": 1, "ok": false, "error": "..."}         a bug of the harness, not a Salt result
`retcode` is the exit status of salt-call with --retcode-passthrough, `exit` the one without.
The first line written is {"ready": true, "importMs": ...}. EOF on stdin ends the process.

Each spec gets one salt.cli.caller.Caller (the object salt-call itself drives), built from the same
option parser salt-call uses, so opts, retcode and JSON output follow the same code. Before every call
the loader __context__ is reset to its state right after start-up; the caller is rebuilt with an
empty cachedir whenever a file under file_roots/pillar_roots changes (the initial pillar and the
fileserver caches are computed once per caller).
"""

import io
import json
import os
import shutil
import sys
import time
import traceback
from collections import OrderedDict

# Keep the protocol channel private: fd 1 and fd 0 are handed to Salt (and its children) as
# stderr and /dev/null, so nothing Salt prints or spawns can corrupt or consume the protocol.
PROTO_OUT = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
PROTO_IN = os.fdopen(os.dup(0), "r", encoding="utf-8")
os.dup2(2, 1)
_devnull = os.open(os.devnull, os.O_RDONLY)
os.dup2(_devnull, 0)
os.close(_devnull)


class Router(io.TextIOBase):
    """A text stream that writes to the current call's buffer, or to the real stderr between calls."""

    def __init__(self, fallback):
        self.fallback = fallback
        self.target = None

    def writable(self):
        return True

    def write(self, s):
        (self.target if self.target is not None else self.fallback).write(s)
        return len(s)

    def flush(self):
        if self.target is None:
            self.fallback.flush()

    def isatty(self):
        return False


REAL_STDERR = sys.stderr
OUT = Router(REAL_STDERR)
ERR = Router(REAL_STDERR)
sys.stdout = OUT
sys.stderr = ERR
sys.argv[0] = "salt-call"  # opts["__cli"] is derived from it; salt.modules.state reads it
sys.path[0] = os.path.dirname(sys.executable)  # as for .venv/bin/salt-call (the pythonpath grain shows it)

_t0 = time.perf_counter()
import logging  # noqa: E402

import salt._logging  # noqa: E402
import salt._process_role  # noqa: E402
import salt.cli.call  # noqa: E402
import salt.cli.caller  # noqa: E402
import salt.config  # noqa: E402
import salt.exceptions  # noqa: E402
import salt.loader.lazy  # noqa: E402
import salt.minion  # noqa: E402
import salt.output  # noqa: E402
import salt.state  # noqa: E402, F401

IMPORT_MS = (time.perf_counter() - _t0) * 1000
salt._process_role.mark_as_cli()  # as salt.scripts.salt_call() does

# salt-call configures logging once per process and freezes it; here the parser runs once per spec,
# so logging is set up by this script instead: one console handler writing to the routed stderr.
for _name in ("set_logging_options_dict", "freeze_logging_options_dict", "setup_logging", "setup_temp_handler"):
    setattr(salt._logging, _name, lambda *a, **k: None)
salt._logging.impl.set_log_record_factory(salt._logging.impl.SaltColorLogRecord)
CONSOLE = logging.StreamHandler(ERR)
CONSOLE.setLevel(logging.WARNING)
logging.root.addHandler(CONSOLE)
salt._logging.impl.shutdown_temp_handler()  # hands records deferred during import to CONSOLE
logging.root.setLevel(logging.WARNING)

LOG_LEVELS = salt._logging.impl.LOG_LEVELS
DEFAULT_LOG_OPTS = {k: salt.config.DEFAULT_MINION_OPTS[k] for k in ("log_level", "log_fmt_console", "log_datefmt")}
DEFAULT_NAMESPACE = salt.loader.lazy.LOADED_BASE_NAME
MAX_CALLERS = int(os.environ.get("SALT_ORACLE_MAX_CALLERS", "12"))


class Entry:
    """One cached caller: the salt-call machinery for one minion spec.

    Salt 3008's loader reuses a module object already in sys.modules under the same name and re-injects
    __opts__ into it, so two callers in one process would share every module's globals (the last one to
    load `state` wins: its grains and roots leak into the other). Each caller therefore loads its modules
    under its own namespace, `oracleN.salt.loaded.*` (what Salt's deltaproxy does for its minions), and
    that namespace is made the default for every loader created while this caller works.
    """

    serial = 0

    def __init__(self, conf_dir):
        self.conf_dir = conf_dir
        Entry.serial += 1
        self.namespace = f"oracle{Entry.serial}.{DEFAULT_NAMESPACE}"
        self.activate()
        out, err = io.StringIO(), io.StringIO()
        with routed(out, err):
            try:
                self.opts = parse_config(conf_dir)
                self.fingerprint = tree_fingerprint(self.opts)
                self.caller = salt.cli.caller.Caller.factory(self.opts)
            except SystemExit as exc:  # salt-call would stop here, before calling anything
                status = exit_status(exc.code, err)
                raise StartupFailure(status, out.getvalue() + err.getvalue()) from None
        # What salt-call would print while starting up (pillar render errors...) precedes every call.
        self.startup_stderr = out.getvalue() + err.getvalue()
        self.context = self.caller.minion.executors.pack["__context__"]
        self.context0 = dict(self.context)
        self.scalars0 = {k: v for k, v in self.opts.items() if not isinstance(v, (dict, list))}
        self.keys0 = set(self.opts)

    def activate(self):
        salt.loader.lazy.LOADED_BASE_NAME = self.namespace

    def forget(self):
        """Drop the modules loaded for this caller and its cache dir (a later caller starts empty)."""
        prefix = f"{self.namespace}."
        for name in [n for n in sys.modules if n.startswith(prefix)]:
            del sys.modules[name]
        shutil.rmtree(self.opts["cachedir"], ignore_errors=True)

    @staticmethod
    def set_console(opts):
        """The console log salt-call sets up from the config: level, format."""
        level = LOG_LEVELS.get(str(opts.get("log_level") or "warning").lower(), logging.ERROR)
        CONSOLE.setLevel(level)
        logging.root.setLevel(level)
        CONSOLE.setFormatter(logging.Formatter(opts["log_fmt_console"], datefmt=opts["log_datefmt"]))

    def reset(self):
        """Put __context__ and the top-level scalar opts back to their start-up state."""
        self.context.clear()
        self.context.update(self.context0)
        for key in [k for k in self.opts if k not in self.keys0]:
            del self.opts[key]
        for key, value in self.scalars0.items():
            if self.opts.get(key) != value:
                self.opts[key] = value


class Deferred(logging.Handler):
    """Holds the records logged while the config is parsed, as salt-call's temporary handler does."""

    def __init__(self):
        super().__init__(level=1)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def parse_config(conf_dir):
    """The opts salt-call builds from `-c conf_dir --local --out=json --out-indent=-1`."""
    deferred = Deferred()
    logging.root.removeHandler(CONSOLE)
    logging.root.addHandler(deferred)
    logging.root.setLevel(1)
    opts = None
    try:
        parser = salt.cli.call.SaltCall()
        parser.parse_args(["--local", "-c", conf_dir, "--out=json", "--out-indent=-1", "test.ping"])
        opts = parser.config
    finally:
        logging.root.removeHandler(deferred)
        logging.root.addHandler(CONSOLE)
        Entry.set_console(opts if opts is not None else DEFAULT_LOG_OPTS)
        for record in deferred.records:
            if record.levelno >= CONSOLE.level:
                CONSOLE.handle(record)
    return opts


class StartupFailure(Exception):
    """salt-call exited while setting up (bad config, unreachable master ...): a result, not a bug."""

    def __init__(self, status, stderr):
        super().__init__(status)
        self.status, self.stderr = status, stderr


class routed:
    """Context manager: send sys.stdout / sys.stderr (and Salt's console log) to the given buffers."""

    def __init__(self, out, err):
        self.out, self.err = out, err

    def __enter__(self):
        OUT.target, ERR.target = self.out, self.err

    def __exit__(self, *exc):
        OUT.target = ERR.target = None


def tree_fingerprint(opts):
    """(path, mtime_ns, size, inode) of every file under file_roots and pillar_roots."""
    roots = []
    for key in ("file_roots", "pillar_roots"):
        for paths in (opts.get(key) or {}).values():
            roots.extend(paths)
    seen = []
    for root in sorted(set(roots)):
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                seen.append((path, st.st_mtime_ns, st.st_size, st.st_ino))
    return tuple(seen)


CALLERS = OrderedDict()


def get_entry(key, conf_dir):
    """The cached caller for this spec; rebuilt with an empty cachedir when the tree changed."""
    entry = CALLERS.get(key)
    if entry is not None and tree_fingerprint(entry.opts) == entry.fingerprint:
        CALLERS.move_to_end(key)
        return entry
    if entry is not None:
        drop(key)
    if not os.path.isfile(os.path.join(conf_dir, "minion")):
        raise RuntimeError(f"minion config not found: {os.path.join(conf_dir, 'minion')}")
    entry = Entry(conf_dir)
    CALLERS[key] = entry
    while len(CALLERS) > MAX_CALLERS:
        drop(next(iter(CALLERS)))
    return entry


def drop(key):
    entry = CALLERS.pop(key, None)
    if entry is not None:
        entry.forget()


def exit_status(code, err):
    """The process exit status Python gives SystemExit(code)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    err.write(f"{code}\n")
    return 1


def run_call(req):
    try:
        entry = get_entry(req["key"], req["confDir"])
    except StartupFailure as exc:
        return {"stdout": "", "stderr": exc.stderr, "retcode": exc.status, "exit": exc.status}
    entry.activate()
    entry.reset()
    Entry.set_console(entry.opts)
    opts = entry.opts
    args = list(req.get("args") or [])
    kwargs = req.get("kwargs") or {}
    if kwargs:
        args.append(dict(kwargs, __kwarg__=True))
    opts["fun"] = req["fun"]
    opts["arg"] = args
    out, err = io.StringIO(), io.StringIO()
    with routed(out, err):
        try:
            ret = entry.caller.call()
            # What BaseCaller.run() prints, and the exit status it picks with/without passthrough.
            print_ret = ret if opts["print_metadata"] else ret.get("return", {})
            text = salt.output.try_printout({"local": print_ret}, ret.get("out", "nested"), dict(opts))
            if text:
                out.write(f"{text}\n")
            retcode = ret.get("retcode", 0)
            plain = 0 if retcode == 0 else 1
        except SystemExit as exc:  # salt-call exits from inside call(): same status either way
            retcode = plain = exit_status(exc.code, err)
        except salt.exceptions.SaltInvocationError as exc:  # BaseCaller.run(): raise SystemExit(err)
            retcode = plain = exit_status(str(exc), err)
        except Exception:  # noqa: BLE001 - salt-call would die with this traceback
            err.write(traceback.format_exc())
            retcode = plain = 1
    clean_proc_dir(opts)
    return {
        "stdout": out.getvalue(),
        "stderr": entry.startup_stderr + err.getvalue(),
        "retcode": retcode,
        "exit": plain,
    }


def clean_proc_dir(opts):
    """salt-call leaves its job file behind when it exits early; a live oracle must not."""
    proc_dir = os.path.join(opts["cachedir"], "proc")
    if os.path.isdir(proc_dir):
        for name in os.listdir(proc_dir):
            try:
                os.remove(os.path.join(proc_dir, name))
            except OSError:
                pass


def reply(obj):
    PROTO_OUT.write(json.dumps(obj, default=repr) + "\n")


def main():
    reply({"ready": True, "importMs": round(IMPORT_MS, 1)})
    for line in PROTO_IN:
        if not line.strip():
            continue
        req = json.loads(line)
        started = time.perf_counter()
        try:
            if req["op"] != "call":
                raise ValueError(f"unknown op {req['op']!r}")
            answer = run_call(req)
            answer.update(id=req["id"], ok=True)
        except BaseException as exc:  # noqa: BLE001 - report, keep serving
            answer = {"id": req.get("id"), "ok": False, "error": f"{exc!r}\n{traceback.format_exc()}"}
        answer["ms"] = round((time.perf_counter() - started) * 1000, 2)
        reply(answer)
    for key in list(CALLERS):
        drop(key)


if __name__ == "__main__":
    main()
