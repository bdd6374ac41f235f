/*
 * sched.c: the profile table, schedule keys (one parser for the spec and
 * the `schedule` command), sample-and-hold sampling, warm-up and the
 * per-run schedule state, including PyTorch's ReduceLROnPlateau.
 *
 * Every numeric convention follows torch.optim.lr_scheduler so that the
 * fixtures in tests/data/sched line up step for step: the lr of step t is
 * the scheduler's value after t calls of step(), p = t/T.
 */
#include "rx_sched.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define INF 1e300
#define P(i) (offsetof(rx_sched_config, param) + (size_t)(i) * sizeof(double))
#define IP(i) (offsetof(rx_sched_config, iparam) + (size_t)(i) * sizeof(int))
#define LO_OPEN RX_PF_LO_OPEN
#define HI_OPEN RX_PF_HI_OPEN
#define NROWS(a) (int)(sizeof(a) / sizeof((a)[0]))

/* Parameter slots of each profile (param[] and iparam[]). */
enum { REX_D = 0 };
enum { LIN_END = 0 };
enum { COS_ETA = 0 };
enum { EXP_GAMMA = 0, EXP_FINAL = 1 };
enum { STEP_GAMMA = 0 };
enum { PL_FACTOR = 0, PL_THRESHOLD = 1, PL_MIN_LR = 2, PL_EPS = 3 };
enum { PL_PATIENCE = 0, PL_THRESHOLD_MODE = 1, PL_COOLDOWN = 2, PL_MODE = 3 };
enum { OC_PCT = 0, OC_DIV = 1, OC_FINAL_DIV = 2, OC_BASE_M = 3, OC_MAX_M = 4 };
enum { OC_ANNEAL = 0, OC_THREE = 1, OC_CYCLE = 2 };
enum { DL_X = 0 };
enum { POLY_POWER = 0 };

static const char *const anneal_names[] = {"cos", "linear", NULL};
static const char *const threshold_mode_names[] = {"rel", "abs", NULL};
static const char *const mode_names[] = {"min", "max", NULL};

/* ---- profiles ---------------------------------------------------------- */

static double f_rex(double p, double t, double T, const rx_sched_config *c, double *mom)
{
    double d = c->param[REX_D], q = 1.0 - p;
    return q / ((1.0 - d) + d * q);
}

static double f_linear(double p, double t, double T, const rx_sched_config *c, double *mom)
{
    return 1.0 + (c->param[LIN_END] - 1.0) * p;
}

static double f_cosine(double p, double t, double T, const rx_sched_config *c, double *mom)
{
    double eta = c->param[COS_ETA];
    return eta + (1.0 - eta) * 0.5 * (1.0 + cos(M_PI * p));
}

static double f_exp(double p, double t, double T, const rx_sched_config *c, double *mom)
{
    return exp(c->param[EXP_GAMMA] * p);
}

static double f_step(double p, double t, double T, const rx_sched_config *c, double *mom)
{
    int k = 0;
    while (k < c->n_milestones && p >= c->milestones[k])
        k++;
    return pow(c->param[STEP_GAMMA], k);
}

static double anneal(int cosine, double from, double to, double f)
{
    if (cosine)
        return to + (from - to) / 2.0 * (cos(M_PI * f) + 1.0);
    return (to - from) * f + from;
}

/* torch's OneCycleLR.get_lr: phases end at steps pct*T-1 (and 2*pct*T-2
 * when three_phase) and T-1; each phase anneals from its start value at
 * the previous end to its end value.  T = 0: the same in p, ending at p =
 * pct (2 pct) and 1. */
static double f_onecycle(double p, double t, double T, const rx_sched_config *c, double *mom)
{
    double pct = c->param[OC_PCT];
    double initial = 1.0 / c->param[OC_DIV], least = initial / c->param[OC_FINAL_DIV];
    double bm = c->param[OC_BASE_M], mm = c->param[OC_MAX_M];
    int cosine = c->iparam[OC_ANNEAL] == 0, three = c->iparam[OC_THREE];
    double x, end[3];
    if (T > 0) {
        x = t;
        end[0] = pct * T - 1;
        end[1] = three ? 2 * pct * T - 2 : T - 1;
        end[2] = T - 1;
    } else {
        x = p;
        end[0] = pct;
        end[1] = three ? 2 * pct : 1;
        end[2] = 1;
    }
    /* start lr, end lr, start momentum, end momentum of each phase */
    const double two[2][4] = {{initial, 1, mm, bm}, {1, least, bm, mm}};
    const double threeph[3][4] = {{initial, 1, mm, bm}, {1, initial, bm, mm}, {initial, least, mm, mm}};
    const double (*ph)[4] = three ? threeph : two;
    int n = three ? 3 : 2;
    double start = 0;
    for (int i = 0; i < n; i++) {
        if (x <= end[i] || i == n - 1) {
            double span = end[i] - start;
            double f = span > 0 ? (x - start) / span : 1.0;
            if (c->iparam[OC_CYCLE])
                *mom = anneal(cosine, ph[i][2], ph[i][3], f);
            return anneal(cosine, ph[i][0], ph[i][1], f);
        }
        start = end[i];
    }
    return 1.0; /* not reached */
}

