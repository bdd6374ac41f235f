#!/usr/bin/env bash
# report --format html: one self-contained file (no script, no external
# CSS, images or fonts), rendered in headless Chromium, which must draw an
# SVG chart per figure with the expected series: the metric against budget
# per schedule, the average rank against budget (the paper's Figure 1,
# step and plateau merged) and the lr curves of the schedules used.
# Installs Debian's chromium when it is missing.
set -eu
cd "$(dirname "$0")/../.."
. tests/cli/lib_report.sh
T=${TMPDIR:-/tmp}

fail() { echo "FAIL: $*"; exit 1; }

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  echo "installing chromium"
  $SUDO apt-get update -qq >/dev/null &&
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null ||
    fail "chromium is missing and could not be installed"
fi

# the paper's table, with a plateau run whose lr was cut at epoch 3
{
  paper_sql
  echo "INSERT INTO metrics (key, epoch, step, samples, lr) SELECT key, e, e * 25, e * 800,
        CASE WHEN e <= 2 THEN 0.1 ELSE 0.01 END FROM runs,
        (SELECT 1 AS e UNION SELECT 2 UNION SELECT 3 UNION SELECT 4)
        WHERE schedule = 'plateau' AND budget = 1;"
} | make_store "$T/paper.db"
"$REXSWEEP" report --db "$T/paper.db" --format html -o "$T/report.html"

# self-contained: nothing to fetch, nothing to run
if grep -Eiq '<script|<link|<img|<iframe|src=|url\(|@import' "$T/report.html"; then
  fail "the report refers to something outside itself"
fi
grep -q '<style>' "$T/report.html" || fail "no inline CSS"

# a copy with a probe that measures what the browser laid out
cat >"$T/probe.js" <<'JS'
const out = [];
for (const svg of document.querySelectorAll("svg.chart")) {
  const box = svg.getBoundingClientRect(), series = [];
  for (const g of svg.querySelectorAll("g.series")) {
    let w = 0, h = 0, pts = 0;
    for (const pl of g.querySelectorAll("polyline")) {
      const b = pl.getBBox();
      w = Math.max(w, b.width); h = Math.max(h, b.height); pts += pl.points.numberOfItems;
    }
    series.push({name: g.dataset.series, w: w, h: h, pts: pts});
  }
  out.push({id: svg.id, kind: svg.dataset.kind, width: box.width, height: box.height, series: series});
}
const pre = document.createElement("pre");
pre.id = "probe"; pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
JS
python3 -c '
import sys
page, probe = open(sys.argv[1]).read(), open(sys.argv[2]).read()
assert page.count("</body>") == 1
sys.stdout.write(page.replace("</body>", "<script>" + probe + "</script></body>"))
' "$T/report.html" "$T/probe.js" >"$T/probe.html"

profile=$(mktemp -d)
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
  --no-first-run --disable-component-update --disable-sync --user-data-dir="$profile" \
  --window-size=1200,4000 --dump-dom "file://$T/probe.html" >"$T/dom.html" 2>"$T/chromium.log" ||
  { tail -20 "$T/chromium.log"; fail "chromium failed"; }
rm -rf "$profile"

python3 - "$T/dom.html" <<'PY'
import html, json, re, sys
dom = open(sys.argv[1]).read()
m = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
assert m, "the probe did not run"
charts = {c["id"]: c for c in json.loads(html.unescape(m.group(1)))}
scheds = ["rex", "linear", "cosine", "exp", "onecycle", "step", "plateau"]
want = {
    "chart-metric-0": ("metric", scheds, 6),
    "chart-gap-0": ("gap", scheds, 6),
    "chart-rank-sgd": ("rank", scheds[:-1], 6),     # plateau merged into step
    "chart-lr": ("lr", scheds, None),
}
assert sorted(charts) == sorted(want), sorted(charts)
for cid, (kind, names, npts) in want.items():
    c = charts[cid]
    assert c["kind"] == kind, (cid, c["kind"])
    # the page's width (1200 px window, 1100 px body, 1 em padding)
    assert c["width"] >= 1000 and c["height"] >= 400, (cid, c["width"], c["height"])
    got = [s["name"] for s in c["series"]]
    assert got == names, (cid, got)
    for s in c["series"]:
        assert s["w"] > 100, (cid, s)                 # drawn across the plot
        if npts is not None:
            assert s["pts"] == npts, (cid, s)
# the metric lines rise and fall; onecycle's lr curve is not flat either
assert all(s["h"] > 0 for s in charts["chart-metric-0"]["series"])
lr = {s["name"]: s for s in charts["chart-lr"]["series"]}
assert lr["onecycle"]["h"] > 0 and lr["rex"]["h"] > 0 and lr["plateau"]["h"] > 0, lr
PY
# one colour per schedule, by name, in every chart
python3 - "$T/report.html" <<'PY'
import re, sys
page = open(sys.argv[1]).read()
colors = {}
for name, color in re.findall(r'<g class="series" data-series="([^"]+)" stroke="(#[0-9a-f]{6})"', page):
    colors.setdefault(name, set()).add(color)
assert all(len(c) == 1 for c in colors.values()), colors
assert colors["rex"] == {"#d62728"} and colors["linear"] == {"#1f77b4"}, colors
PY
grep -q "follows the validation loss: the lr recorded per epoch of run" "$T/report.html" || fail "plateau note"
echo "report html: ok"
