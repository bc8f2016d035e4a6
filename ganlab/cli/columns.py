"""The columns of a run's ``metrics.csv`` for each variant, written out as ``docs/metrics.md`` lists them.

``python -m ganlab train`` writes one row per step: ``step``, the variant's metrics in the order it declares
them (the base six first, then its own), and ``wall``, the seconds since the run began. The document is this
module's output (``python -m ganlab.cli.columns > docs/metrics.md``); a test checks they agree.
"""

from __future__ import annotations

from ganlab.training.store import fields_for
from ganlab.variants import BASE_METRICS, all_variants

HEADER = """# The columns of metrics.csv

`python -m ganlab train --out DIR` writes `DIR/metrics.csv`, one row per step. Every run's file starts with
`step` and the six base columns and ends with `wall` (seconds since the run began, as the trainer's clock
read it after the step); a variant's own metrics come between, in the order below. The Train page's charts
draw the same values (the label column is the chart's name for it).

This file is generated: `python -m ganlab.cli.columns > docs/metrics.md` (`tests/test_cli.py` checks it).
"""


def _rows(metrics) -> list[str]:
    return [f"| `{m.name}` | {m.label} | {m.about} |" for m in metrics]


def document() -> str:
    """docs/metrics.md: the base columns, then each variant's own."""
    lines = [HEADER, "## Every variant", "", "| column | label | what it is |", "| --- | --- | --- |",
             "| `step` | step | the step this row records (1 for the first) |", *_rows(BASE_METRICS),
             "| `wall` | wall time | seconds since the run began, after this step |", ""]
    for v in all_variants():
        own = v.metrics[len(BASE_METRICS):]
        lines += [f"## {v.key}", "", f"Columns: `{','.join(fields_for(v))}`", ""]
        lines += (["| column | label | what it is |", "| --- | --- | --- |", *_rows(own)] if own
                  else ["No columns of its own."])
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(document(), end="")
