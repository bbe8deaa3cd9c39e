#!/usr/bin/env python3
"""Executes every notebooks/*.ipynb headlessly, in name order, and fails on the first error in each.

    python notebooks/run_notebooks.py [--results DIR] [--export-figures DIR] [--require-clean] [NOTEBOOK ...]
    python notebooks/run_notebooks.py --strip        # clear saved outputs before committing

The notebooks read their CSVs from --results (passed to them as AMALGAM_RESULTS) and, with
--export-figures, save their key figures there as PNG (passed as AMALGAM_FIGURES). matplotlib
runs on the Agg backend. Executed notebooks are never written back: committed notebooks stay
output-free so their diffs stay readable. Exit status: 0 when every notebook ran, 1 otherwise,
with a message naming the notebook, the cell and the error.
"""
import argparse
import os
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

NOTEBOOK_DIR = Path(__file__).resolve().parent
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def cell_label(index, cell):
    """'cell 4 (first line of its source)': 1-based, as Jupyter shows positions."""
    first = next((l.strip() for l in cell.source.splitlines() if l.strip()), "")
    return f"cell {index + 1} ({first[:70]})" if first else f"cell {index + 1}"


def outputs_of(path):
    """Indices (1-based) of the code cells in the committed file that carry outputs or counts."""
    nb = nbformat.read(path, as_version=4)
    return [i + 1 for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)]


def strip(path):
    """Clears outputs, execution counts and run timestamps in place (what should be committed)."""
    nb = nbformat.read(path, as_version=4)
    for c in nb.cells:
        c.metadata.pop("execution", None)
        if c.cell_type == "code":
            c.outputs, c.execution_count = [], None
    # Jupyter records the kernel's Python version here; keep only what is stable.
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.write(nb, path)


def run_one(path, timeout_s):
    """Executes one notebook cell by cell; returns None on success or an error message."""
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as e:  # invalid JSON or schema: report it like a failed cell
        return f"cannot be read as a notebook: {e}"
    client = NotebookClient(nb, timeout=timeout_s, kernel_name="python3", extra_arguments=["--log-level=ERROR"],
                            resources={"metadata": {"path": str(NOTEBOOK_DIR)}})
    try:
        with client.setup_kernel():
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                try:
                    client.execute_cell(cell, index)
                except CellExecutionError as e:
                    detail = f"{e.ename}: {e.evalue}" if getattr(e, "ename", None) else ANSI.sub("", str(e))
                    tb = ANSI.sub("", str(e)).strip().splitlines()
                    tail = "\n    ".join(tb[-12:])
                    return f"{cell_label(index, cell)} raised {detail}\n    {tail}"
                except CellTimeoutError:
                    return f"{cell_label(index, cell)} did not finish within {timeout_s} s"
    except DeadKernelError as e:
        return f"the kernel died: {e}"
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to run (default: every notebooks/*.ipynb, in name order)")
    parser.add_argument("--results", default=os.environ.get("AMALGAM_RESULTS", "results"),
                        help="directory holding the CSVs (default: $AMALGAM_RESULTS or results)")
    parser.add_argument("--export-figures", metavar="DIR",
                        help="save each notebook's key figures as PNG under DIR (e.g. docs/figures)")
    parser.add_argument("--require-clean", action="store_true",
                        help="fail if a notebook file has saved outputs (committed notebooks stay output-free)")
    parser.add_argument("--strip", action="store_true",
                        help="clear saved outputs in the notebook files, then exit (run before committing)")
    parser.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell (default 300)")
    args = parser.parse_args()

    paths = []
    for given in args.notebooks:  # a path, or a name inside notebooks/
        if not given.suffix:
            given = given.with_suffix(".ipynb")
        path = given if given.is_file() else NOTEBOOK_DIR / given
        if not path.is_file():
            sys.exit(f"run_notebooks: no notebook {given} (nor {NOTEBOOK_DIR / given})")
        paths.append(path)
    paths = paths or sorted(NOTEBOOK_DIR.glob("*.ipynb"))
    if not paths:
        sys.exit(f"run_notebooks: no notebooks in {NOTEBOOK_DIR}")
    if args.strip:
        for path in paths:
            strip(path)
        print(f"run_notebooks: cleared outputs in {len(paths)} notebook(s)")
        return 0
    results = Path(args.results).resolve()
    if not results.is_dir():
        sys.exit(f"run_notebooks: results directory {results} does not exist (run the Lua scripts first)")
    os.environ["AMALGAM_RESULTS"] = str(results)
    os.environ["MPLBACKEND"] = "Agg"      # kernels inherit this environment
    if args.export_figures:
        figures = Path(args.export_figures).resolve()
        figures.mkdir(parents=True, exist_ok=True)
        os.environ["AMALGAM_FIGURES"] = str(figures)
    else:
        os.environ.pop("AMALGAM_FIGURES", None)
    # The kernel must be this interpreter's (the venv's), not whatever `python` is first on PATH.
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")

    if args.require_clean:
        dirty = {p.name: cells for p in paths if (cells := outputs_of(p))}
        if dirty:
            for name, cells in dirty.items():
                print(f"FAILED {name}: saved outputs in cell(s) {cells}", file=sys.stderr)
            print("run_notebooks: commit notebooks without outputs: "
                  ".venv/bin/python notebooks/run_notebooks.py --strip", file=sys.stderr)
            return 1
    failures = []
    for path in paths:
        start = time.monotonic()
        error = run_one(path, args.timeout)
        took = time.monotonic() - start
        if error:
            failures.append(path)
            print(f"FAILED {path.name} ({took:.1f} s): {error}", file=sys.stderr, flush=True)
        else:
            print(f"ok     {path.name} ({took:.1f} s)", flush=True)
    if failures:
        print(f"run_notebooks: {len(failures)} of {len(paths)} notebook(s) failed: "
              + ", ".join(p.name for p in failures) + f" (CSVs from {results})", file=sys.stderr)
        return 1
    where = f"; figures in {os.environ['AMALGAM_FIGURES']}" if args.export_figures else ""
    print(f"run_notebooks: {len(paths)} notebook(s) ran on CSVs from {results}{where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
