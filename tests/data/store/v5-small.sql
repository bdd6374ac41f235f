-- a store written by rexsweep 0.1.0 (schema version 5, trainer 2) before the sweep and test
-- error columns of cell_results: 'rexsweep run tests/data/run/small.yaml --max-runs 4',
-- then 'sqlite3 STORE .dump'
PRAGMA foreign_keys=OFF;
PRAGMA application_id = 1381528439;
PRAGMA user_version = 5;
BEGIN TRANSACTION;
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
INSERT INTO sweeps VALUES(1,'small',replace('# A small, fast sweep on synthetic data for the runner''s shell tests:\n# 2 schedules x 2 budgets x 3 seeds = 12 runs of a few hundred steps.\nname: small\ndata: {dataset: spirals, n_samples: 2000, validation: 200, noise: 0.05}\nmodel: {type: mlp, hidden: [32, 32]}\ntrain: {batch_size: 64, full_epochs: 20}\nbudgets: [50%, 100%]\noptimizers:\n  - {name: sgd, momentum: 0.9, lr: [0.05]}\nschedules: [rex, linear]\nseeds: 3\n','\n',char(10)),'63fd6ab0954b07b5',1796287925.4663450717,'0.1.0',2,'vm','3f328be51beeea48179ed5f6f0e03729a6b9df05',0,'537212c29740ba88');
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
, provenance TEXT REFERENCES provenance (id), trainer TEXT, output TEXT, final_lr ANY CHECK (typeof(final_lr) <> 'text' AND typeof(final_lr) <> 'blob' OR final_lr IN ('NaN', 'Infinity', '-Infinity'))) STRICT;
INSERT INTO runs VALUES('af76d3faa936e18a','6ae81d670110ba15','spirals','mlp','sgd',0.050000000000000002775,0.9000000000000000222,0.0,64,'rex','{"name":"rex","d":0.5,"sampling":"iteration","warmup":0,"warmup_start":0,"warmup_counts":true}','iteration',0.5,20.0,0,'{"data":{"dataset":"spirals","header":false,"label_column":-1,"n_classes":3,"n_dims":2,"n_features":0,"n_outputs":1,"n_samples":2000,"noise":0.05,"normalize":"global","path":"","seed":0,"teacher_hidden":32,"test_path":"","test_subset":0,"train_subset":0,"validation":200},"model":{"activation":"relu","conv":[],"dropout":0,"hidden":[32,32],"init":"auto","latent":2,"loss":"auto","type":"mlp"},"optimizer":{"beta1":0.9,"beta2":0.999,"clip_norm":0,"dampening":0,"eps":1e-08,"lr":0.05,"momentum":0.9,"name":"sgd","nesterov":false,"weight_decay":0},"schedule":{"name":"rex","d":0.5,"sampling":"iteration","warmup":0,"warmup_start":0,"warmup_counts":true},"train":{"batch_size":64,"budget":0.5,"eval_test":true,"full_epochs":20,"log_every":0,"seed":0}}','done',1,'vm',8730,1796287925.5397148132,1796287925.4924461841,1796287925.5397148132,0.020946571999957086518,10.0,290,290,29,18000,124416000.0,1218,'mlp 2-32-32-2 relu (1218 params)',0.27900422872351715586,0.90444444444444449526,0.27921762561048568684,0.9000000000000000222,0.28186679560602001526,0.90200000000000002398,0.9000000000000000222,0.27921762561048568684,0.90200000000000002398,NULL,NULL,'537212c29740ba88',NULL,NULL,0.00034364261168384952795);
INSERT INTO runs VALUES('0566fbb0c77a87ed','6ae81d670110ba15','spirals','mlp','sgd',0.050000000000000002775,0.9000000000000000222,0.0,64,'rex','{"name":"rex","d":0.5,"sampling":"iteration","warmup":0,"warmup_start":0,"warmup_counts":true}','iteration',0.5,20.0,1,'{"data":{"dataset":"spirals","header":false,"label_column":-1,"n_classes":3,"n_dims":2,"n_features":0,"n_outputs":1,"n_samples":2000,"noise":0.05,"normalize":"global","path":"","seed":0,"teacher_hidden":32,"test_path":"","test_subset":0,"train_subset":0,"validation":200},"model":{"activation":"relu","conv":[],"dropout":0,"hidden":[32,32],"init":"auto","latent":2,"loss":"auto","type":"mlp"},"optimizer":{"beta1":0.9,"beta2":0.999,"clip_norm":0,"dampening":0,"eps":1e-08,"lr":0.05,"momentum":0.9,"name":"sgd","nesterov":false,"weight_decay":0},"schedule":{"name":"rex","d":0.5,"sampling":"iteration","warmup":0,"warmup_start":0,"warmup_counts":true},"train":{"batch_size":64,"budget":0.5,"eval_test":true,"full_epochs":20,"log_every":0,"seed":1}}','done',1,'vm',8730,1796287925.5455937385,1796287925.5420544147,1796287925.5455937385,0.0034219760000269161537,10.0,290,290,29,18000,124416000.0,1218,'mlp 2-32-32-2 relu (1218 params)',0.16826173052239359884,0.93944444444444441533,0.16745109016268500123,0.94499999999999995115,0.17167696806015550481,0.93200000000000005062,0.94499999999999995115,0.16745109016268500123,0.93200000000000005062,NULL,NULL,'537212c29740ba88',NULL,NULL,0.00034364261168384952795);
INSERT INTO runs VALUES('a2414f1396d01d04','6ae81d670110ba15','spirals','mlp','sgd',0.050000000000000002775,0.9000000000000000222,0.0,64,'rex','{"name":"rex","d":0.5,"sampling":"iteration","warmup":0,"warmup_start":0,"warmup_counts":true}','iteration',0.5,20.0,2,'{"data":{"dataset":"spirals","header":false,"label_column":-1,"n_classes":3,"n_dims":2,"n_features":0,"n_outputs":1,"n_samples":2000,"noise":0.05,"normalize":"global","path":"","seed":0,"teacher_hidden":32,"test_path":"","test_subset":0,"train_subset":0,"validation":200},"model":{"activation":"relu","conv":[],"dropout":0,"hidden":[32,32],"init":"auto","latent":2,"loss":"auto","type":"mlp"},"optimizer":{"beta1":0.9,"beta2":0.999,"clip_norm":0,"dampening":0,"eps":1e-08,"lr":0.05,"momentum":0.9,"name":"sgd","nesterov":false,"weight_decay":0},"schedule":{"name":"rex","d":0.5,"sampling":"iteration","warmup":0,"warmup_start":0,"warmup_counts":true},"train":{"batch_size":64,"budget":0.5,"eval_test":true,"full_epochs":20,"log_every":0,"seed":2}}','done',1,'vm',8730,1796287925.5523593425,1796287925.5488688945,1796287925.5523593425,0.0033691560001898324117,10.0,290,290,29,18000,124416000.0,1218,'mlp 2-32-32-2 relu (1218 params)',0.17940373569592396596,0.94222222222222218324,0.1753210983079063201,0.95499999999999996003,0.18060807291378511152,0.94799999999999995381,0.95499999999999996003,0.1753210983079063201,0.94799999999999995381,NULL,NULL,'537212c29740ba88',NULL,NULL,0.00034364261168384952795);
INSERT INTO runs VALUES('819cb939df11a890','a573b7d01915fd5f','spirals','mlp','sgd',0.050000000000000002775,0.9000000000000000222,0.0,64,'linear','{"name":"linear","end_factor":0,"sampling":"iteration","warmup":0,"warmup_start":0,"warmup_counts":true}','iteration',0.5,20.0,0,'{"data":{"dataset":"spirals","header":false,"label_column":-1,"n_classes":3,"n_dims":2,"n_features":0,"n_outputs":1,"n_samples":2000,"noise":0.05,"normalize":"global","path":"","seed":0,"teacher_hidden":32,"test_path":"","test_subset":0,"train_subset":0,"validation":200},"model":{"activation":"relu","conv":[],"dropout":0,"hidden":[32,32],"init":"auto","latent":2,"loss":"auto","type":"mlp"},"optimizer":{"beta1":0.9,"beta2":0.999,"clip_norm":0,"dampening":0,"eps":1e-08,"lr":0.05,"momentum":0.9,"name":"sgd","nesterov":false,"weight_decay":0},"schedule":{"name":"linear","end_factor":0,"sampling":"iteration","warmup":0,"warmup_start":0,"warmup_counts":true},"train":{"batch_size":64,"budget":0.5,"eval_test":true,"full_epochs":20,"log_every":0,"seed":0}}','done',1,'vm',8730,1796287925.5598978995,1796287925.5524716376,1796287925.5598978995,0.0073497520006640115752,10.0,290,290,29,18000,124416000.0,1218,'mlp 2-32-32-2 relu (1218 params)',0.36946051924861766924,0.837222222222222201,0.3754995496794091836,0.83499999999999996447,0.38462572790376103881,0.81799999999999994937,0.83499999999999996447,0.3754995496794091836,0.81799999999999994937,NULL,NULL,'537212c29740ba88',NULL,NULL,0.00017241379310344864209);
INSERT INTO runs VALUES('aa6a5e9d844d441b','a573b7d01915fd5f','spirals','mlp','sgd',0.050000000000000002775,0.9000000000000000222,0.0,64,'linear','{"name":"linear","end_factor":0,"sampling":"iteration","warmup":0,"warmup_start":0,"warmup_counts":true}','iteration',0.5,20.0,1,'{"data":{"dataset":"spirals","header":false,"label_column":-1,"n_classes":3,"n_dims":2,"n_features":0,"n_outputs":1,"n_samples":2000,"noise":0.05,"normalize":"global","path":"","seed":0,"teacher_hidden":32,"test_path":"","test_subset":0,"train_subset":0,"validation":200},"model":{"activation":"relu","conv":[],"dropout":0,"hidden":[32,32],"init":"auto","latent":2,"loss":"auto","type":"mlp"},"optimizer":{"beta1":0.9,"beta2":0.999,"clip_norm":0,"dampening":0,"eps":1e-08,"lr":0.05,"momentum":0.9,"name":"sgd","nesterov":false,"weight_decay":0},"schedule":{"name":"linear","end_factor":0,"sampling":"iteration","warmup":0,"warmup_start":0,"warmup_counts":true},"train":{"batch_size":64,"budget":0.5,"eval_test":true,"full_epochs":20,"log_every":0,"seed":1}}','pending',0,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL);
INSERT INTO runs VALUES('64a62a2cedaaa166','a573b7d01915fd5f','spirals','mlp','sgd',0.050000000000000002775,0.9000000000000000222,0.0,64,'linear','{"name":"linear","end_factor":0,"sampling":"iteration","warmup":0,"warmup_start":0,"warmup_counts":true}','iteration',0.5,20.0,2,'{"data":{"dataset":"spirals","header":false,"label_column":-1,"n_classes":3,"n_dims":2,"n_features":0,"n_outputs":1,"n_samples":2000,"noise":0.05,"normalize":"global","path":"","seed":0,"teacher_hidden":32,"test_path":"","test_subset":0,"train_subset":0,"validation":200},"model":{"activation":"relu","conv":[],"dropout":0,"hidden":[32,32],"init":"auto","latent":2,"loss":"auto","type":"mlp"},"optimizer":{"beta1":0.9,"beta2":0.999,"clip_norm":0,"dampening":0,"eps":1e-08,"lr":0.05,"momentum":0.9,"name":"sgd","nesterov":false,"weight_decay":0},"schedule":{"name":"linear","end_factor":0,"sampling":"iteration","warmup":0,"warmup_start":0,"warmup_counts":true},"train":{"batch_size":64,"budget":0.5,"eval_test":true,"full_epochs":20,"log_every":0,"seed":2}}','pending',0,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL);
INSERT INTO runs VALUES('319743fcf3496678','456c09b1360f56b7','spirals','mlp','sgd',0.050000000000000002775,0.9000000000000000222,0.0,64,'rex','{"name":"rex","d":0.5,"sampling":"iteration","warmup":0,"warmup_start":0,"warmup_counts":true}','iteration',1.0,20.0,0,'{"data":{"dataset":"spirals","header":false,"label_column":-1,"n_classes":3,"n_dims":2,"n_features":0,"n_outputs":1,"n_samples":2000,"noise":0.05,"normalize":"global","path":"","seed":0,"teacher_hidden":32,"test_path":"","test_subset":0,"train_subset":0,"validation":200},"model":{"activation":"relu","conv":[],"dropout":0,"hidden":[32,32],"init":"auto","latent":2,"loss":"auto","type":"mlp"},"optimizer":{"beta1":0.9,"beta2":0.999,"clip_norm":0,"dampening":0,"eps":1e-08,"lr":0.05,"momentum":0.9,"name":"sgd","nesterov":false,"weight_decay":0},"schedule":{"name":"rex","d":0.5,"sampling":"iteration","warmup":0,"warmup_start":0,"warmup_counts":true},"train":{"batch_size":64,"budget":1,"eval_test":true,"full_epochs":20,"log_every":0,"seed":0}}','pending',0,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL);
INSERT INTO runs VALUES('55886cc02c69d6a3','456c09b1360f56b7','spirals','mlp','sgd',0.050000000000000002775,0.9000000000000000222,0.0,64,'rex','{"name":"rex","d":0.5,"sampling":"iteration","warmup":0,"warmup_start":0,"warmup_counts":true}','iteration',1.0,20.0,1,'{"data":{"dataset":"spirals","header":false,"label_column":-1,"n_classes":3,"n_dims":2,"n_features":0,"n_outputs":1,"n_samples":2000,"noise":0.05,"normalize":"global","path":"","seed":0,"teacher_hidden":32,"test_path":"","test_subset":0,"train_subset":0,"validation":200},"model":{"activation":"relu","conv":[],"dropout":0,"hidden":[32,32],"init":"auto","latent":2,"loss":"auto","type":"mlp"},"optimizer":{"beta1":0.9,"beta2":0.999,"clip_norm":0,"dampening":0,"eps":1e-08,"lr":0.05,"momentum":0.9,"name":"sgd","nesterov":false,"weight_decay":0},"schedule":{"name":"rex","d":0.5,"sampling":"iteration","warmup":0,"warmup_start":0,"warmup_counts":true},"train":{"batch_size":64,"budget":1,"eval_test":true,"full_epochs":20,"log_every":0,"seed":1}}','pending',0,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL);
INSERT INTO runs VALUES('c627110641a09e0e','456c09b1360f56b7','spirals','mlp','sgd',0.050000000000000002775,0.9000000000000000222,0.0,64,'rex','{"name":"rex","d":0.5,"sampling":"iteration","warmup":0,"warmup_start":0,"warmup_counts":true}','iteration',1.0,20.0,2,'{"data":{"dataset":"spirals","header":false,"label_column":-1,"n_classes":3,"n_dims":2,"n_features":0,"n_outputs":1,"n_samples":2000,"noise":0.05,"normalize":"global","path":"","seed":0,"teacher_hidden":32,"test_path":"","test_subset":0,"train_subset":0,"validation":200},"model":{"activation":"relu","conv":[],"dropout":0,"hidden":[32,32],"init":"auto","latent":2,"loss":"auto","type":"mlp"},"optimizer":{"beta1":0.9,"beta2":0.999,"clip_norm":0,"dampening":0,"eps":1e-08,"lr":0.05,"momentum":0.9,"name":"sgd","nesterov":false,"weight_decay":0},"schedule":{"name":"rex","d":0.5,"sampling":"iteration","warmup":0,"warmup_start":0,"warmup_counts":true},"train":{"batch_size":64,"budget":1,"eval_test":true,"full_epochs":20,"log_every":0,"seed":2}}','pending',0,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL);
INSERT INTO runs VALUES('8b7501f28d6729a2','f8f3beef656cec7d','spirals','mlp','sgd',0.050000000000000002775,0.9000000000000000222,0.0,64,'linear','{"name":"linear","end_factor":0,"sampling":"iteration","warmup":0,"warmup_start":0,"warmup_counts":true}','iteration',1.0,20.0,0,'{"data":{"dataset":"spirals","header":false,"label_column":-1,"n_classes":3,"n_dims":2,"n_features":0,"n_outputs":1,"n_samples":2000,"noise":0.05,"normalize":"global","path":"","seed":0,"teacher_hidden":32,"test_path":"","test_subset":0,"train_subset":0,"validation":200},"model":{"activation":"relu","conv":[],"dropout":0,"hidden":[32,32],"init":"auto","latent":2,"loss":"auto","type":"mlp"},"optimizer":{"beta1":0.9,"beta2":0.999,"clip_norm":0,"dampening":0,"eps":1e-08,"lr":0.05,"momentum":0.9,"name":"sgd","nesterov":false,"weight_decay":0},"schedule":{"name":"linear","end_factor":0,"sampling":"iteration","warmup":0,"warmup_start":0,"warmup_counts":true},"train":{"batch_size":64,"budget":1,"eval_test":true,"full_epochs":20,"log_every":0,"seed":0}}','pending',0,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL);
INSERT INTO runs VALUES('3b35498736ee2245','f8f3beef656cec7d','spirals','mlp','sgd',0.050000000000000002775,0.9000000000000000222,0.0,64,'linear','{"name":"linear","end_factor":0,"sampling":"iteration","warmup":0,"warmup_start":0,"warmup_counts":true}','iteration',1.0,20.0,1,'{"data":{"dataset":"spirals","header":false,"label_column":-1,"n_classes":3,"n_dims":2,"n_features":0,"n_outputs":1,"n_samples":2000,"noise":0.05,"normalize":"global","path":"","seed":0,"teacher_hidden":32,"test_path":"","test_subset":0,"train_subset":0,"validation":200},"model":{"activation":"relu","conv":[],"dropout":0,"hidden":[32,32],"init":"auto","latent":2,"loss":"auto","type":"mlp"},"optimizer":{"beta1":0.9,"beta2":0.999,"clip_norm":0,"dampening":0,"eps":1e-08,"lr":0.05,"momentum":0.9,"name":"sgd","nesterov":false,"weight_decay":0},"schedule":{"name":"linear","end_factor":0,"sampling":"iteration","warmup":0,"warmup_start":0,"warmup_counts":true},"train":{"batch_size":64,"budget":1,"eval_test":true,"full_epochs":20,"log_every":0,"seed":1}}','pending',0,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL);
INSERT INTO runs VALUES('fca3b39cba0bcfbc','f8f3beef656cec7d','spirals','mlp','sgd',0.050000000000000002775,0.9000000000000000222,0.0,64,'linear','{"name":"linear","end_factor":0,"sampling":"iteration","warmup":0,"warmup_start":0,"warmup_counts":true}','iteration',1.0,20.0,2,'{"data":{"dataset":"spirals","header":false,"label_column":-1,"n_classes":3,"n_dims":2,"n_features":0,"n_outputs":1,"n_samples":2000,"noise":0.05,"normalize":"global","path":"","seed":0,"teacher_hidden":32,"test_path":"","test_subset":0,"train_subset":0,"validation":200},"model":{"activation":"relu","conv":[],"dropout":0,"hidden":[32,32],"init":"auto","latent":2,"loss":"auto","type":"mlp"},"optimizer":{"beta1":0.9,"beta2":0.999,"clip_norm":0,"dampening":0,"eps":1e-08,"lr":0.05,"momentum":0.9,"name":"sgd","nesterov":false,"weight_decay":0},"schedule":{"name":"linear","end_factor":0,"sampling":"iteration","warmup":0,"warmup_start":0,"warmup_counts":true},"train":{"batch_size":64,"budget":1,"eval_test":true,"full_epochs":20,"log_every":0,"seed":2}}','pending',0,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL);
CREATE TABLE sweep_runs (
  sweep INTEGER NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,
  key TEXT NOT NULL REFERENCES runs (key) ON DELETE CASCADE,
  grid_index INTEGER NOT NULL,
  PRIMARY KEY (sweep, key)
) STRICT, WITHOUT ROWID;
INSERT INTO sweep_runs VALUES(1,'af76d3faa936e18a',0);
INSERT INTO sweep_runs VALUES(1,'0566fbb0c77a87ed',1);
INSERT INTO sweep_runs VALUES(1,'a2414f1396d01d04',2);
INSERT INTO sweep_runs VALUES(1,'819cb939df11a890',3);
INSERT INTO sweep_runs VALUES(1,'aa6a5e9d844d441b',4);
INSERT INTO sweep_runs VALUES(1,'64a62a2cedaaa166',5);
INSERT INTO sweep_runs VALUES(1,'319743fcf3496678',6);
INSERT INTO sweep_runs VALUES(1,'55886cc02c69d6a3',7);
INSERT INTO sweep_runs VALUES(1,'c627110641a09e0e',8);
INSERT INTO sweep_runs VALUES(1,'8b7501f28d6729a2',9);
INSERT INTO sweep_runs VALUES(1,'3b35498736ee2245',10);
INSERT INTO sweep_runs VALUES(1,'fca3b39cba0bcfbc',11);
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
INSERT INTO metrics VALUES('0566fbb0c77a87ed',1,29,1800,0.74923492686648118787,0.59555555555555550473,0.60847804713292441558,0.61499999999999999111,0.63324707121610557258,0.60399999999999998134,0.047463768115942030212,0.9000000000000000222,1.2554752965274542653,0.00036326999907032586634);
INSERT INTO metrics VALUES('0566fbb0c77a87ed',2,58,3600,0.59311852872956261073,0.62388888888888893724,0.59844920238603005469,0.57499999999999995559,0.60088515275919007763,0.57799999999999995825,0.044550669216061183908,0.9000000000000000222,0.30091965992481173319,0.00068817299870715942233);
INSERT INTO metrics VALUES('0566fbb0c77a87ed',3,87,5400,0.56875043388176338421,0.60666666666666668739,0.55663649360697986523,0.57499999999999995559,0.55889092889051983359,0.615999999999999992,0.041295546558704460116,0.9000000000000000222,0.39004636531645608954,0.0010061259999929461628);
INSERT INTO metrics VALUES('0566fbb0c77a87ed',4,116,7200,0.51462556946197812735,0.64500000000000001776,0.49039621529257210186,0.67000000000000003996,0.48821166321274572785,0.69399999999999995026,0.037634408602150538902,0.9000000000000000222,0.43804335240878566892,0.0014205509996827458962);
INSERT INTO metrics VALUES('0566fbb0c77a87ed',5,145,9000,0.43305663475498507031,0.75555555555555553581,0.38905446108950331174,0.79000000000000003552,0.40078064300764842942,0.80800000000000005151,0.03348623853211010054,0.9000000000000000222,0.53405203624013242169,0.0017563599994900869205);
INSERT INTO metrics VALUES('0566fbb0c77a87ed',6,174,10800,0.34355757572409245659,0.85499999999999998223,0.30258452051458972764,0.88500000000000000888,0.29523594436832811815,0.89000000000000001332,0.028746928746928746001,0.9000000000000000222,0.60568019096303982173,0.0020805019994440954178);
INSERT INTO metrics VALUES('0566fbb0c77a87ed',7,203,12600,0.27396158302051148991,0.87888888888888894168,0.24829506792346323074,0.88000000000000000444,0.23836940162739739257,0.89200000000000001509,0.023280423280423283294,0.9000000000000000222,0.6684354074134016832,0.00240705699980026111);
INSERT INTO metrics VALUES('0566fbb0c77a87ed',8,232,14400,0.21798733089976779497,0.91888888888888886619,0.20498011393725334983,0.93000000000000004884,0.20597434884331344839,0.9080000000000000293,0.016905444126074496702,0.9000000000000000222,0.52537351967825984822,0.0027389909992052707821);
INSERT INTO metrics VALUES('0566fbb0c77a87ed',9,261,16200,0.18720516553086613553,0.92555555555555557578,0.17506937137345818245,0.93500000000000005329,0.17863433790700142256,0.92600000000000004529,0.009374999999999999653,0.9000000000000000222,0.44744651621672004715,0.0030717049994564149528);
INSERT INTO metrics VALUES('0566fbb0c77a87ed',10,290,18000,0.16826173052239359884,0.93944444444444441533,0.16745109016268500123,0.94499999999999995115,0.17167696806015550481,0.93200000000000005062,0.00034364261168384952795,0.9000000000000000222,0.32180947912176333103,0.0034038289995805826038);
INSERT INTO metrics VALUES('819cb939df11a890',1,29,1800,0.68099882562644931116,0.60833333333333328152,0.61254838844597248037,0.61999999999999999555,0.63285096349969882645,0.61399999999999999023,0.045172413793103452506,0.9000000000000000222,0.72873318438249112816,0.00034019499980786349624);
INSERT INTO metrics VALUES('819cb939df11a890',2,58,3600,0.59690319409312508902,0.63944444444444448194,0.625100723094820232,0.57999999999999996003,0.61071762430070608562,0.57999999999999996003,0.040172413793103448065,0.9000000000000000222,0.3314292370453107428,0.00065738699959183577448);
INSERT INTO metrics VALUES('819cb939df11a890',3,87,5400,0.58696483489121797916,0.64777777777777778567,0.61095094463393839756,0.58499999999999996447,0.60499784200869599626,0.59199999999999997069,0.035172413793103450563,0.9000000000000000222,0.31673090104809742406,0.00097292600003129336982);
INSERT INTO metrics VALUES('819cb939df11a890',4,116,7200,0.56553296904385264021,0.62444444444444446862,0.57351865772919674579,0.57999999999999996003,0.58177454234624959017,0.58599999999999996536,0.030172413793103449591,0.9000000000000000222,0.32186566533332711115,0.0012872629995399620383);
INSERT INTO metrics VALUES('819cb939df11a890',5,145,9000,0.54045722233951376534,0.6277777777777777679,0.55026820760690364764,0.60499999999999998223,0.55410266132378138692,0.60399999999999998134,0.02517241379310344862,0.9000000000000000222,0.35252511221855553635,0.0056753740009298780933);
INSERT INTO metrics VALUES('819cb939df11a890',6,174,10800,0.50089786448140805052,0.65166666666666661633,0.49592886332908447943,0.59999999999999997779,0.4985378713905930792,0.61199999999999998845,0.020172413793103451118,0.9000000000000000222,0.39451759817545389852,0.0060206569996807957068);
INSERT INTO metrics VALUES('819cb939df11a890',7,203,12600,0.45411906812589220017,0.69833333333333336145,0.44015528591073765918,0.73499999999999998667,0.44980994088253600793,0.74799999999999999822,0.015172413793103451881,0.9000000000000000222,0.40241719446184859299,0.0063406019999092677608);
INSERT INTO metrics VALUES('819cb939df11a890',8,232,14400,0.4134022015514821069,0.7683333333333333126,0.41231662801418311747,0.73999999999999999111,0.41769517618617552079,0.74199999999999999289,0.01017241379310344744,0.9000000000000000222,0.39918098821328795722,0.0066893809998873621225);
INSERT INTO metrics VALUES('819cb939df11a890',9,261,16200,0.38509297143920567796,0.80444444444444440645,0.38317921693173562225,0.82999999999999996003,0.39103073525532788812,0.81599999999999994759,0.005172413793103448204,0.9000000000000000222,0.45707459734574229504,0.0070140230000106384977);
INSERT INTO metrics VALUES('819cb939df11a890',10,290,18000,0.36946051924861766924,0.837222222222222201,0.3754995496794091836,0.83499999999999996447,0.38462572790376103881,0.81799999999999994937,0.00017241379310344864209,0.9000000000000000222,0.46641161383530954642,0.0073324059994774870574);
INSERT INTO metrics VALUES('a2414f1396d01d04',1,29,1800,0.66998389116552592437,0.60555555555555551361,0.63301302919741864183,0.63500000000000000888,0.65562948035245016686,0.61199999999999998845,0.047463768115942030212,0.9000000000000000222,0.71889645457401130101,0.00035993399978906381875);
INSERT INTO metrics VALUES('a2414f1396d01d04',2,58,3600,0.60151062088737794475,0.63555555555555554025,0.63336164074977607807,0.55500000000000004884,0.62149821878842614886,0.60199999999999997957,0.044550669216061183908,0.9000000000000000222,0.44346030754260906681,0.00068939399898226838558);
INSERT INTO metrics VALUES('a2414f1396d01d04',3,87,5400,0.60050388824880007732,0.625,0.59076912302822326417,0.59499999999999997335,0.58933133282708272115,0.58999999999999996891,0.041295546558704460116,0.9000000000000000222,0.51955092415185044618,0.0010056139999505830928);
INSERT INTO metrics VALUES('a2414f1396d01d04',4,116,7200,0.53268809534834127283,0.64444444444444448638,0.49624900956644268923,0.67000000000000003996,0.50172654747899425586,0.67000000000000003996,0.037634408602150538902,0.9000000000000000222,0.38998576325368633499,0.0013486739990185014903);
INSERT INTO metrics VALUES('a2414f1396d01d04',5,145,9000,0.43982094452525116734,0.75555555555555553581,0.38554155859289535035,0.85999999999999998667,0.39226355640075494246,0.86999999999999999555,0.03348623853211010054,0.9000000000000000222,0.50993444727728454157,0.0017058049998013302683);
INSERT INTO metrics VALUES('a2414f1396d01d04',6,174,10800,0.33754247726317071487,0.8688888888888889328,0.30859232105776651655,0.88500000000000000888,0.30427249849332316244,0.92000000000000003996,0.028746928746928746001,0.9000000000000000222,0.51131865410718679854,0.0020333809989097062498);
INSERT INTO metrics VALUES('a2414f1396d01d04',7,203,12600,0.26940213641966120894,0.89833333333333331705,0.24101643797208061048,0.91500000000000003552,0.24585438909108689453,0.92600000000000004529,0.023280423280423283294,0.9000000000000000222,0.48314070945455850347,0.002361248998568044044);
INSERT INTO metrics VALUES('a2414f1396d01d04',8,232,14400,0.22085656748823834227,0.91722222222222227205,0.20969657406518524278,0.93000000000000004884,0.20984395730044236305,0.93000000000000004884,0.016905444126074496702,0.9000000000000000222,0.35386174473007225849,0.0026899770000454736873);
INSERT INTO metrics VALUES('a2414f1396d01d04',9,261,16200,0.19555814184624706331,0.93500000000000005329,0.18176471334363919485,0.9399999999999999467,0.19059109816673167059,0.93600000000000005417,0.009374999999999999653,0.9000000000000000222,0.3356353978001574978,0.0030217599996831268072);
INSERT INTO metrics VALUES('a2414f1396d01d04',10,290,18000,0.17940373569592396596,0.94222222222222218324,0.1753210983079063201,0.95499999999999996003,0.18060807291378511152,0.94799999999999995381,0.00034364261168384952795,0.9000000000000000222,0.3194730757206899474,0.0033531030003359774127);
INSERT INTO metrics VALUES('af76d3faa936e18a',1,29,1800,0.681217201666483807,0.60888888888888892392,0.61278367323116433862,0.61999999999999999555,0.63182636186597385119,0.615999999999999992,0.047463768115942030212,0.9000000000000000222,0.72834838824595660167,0.00086192100025073159486);
INSERT INTO metrics VALUES('af76d3faa936e18a',2,58,3600,0.59637583366563917675,0.63777777777777777679,0.62467304334774087504,0.57499999999999995559,0.61100074810049442852,0.58599999999999996536,0.044550669216061183908,0.9000000000000000222,0.32657329678470004008,0.0014974550012993859127);
INSERT INTO metrics VALUES('af76d3faa936e18a',3,87,5400,0.58688317415302859725,0.64500000000000001776,0.60745972662482672355,0.58999999999999996891,0.60034078854211769815,0.58399999999999996358,0.041295546558704460116,0.9000000000000000222,0.31652527463159024767,0.0020333620013843756169);
INSERT INTO metrics VALUES('af76d3faa936e18a',4,116,7200,0.56171239372793269062,0.62055555555555552693,0.56873423936329803307,0.58499999999999996447,0.57619256976503829825,0.59399999999999997246,0.037634408602150538902,0.9000000000000000222,0.33282368834281483849,0.0025296690000686794519);
INSERT INTO metrics VALUES('af76d3faa936e18a',5,145,9000,0.5270713992395881231,0.63611111111111107163,0.54293572800319001014,0.64000000000000001332,0.54012143650926813798,0.62399999999999999911,0.03348623853211010054,0.9000000000000000222,0.35902476787106996081,0.003018986000824952498);
INSERT INTO metrics VALUES('af76d3faa936e18a',6,174,10800,0.46786738431512964186,0.70222222222222219212,0.44680334493868600898,0.69999999999999995559,0.45471886475627970591,0.69799999999999995381,0.028746928746928746001,0.9000000000000000222,0.43811013260854037021,0.01955798900053196121);
INSERT INTO metrics VALUES('af76d3faa936e18a',7,203,12600,0.39670652653487303851,0.7966666666666666341,0.37136598382397795203,0.82999999999999996003,0.37614904482825600728,0.82999999999999996003,0.023280423280423283294,0.9000000000000000222,0.435048980781809147,0.019947057000536005944);
INSERT INTO metrics VALUES('af76d3faa936e18a',8,232,14400,0.34123093024738404555,0.85444444444444445085,0.32733921651217867676,0.875,0.32786442200177301486,0.88600000000000000976,0.016905444126074496702,0.9000000000000000222,0.4753303263749809604,0.020273051000913255847);
INSERT INTO metrics VALUES('af76d3faa936e18a',9,261,16200,0.30029426672422648847,0.88333333333333330372,0.28989200455934921452,0.88500000000000000888,0.29234662494719737546,0.90200000000000002398,0.009374999999999999653,0.9000000000000000222,0.48988978542739008981,0.02060396300112188328);
INSERT INTO metrics VALUES('af76d3faa936e18a',10,290,18000,0.27900422872351715586,0.90444444444444449526,0.27921762561048568684,0.9000000000000000222,0.28186679560602001526,0.90200000000000002398,0.00034364261168384952795,0.9000000000000000222,0.46873554382652948824,0.020929998001520289108);
CREATE TABLE step_metrics (
  key TEXT NOT NULL REFERENCES runs (key) ON DELETE CASCADE,
  step INTEGER NOT NULL,
  loss ANY CHECK (typeof(loss) <> 'text' AND typeof(loss) <> 'blob' OR loss IN ('NaN', 'Infinity', '-Infinity')),
  lr ANY CHECK (typeof(lr) <> 'text' AND typeof(lr) <> 'blob' OR lr IN ('NaN', 'Infinity', '-Infinity')),
  momentum ANY CHECK (typeof(momentum) <> 'text' AND typeof(momentum) <> 'blob' OR momentum IN ('NaN', 'Infinity', '-Infinity')),
  grad_norm ANY CHECK (typeof(grad_norm) <> 'text' AND typeof(grad_norm) <> 'blob' OR grad_norm IN ('NaN', 'Infinity', '-Infinity')),
  PRIMARY KEY (key, step)
) STRICT, WITHOUT ROWID;
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
INSERT INTO provenance VALUES('537212c29740ba88','3f328be51beeea48179ed5f6f0e03729a6b9df05',0,'0.1.0',2,'OpenBLAS 0.3.21','Cooperlake','AMD EPYC','gcc 12.2.0','vm');
CREATE TABLE run_metrics (
  key TEXT NOT NULL REFERENCES runs (key) ON DELETE CASCADE,
  name TEXT NOT NULL,
  scope TEXT NOT NULL CHECK (scope IN ('step', 'epoch', 'final')),
  at INTEGER NOT NULL,
  value ANY CHECK (typeof(value) <> 'text' AND typeof(value) <> 'blob' OR value IN ('NaN', 'Infinity', '-Infinity')),
  PRIMARY KEY (key, name, scope, at)
) STRICT, WITHOUT ROWID;
CREATE INDEX sweep_runs_order ON sweep_runs (sweep, grid_index);
CREATE INDEX sweep_runs_key ON sweep_runs (key);
CREATE INDEX runs_cell ON runs (cell);
CREATE INDEX runs_status ON runs (status);
CREATE INDEX runs_axes ON runs (dataset, optimizer, budget, schedule);
CREATE VIEW cell_results AS
WITH m AS (SELECT cell,
    avg(CASE WHEN status = 'done' THEN test_acc END) AS test_acc,
    avg(CASE WHEN status = 'done' THEN test_loss END) AS test_loss,
    avg(CASE WHEN status = 'done' THEN val_acc END) AS val_acc,
    avg(CASE WHEN status = 'done' THEN val_loss END) AS val_loss,
    avg(CASE WHEN status = 'done' THEN train_acc END) AS train_acc,
    avg(CASE WHEN status = 'done' THEN train_loss END) AS train_loss
  FROM run_results GROUP BY cell)