static double f_delayed_linear(double p, double t, double T, const rx_sched_config *c, double *mom)
{
    double x = c->param[DL_X];
    return p < x ? 1.0 : (1.0 - p) / (1.0 - x);
}

static double f_poly(double p, double t, double T, const rx_sched_config *c, double *mom)
{
    return pow(1.0 - p, c->param[POLY_POWER]);
}

static double f_constant(double p, double t, double T, const rx_sched_config *c, double *mom)
{
    return 1.0;
}

/* ---- parameter rows ------------------------------------------------------ */

static const rx_param rex_params[] = {
    {"d", RX_P_DOUBLE, P(REX_D), 0, 0, 0, 1, HI_OPEN, "0.5", NULL,
     "shape: 0.5 is the paper's REX, 0 is linear; 0.9 is the variant much public code ships", NULL},
};
static const rx_param linear_params[] = {
    {"end_factor", RX_P_DOUBLE, P(LIN_END), 0, 0, 0, 1, 0, "0", NULL,
     "the multiple of lr0 reached at p = 1 (torch LinearLR end_factor)", NULL},
};
static const rx_param cosine_params[] = {
    {"eta_min", RX_P_DOUBLE, P(COS_ETA), 0, 0, 0, 1, HI_OPEN, "0", NULL,
     "the floor, as a multiple of lr0 (torch CosineAnnealingLR eta_min = eta_min*lr0)", NULL},
};
static const rx_param exp_params[] = {
    {"gamma", RX_P_DOUBLE, P(EXP_GAMMA), 0, 0, -INF, 0, LO_OPEN | HI_OPEN, "-3", NULL,
     "the exponent: the lr ends at exp(gamma) times lr0; must be negative (a decay)", NULL},
    {"final", RX_P_DOUBLE, P(EXP_FINAL), 0, 0, 0, 1, LO_OPEN | HI_OPEN | RX_SF_ALIAS, NULL, NULL,
     "instead of gamma: the multiple of lr0 reached at p = 1 (sets gamma = ln final)", NULL},
};
static const rx_param step_params[] = {
    {"gamma", RX_P_DOUBLE, P(STEP_GAMMA), 0, 0, 0, 1, LO_OPEN | HI_OPEN, "0.1", NULL,
     "the factor applied at each milestone", NULL},
    {"milestones", RX_P_DBLLIST, offsetof(rx_sched_config, milestones),
     offsetof(rx_sched_config, n_milestones), RX_MAX_LIST, 0, 1,
     LO_OPEN | HI_OPEN | RX_PF_INCREASING | RX_PF_NONEMPTY, "[0.5, 0.75]", NULL,
     "fractions of the run at which the lr is multiplied by gamma", NULL},
};
static const rx_param plateau_params[] = {
    {"factor", RX_P_DOUBLE, P(PL_FACTOR), 0, 0, 0, 1, LO_OPEN | HI_OPEN, "0.1", NULL,
     "the lr is multiplied by factor on a plateau", NULL},
    {"patience", RX_P_INT, IP(PL_PATIENCE), 0, 0, 0, 1000000, 0, "10", NULL,
     "epochs without improvement tolerated; the lr drops after patience+1 bad epochs", NULL},
    {"threshold", RX_P_DOUBLE, P(PL_THRESHOLD), 0, 0, 0, INF, HI_OPEN, "1e-4", NULL,
     "the least change that counts as an improvement", NULL},
    {"threshold_mode", RX_P_ENUM, IP(PL_THRESHOLD_MODE), 0, 0, 0, 0, 0, "rel", threshold_mode_names,
     "rel: better than best*(1-threshold) (min) or best*(1+threshold) (max); abs: best -+ threshold", NULL},
    {"cooldown", RX_P_INT, IP(PL_COOLDOWN), 0, 0, 0, 1000000, 0, "0", NULL,
     "epochs after a drop during which bad epochs are not counted", NULL},
    {"min_lr", RX_P_DOUBLE, P(PL_MIN_LR), 0, 0, 0, 1, 0, "0", NULL,
     "the floor, as a multiple of lr0 (torch min_lr = min_lr*lr0)", NULL},
    {"mode", RX_P_ENUM, IP(PL_MODE), 0, 0, 0, 0, 0, "min", mode_names,
     "min: the metric should fall (a loss); max: it should rise", NULL},
    {"eps", RX_P_DOUBLE, P(PL_EPS), 0, 0, 0, INF, HI_OPEN, "1e-8", NULL,
     "a drop smaller than eps (in absolute lr) is skipped, as in torch", NULL},
};
static const rx_param onecycle_params[] = {
    {"pct_start", RX_P_DOUBLE, P(OC_PCT), 0, 0, 0, 1, LO_OPEN | HI_OPEN, "0.5", NULL,
     "the fraction of the run spent increasing the lr", NULL},
    {"div_factor", RX_P_DOUBLE, P(OC_DIV), 0, 0, 0, INF, LO_OPEN | HI_OPEN, "10", NULL,
     "the lr starts at lr0/div_factor (lr0 is the peak, torch max_lr)", NULL},
    {"final_div_factor", RX_P_DOUBLE, P(OC_FINAL_DIV), 0, 0, 0, INF, LO_OPEN | HI_OPEN, "1", NULL,
     "the lr ends at lr0/(div_factor*final_div_factor)", NULL},
    {"anneal_strategy", RX_P_ENUM, IP(OC_ANNEAL), 0, 0, 0, 0, 0, "linear", anneal_names,
     "the shape of each phase: cos or linear", NULL},
    {"three_phase", RX_P_BOOL, IP(OC_THREE), 0, 0, 0, 0, 0, "false", NULL,
     "torch's three phases: up, back down to the start by 2*pct_start, then to the end", NULL},
    {"cycle_momentum", RX_P_BOOL, IP(OC_CYCLE), 0, 0, 0, 0, 0, "true", NULL,
     "cycle the momentum (Adam's beta1) inversely to the lr", NULL},
    {"base_momentum", RX_P_DOUBLE, P(OC_BASE_M), 0, 0, 0, 1, HI_OPEN, "0.85", NULL,
     "the momentum at the lr peak", NULL},
    {"max_momentum", RX_P_DOUBLE, P(OC_MAX_M), 0, 0, 0, 1, HI_OPEN, "0.95", NULL,
     "the momentum at the start and the end", NULL},
};
static const rx_param delayed_linear_params[] = {
    {"x", RX_P_DOUBLE, P(DL_X), 0, 0, 0, 1, HI_OPEN, "0.5", NULL,
     "the fraction of the run held at lr0 before the linear decay", NULL},
};
static const rx_param poly_params[] = {
    {"power", RX_P_DOUBLE, P(POLY_POWER), 0, 0, 0, 100, LO_OPEN, "2", NULL,
     "the exponent (torch PolynomialLR power; 1 is linear)", NULL},
};

