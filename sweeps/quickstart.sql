-- Which schedule wins at each budget of the quickstart sweep, per optimizer?
-- One row per cell of the grid (its seeds averaged), with the test error
-- in % as `rexsweep report` shows it: lower is better.
SELECT optimizer,
       printf('%3.0f%%', budget * 100)  AS budget_pct,
       schedule,
       printf('%.2f', mean_test_error) AS test_error_pct,
       n_done
FROM cell_results
WHERE sweep = 'quickstart'
ORDER BY optimizer, budget, mean_test_error IS NULL, mean_test_error;
