-- the schema of a rexsweep store, version 7 (written by tests/test_store.c)
PRAGMA application_id = 1381528439;
PRAGMA user_version = 7;
CREATE TABLE sweeps (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  spec TEXT NOT NULL,
  spec_hash TEXT NOT NULL,
  created REAL NOT NULL,
  rexsweep_version TEXT NOT NULL,
  trainer_version INTEGER NOT NULL,
  host TEXT NOT NULL,
  git_commit TEXT, git_dirty INTEGER, provenance TEXT REFERENCES provenance (id),
  UNIQUE (name, spec_hash)
) STRICT;
CREATE TABLE runs (
  key TEXT PRIMARY KEY,
  cell TEXT NOT NULL,
  dataset TEXT NOT NULL,
  model TEXT NOT NULL,
  optimizer TEXT NOT NULL,
  lr REAL NOT NULL,
  momentum REAL NOT NULL,
  weight_decay REAL NOT NULL,
  batch_size INTEGER NOT NULL,
  schedule TEXT NOT NULL,
  schedule_json TEXT NOT NULL,
  sampling TEXT NOT NULL,
  budget REAL NOT NULL,
  full_epochs REAL NOT NULL,
  seed INTEGER NOT NULL,
  config TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed', 'diverged', 'interrupted')),
  attempts INTEGER NOT NULL DEFAULT 0,
  worker_host TEXT,
  worker_pid INTEGER,
  heartbeat REAL,
  started REAL,
  ended REAL,
  wall REAL,
  epochs REAL,
  steps INTEGER,
  steps_done INTEGER,
  steps_per_epoch INTEGER,
  samples INTEGER,
  flops REAL,
  n_params INTEGER,
  model_desc TEXT,
  train_loss ANY CHECK (typeof(train_loss) <> 'text' AND typeof(train_loss) <> 'blob' OR train_loss IN ('NaN', 'Infinity', '-Infinity')),
  train_acc ANY CHECK (typeof(train_acc) <> 'text' AND typeof(train_acc) <> 'blob' OR train_acc IN ('NaN', 'Infinity', '-Infinity')),
  val_loss ANY CHECK (typeof(val_loss) <> 'text' AND typeof(val_loss) <> 'blob' OR val_loss IN ('NaN', 'Infinity', '-Infinity')),
  val_acc ANY CHECK (typeof(val_acc) <> 'text' AND typeof(val_acc) <> 'blob' OR val_acc IN ('NaN', 'Infinity', '-Infinity')),
  test_loss ANY CHECK (typeof(test_loss) <> 'text' AND typeof(test_loss) <> 'blob' OR test_loss IN ('NaN', 'Infinity', '-Infinity')),
  test_acc ANY CHECK (typeof(test_acc) <> 'text' AND typeof(test_acc) <> 'blob' OR test_acc IN ('NaN', 'Infinity', '-Infinity')),
  best_val_acc ANY CHECK (typeof(best_val_acc) <> 'text' AND typeof(best_val_acc) <> 'blob' OR best_val_acc IN ('NaN', 'Infinity', '-Infinity')),
  best_val_loss ANY CHECK (typeof(best_val_loss) <> 'text' AND typeof(best_val_loss) <> 'blob' OR best_val_loss IN ('NaN', 'Infinity', '-Infinity')),
  best_test_acc ANY CHECK (typeof(best_test_acc) <> 'text' AND typeof(best_test_acc) <> 'blob' OR best_test_acc IN ('NaN', 'Infinity', '-Infinity')),
  diverged_step INTEGER,
  error TEXT
, provenance TEXT REFERENCES provenance (id), trainer TEXT, output TEXT, final_lr ANY CHECK (typeof(final_lr) <> 'text' AND typeof(final_lr) <> 'blob' OR final_lr IN ('NaN', 'Infinity', '-Infinity')), cost REAL) STRICT;
CREATE TABLE sweep_runs (
  sweep INTEGER NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,
  key TEXT NOT NULL REFERENCES runs (key) ON DELETE CASCADE,
  grid_index INTEGER NOT NULL,
  PRIMARY KEY (sweep, key)
) STRICT, WITHOUT ROWID;
CREATE TABLE metrics (
  key TEXT NOT NULL REFERENCES runs (key) ON DELETE CASCADE,
  epoch INTEGER NOT NULL,
  step INTEGER NOT NULL,
  samples INTEGER NOT NULL,
  train_loss ANY CHECK (typeof(train_loss) <> 'text' AND typeof(train_loss) <> 'blob' OR train_loss IN ('NaN', 'Infinity', '-Infinity')),
  train_acc ANY CHECK (typeof(train_acc) <> 'text' AND typeof(train_acc) <> 'blob' OR train_acc IN ('NaN', 'Infinity', '-Infinity')),
  val_loss ANY CHECK (typeof(val_loss) <> 'text' AND typeof(val_loss) <> 'blob' OR val_loss IN ('NaN', 'Infinity', '-Infinity')),
  val_acc ANY CHECK (typeof(val_acc) <> 'text' AND typeof(val_acc) <> 'blob' OR val_acc IN ('NaN', 'Infinity', '-Infinity')),
  test_loss ANY CHECK (typeof(test_loss) <> 'text' AND typeof(test_loss) <> 'blob' OR test_loss IN ('NaN', 'Infinity', '-Infinity')),
  test_acc ANY CHECK (typeof(test_acc) <> 'text' AND typeof(test_acc) <> 'blob' OR test_acc IN ('NaN', 'Infinity', '-Infinity')),
  lr ANY CHECK (typeof(lr) <> 'text' AND typeof(lr) <> 'blob' OR lr IN ('NaN', 'Infinity', '-Infinity')),
  momentum ANY CHECK (typeof(momentum) <> 'text' AND typeof(momentum) <> 'blob' OR momentum IN ('NaN', 'Infinity', '-Infinity')),
  grad_norm ANY CHECK (typeof(grad_norm) <> 'text' AND typeof(grad_norm) <> 'blob' OR grad_norm IN ('NaN', 'Infinity', '-Infinity')),
  wall ANY CHECK (typeof(wall) <> 'text' AND typeof(wall) <> 'blob' OR wall IN ('NaN', 'Infinity', '-Infinity')),
  PRIMARY KEY (key, epoch)
) STRICT, WITHOUT ROWID;
CREATE TABLE step_metrics (
  key TEXT NOT NULL REFERENCES runs (key) ON DELETE CASCADE,
  step INTEGER NOT NULL,
  loss ANY CHECK (typeof(loss) <> 'text' AND typeof(loss) <> 'blob' OR loss IN ('NaN', 'Infinity', '-Infinity')),
  lr ANY CHECK (typeof(lr) <> 'text' AND typeof(lr) <> 'blob' OR lr IN ('NaN', 'Infinity', '-Infinity')),
  momentum ANY CHECK (typeof(momentum) <> 'text' AND typeof(momentum) <> 'blob' OR momentum IN ('NaN', 'Infinity', '-Infinity')),
  grad_norm ANY CHECK (typeof(grad_norm) <> 'text' AND typeof(grad_norm) <> 'blob' OR grad_norm IN ('NaN', 'Infinity', '-Infinity')),
  PRIMARY KEY (key, step)
) STRICT, WITHOUT ROWID;
CREATE INDEX sweep_runs_order ON sweep_runs (sweep, grid_index);
CREATE INDEX sweep_runs_key ON sweep_runs (key);
CREATE INDEX runs_cell ON runs (cell);
CREATE INDEX runs_status ON runs (status);
CREATE INDEX runs_axes ON runs (dataset, optimizer, budget, schedule);
CREATE VIEW epoch_results AS SELECT
  r.key, r.cell, r.dataset, r.model, r.optimizer, r.lr, r.schedule,
  r.sampling, r.budget, r.seed, r.status,
  m.epoch, m.step, m.samples,
  CASE WHEN typeof(m.train_loss) IN ('real', 'integer') AND abs(m.train_loss) <= 1.7976931348623157e308 THEN m.train_loss END AS train_loss,
  CASE WHEN typeof(m.train_acc) IN ('real', 'integer') AND abs(m.train_acc) <= 1.7976931348623157e308 THEN m.train_acc END AS train_acc,
  CASE WHEN typeof(m.val_loss) IN ('real', 'integer') AND abs(m.val_loss) <= 1.7976931348623157e308 THEN m.val_loss END AS val_loss,
  CASE WHEN typeof(m.val_acc) IN ('real', 'integer') AND abs(m.val_acc) <= 1.7976931348623157e308 THEN m.val_acc END AS val_acc,
  CASE WHEN typeof(m.test_loss) IN ('real', 'integer') AND abs(m.test_loss) <= 1.7976931348623157e308 THEN m.test_loss END AS test_loss,
  CASE WHEN typeof(m.test_acc) IN ('real', 'integer') AND abs(m.test_acc) <= 1.7976931348623157e308 THEN m.test_acc END AS test_acc,
  CASE WHEN typeof(m.lr) IN ('real', 'integer') AND abs(m.lr) <= 1.7976931348623157e308 THEN m.lr END AS epoch_lr,
  CASE WHEN typeof(m.momentum) IN ('real', 'integer') AND abs(m.momentum) <= 1.7976931348623157e308 THEN m.momentum END AS epoch_momentum,
  CASE WHEN typeof(m.grad_norm) IN ('real', 'integer') AND abs(m.grad_norm) <= 1.7976931348623157e308 THEN m.grad_norm END AS grad_norm,
  CASE WHEN typeof(m.wall) IN ('real', 'integer') AND abs(m.wall) <= 1.7976931348623157e308 THEN m.wall END AS wall