#define PROFILE(name, fn, rows, formula, doc) {name, fn, rows, NROWS(rows), formula, doc}
static const rx_profile profiles[] = {
    PROFILE("rex", f_rex, rex_params, "(1-p)/((1-d)+d(1-p))",
            "REX (Chen, Wolfe, Kyrillidis 2022); d = 0.5 is the paper's"),
    PROFILE("linear", f_linear, linear_params, "1-(1-end_factor)p",
            "linear decay to end_factor"),
    PROFILE("cosine", f_cosine, cosine_params, "eta_min+(1-eta_min)(1+cos(pi p))/2",
            "cosine annealing without restarts"),
    PROFILE("exp", f_exp, exp_params, "exp(gamma p)", "exponential decay"),
    PROFILE("step", f_step, step_params, "gamma^(number of milestones <= p)",
            "step decay; milestones [0.5, 0.75] are the paper's 50-75 rule"),
    PROFILE("plateau", NULL, plateau_params, "lr *= factor after patience+1 epochs without improvement",
            "torch ReduceLROnPlateau on the validation loss, once per epoch"),
    PROFILE("onecycle", f_onecycle, onecycle_params,
            "lr0/div -> lr0 at pct_start -> lr0/(div*final_div); momentum max -> base -> max",
            "one cycle; the defaults are the paper's variant, onecycle-torch is torch's"),
    PROFILE("delayed-linear", f_delayed_linear, delayed_linear_params,
            "1 for p < x, else (1-p)/(1-x)", "constant, then linear to 0"),
    PROFILE("poly", f_poly, poly_params, "(1-p)^power", "polynomial decay"),
    {"constant", f_constant, NULL, 0, "1", "constant lr (the paper's \"none\")"},
};
#define N_PROFILES NROWS(profiles)

static const rx_preset presets[] = {
    {"none", "constant", "", "the paper's name for the constant baseline"},
    {"step-50-75", "step", "milestones=[0.5,0.75]", "the paper's step rule (the step default)"},
    {"step-30-60-90", "step", "milestones=[0.3,0.6,0.9]", "the classic full-budget rule"},
    {"onecycle-torch", "onecycle",
     "pct_start=0.3,anneal_strategy=cos,div_factor=25,final_div_factor=1e4",
     "torch OneCycleLR's defaults"},
};
#define N_PRESETS NROWS(presets)

