"""Run one notebook in a fresh kernel, recording what each cell did: the grader's worker process.

    python -m nnkit.course.run_notebook IN.ipynb OUT.ipynb [--timeout-cell 30] [--max-output 20000]

Every cell runs (errors do not stop the run). A cell that runs past ``--timeout-cell``
seconds is interrupted and recorded as timed out; a cell's output is capped at
``--max-output`` characters while it arrives, so a print loop cannot fill the memory.
If the kernel dies (``os._exit``, a segfault, the memory killer), the run stops and the
notebook records in which cell. After every cell OUT is rewritten, so whatever ran
before a hard kill by the grader is kept. The kernel's PID is written to
``kernel.pid`` next to OUT so that the grader can kill a kernel that ignores interrupts.

Each executed cell gets ``metadata.nnkit_run = {"status": "ok" | "error" | "timeout", "ename", "evalue"}``;
the notebook gets ``metadata.nnkit_run = {"finished": bool, "kernel_died_in_cell": index or None}``.
"""

import argparse
import json
import os
import sys
from pathlib import Path

# jsonschema (under nbformat) imports rfc3987_syntax, when installed, only to validate IRIs, which notebooks do
# not contain; it compiles a grammar for ~3 s at every start. Declared absent, each run starts 3 s sooner.
sys.modules.setdefault("rfc3987_syntax", None)


import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import DeadKernelError  # noqa: E402

TIMEOUT_ENAME = "CellTimeout"
KERNEL_STARTUP_SECONDS = 120  # nbclient's 60 s was seen to run out on a loaded 2-core machine
KERNEL_START_ATTEMPTS = 2


class CappedOutputClient(NotebookClient):
    """nbclient's client with a per-cell budget of output characters; what exceeds it is dropped, and said so."""

    max_output_chars = 20_000

    def output(self, outs, msg, display_id, cell_index):
        used = self._output_used.get(cell_index, 0)
        if used >= self.max_output_chars:
            return None
        size = len(json.dumps(msg["content"], default=str))
        self._output_used[cell_index] = used + size
        if used + size < self.max_output_chars:
            return super().output(outs, msg, display_id, cell_index)
        cut = f"\n[output truncated by the grader after {self.max_output_chars} characters]\n"
        note = nbformat.v4.new_output("stream", name="stderr", text=cut)
        if msg["msg_type"] == "stream":
            outs.append(nbformat.v4.new_output("stream", name=msg["content"]["name"],
                                               text=msg["content"]["text"][: self.max_output_chars - used]))
        outs.append(note)
        return note


def run(in_path, out_path, timeout_cell=30, max_output=20_000):
    out_path = Path(out_path)
    notebook = nbformat.read(in_path, as_version=4)
    notebook.metadata["nnkit_run"] = {"finished": False, "kernel_died_in_cell": None}
    current = {"index": None}

    def save():
        # write-then-rename: a hard kill by the grader never leaves half a file behind
        partial = out_path.with_suffix(".partial")
        nbformat.write(notebook, partial)
        os.replace(partial, out_path)

    def on_start(notebook, **_):
        (out_path.parent / "kernel.pid").write_text(str(client.km.provisioner.process.pid))

    def on_cell_start(cell, cell_index, **_):
        current["index"] = cell_index

    def on_cell_executed(cell, cell_index, execute_reply, **_):
        content = execute_reply["content"] if execute_reply else {"status": "ok"}
        status = "timeout" if content.get("ename") == TIMEOUT_ENAME else content["status"]
        cell.metadata["nnkit_run"] = {"status": status, "ename": content.get("ename"),
                                      "evalue": str(content.get("evalue", ""))[:max_output]}
        save()

    def new_client():
        client = CappedOutputClient(
            notebook, timeout=timeout_cell, interrupt_on_timeout=True, allow_errors=True, kernel_name="python3",
            # every cell's result is saved the moment it is known: the kernel can be killed, not asked to finish
            shutdown_kernel="immediate",
            startup_timeout=KERNEL_STARTUP_SECONDS,
            error_on_timeout={"ename": TIMEOUT_ENAME, "traceback": [],
                              "evalue": f"the cell ran longer than {timeout_cell} s and was stopped"},
            on_notebook_start=on_start, on_cell_start=on_cell_start, on_cell_executed=on_cell_executed,
            resources={"metadata": {"path": str(out_path.parent)}},
        )
        client.max_output_chars = max_output
        client._output_used = {}
        return client

    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        client = new_client()
        try:
            client.execute()
            notebook.metadata["nnkit_run"]["finished"] = True
            break
        except (DeadKernelError, RuntimeError):  # nbclient: "Kernel died before replying to kernel_info"
            if current["index"] is None and attempt < KERNEL_START_ATTEMPTS:
                continue  # it died before the first cell, so no student code ran: a loaded machine; start again
            notebook.metadata["nnkit_run"]["kernel_died_in_cell"] = current["index"]
            break
    save()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m nnkit.course.run_notebook", description=__doc__.split("\n")[0])
    parser.add_argument("notebook")
    parser.add_argument("out")
    parser.add_argument("--timeout-cell", type=int, default=30)
    parser.add_argument("--max-output", type=int, default=20_000)
    args = parser.parse_args(argv)
    run(args.notebook, args.out, args.timeout_cell, args.max_output)


if __name__ == "__main__":
    main()