FROM runs r JOIN metrics m ON m.key = r.key;
CREATE VIEW sweep_results AS SELECT
  s.name AS sweep, l.sweep AS sweep_id, l.grid_index, r.*
FROM sweep_runs l JOIN sweeps s ON s.id = l.sweep
  JOIN run_results r ON r.key = l.key;
CREATE VIEW sweep_status AS SELECT
  s.id AS sweep_id, s.name AS sweep,
  datetime(s.created, 'unixepoch') AS created,
  count(r.key) AS n_runs,
  count(CASE WHEN r.status = 'pending' THEN 1 END) AS pending,
  count(CASE WHEN r.status = 'running' THEN 1 END) AS running,
  count(CASE WHEN r.status = 'done' THEN 1 END) AS done,
  count(CASE WHEN r.status = 'failed' THEN 1 END) AS failed,
  count(CASE WHEN r.status = 'diverged' THEN 1 END) AS diverged,
  count(CASE WHEN r.status = 'interrupted' THEN 1 END) AS interrupted
FROM sweeps s LEFT JOIN sweep_runs l ON l.sweep = s.id
  LEFT JOIN runs r ON r.key = l.key
GROUP BY s.id;
CREATE TABLE provenance (
  id TEXT PRIMARY KEY,
  git_commit TEXT,
  git_dirty INTEGER,
  rexsweep_version TEXT NOT NULL,
  trainer_version INTEGER NOT NULL,
  blas_version TEXT,
  blas_core TEXT,
  cpu TEXT,
  compiler TEXT,
  host TEXT NOT NULL
) STRICT;
CREATE VIEW run_provenance AS SELECT
  r.key, r.cell, r.status, r.ended, p.id AS provenance, p.git_commit,
  p.git_dirty, p.rexsweep_version, p.trainer_version, p.blas_version,
  p.blas_core, p.cpu, p.compiler, p.host