static const rx_param common_params[] = {
    {"warmup", RX_P_FRACTION, offsetof(rx_sched_config, warmup), 0, 0, 0, INF, HI_OPEN, "0", NULL,
     "warm-up length: below 1 a fraction of the run, else a whole number of steps; 0: none", NULL},
    {"warmup_start", RX_P_DOUBLE, offsetof(rx_sched_config, warmup_start), 0, 0, 0, 1, 0, "0", NULL,
     "the factor the linear warm-up starts from", NULL},
    {"warmup_counts", RX_P_BOOL, offsetof(rx_sched_config, warmup_counts), 0, 0, 0, 0, 0, "true", NULL,
     "the warm-up counts toward the budget (false: it runs on top of it)", NULL},
};
#define N_COMMON NROWS(common_params)

/* The list form of "sampling" (the keyword forms are parsed by hand). */
static const rx_param sampling_list = {
    "sampling", RX_P_DBLLIST, offsetof(rx_sched_config, sample_at),
    offsetof(rx_sched_config, n_sample_at), RX_MAX_LIST, 0, 1,
    HI_OPEN | RX_PF_INCREASING | RX_PF_NONEMPTY, NULL, NULL, "sampling fractions", NULL};

/* The paper's names for sampling rates (Table 2). */
static const struct { const char *name, *value; } sampling_presets[] = {
    {"50-75", "[0.5, 0.75]"},
    {"33-66", "[0.33, 0.66]"},
    {"25-50-75", "[0.25, 0.5, 0.75]"},
    {"10-10", "10%"},
    {"1-100", "1%"},
};

const rx_profile *rx_profiles(int *n)
{
    *n = N_PROFILES;
    return profiles;
}

const rx_preset *rx_presets(int *n)
{
    *n = N_PRESETS;
    return presets;
}

const rx_param *rx_sched_common_params(int *n)
{
    *n = N_COMMON;
    return common_params;
}

static int base_index(const char *name)
{
    for (int i = 0; i < N_PROFILES; i++)
        if (strcmp(profiles[i].name, name) == 0)
            return i;
    return -1;
}

int rx_profile_find(const char *name)
{
    int i = base_index(name);
    if (i >= 0)
        return i;
    for (int k = 0; k < N_PRESETS; k++)
        if (strcmp(presets[k].name, name) == 0)
            return base_index(presets[k].profile);
    return -1;
}

static int is_plateau(const rx_sched_config *c)
{
    return c->profile >= 0 && c->profile < N_PROFILES && profiles[c->profile].fn == NULL;
}

/* ---- setting keys -------------------------------------------------------- */

static const rx_param *find_row(const rx_profile *pr, const char *key)
{
    const rx_param *p = rx_param_find(pr->params, pr->n_params, key);
    if (!p)
        p = rx_param_find(common_params, N_COMMON, key);
    return p;
}

static int unknown_key(const rx_profile *pr, const char *key, rx_err *err)
{
    char list[512] = "";
    size_t k = 0;
    const char *best = NULL;
    int bd = (int)strlen(key) / 3 + 2;
    for (int pass = 0; pass < 2; pass++) {
        const rx_param *tab = pass ? common_params : pr->params;
        int n = pass ? N_COMMON : pr->n_params;
        for (int i = 0; i < n; i++) {
            if (tab[i].flags & RX_PF_HIDDEN)
                continue;
            if (k < sizeof list)
                k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", k ? ", " : "", tab[i].key);
            int d = rx_edit_distance(key, tab[i].key);
            if (d < bd)
                bd = d, best = tab[i].key;
        }
    }
    if (k < sizeof list)
        snprintf(list + k, sizeof list - k, "%ssampling", k ? ", " : "");
    if (rx_edit_distance(key, "sampling") < bd)
        best = "sampling";
    if (best)
        return rx_errf(err, RX_EINVAL, "schedule '%s' has no parameter '%s' (did you mean '%s'?); it takes %s",
                       pr->name, key, best, list);
    return rx_errf(err, RX_EINVAL, "schedule '%s' has no parameter '%s'; it takes %s",
                   pr->name, key, list);
}

static void clear_sampling(rx_sched_config *c)
{
    c->sampling = RX_SAMPLE_ITERATION;
    c->sample_value = 0;
    memset(c->sample_at, 0, sizeof c->sample_at);
    c->n_sample_at = 0;
}

