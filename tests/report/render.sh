#!/usr/bin/env bash
# The printable report, for real: a synthetic census of 300 households is exported as
# HTML, XLSX and CSV by the `ayllu` CLI, then headless Chromium renders the HTML to PNG
# (docs/screenshots/report-*.png, to look at) and prints it to PDF on A4.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/env.sh
bash scripts/build.sh -q
AYLLU="$CARGO_TARGET_DIR/debug/ayllu"
# The sample folder is made plain; the first command locks it with this PIN and encrypts it.
export AYLLU_PIN=482913 AYLLU_KDF_FAST=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$CARGO_TARGET_DIR/debug/sample-census" "$work/data" 300
year=$(date +%Y)
"$AYLLU" --data "$work/data" export --year "$year" --format html --out "$work/informe.html" >/dev/null
"$AYLLU" --data "$work/data" export --year "$year" --format xlsx --out "$work/indicadores.xlsx" >/dev/null
"$AYLLU" --data "$work/data" export --year "$year" --format csv --out "$work/csv" >/dev/null
test "$(ls "$work/csv"/*.csv | wc -l)" -eq 6
# XLSX is a zip: the six sheets and the cover are in it.
test "$(python3 -c "import zipfile,sys; print(sum(n.startswith('xl/worksheets/sheet') for n in zipfile.ZipFile(sys.argv[1]).namelist()))" "$work/indicadores.xlsx")" -eq 7

chrome=$(command -v chromium || command -v chromium-browser || command -v google-chrome)
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --disable-dev-shm-usage)
mkdir -p docs/screenshots
# A4 at 96 dpi is 794 px wide; the first sheet, then the charts in full.
"$chrome" "${flags[@]}" --window-size=794,1123 --screenshot="$work/page1.png" "file://$work/informe.html" 2>/dev/null
"$chrome" "${flags[@]}" --window-size=794,1900 --screenshot="$work/charts.png" "file://$work/informe.html" 2>/dev/null
"$chrome" "${flags[@]}" --no-pdf-header-footer --print-to-pdf="$work/informe.pdf" "file://$work/informe.html" 2>/dev/null
python3 - "$work" <<'PY'
import re, struct, sys
work = sys.argv[1]
for name in ["page1.png", "charts.png"]:
    data = open(f"{work}/{name}", "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", name
    w, h = struct.unpack(">II", data[16:24])
    # A blank page compresses to a few KB; charts and tables do not.
    assert w == 794 and len(data) > 40_000, (name, w, h, len(data))
pdf = open(f"{work}/informe.pdf", "rb").read()
pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
assert pdf[:5] == b"%PDF-" and pages >= 3, pages
# A4 is 595 x 842 points.
assert re.search(rb"/MediaBox\s*\[\s*0 0 59[45]\.?\d* 84[12]", pdf), "pages are A4"
print(f"report: PNG and a {pages}-page A4 PDF")
PY
cp "$work/page1.png" docs/screenshots/report-a4-page1.png
cp "$work/charts.png" docs/screenshots/report-charts.png
