"""Turns the outputs of `bash bench/run.sh --field` into docs/benchmarks.md's generated
section and SVG charts (docs/charts/). Reads the Markdown tables the tools print; writes
nothing it did not read.

Usage: python3 bench/field_report.py RESULTS_DIR DOCS_DIR
RESULTS_DIR holds: loopback-2000.md, loopback-10000.md, facility-10000.md, link-2000.md,
link-2000-cuts.md, phones-40.txt, phones-200.txt, crash-loop.txt, meta.txt.
"""

import html
import re
import sys
from pathlib import Path

BEGIN = "<!-- field: begin (bench/run.sh --field writes this section) -->"
END = "<!-- field: end -->"


def tables(text):
    """Every Markdown table in `text`: a list of rows (lists of cell strings), header first."""
    out, cur = [], []
    for line in text.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if all(re.fullmatch(r"-+", c) for c in cells):
                continue
            cur.append(cells)
        elif cur:
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


def number(cell):
    m = re.search(r"[-\d.]+", cell.replace(",", ""))
    return float(m.group()) if m else 0.0


def bar_chart(title, groups, series, unit, path):
    """Grouped horizontal bars: groups = [(label, [value per series])]."""
    colours = ["#2b6cb0", "#c05621", "#718096"]
    row, bar, left, width = 22, 9, 230, 360
    top = 40
    height = top + len(groups) * (row * len(series) // 2 + 26) + 40
    peak = max((v for _, vs in groups for v in vs), default=1) or 1
    y = top
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 90}" height="{height}" '
        'font-family="sans-serif" font-size="12">',
        f'<text x="10" y="20" font-size="14" font-weight="bold">{html.escape(title)}</text>',
    ]
    for label, values in groups:
        parts.append(f'<text x="10" y="{y + bar + 4}">{html.escape(label)}</text>')
        for i, v in enumerate(values):
            w = max(1, v / peak * width)
            parts.append(
                f'<rect x="{left}" y="{y + i * (bar + 2)}" width="{w:.1f}" height="{bar}" fill="{colours[i]}"/>'
            )
            parts.append(
                f'<text x="{left + w + 4:.1f}" y="{y + i * (bar + 2) + bar - 1}">{v:g} {unit}</text>'
            )
        y += len(values) * (bar + 2) + 16
    x = 10
    for i, s in enumerate(series):
        parts.append(f'<rect x="{x}" y="{height - 22}" width="10" height="10" fill="{colours[i]}"/>')
        parts.append(f'<text x="{x + 14}" y="{height - 13}">{html.escape(s)}</text>')
        x += 14 + 8 * len(s) + 20
    parts.append("</svg>")
    path.write_text("\n".join(parts) + "\n")


def main():
    results, docs = Path(sys.argv[1]), Path(sys.argv[2])
    charts = docs / "charts"
    charts.mkdir(exist_ok=True)
    read = lambda name: (results / name).read_text() if (results / name).exists() else ""

    # Time over the 2G-like link, Ayllu against the peer, by step.
    link = tables(read("link-2000.md"))
    if len(link) >= 2:
        ours = {r[0]: number(r[1]) for r in link[0][1:]}
        peer = {r[0]: number(r[1]) for r in link[1][1:]}
        names = [("upload", "initial upload"), ("pull", "fresh device pulls everything"), ("edit", "10 edited households")]
        bar_chart(
            "2,000 households over 64 kbit/s, 3 % loss, 300 ms RTT: seconds",
            [(a, [ours.get(a, 0), peer.get(p, 0)]) for a, p in names],
            ["Ayllu", "PouchDB"],
            "s",
            charts / "link-time.svg",
        )
    # Bytes on the wire by scenario, both stacks, with the gzip floor (loopback, 2,000).
    loop2k = read("loopback-2000.md")
    t = tables(loop2k)
    floor = re.search(r"floor\) ([\d.]+) KB", loop2k)
    if t and floor:
        rows = t[0][1:]
        groups = []
        for i in range(0, len(rows) - 1, 2):
            groups.append((rows[i][0], [number(rows[i][4]), number(rows[i + 1][4])]))
        bar_chart(
            f"Bytes on the wire, 2,000 households (gzip floor {float(floor.group(1)):.0f} KB): KB",
            groups,
            ["Ayllu", "PouchDB"],
            "KB",
            charts / "bytes.svg",
        )
    # Hub latency under load: p50 and p99 per exchange, 40 and 200 phones.
    lat = []
    for n in (40, 200):
        t = tables(read(f"phones-{n}.txt"))
        for row in t[0][1:] if t else []:
            lat.append((f"{n} phones: {row[2]}", [number(row[6]), number(row[7])]))
    if lat:
        bar_chart("Hub latency per exchange under load: ms", lat, ["p50", "p99"], "ms", charts / "hub-latency.svg")

    section = [
        BEGIN,
        "## Field conditions, measured (issue #15)",
        "",
        f"Command: `bash bench/run.sh --field` ({read('meta.txt').strip()}). Every table below is",
        "that run's output, as printed; the charts are drawn from the same numbers.",
        "",
        "![time over the 2G-like link](charts/link-time.svg)",
        "![bytes on the wire](charts/bytes.svg)",
        "![hub latency under load](charts/hub-latency.svg)",
        "",
        "### Loopback against the peer, 2,000 households (`sync-bench`)",
        "",
        read("loopback-2000.md").strip(),
        "",
        "### Loopback against the peer, 10,000 households (`sync-bench`)",
        "",
        read("loopback-10000.md").strip(),
        "",
        "### A facility of 10,000 households, each side its own process (`bench/facility.sh`)",
        "",
        read("facility-10000.md").strip(),
        "",
        "### The 2G-like link, 2,000 households (`bench/link.sh`)",
        "",
        read("link-2000.md").strip(),
        "",
        "### The same link cut 5 s in every 30 s (`bench/link.sh --cuts`)",
        "",
        read("link-2000-cuts.md").strip(),
        "",
        "### Forty phones at once, then two hundred (`phones-at-once`)",
        "",
        read("phones-40.txt").strip(),
        "",
        read("phones-200.txt").strip(),
        "",
        "### The crash loop, 100 rounds (`bench/crash-loop.sh`)",
        "",
        "```",
        read("crash-loop.txt").strip(),
        "```",
        END,
    ]
    doc = docs / "benchmarks.md"
    text = doc.read_text()
    new = "\n".join(section)
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + new + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip() + "\n\n" + new + "\n"
    doc.write_text(text)


if __name__ == "__main__":
    main()