/* Parses the scalar forms of "sampling" into c. */
static int set_sampling_str(rx_sched_config *c, const char *s, rx_err *err)
{
    for (size_t i = 0; i < sizeof sampling_presets / sizeof sampling_presets[0]; i++)
        if (strcmp(s, sampling_presets[i].name) == 0)
            return set_sampling_str(c, sampling_presets[i].value, err);
    clear_sampling(c);
    size_t n = strlen(s);
    double x;
    long long v;
    if (strcmp(s, "iteration") == 0)
        return RX_OK;
    if (strcmp(s, "epoch") == 0) {
        c->sampling = RX_SAMPLE_EPOCH;
        return RX_OK;
    }
    if (n > 1 && s[n - 1] == '%') {
        char num[64];
        if (n < sizeof num) {
            memcpy(num, s, n - 1);
            num[n - 1] = '\0';
            if (rx_parse_double(num, &x) == 0 && x > 0 && x < 100) {
                c->sampling = RX_SAMPLE_PERCENT;
                c->sample_value = x;
                return RX_OK;
            }
        }
    } else if (strncmp(s, "every-", 6) == 0) {
        if (rx_parse_int(s + 6, &v) == 0 && v >= 1 && v <= 1000000000) {
            c->sampling = RX_SAMPLE_EVERY;
            c->sample_value = (double)v;
            return RX_OK;
        }
    } else if (s[0] == '[' || rx_parse_double(s, &x) == 0) {
        int rc = rx_param_set_str(&sampling_list, c, s, err);
        if (rc == RX_OK)
            c->sampling = RX_SAMPLE_AT;
        return rc;
    }
    return rx_errf(err, RX_EINVAL, "'sampling' must be %s, got '%s'", RX_SAMPLING_FORMS, s);
}

/* Sets key on c from either one string (str) or a value vector. */
static int set_key(rx_sched_config *c, const char *key, const char *str,
                   const char *const *vals, int n, int is_list, rx_err *err)
{
    if (c->profile < 0 || c->profile >= N_PROFILES)
        return rx_errf(err, RX_EINVAL, "the schedule has no profile (call rx_sched_init first)");
    const rx_profile *pr = &profiles[c->profile];
    rx_sched_config tmp = *c;   /* c changes only on success */
    int rc;
    if (strcmp(key, "name") == 0) {
        const char *v = str ? str : (n == 1 && !is_list ? vals[0] : NULL);
        if (v && strcmp(v, pr->name) == 0)
            return RX_OK;
        return rx_errf(err, RX_EINVAL,
                       "schedule '%s': 'name' cannot be changed by a parameter; set the name first",
                       pr->name);
    }
    if (strcmp(key, "sampling") == 0) {
        /* one value is a keyword, a preset or a fraction, also when the
         * spec wrote it as a list of one */
        if (str || n == 1) {
            rc = set_sampling_str(&tmp, str ? str : vals[0], err);
        } else {
            clear_sampling(&tmp);
            rc = rx_param_set(&sampling_list, &tmp, vals, n, 1, err);
            tmp.sampling = RX_SAMPLE_AT;
        }
    } else {
        const rx_param *row = find_row(pr, key);
        if (!row)
            return unknown_key(pr, key, err);
        rc = str ? rx_param_set_str(row, &tmp, str, err)
                 : rx_param_set(row, &tmp, vals, n, is_list, err);
        /* exp's "final" is another way to write gamma; only gamma is
         * stored, so both spellings give one canonical form */
        if (rc == RX_OK && row == &exp_params[1]) {
            tmp.param[EXP_GAMMA] = log(tmp.param[EXP_FINAL]);
            tmp.param[EXP_FINAL] = 0;
        }
    }
    if (rc)
        return rx_errctx(err, rc, "schedule '%s'", pr->name);
    *c = tmp;
    return RX_OK;
}

int rx_sched_set(rx_sched_config *c, const char *key, const char *const *vals,
                 int n, int is_list, rx_err *err)
{
    return set_key(c, key, NULL, vals, n, is_list, err);
}

int rx_sched_set_str(rx_sched_config *c, const char *key, const char *val, rx_err *err)
{
    return set_key(c, key, val, NULL, 0, 0, err);
}

int rx_sched_init(rx_sched_config *c, const char *name, rx_err *err)
{
    int idx = rx_profile_find(name);
    if (idx < 0) {
        const char *best = NULL;
        int bd = (int)strlen(name) / 3 + 2;
        char list[512];
        size_t k = 0;
        for (int i = 0; i < N_PROFILES + N_PRESETS; i++) {
            const char *nm = i < N_PROFILES ? profiles[i].name : presets[i - N_PROFILES].name;
            int d = rx_edit_distance(name, nm);
            if (d < bd)
                bd = d, best = nm;
            if (k < sizeof list)
                k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", i ? ", " : "", nm);
        }
        if (best)
            return rx_errf(err, RX_EINVAL, "unknown schedule '%s' (did you mean '%s'?); known: %s",
                           name, best, list);
        return rx_errf(err, RX_EINVAL, "unknown schedule '%s'; known: %s", name, list);
    }
    memset(c, 0, sizeof *c);
    c->profile = idx;
    const rx_profile *pr = &profiles[idx];
    /* the table's defaults are literals checked by the tests */
    int rc = rx_param_defaults(pr->params, pr->n_params, c, err);
    if (rc == RX_OK)
        rc = rx_param_defaults(common_params, N_COMMON, c, err);
    if (rc)
        return rc;
    clear_sampling(c);
    for (int k = 0; k < N_PRESETS; k++)
        if (strcmp(presets[k].name, name) == 0 && presets[k].settings[0]) {
            char text[256];
            snprintf(text, sizeof text, "%s:%s", pr->name, presets[k].settings);
            return rx_sched_parse(c, text, err);
        }
    return RX_OK;
}

