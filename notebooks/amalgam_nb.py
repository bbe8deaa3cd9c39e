"""Helpers shared by the notebooks: load a CSV with its column contract checked, save figures.

Where things are is decided by environment variables, so the same notebook runs by hand in
Jupyter, headlessly under `run_notebooks.py`, and in `make notebooks-check` on small CSVs:

- `AMALGAM_RESULTS`: directory holding the CSVs the Lua scripts wrote (default `../results`,
  i.e. the repository's `results/` when the notebook runs from `notebooks/`).
- `AMALGAM_FIGURES`: when set, `save()` writes each key figure there as PNG; unset, nothing is
  written (the figure is only shown).
"""
import os
from pathlib import Path

import pandas as pd

RESULTS_DIR = Path(os.environ.get("AMALGAM_RESULTS") or Path(__file__).resolve().parent.parent / "results")
FIGURES_DIR = Path(os.environ["AMALGAM_FIGURES"]) if os.environ.get("AMALGAM_FIGURES") else None


class ContractError(RuntimeError):
    """A CSV is missing, empty, or lacks a column its notebook relies on."""


def load(name, columns, script):
    """Reads `RESULTS_DIR/name` and checks it has every column in `columns`.

    `script` names the Lua script that writes the file, so the error says what to run.
    Extra columns are allowed (scripts may add some); missing ones fail loudly, because a
    renamed column would otherwise show up as an empty or wrong plot.
    """
    path = RESULTS_DIR / name
    if not path.is_file():
        raise ContractError(f"{path} not found: run `amalgam scripts/{script}` "
                            f"(or `make notebooks`), or point AMALGAM_RESULTS at the CSV directory")
    df = pd.read_csv(path)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ContractError(f"{path} (written by scripts/{script}) lacks column(s) {missing}; "
                            f"it has {list(df.columns)}")
    if df.empty:
        raise ContractError(f"{path} (written by scripts/{script}) has a header but no rows")
    return df


def save(fig, name):
    """Saves `fig` as `FIGURES_DIR/name.png` when figure export is on; returns the path or None.

    The PNG metadata omits the matplotlib version so re-exporting unchanged data gives an
    unchanged file (clean diffs in docs/figures/).
    """
    if FIGURES_DIR is None:
        return None
    FIGURES_DIR.mkdir(parents=True, exist_ok=True)
    path = FIGURES_DIR / f"{name}.png"
    fig.savefig(path, dpi=120, bbox_inches="tight", metadata={"Software": None})
    return path


def check_fractions(df, columns, name, upper=1.5):
    """Fails unless every value of `columns` is a fraction in [0, upper].

    The contract gives shares, efficiencies and MFU as fractions (0.8, not 80); a script that
    wrote percentages would otherwise produce axes off by 100x without any error.
    """
    for column in columns:
        values = df[column].dropna()
        bad = values[(values < 0) | (values > upper)]
        if not bad.empty:
            raise ContractError(f"{name}: column {column} should be a fraction in [0, {upper:g}] "
                                f"(0.8 means 80%), but has {bad.tolist()[:5]}")
