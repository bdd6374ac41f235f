-- Which schedule wins at each budget of the quickstart sweep?
SELECT schedule,
       printf('%3.0f%%', budget * 100) AS budget_pct,
       printf('%.4f', test_acc)        AS test_acc
FROM sweep_results
WHERE sweep = 'quickstart' AND status = 'done'
ORDER BY budget, test_acc DESC;