/* Trims spaces at both ends of s in place. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        *--e = '\0';
    return s;
}

int rx_sched_parse(rx_sched_config *c, const char *text, rx_err *err)
{
    char buf[4096];
    if (strlen(text) >= sizeof buf)
        return rx_errf(err, RX_EINVAL, "schedule '%.40s...' is too long", text);
    strcpy(buf, text);
    char *rest = buf + strcspn(buf, ":,");
    int has_rest = *rest != '\0';
    *rest = '\0';
    int rc = rx_sched_init(c, trim(buf), err);
    if (rc || !has_rest)
        return rc;
    char *s = rest + 1;
    while (*s) {
        /* an item ends at a comma outside brackets */
        char *e = s;
        int depth = 0;
        for (; *e && (*e != ',' || depth > 0); e++)
            depth += (*e == '[') - (*e == ']');
        int last = *e == '\0';
        *e = '\0';
        char *item = trim(s);
        char *eq = strchr(item, '=');
        if (!eq || eq == item)
            return rx_errf(err, RX_EINVAL, "schedule '%s': expected key=value, got '%s'",
                           profiles[c->profile].name, item);
        *eq = '\0';
        rc = rx_sched_set_str(c, trim(item), trim(eq + 1), err);
        if (rc || last)
            return rc;
        s = e + 1;
    }
    return RX_OK;
}

/* Re-parses the formatted value of row from c on a scratch copy, so that
 * a config built by hand meets the same bounds and messages as one built
 * through rx_sched_set. */
static int recheck(const rx_param *row, const rx_sched_config *c, rx_err *err)
{
    char text[4096];
    rx_param_format(row, c, text, sizeof text);
    char *v = text;
    size_t n = strlen(v);
    if (n >= 2 && v[0] == '"') {
        v[n - 1] = '\0';
        v++;
    }
    rx_sched_config scratch = *c;
    return rx_param_set_str(row, &scratch, v, err);
}

int rx_sched_validate(const rx_sched_config *c, rx_err *err)
{
    if (c->profile < 0 || c->profile >= N_PROFILES)
        return rx_errf(err, RX_EINVAL, "schedule profile %d is not in the table", c->profile);
    const rx_profile *pr = &profiles[c->profile];
    int rc;
    for (int i = 0; i < pr->n_params; i++)
        if (!(pr->params[i].flags & RX_SF_ALIAS) && (rc = recheck(&pr->params[i], c, err)))
            return rx_errctx(err, rc, "schedule '%s'", pr->name);
    for (int i = 0; i < N_COMMON; i++)
        if ((rc = recheck(&common_params[i], c, err)))
            return rx_errctx(err, rc, "schedule '%s'", pr->name);
    switch (c->sampling) {
    case RX_SAMPLE_ITERATION:
    case RX_SAMPLE_EPOCH:
        break;
    case RX_SAMPLE_PERCENT:
        if (!(c->sample_value > 0 && c->sample_value < 100))
            return rx_errf(err, RX_EINVAL, "schedule '%s': sampling every N%% needs N in (0, 100), got %g",
                           pr->name, c->sample_value);
        break;
    case RX_SAMPLE_EVERY:
        if (!(c->sample_value >= 1 && c->sample_value == floor(c->sample_value)))
            return rx_errf(err, RX_EINVAL, "schedule '%s': sampling every-N needs a whole N >= 1, got %g",
                           pr->name, c->sample_value);
        break;
    case RX_SAMPLE_AT:
        if ((rc = recheck(&sampling_list, c, err)))
            return rx_errctx(err, rc, "schedule '%s'", pr->name);
        break;
    default:
        return rx_errf(err, RX_EINVAL, "schedule '%s': unknown sampling kind %d", pr->name, (int)c->sampling);
    }
    if (pr->fn == f_onecycle && c->iparam[OC_THREE] && !(c->param[OC_PCT] < 0.5))
        return rx_errf(err, RX_EINVAL,
                       "schedule 'onecycle': 'pct_start' must be in (0, 0.5) when 'three_phase' is true, got %g",
                       c->param[OC_PCT]);
    if (is_plateau(c) && c->sampling != RX_SAMPLE_ITERATION && c->sampling != RX_SAMPLE_EPOCH) {
        char s[512];
        rx_sampling_format(c, s, sizeof s);
        return rx_errf(err, RX_EINVAL,
                       "schedule 'plateau': 'sampling' must be iteration or epoch (plateau acts once per epoch), got '%s'",
                       s);
    }
    if (c->warmup >= 1 && c->warmup != floor(c->warmup))
        return rx_errf(err, RX_EINVAL,
                       "schedule '%s': 'warmup' must be a fraction in [0, 1) or a whole number of steps, got %g",
                       pr->name, c->warmup);
    return RX_OK;
}

