"""The nbgrader marker syntax: which lines of a cell are the solution, which are hidden tests.

In an instructor source a cell may contain regions like::

    z = None
    ### BEGIN SOLUTION
    z = w @ x + b
    ### END SOLUTION

and, in a check cell, ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS``.
The student version replaces a solution region by a stub (``# YOUR CODE HERE`` and
``raise NotImplementedError()`` in code, ``YOUR ANSWER HERE`` in markdown) and
drops hidden tests altogether. The markers are nbgrader's, so nbgrader can import
the instructor notebooks as they are.
"""

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
REGIONS = {BEGIN_SOLUTION: ("solution", END_SOLUTION), BEGIN_HIDDEN: ("hidden", END_HIDDEN)}
ENDS = {END_SOLUTION, END_HIDDEN}


class MarkerError(ValueError):
    """A BEGIN marker without its END (or the reverse), or nested regions."""


def split_regions(source):
    """Cut a cell's source into ``[(kind, lines, indent), ...]`` with kind "visible", "solution" or "hidden".

    Marker lines themselves belong to no region; ``indent`` is the BEGIN marker's indentation
    (the stub that replaces a solution inside a function body keeps the body's indentation).
    """
    regions, kind, lines, indent, closing = [], "visible", [], "", None
    for number, line in enumerate(source.splitlines(), start=1):
        marker = line.strip()
        if marker in REGIONS:
            if closing:
                raise MarkerError(f"line {number}: {marker!r} inside an open region (expected {closing!r} first)")
            regions.append((kind, lines, indent))
            (kind, closing), lines, indent = REGIONS[marker], [], line[: len(line) - len(line.lstrip())]
        elif marker in ENDS:
            if marker != closing:
                raise MarkerError(f"line {number}: {marker!r} without its BEGIN marker")
            regions.append((kind, lines, indent))
            kind, lines, indent, closing = "visible", [], "", None
        else:
            lines.append(line)
    if closing:
        raise MarkerError(f"the region opened with {'BEGIN' + closing.removeprefix('### END')!r} is never closed")
    regions.append((kind, lines, indent))
    return [region for region in regions if region[1] or region[0] == "solution"]


def has_markers(source):
    return any(line.strip() in REGIONS for line in source.splitlines())


def student_source(source, cell_type):
    """The cell as students get it: solutions replaced by a stub, hidden tests removed."""
    lines = []
    for kind, region_lines, indent in split_regions(source):
        if kind == "visible":
            lines.extend(region_lines)
        elif kind == "solution" and cell_type == "code":
            lines.extend([indent + "# YOUR CODE HERE", indent + "raise NotImplementedError()"])
        elif kind == "solution":
            lines.append("YOUR ANSWER HERE")
    return "\n".join(lines)


def secret_lines(source):
    """The lines inside solution and hidden-test regions: what must never reach a student."""
    return [line for kind, region_lines, _ in split_regions(source) if kind != "visible" for line in region_lines]
