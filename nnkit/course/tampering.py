"""Signs that a submission tampered with its own kernel, and with which notebook it was handed in.

The verdicts are computed outside the student's kernel (``nnkit.course.judge``), so a submission that patches its
own interpreter gains nothing; it still tells the instructor something: an IPython input transformer that wraps
every later cell in ``try/except``, a rebound check function, a patched ``np.allclose``, a patched builtin, an
import hook. Before each graded check cell (and once at the end) the
grader inserts a *probe* cell that reports what it finds; the grader reads the report from the executed notebook
and turns it into flags, which go to the instructor (``summary.csv``, the console) and never to the student.

A probe is a tripwire, not a proof: code that rewrites the probe's own source before it runs could silence it,
but then the probe's report is missing, and a missing report is flagged too. A flagged submission is one for the
instructor to read; the score is what the checks gave.
"""

import difflib
import json
import re
import secrets

import nbformat

PROBE_TAG = "nnkit_probe"
CHECK_NAMES = ("attempting", "check_array", "check_attempted", "check_gradient", "check_that", "check_module",
               "check_loss", "check_optimizer")

# Runs in the student's kernel. Everything it uses is looked up fresh from sys.modules or builtins, and the
# report is printed in one line after the marker, so the grader can find it among the cell's outputs.
PROBE_SOURCE = '''\
def __nnkit_probe(marker):
    import builtins, json, sys, types
    found = []
    ip = get_ipython()
    if ip is not None:
        for transformer in [*ip.input_transformers_cleanup, *ip.input_transformers_post, *ip.ast_transformers]:
            module = getattr(transformer, "__module__", None) or type(transformer).__module__
            if not module.startswith(("IPython", "ipykernel")):
                found.append("input transformer")
        if ip.events.callbacks.get("pre_run_cell") or ip.events.callbacks.get("post_run_cell"):
            found.append("cell event hook")
        if ip.custom_exceptions:
            found.append("custom exception handler")
    np = sys.modules.get("numpy")
    if np is not None:
        for name in ("allclose", "isclose", "array_equal", "all", "any", "abs"):
            fn = getattr(np, name, None)
            if getattr(fn, "__module__", "numpy").split(".")[0] != "numpy":
                found.append("patched numpy." + name)
        testing = getattr(np, "testing", None)
        fn = getattr(testing, "assert_allclose", None)
        if fn is not None and fn.__module__.split(".")[0] != "numpy":
            found.append("patched numpy.testing.assert_allclose")
    checks = sys.modules.get("nnkit.course.checks")
    if checks is not None:
        for name in __nnkit_check_names:
            fn = getattr(checks, name, None)
            code = getattr(getattr(fn, "__wrapped__", fn), "__code__", None)  # contextmanagers keep __wrapped__
            if fn is not None and (code is None or not code.co_filename.endswith("nnkit/course/checks.py")):
                found.append("patched check " + name)
            user = globals().get(name)
            if user is not None and fn is not None and user is not fn:
                found.append("rebound check " + name)
    for name in ("print", "isinstance", "abs", "len", "__import__", "exec", "eval", "compile", "getattr"):
        if not isinstance(getattr(builtins, name), types.BuiltinFunctionType):
            found.append("patched builtin " + name)
    for name in ("NotImplementedError", "AssertionError", "Exception", "BaseException", "NameError", "TypeError",
                 "ValueError"):
        if getattr(getattr(builtins, name, None), "__module__", None) != "builtins":
            found.append("patched builtin " + name)
    standard = ("BuiltinImporter", "FrozenImporter", "PathFinder", "_EditableFinder", "VendorImporter",
                "_SixMetaPathImporter", "DistutilsMetaFinder", "_ImportHookChainedLoader")
    for finder in sys.meta_path:
        name = getattr(finder, "__name__", type(finder).__name__)
        if name not in standard and not type(finder).__module__.startswith(("_frozen", "importlib", "six",
                                                                              "setuptools", "_distutils_hack",
                                                                              "__editable__", "pkg_resources")):
            found.append("import hook " + name)
    if sys.gettrace() is not None or sys.getprofile() is not None:
        found.append("trace hook")
    builtins.print(marker + json.dumps(sorted(set(found))))
__nnkit_probe({marker!r})
del __nnkit_probe
'''


