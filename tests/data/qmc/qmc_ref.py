#!/usr/bin/env python3
"""The plain Sobol points that tests/test_qmc.c pins, from SciPy's
scipy.stats.qmc.Sobol (Joe-Kuo direction numbers, Gray-code order),
an implementation independent of src/qmc.c.  Run with Debian's python3
(python3-scipy) and paste the output into the test."""
from scipy.stats import qmc

s = qmc.Sobol(d=16, scramble=False).random(1024)
print("first 8 points x 8")
for row in (s[:8] * 8).astype(int).T:
    print("{" + ", ".join(map(str, row)) + "},")
print("points 1000..1003 x 1024")
for row in (s[1000:1004] * 1024).astype(int).T:
    print("{" + ", ".join(map(str, row)) + "},")