/* An appender that keeps counting past the end (snprintf rules). */
typedef struct outbuf {
    char *p;
    size_t size, k;
} outbuf;

static void put(outbuf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->k < b->size) {
        size_t m = b->size - b->k - 1 < n ? b->size - b->k - 1 : n;
        memcpy(b->p + b->k, s, m);
        b->p[b->k + m] = '\0';
    }
    b->k += n;
}

int rx_sampling_format(const rx_sched_config *c, char *buf, size_t size)
{
    char num[64];
    switch (c->sampling) {
    case RX_SAMPLE_EPOCH:
        return snprintf(buf, size, "epoch");
    case RX_SAMPLE_PERCENT:
        /* "10%", not the "1e+01%" of the shortest %g */
        if (c->sample_value == floor(c->sample_value))
            snprintf(num, sizeof num, "%.0f", c->sample_value);
        else
            rx_format_double(c->sample_value, num, sizeof num);
        return snprintf(buf, size, "%s%%", num);
    case RX_SAMPLE_EVERY:
        return snprintf(buf, size, "every-%.0f", c->sample_value);
    case RX_SAMPLE_AT:
        return rx_param_format(&sampling_list, c, buf, size);
    default:
        return snprintf(buf, size, "iteration");
    }
}

int rx_sched_format(const rx_sched_config *c, char *buf, size_t size)
{
    outbuf b = {buf, size, 0};
    char val[4096];
    if (size)
        buf[0] = '\0';
    if (c->profile < 0 || c->profile >= N_PROFILES) {
        put(&b, "null");
        return (int)b.k;
    }
    const rx_profile *pr = &profiles[c->profile];
    put(&b, "{\"name\":\"");
    put(&b, pr->name);
    put(&b, "\"");
    for (int pass = 0; pass < 2; pass++) {
        const rx_param *tab = pass ? common_params : pr->params;
        int n = pass ? N_COMMON : pr->n_params;
        if (pass) {
            /* a list of fractions is a JSON array, the rest strings */
            int quote = c->sampling != RX_SAMPLE_AT;
            rx_sampling_format(c, val, sizeof val);
            put(&b, quote ? ",\"sampling\":\"" : ",\"sampling\":");
            put(&b, val);
            if (quote)
                put(&b, "\"");
        }
        for (int i = 0; i < n; i++) {
            if (tab[i].flags & RX_SF_ALIAS)
                continue;
            put(&b, ",\"");
            put(&b, tab[i].key);
            put(&b, "\":");
            rx_param_format(&tab[i], c, val, sizeof val);
            put(&b, val);
        }
    }
    put(&b, "}");
    return (int)b.k;
}

/* ---- values at run time ---------------------------------------------- */

double rx_profile_value(const rx_sched_config *c, double p, double t, double T, double *mom)
{
    if (c->profile < 0 || c->profile >= N_PROFILES || !profiles[c->profile].fn)
        return 1.0;
    if (p < 0) p = 0;   /* the domain of every profile is [0, 1] */
    if (p > 1) p = 1;
    return profiles[c->profile].fn(p, t, T, c, mom);
}

/* ceil(x) without the rounding noise of products such as 0.07*100. */
static long ceil_steps(double x)
{
    return (long)ceil(x - 1e-9 * fabs(x));
}

long rx_sched_warmup_steps(const rx_sched_config *c, long T)
{
    if (!(c->warmup > 0))
        return 0;
    if (c->warmup < 1)
        return ceil_steps(c->warmup * (double)T);
    return (long)c->warmup;
}

long rx_sched_total_steps(const rx_sched_config *c, long T)
{
    return c->warmup_counts ? T : T + rx_sched_warmup_steps(c, T);
}