FROM runs r LEFT JOIN provenance p ON p.id = r.provenance;
CREATE TABLE run_metrics (
  key TEXT NOT NULL REFERENCES runs (key) ON DELETE CASCADE,
  name TEXT NOT NULL,
  scope TEXT NOT NULL CHECK (scope IN ('step', 'epoch', 'final')),
  at INTEGER NOT NULL,
  value ANY CHECK (typeof(value) <> 'text' AND typeof(value) <> 'blob' OR value IN ('NaN', 'Infinity', '-Infinity')),
  PRIMARY KEY (key, name, scope, at)
) STRICT, WITHOUT ROWID;
CREATE VIEW named_results AS SELECT
  r.key, r.cell, r.status, m.name, m.scope, m.at,
  CASE WHEN typeof(m.value) IN ('real', 'integer') AND abs(m.value) <= 1.7976931348623157e308 THEN m.value END AS value
FROM runs r JOIN run_metrics m ON m.key = r.key;
CREATE VIEW run_results AS SELECT
  key, cell, dataset, model, optimizer, lr, momentum, weight_decay,
  batch_size, schedule, schedule_json, sampling, budget, full_epochs,
  seed, status, attempts, epochs, steps, steps_done, samples, flops,
  wall,
  CASE WHEN typeof(train_loss) IN ('real', 'integer') AND abs(train_loss) <= 1.7976931348623157e308 THEN train_loss END AS train_loss,
  CASE WHEN typeof(train_acc) IN ('real', 'integer') AND abs(train_acc) <= 1.7976931348623157e308 THEN train_acc END AS train_acc,
  CASE WHEN typeof(val_loss) IN ('real', 'integer') AND abs(val_loss) <= 1.7976931348623157e308 THEN val_loss END AS val_loss,
  CASE WHEN typeof(val_acc) IN ('real', 'integer') AND abs(val_acc) <= 1.7976931348623157e308 THEN val_acc END AS val_acc,
  CASE WHEN typeof(test_loss) IN ('real', 'integer') AND abs(test_loss) <= 1.7976931348623157e308 THEN test_loss END AS test_loss,
  CASE WHEN typeof(test_acc) IN ('real', 'integer') AND abs(test_acc) <= 1.7976931348623157e308 THEN test_acc END AS test_acc,
  CASE WHEN typeof(best_val_acc) IN ('real', 'integer') AND abs(best_val_acc) <= 1.7976931348623157e308 THEN best_val_acc END AS best_val_acc,
  CASE WHEN typeof(best_val_loss) IN ('real', 'integer') AND abs(best_val_loss) <= 1.7976931348623157e308 THEN best_val_loss END AS best_val_loss,
  CASE WHEN typeof(best_test_acc) IN ('real', 'integer') AND abs(best_test_acc) <= 1.7976931348623157e308 THEN best_test_acc END AS best_test_acc,
  CASE WHEN typeof(final_lr) IN ('real', 'integer') AND abs(final_lr) <= 1.7976931348623157e308 THEN final_lr END AS final_lr,
  diverged_step, error