def new_marker():
    return f"NNKIT-PROBE-{secrets.token_hex(8)}:"


def probe_cell(marker, position):
    source = f"__nnkit_check_names = {CHECK_NAMES!r}\n" + PROBE_SOURCE.replace("{marker!r}", repr(marker))
    return nbformat.v4.new_code_cell(source, metadata={PROBE_TAG: position})


def probe_flags(executed, marker, expected):
    """Flags from the executed probes: what they reported, and a missing report where a probe should have run."""
    flags, reported = set(), 0
    for cell in executed.cells:
        if PROBE_TAG not in cell.metadata or cell.metadata.get("nnkit_run") is None:
            continue
        text = "".join(output.get("text", "") for output in cell.get("outputs", []))
        reports = [line[len(marker):] for line in text.splitlines() if line.startswith(marker)]
        if len(reports) != 1:
            flags.add("probe report missing or duplicated")
            continue
        reported += 1
        try:
            flags.update(json.loads(reports[0]))
        except ValueError:
            flags.add("probe report garbled")
    ran = sum(1 for cell in executed.cells if PROBE_TAG in cell.metadata and cell.metadata.get("nnkit_run"))
    if ran < expected and reported < ran:
        flags.add("probe report missing or duplicated")
    return sorted(flags)


# Code that reaches beyond the student's own computation: the instructor should read a notebook that has it, whatever
# it scored (an honest solution of these exercises needs none of it).
REACHING_CODE = {
    "signals or kills processes": r"\bos\s*\.\s*(kill|killpg)\b|\bsignal\s*\.\s*(signal|pthread_kill)\b",
    "starts processes": r"\bos\s*\.\s*(fork|system|exec\w*|spawn\w*|popen)\b|\bsubprocess\b|\bmultiprocessing\b",
    "uses ctypes": r"\bctypes\b",
    "opens sockets": r"\bsocket\b",
    "names a file outside its folder": r"""['"](/|\.\./)[^'"\s]*['"]""",
    "uses the grader's own modules": r"\bnnkit\s*\.\s*course\s*\.\s*(?!checks\b)\w+|\bfrom\s+nnkit\.course\s+import",
    "reaches into the interpreter": r"\bget_ipython\b|\bsys\s*\.\s*(modules|meta_path|settrace|setprofile)\b"
                                    r"|\bimport\s+builtins\b|\b__builtins__\b|\bgc\s*\.\s*get_referr",
}


def reaching_code_flags(notebook, checked_ids):
    """Flags for the student's code cells (not the instructor's locked cells ``checked_ids``: the setup and the
    checks) with code of REACHING_CODE."""
    found = set()
    for cell in notebook.cells:
        metadata = cell.metadata.get("nbgrader")
        grade_id = metadata.get("grade_id") if isinstance(metadata, dict) else None
        if cell.cell_type != "code" or grade_id in checked_ids or cell.get("id") in checked_ids:
            continue
        found.update(f"code that {what}" for what, pattern in REACHING_CODE.items() if re.search(pattern, cell.source))
    return sorted(found)


def markdown_text_of(notebook):
    return [line.strip() for cell in notebook.cells if cell.cell_type == "markdown"
            for line in cell.source.splitlines() if len(line.strip()) > 20]


def closest_exercise(notebook, exercises):
    """(name, similarity) of the exercise whose student version's text the submission resembles most."""
    text = markdown_text_of(notebook)

    def similarity(exercise):
        theirs = markdown_text_of(exercise.student)
        return difflib.SequenceMatcher(None, text, theirs, autojunk=False).ratio() if text and theirs else 0.0
    scored = sorted(((similarity(exercise), exercise.name) for exercise in exercises), reverse=True)
    return (scored[0][1], scored[0][0]) if scored else (None, 0.0)