void rx_sched_start(rx_sched *s, const rx_sched_config *c, double lr0,
                    double mom0, long total_steps, long steps_per_epoch)
{
    memset(s, 0, sizeof *s);
    s->cfg = *c;
    s->lr0 = lr0;
    s->mom0 = mom0;
    s->total = total_steps > 0 ? total_steps : 1;
    s->steps_per_epoch = steps_per_epoch;
    if (c->warmup_counts) {
        s->warm = rx_sched_warmup_steps(c, s->total);
    } else {
        /* recover the budget B with B + warm-up(B) = total: the largest B
         * that fits (the map is increasing) */
        long b = (long)((double)s->total / (1.0 + (c->warmup < 1 ? c->warmup : 0)));
        if (b > s->total) b = s->total;
        while (b > 1 && rx_sched_total_steps(c, b) > s->total)
            b--;
        while (b < s->total && rx_sched_total_steps(c, b + 1) <= s->total)
            b++;
        s->warm = s->total - b;
    }
    s->T = s->total - s->warm > 0 ? s->total - s->warm : 1;
    s->plateau_lr = lr0;
    s->best = c->iparam[PL_MODE] == 1 ? -INFINITY : INFINITY;
}

/* The first step u of a T-step profile with u/T >= f (the division as
 * the profile sees it, so that f = 0.3 of T = 10 is step 3). */
static long step_of(double f, long T)
{
    if (!(f > 0))
        return 0;
    long u = (long)ceil(f * (double)T);
    while (u > 0 && (double)(u - 1) / (double)T >= f)
        u--;
    while ((double)u / (double)T < f)
        u++;
    return u;
}

/* The held multiplier (and momentum) at profile step u: the profile at
 * the last sampling point at or before u; 1 (and mom0) before the first. */
static double held(const rx_sched *s, long u, double *mom)
{
    const rx_sched_config *c = &s->cfg;
    long T = s->T, every;
    double Td = (double)T, f;
    switch (c->sampling) {
    case RX_SAMPLE_EPOCH:
    case RX_SAMPLE_EVERY:
        every = c->sampling == RX_SAMPLE_EVERY ? (long)c->sample_value : s->steps_per_epoch;
        if (every < 1)
            every = T;   /* no epoch length: one sample, at the start */
        u -= u % every;
        return rx_profile_value(c, (double)u / Td, (double)u, Td, mom);
    case RX_SAMPLE_PERCENT: {
        double v = c->sample_value / 100.0;
        long k = (long)floor((double)u / Td / v) + 1;
        while (k > 0 && step_of((double)k * c->sample_value / 100.0, T) > u)
            k--;
        while (step_of((double)(k + 1) * c->sample_value / 100.0, T) <= u)
            k++;
        f = (double)k * c->sample_value / 100.0;
        return rx_profile_value(c, f, f * Td, Td, mom);
    }
    case RX_SAMPLE_AT: {
        int k = c->n_sample_at - 1;
        while (k >= 0 && step_of(c->sample_at[k], T) > u)
            k--;
        if (k < 0)
            return 1.0;
        f = c->sample_at[k];
        return rx_profile_value(c, f, f * Td, Td, mom);
    }
    default:
        return rx_profile_value(c, (double)u / Td, (double)u, Td, mom);
    }
}

void rx_sched_step(const rx_sched *s, long t, double *lr, double *mom)
{
    const rx_sched_config *c = &s->cfg;
    long u = t - s->warm;
    double warm = 1.0;
    if (u < 0) {
        /* linear warm-up to the value the profile starts from */
        warm = c->warmup_start + (1.0 - c->warmup_start) * (double)t / (double)s->warm;
        u = 0;
    }
    double m = s->mom0;
    if (is_plateau(c)) {
        *lr = warm * s->plateau_lr;
    } else {
        *lr = warm * s->lr0 * held(s, u, &m);
    }
    *mom = m;
}

void rx_sched_epoch_end(rx_sched *s, double val_metric)
{
    const rx_sched_config *c = &s->cfg;
    s->epochs++;
    if (!is_plateau(c))
        return;
    /* torch.optim.lr_scheduler.ReduceLROnPlateau.step, line for line */
    double a = val_metric, best = s->best, thr = c->param[PL_THRESHOLD];
    int rel = c->iparam[PL_THRESHOLD_MODE] == 0, max = c->iparam[PL_MODE] == 1;
    int better = max ? (rel ? a > best * (thr + 1.0) : a > best + thr)
                     : (rel ? a < best * (1.0 - thr) : a < best - thr);
    if (better) {
        s->best = a;
        s->bad_epochs = 0;
    } else {
        s->bad_epochs++;
    }
    if (s->cooldown_left > 0) {
        s->cooldown_left--;
        s->bad_epochs = 0;   /* bad epochs in cooldown are ignored */
    }
    if (s->bad_epochs > c->iparam[PL_PATIENCE]) {
        double old = s->plateau_lr, lo = c->param[PL_MIN_LR] * s->lr0;
        double nw = old * c->param[PL_FACTOR] > lo ? old * c->param[PL_FACTOR] : lo;
        if (old - nw > c->param[PL_EPS])
            s->plateau_lr = nw;
        s->cooldown_left = c->iparam[PL_COOLDOWN];
        s->bad_epochs = 0;
    }
}
