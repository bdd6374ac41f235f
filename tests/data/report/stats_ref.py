#!/usr/bin/python3
"""Reference values for tests/test_stats.c, computed independently of
src/stats.c: scipy for the t distribution, the incomplete beta and the
sign test; a brute-force enumeration of all 2^n sign patterns for the
exact Wilcoxon p-value (ties included); scipy's normal approximation for
large n; numpy for quantiles.  Needs python3-scipy (Debian); the tests
only need its output, pasted into test_stats.c.

    /usr/bin/python3 tests/data/report/stats_ref.py
"""
import itertools

import numpy as np
from scipy import optimize, special, stats

print("/* betainc(a, b, x) */")
for a, b, x in [(0.5, 0.5, 0.3), (2, 3, 0.4), (10, 0.5, 0.9), (1.5, 0.5, 0.999), (30, 40, 0.45)]:
    print("{%r, %r, %r, %.17g}," % (a, b, x, special.betainc(a, b, x)))

print("/* t cdf(t, df) */")
for t, df in [(0.5, 1), (-1.2, 3), (2.0, 7.5), (4.0, 30), (-0.1, 200)]:
    print("{%r, %r, %.17g}," % (t, df, stats.t.cdf(t, df)))



def tq(p, df):
    """scipy's t.ppf is off by up to 3e-11 (e.g. at 0.975, 1: tan(0.475 pi) =
    12.7062047361747): invert its cdf instead."""
    return optimize.brentq(lambda t: stats.t.cdf(t, df) - p, -100, 100, xtol=1e-15, rtol=1e-15)


print("/* t quantile(p, df) */")
for p, df in [(0.975, 1), (0.975, 2), (0.975, 4), (0.975, 9), (0.975, 29), (0.6, 3), (0.025, 5),
              (0.9995, 2)]:
    print("{%r, %r, %.17g}," % (p, df, tq(p, df)))

print("/* paired t over d */")
d = [0.31, -0.12, 0.44, 0.27, 0.05]
m = np.mean(d)
se = np.std(d, ddof=1) / np.sqrt(len(d))
q = tq(0.975, len(d) - 1)
print("mean %.17g se %.17g lo %.17g hi %.17g" % (m, se, m - q * se, m + q * se))

print("/* sign test (wins, losses) */")
for w, l in [(9, 3), (0, 5), (6, 6), (1, 0), (40, 20), (300, 250)]:
    print("{%d, %d, %.17g}," % (w, l, stats.binomtest(w, w + l, 0.5).pvalue))


def wilcoxon_brute(d):
    d = [x for x in d if x != 0]
    n = len(d)
    ranks = stats.rankdata([abs(x) for x in d])   # average ranks for ties
    wp = sum(r for r, x in zip(ranks, d) if x > 0)
    le = ge = 0
    for signs in itertools.product([0, 1], repeat=n):
        s = sum(r for r, g in zip(ranks, signs) if g)
        le += s <= wp + 1e-9
        ge += s >= wp - 1e-9
    return n, wp, min(1.0, 2 * min(le, ge) / 2 ** n)


print("/* Wilcoxon exact by enumeration: d, n, W+, p */")
cases = [
    [1.5, -0.5, 2.0, 3.0, -1.0, 0.7, 2.2, 1.1],
    [1.0, -1.0, 2.0, 2.0, -2.0, 3.0, 0.0, 4.0, 4.0, 1.0],   # ties and a zero
    [-0.3, -0.1, -0.7],
    [0.2, 0.4, 0.1, 0.9, 0.5, 0.3, 0.8, 0.6, -0.05, 0.7, 1.1, 1.3],
]
for c in cases:
    n, wp, p = wilcoxon_brute(c)
    print("{%s}, n %d, W+ %r, p %.17g" % (", ".join(repr(x) for x in c), n, wp, p))

print("/* Wilcoxon normal approximation, n = 120: d[i] = sin(i) + 0.15 */")
d = [np.sin(i) + 0.15 for i in range(120)]
r = stats.wilcoxon(d, correction=True, method="approx")
print("W- %r p %.17g" % (r.statistic, r.pvalue))

print("/* quantile type 7 */")
x = [1.0, 2.0, 4.0, 8.0, 16.0]
for qq in [0, 0.025, 0.5, 0.975, 1]:
    print("{%r, %.17g}," % (qq, np.quantile(x, qq)))
