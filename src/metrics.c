/* metrics.c: the metric-column table (rx_metrics.h). */
#include "rx_metrics.h"

#define RUN(f) offsetof(rx_train_result, f)
#define EP(f) offsetof(rx_epoch_metrics, f)
#define ST(f) offsetof(rx_step_metrics, f)
#define NONE RX_MC_NONE
#define R RX_MC_RUN
#define E RX_MC_EPOCH
#define S RX_MC_STEP
#define AE RX_MC_AFTER_EPOCH
/* The report's view: a split's fraction (in %, and its complement), a
 * split's lower-is-better value, or none. */
#define FRACTION(split, m, label, c, c_label) {RX_SPLIT_##split, m, label, 1, c, c_label}
#define LOWER(split, m, label) {RX_SPLIT_##split, m, label, 0, NULL, NULL}
#define HIDE {RX_SPLIT_NONE, NULL, NULL, 0, NULL, NULL}
#define ACC(split) FRACTION(split, "acc", "accuracy", "error", "error")
#define LOSS(split) LOWER(split, "loss", "loss")

/* The runs table's metric columns are those of the rows with R, in this
 * order; the same for metrics (E) and step_metrics (S).  Version 1 of the
 * schema created the first columns; a row added later names the version
 * whose step adds its column. */
static const rx_metric_col cols[] = {
    {"train_loss", R | AE | E, RUN(final.train_loss), EP(train_loss), NONE, NULL, 1,
     "training loss, the mean over the epoch's batches", LOSS(TRAIN)},
    {"train_acc", R | AE | E, RUN(final.train_acc), EP(train_acc), NONE, NULL, 1,
     "training accuracy, the mean over the epoch's batches", ACC(TRAIN)},
    {"val_loss", R | AE | E, RUN(final.val_loss), EP(val_loss), NONE, NULL, 1,
     "validation loss", LOSS(VAL)},
    {"val_acc", R | AE | E, RUN(final.val_acc), EP(val_acc), NONE, NULL, 1,
     "validation accuracy", ACC(VAL)},
    {"test_loss", R | AE | E, RUN(final.test_loss), EP(test_loss), NONE, NULL, 1,
     "test loss", LOSS(TEST)},
    {"test_acc", R | AE | E, RUN(final.test_acc), EP(test_acc), NONE, NULL, 1,
     "test accuracy", ACC(TEST)},
    {"best_val_acc", R | AE, RUN(best_val_acc), NONE, NONE, NULL, 1,
     "the best validation accuracy of any epoch", HIDE},
    {"best_val_loss", R | AE, RUN(best_val_loss), NONE, NONE, NULL, 1,
     "the best validation loss of any epoch", HIDE},
    {"best_test_acc", R | AE, RUN(best_test_acc), NONE, NONE, NULL, 1,
     "the best test accuracy of any epoch", HIDE},
    {"loss", S, NONE, NONE, ST(loss), NULL, 1, "the batch's training loss", HIDE},
    {"lr", E | S, NONE, EP(lr), ST(lr), "epoch_lr", 1, "the learning rate in force", HIDE},
    {"momentum", E | S, NONE, EP(momentum), ST(momentum), "epoch_momentum", 1,
     "the momentum (or beta1) in force", HIDE},
    {"grad_norm", E | S, NONE, EP(grad_norm), ST(grad_norm), NULL, 1,
     "the global gradient norm (per epoch: its mean)", HIDE},
    {"wall", E | RX_MC_TIMING, NONE, EP(wall), NONE, NULL, 1, "seconds since the run started", HIDE},
    {"final_lr", R, RUN(final_lr), NONE, NONE, NULL, 5,
     "the learning rate of the run's last step (where it ended, diverged or stopped)", HIDE},
};

const rx_metric_col *rx_metric_cols(int *n)
{
    *n = (int)(sizeof cols / sizeof cols[0]);
    return cols;
}