SELECT r.cell, r.dataset, r.model, r.optimizer, r.lr, r.momentum,
  r.weight_decay, r.batch_size, r.schedule, r.schedule_json,
  r.sampling, r.budget, r.full_epochs,
  max(r.epochs) AS epochs, max(r.steps) AS steps,
  count(*) AS n_runs,
  count(CASE WHEN r.status = 'done' THEN 1 END) AS n_done,
  count(CASE WHEN r.status = 'diverged' THEN 1 END) AS n_diverged,
  count(CASE WHEN r.status = 'failed' THEN 1 END) AS n_failed,
  count(CASE WHEN r.status IN ('pending', 'running', 'interrupted') THEN 1 END) AS n_pending,
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
FROM run_results r JOIN m ON m.cell = r.cell
GROUP BY r.cell, r.dataset, r.model, r.optimizer, r.lr, r.momentum,
  r.weight_decay, r.batch_size, r.schedule, r.schedule_json,
  r.sampling, r.budget, r.full_epochs;
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
CREATE VIEW run_provenance AS SELECT
  r.key, r.cell, r.status, r.ended, p.id AS provenance, p.git_commit,
  p.git_dirty, p.rexsweep_version, p.trainer_version, p.blas_version,
  p.blas_core, p.cpu, p.compiler, p.host
FROM runs r LEFT JOIN provenance p ON p.id = r.provenance;
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
COMMIT;