FROM runs;
CREATE VIEW cell_results AS
WITH r AS (SELECT s.name AS sweep, x.* FROM run_results x
    LEFT JOIN (SELECT DISTINCT l.key, n.name FROM sweep_runs l
      JOIN sweeps n ON n.id = l.sweep) s ON s.key = x.key),
m AS (SELECT sweep, cell,
    avg(CASE WHEN status = 'done' THEN test_acc END) AS test_acc,
    avg(CASE WHEN status = 'done' THEN test_loss END) AS test_loss,
    avg(CASE WHEN status = 'done' THEN val_acc END) AS val_acc,
    avg(CASE WHEN status = 'done' THEN val_loss END) AS val_loss,
    avg(CASE WHEN status = 'done' THEN train_acc END) AS train_acc,
    avg(CASE WHEN status = 'done' THEN train_loss END) AS train_loss
  FROM r GROUP BY sweep, cell)
SELECT r.sweep, r.cell, r.dataset, r.model, r.optimizer, r.lr, r.momentum,
  r.weight_decay, r.batch_size, r.schedule, r.schedule_json,
  r.sampling, r.budget, r.full_epochs,
  max(r.epochs) AS epochs, max(r.steps) AS steps,
  count(*) AS n_runs,
  count(CASE WHEN r.status = 'done' THEN 1 END) AS n_done,
  count(CASE WHEN r.status = 'diverged' THEN 1 END) AS n_diverged,
  count(CASE WHEN r.status = 'failed' THEN 1 END) AS n_failed,
  count(CASE WHEN r.status IN ('pending', 'running', 'interrupted') THEN 1 END) AS n_pending,
  100.0 * (1.0 - max(m.test_acc)) AS mean_test_error,
  100.0 * sqrt(sum(CASE WHEN r.status = 'done' THEN (r.test_acc - m.test_acc) * (r.test_acc - m.test_acc) END) / (count(CASE WHEN r.status = 'done' THEN r.test_acc END) - 1)) AS std_test_error,
  max(m.test_acc) AS mean_test_acc,
  sqrt(sum(CASE WHEN r.status = 'done' THEN (r.test_acc - m.test_acc) * (r.test_acc - m.test_acc) END) / (count(CASE WHEN r.status = 'done' THEN r.test_acc END) - 1)) AS std_test_acc,
  max(m.test_loss) AS mean_test_loss,
  sqrt(sum(CASE WHEN r.status = 'done' THEN (r.test_loss - m.test_loss) * (r.test_loss - m.test_loss) END) / (count(CASE WHEN r.status = 'done' THEN r.test_loss END) - 1)) AS std_test_loss,
  max(m.val_acc) AS mean_val_acc,
  sqrt(sum(CASE WHEN r.status = 'done' THEN (r.val_acc - m.val_acc) * (r.val_acc - m.val_acc) END) / (count(CASE WHEN r.status = 'done' THEN r.val_acc END) - 1)) AS std_val_acc,
  max(m.val_loss) AS mean_val_loss,
  sqrt(sum(CASE WHEN r.status = 'done' THEN (r.val_loss - m.val_loss) * (r.val_loss - m.val_loss) END) / (count(CASE WHEN r.status = 'done' THEN r.val_loss END) - 1)) AS std_val_loss,
  max(m.train_acc) AS mean_train_acc,
  sqrt(sum(CASE WHEN r.status = 'done' THEN (r.train_acc - m.train_acc) * (r.train_acc - m.train_acc) END) / (count(CASE WHEN r.status = 'done' THEN r.train_acc END) - 1)) AS std_train_acc,
  max(m.train_loss) AS mean_train_loss,
  sqrt(sum(CASE WHEN r.status = 'done' THEN (r.train_loss - m.train_loss) * (r.train_loss - m.train_loss) END) / (count(CASE WHEN r.status = 'done' THEN r.train_loss END) - 1)) AS std_train_loss
FROM r JOIN m ON m.cell = r.cell AND m.sweep IS r.sweep
GROUP BY r.sweep, r.cell, r.dataset, r.model, r.optimizer, r.lr, r.momentum,
  r.weight_decay, r.batch_size, r.schedule, r.schedule_json,
  r.sampling, r.budget, r.full_epochs;
