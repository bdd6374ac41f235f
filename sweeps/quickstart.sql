-- Which schedule wins at each budget of the quickstart sweep, per optimizer?
SELECT optimizer,
       printf('%3.0f%%', budget * 100) AS budget_pct,
       schedule,
       printf('%.4f', test_acc)        AS test_acc
FROM sweep_results
WHERE sweep = 'quickstart' AND status = 'done'
ORDER BY optimizer, budget, test_acc DESC;
