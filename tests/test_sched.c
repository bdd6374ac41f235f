/* test_sched.c: profiles against the paper's reference table, sample-and-
 * hold, warm-up, torch parity (fixtures written by
 * tests/data/sched/make_fixtures.py) and the bad-input messages. */
#include "rx_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rx_sched.h"
#include "data/sched/fixtures.h"

static rx_sched_config parse_ok(const char *text)
{
    rx_sched_config c;
    rx_err err = {{0}};
    if (rx_sched_parse(&c, text, &err) != RX_OK || rx_sched_validate(&c, &err) != RX_OK)
        fail_msg("'%s': %s", text, err.msg);
    return c;
}

/* The paper's reference values (../shared/REX-PAPER.md), as printed. */
static const double ref_p[8] = {0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0};
static const struct {
    const char *spec;
    int momentum;           /* the row is onecycle's momentum */
    const char *v[8];
} ref[] = {
    {"rex", 0, {"1", "0.94737", "0.85714", "0.66667", "0.4", "0.18182", "0.019802", "0"}},
    {"linear", 0, {"1", "0.9", "0.75", "0.5", "0.25", "0.1", "0.01", "0"}},
    {"cosine", 0, {"1", "0.97553", "0.85355", "0.5", "0.14645", "0.024472", "0.000247", "0"}},
    {"exp", 0, {"1", "0.74082", "0.47237", "0.22313", "0.10540", "0.067206", "0.051303", "0.049787"}},
    {"onecycle", 0, {"0.1", "0.28", "0.55", "1", "0.55", "0.28", "0.118", "0.1"}},
    {"onecycle", 1, {"0.95", "0.93", "0.9", "0.85", "0.9", "0.93", "0.948", "0.95"}},
};

/* The same values from their closed forms, written out independently. */
static double exact(int row, double p)
{
    switch (row) {
    case 0: return (1 - p) / (1 - p / 2);
    case 1: return 1 - p;
    case 2: return 0.5 * (1 + cos(3.14159265358979323846 * p));
    case 3: return exp(-3 * p);
    case 4: return p <= 0.5 ? 0.1 + 0.9 * p / 0.5 : 1 - 0.9 * (p - 0.5) / 0.5;
    default: return p <= 0.5 ? 0.95 - 0.1 * p / 0.5 : 0.85 + 0.1 * (p - 0.5) / 0.5;
    }
}

static void test_reference_table(void **state)
{
    (void)state;
    for (size_t r = 0; r < sizeof ref / sizeof ref[0]; r++) {
        rx_sched_config c = parse_ok(ref[r].spec);
        for (int j = 0; j < 8; j++) {
            double mom = -1;
            double v = rx_profile_value(&c, ref_p[j], 0, 0, &mom);
            if (ref[r].momentum)
                v = mom;
            double want = exact((int)r, ref_p[j]);
            if (fabs(v - want) > 1e-6)
                fail_msg("%s p=%g: %.9g, exact %.9g", ref[r].spec, ref_p[j], v, want);
            /* and the table is our value rounded to its printed digits */
            const char *s = ref[r].v[j], *dot = strchr(s, '.');
            int digits = dot ? (int)strlen(dot + 1) : 0;
            if (fabs(v - atof(s)) > 0.5 * pow(10, -digits) + 1e-12)
                fail_msg("%s p=%g: %.9g does not round to the table's %s", ref[r].spec, ref_p[j], v, s);
        }
    }
    /* d = 0.9, the variant much public code ships, is a different curve */
    rx_sched_config c = parse_ok("rex:d=0.9");
    double m;
    assert_double_close(rx_profile_value(&c, 0.5, 0, 0, &m), 0.5 / 0.55, 1e-12);
    c = parse_ok("rex:d=0");
    assert_double_close(rx_profile_value(&c, 0.3, 0, 0, &m), 0.7, 1e-12);
}

/* lr of every step of a run of T steps (mom0 0.9, lr0 1). */
static void run(const rx_sched_config *c, long T, long spe, double *lr, double *mom)
{
    rx_sched s;
    rx_sched_start(&s, c, 1.0, 0.9, T, spe);
    for (long t = 0; t < T; t++)
        rx_sched_step(&s, t, &lr[t], &mom[t]);
}

static int n_distinct(const double *x, long n)
{
    int k = 1;
    for (long i = 1; i < n; i++)
        k += x[i] != x[i - 1];
    return k;
}

static void test_sample_and_hold(void **state)
{
    (void)state;
    static double lr[1000], mom[1000];
    /* REX at [0.5, 0.75]: 1 until half-way, then 0.6667, then 0.4 */
    const long Ts[] = {100, 99, 7, 1000};
    for (int k = 0; k < 4; k++) {
        long T = Ts[k];
        run((rx_sched_config[]){parse_ok("rex:sampling=[0.5,0.75]")}, T, 0, lr, mom);
        for (long t = 0; t < T; t++) {
            double want = (double)t / T < 0.5 ? 1.0 : (double)t / T < 0.75 ? 2.0 / 3.0 : 0.4;
            if (fabs(lr[t] - want) > 1e-12)
                fail_msg("rex 50-75, T=%ld, t=%ld: %g, want %g", T, t, lr[t], want);
        }
    }
    rx_sched_config c = parse_ok("rex:sampling=50-75");
    run(&c, 100, 0, lr, mom);
    assert_double_close(lr[49], 1.0, 0);
    assert_double_close(lr[50], 2.0 / 3.0, 1e-12);
    assert_double_close(lr[99], 0.4, 1e-12);
    /* linear every 10%: exactly 10 values, 1, 0.9, ..., 0.1 */
    for (int k = 0; k < 4; k++) {
        if (Ts[k] < 10)
            continue;
        run((rx_sched_config[]){parse_ok("linear:sampling=10%")}, Ts[k], 0, lr, mom);
        assert_int_equal(n_distinct(lr, Ts[k]), 10);
        assert_double_close(lr[Ts[k] - 1], 0.1, 1e-12);
    }
    run((rx_sched_config[]){parse_ok("linear:sampling=10-10")}, 100, 0, lr, mom);
    assert_int_equal(n_distinct(lr, 100), 10);
    assert_double_close(lr[35], 0.7, 1e-12);
    /* linear sampled at 50-75 ends at 0.25, not 0 */
    run((rx_sched_config[]){parse_ok("linear:sampling=50-75")}, 80, 0, lr, mom);
    assert_double_close(lr[79], 0.25, 1e-12);
    /* every iteration: the profile at t/T */
    run((rx_sched_config[]){parse_ok("linear")}, 100, 0, lr, mom);
    assert_int_equal(n_distinct(lr, 100), 100);
    assert_double_close(lr[37], 0.63, 1e-12);
    /* every N iterations and every epoch: the profile at the last multiple */
    run((rx_sched_config[]){parse_ok("linear:sampling=every-25")}, 100, 0, lr, mom);
    assert_double_close(lr[24], 1.0, 0);
    assert_double_close(lr[25], 0.75, 1e-12);
    assert_double_close(lr[99], 0.25, 1e-12);
    run((rx_sched_config[]){parse_ok("linear:sampling=epoch")}, 100, 20, lr, mom);
    assert_int_equal(n_distinct(lr, 100), 5);
    assert_double_close(lr[59], 0.6, 1e-12);
    /* before the first point: lr0 and mom0; momentum cycles with the same
     * sampling */
    run((rx_sched_config[]){parse_ok("onecycle:sampling=[0.25,0.5]")}, 100, 0, lr, mom);
    assert_double_close(lr[0], 1.0, 0);
    assert_double_close(mom[24], 0.9, 0);
    double m = 0, v = rx_profile_value((rx_sched_config[]){parse_ok("onecycle")}, 0.25, 25, 100, &m);
    assert_double_close(lr[25], v, 1e-12);
    assert_double_close(mom[49], m, 1e-12);
    assert_true(lr[50] > lr[49] && mom[50] < mom[49]);
    /* 33-66 and 25-50-75 presets */
    run((rx_sched_config[]){parse_ok("step:sampling=33-66")}, 100, 0, lr, mom);
    assert_int_equal(n_distinct(lr, 100), 2);   /* 1 at 0.33, 0.1 at 0.66 */
    assert_double_close(lr[65], 1.0, 0);
    assert_double_close(lr[66], 0.1, 1e-12);
    run((rx_sched_config[]){parse_ok("linear:sampling=25-50-75")}, 100, 0, lr, mom);
    assert_int_equal(n_distinct(lr, 100), 4);
    run((rx_sched_config[]){parse_ok("linear:sampling=1-100")}, 1000, 0, lr, mom);
    assert_int_equal(n_distinct(lr, 1000), 100);
}

static void test_warmup(void **state)
{
    (void)state;
    static double lr[200], mom[200];
    /* inside the budget: warm-up 10 steps, linear over the other 90 */
    rx_sched_config c = parse_ok("linear:warmup=10,warmup_start=0.5");
    assert_int_equal(rx_sched_total_steps(&c, 100), 100);
    run(&c, 100, 0, lr, mom);
    assert_double_close(lr[0], 0.5, 1e-12);
    assert_double_close(lr[5], 0.75, 1e-12);
    assert_double_close(lr[10], 1.0, 1e-12);
    assert_double_close(lr[55], 0.5, 1e-12);
    /* on top of the budget: the profile spans the whole budget after it */
    c = parse_ok("linear:warmup=0.07,warmup_counts=false");
    assert_int_equal(rx_sched_warmup_steps(&c, 100), 7);   /* not 8: 0.07*100 rounds up */
    long total = rx_sched_total_steps(&c, 100);
    assert_int_equal(total, 107);
    rx_sched s;
    rx_sched_start(&s, &c, 1.0, 0.9, total, 0);
    assert_int_equal(s.warm, 7);
    assert_int_equal(s.T, 100);
    double l, m;
    rx_sched_step(&s, 0, &l, &m);
    assert_double_close(l, 0.0, 0);
    rx_sched_step(&s, 57, &l, &m);
    assert_double_close(l, 0.5, 1e-12);
    /* warm-up steps as a count, not counted */
    c = parse_ok("cosine:warmup=20,warmup_counts=false");
    rx_sched_start(&s, &c, 2.0, 0.9, rx_sched_total_steps(&c, 80), 0);
    assert_int_equal(s.total, 100);
    assert_int_equal(s.T, 80);
    rx_sched_step(&s, 10, &l, &m);
    assert_double_close(l, 1.0, 1e-12);
    /* the warm-up leads to the value the profile starts from */
    c = parse_ok("onecycle:warmup=10");
    run(&c, 110, 0, lr, mom);
    assert_double_close(lr[10], 0.1, 1e-12);
    assert_double_close(lr[5], 0.05, 1e-12);
    assert_double_close(mom[5], 0.95, 1e-12);
}

/* Every case of the torch fixtures, step for step, to 1e-6 relative. */
static void test_torch_parity(void **state)
{
    (void)state;
    int n = (int)(sizeof sched_cases / sizeof sched_cases[0]);
    for (int i = 0; i < n; i++) {
        const sched_case *k = &sched_cases[i];
        rx_sched_config c = parse_ok(k->spec);
        rx_sched s;
        rx_sched_start(&s, &c, k->lr0, k->mom0, k->T, k->spe);
        for (long t = 0; t < k->T; t++) {
            double lr, mom;
            rx_sched_step(&s, t, &lr, &mom);
            if (fabs(lr - k->lr[t]) > 1e-6 * fabs(k->lr[t]) + 1e-15)
                fail_msg("%s (%s): step %ld lr %.12g, torch %.12g", k->name, k->spec, t, lr, k->lr[t]);
            if (fabs(mom - k->mom[t]) > 1e-6 * fabs(k->mom[t]))
                fail_msg("%s (%s): step %ld momentum %.12g, torch %.12g", k->name, k->spec, t, mom,
                         k->mom[t]);
            if (k->spe > 0 && (t + 1) % k->spe == 0) {
                long e = (t + 1) / k->spe - 1;
                if (e < k->n_losses)
                    rx_sched_epoch_end(&s, k->losses[e]);
            }
        }
    }
}

/* Plateau by hand: patience 1, so the third bad epoch in a row drops it. */
static void test_plateau(void **state)
{
    (void)state;
    rx_sched_config c = parse_ok("plateau:patience=1");
    rx_sched s;
    double lr, mom;
    rx_sched_start(&s, &c, 1.0, 0.9, 100, 10);
    const double loss[] = {1.0, 0.9, 0.95, 0.91, 0.5};
    const double want[] = {1.0, 1.0, 1.0, 0.1, 0.1};
    for (int e = 0; e < 5; e++) {
        rx_sched_epoch_end(&s, loss[e]);
        rx_sched_step(&s, 10 * (e + 1), &lr, &mom);
        assert_double_close(lr, want[e], 1e-12);
    }
    /* a NaN loss is a bad epoch, as in torch */
    rx_sched_epoch_end(&s, NAN);
    rx_sched_epoch_end(&s, NAN);
    rx_sched_step(&s, 70, &lr, &mom);
    assert_double_close(lr, 0.01, 1e-12);
    /* the other profiles ignore epoch ends */
    c = parse_ok("constant");
    rx_sched_start(&s, &c, 1.0, 0.9, 100, 10);
    for (int e = 0; e < 20; e++)
        rx_sched_epoch_end(&s, 1.0);
    rx_sched_step(&s, 99, &lr, &mom);
    assert_double_close(lr, 1.0, 0);
}

/* Every profile and preset initialises from its table defaults. */
static void test_table(void **state)
{
    (void)state;
    int np, nq;
    const rx_profile *pr = rx_profiles(&np);
    const rx_preset *ps = rx_presets(&nq);
    rx_err err;
    for (int i = 0; i < np + nq; i++) {
        const char *name = i < np ? pr[i].name : ps[i - np].name;
        rx_sched_config c;
        if (rx_sched_init(&c, name, &err) || rx_sched_validate(&c, &err))
            fail_msg("'%s': %s", name, err.msg);
        assert_int_equal(c.profile, rx_profile_find(name));
        for (int j = 0; j <= 100; j++) {
            double m = 0.9, v = rx_profile_value(&c, j / 100.0, j, 100, &m);
            if (!isfinite(v) || v < 0 || !isfinite(m))
                fail_msg("'%s' at p=%g: %g", name, j / 100.0, v);
        }
    }
    assert_int_equal(rx_profile_find("none"), rx_profile_find("constant"));
    assert_int_equal(rx_profile_find("nope"), -1);
}

static void expect_format(const char *spec, const char *want)
{
    char buf[2048];
    rx_sched_config c = parse_ok(spec);
    int n = rx_sched_format(&c, buf, sizeof buf);
    assert_int_equal(n, (int)strlen(buf));
    if (strcmp(buf, want) != 0)
        fail_msg("'%s' formats as\n%s\nwant\n%s", spec, buf, want);
}

static void test_format(void **state)
{
    (void)state;
    expect_format("rex", "{\"name\":\"rex\",\"d\":0.5,\"sampling\":\"iteration\",\"warmup\":0,"
                         "\"warmup_start\":0,\"warmup_counts\":true}");
    expect_format("step-30-60-90:sampling=50-75",
                  "{\"name\":\"step\",\"gamma\":0.1,\"milestones\":[0.3,0.6,0.9],\"sampling\":[0.5,0.75],"
                  "\"warmup\":0,\"warmup_start\":0,\"warmup_counts\":true}");
    expect_format("none:sampling=10%,warmup=5%",
                  "{\"name\":\"constant\",\"sampling\":\"10%\",\"warmup\":0.05,\"warmup_start\":0,"
                  "\"warmup_counts\":true}");
    expect_format("linear:sampling=every-50", "{\"name\":\"linear\",\"end_factor\":0,\"sampling\":\"every-50\","
                                              "\"warmup\":0,\"warmup_start\":0,\"warmup_counts\":true}");
    /* final and gamma are one parameter: one canonical form */
    char a[1024], b[1024], g[64];
    rx_sched_config c = parse_ok("exp:final=0.05");
    rx_sched_format(&c, a, sizeof a);
    rx_format_double(log(0.05), g, sizeof g);
    char spec[128];
    snprintf(spec, sizeof spec, "exp:gamma=%s", g);
    c = parse_ok(spec);
    rx_sched_format(&c, b, sizeof b);
    assert_string_equal(a, b);
    assert_null(strstr(a, "final"));
    /* truncation follows snprintf */
    char small[8];
    c = parse_ok("rex");
    int n = rx_sched_format(&c, small, sizeof small);
    assert_true(n > 8);
    assert_int_equal(strlen(small), 7);
    /* sampling text */
    c = parse_ok("rex:sampling=epoch");
    rx_sampling_format(&c, a, sizeof a);
    assert_string_equal(a, "epoch");
    c = parse_ok("rex:sampling=2.5%");
    rx_sampling_format(&c, a, sizeof a);
    assert_string_equal(a, "2.5%");
}

/* The vector form the spec parser uses. */
static void test_set_vector(void **state)
{
    (void)state;
    rx_sched_config c;
    rx_err err;
    assert_int_equal(rx_sched_init(&c, "step", &err), RX_OK);
    const char *ms[] = {"0.25", "50%"};
    assert_int_equal(rx_sched_set(&c, "milestones", ms, 2, 1, &err), RX_OK);
    assert_int_equal(c.n_milestones, 2);
    assert_double_close(c.milestones[1], 0.5, 0);
    const char *fr[] = {"0.5", "0.75"};
    assert_int_equal(rx_sched_set(&c, "sampling", fr, 2, 1, &err), RX_OK);
    assert_int_equal(c.sampling, RX_SAMPLE_AT);
    const char *preset[] = {"50-75"};   /* a list of one, as YAML may give it */
    assert_int_equal(rx_sched_set(&c, "sampling", preset, 1, 1, &err), RX_OK);
    assert_int_equal(c.n_sample_at, 2);
    const char *one[] = {"epoch"};
    assert_int_equal(rx_sched_set(&c, "sampling", one, 1, 0, &err), RX_OK);
    assert_int_equal(c.sampling, RX_SAMPLE_EPOCH);
    assert_int_equal(c.n_sample_at, 0);
    const char *nm[] = {"step"};
    assert_int_equal(rx_sched_set(&c, "name", nm, 1, 0, &err), RX_OK);
    const char *nm2[] = {"rex"};
    assert_int_equal(rx_sched_set(&c, "name", nm2, 1, 0, &err), RX_EINVAL);
    const char *wc[] = {"no"};
    assert_int_equal(rx_sched_set(&c, "warmup_counts", wc, 1, 0, &err), RX_OK);
    assert_int_equal(c.warmup_counts, 0);
    assert_int_equal(rx_sched_init(&c, "constant", NULL), RX_OK);
}

/* Bad input: the message names the parameter and the allowed range, and
 * the config is left as it was (never clamped). */
static void expect_error(const char *spec, const char *want)
{
    rx_sched_config c;
    rx_err err = {{0}};
    int rc = rx_sched_parse(&c, spec, &err);
    if (rc == RX_OK)
        rc = rx_sched_validate(&c, &err);
    if (rc != RX_EINVAL)
        fail_msg("'%s' was accepted", spec);
    if (!strstr(err.msg, want))
        fail_msg("'%s': message\n  %s\nlacks\n  %s", spec, err.msg, want);
}

static void test_bad_input(void **state)
{
    (void)state;
    expect_error("rexx", "unknown schedule 'rexx' (did you mean 'rex'?)");
    expect_error("warp", "unknown schedule 'warp'; known: rex, linear, cosine");
    expect_error("rex:d=1", "schedule 'rex': 'd' must be a number in [0, 1), got '1'");
    expect_error("rex:d=-0.1", "'d' must be a number in [0, 1), got '-0.1'");
    expect_error("exp:gamma=0", "schedule 'exp': 'gamma' must be a number in (-inf, 0), got '0'");
    expect_error("exp:gamma=2", "'gamma' must be a number in (-inf, 0)");
    expect_error("exp:final=1.5", "'final' must be a number in (0, 1), got '1.5'");
    expect_error("exp:gama=-2", "schedule 'exp' has no parameter 'gama' (did you mean 'gamma'?); it takes gamma");
    expect_error("step:milestones=[0.75,0.5]", "'milestones' must be strictly increasing");
    expect_error("step:milestones=[0.5,1.2]", "'milestones' must be a list of at most 64 numbers in (0, 1)");
    expect_error("step:milestones=[0,0.5]", "in (0, 1)");
    expect_error("step:gamma=1", "'gamma' must be a number in (0, 1), got '1'");
    expect_error("onecycle:pct_start=1", "'pct_start' must be a number in (0, 1), got '1'");
    expect_error("onecycle:pct_start=0", "'pct_start' must be a number in (0, 1)");
    expect_error("onecycle:three_phase=true", "'pct_start' must be in (0, 0.5) when 'three_phase' is true");
    expect_error("onecycle:anneal_strategy=cosine", "'anneal_strategy' must be one of cos, linear, got 'cosine'");
    expect_error("plateau:mode=mean", "'mode' must be one of min, max");
    expect_error("plateau:patience=1.5", "'patience' must be an integer in [0, ");
    expect_error("plateau:patience=-1", "got '-1'");
    expect_error("plateau:sampling=50-75", "'sampling' must be iteration or epoch");
    expect_error("poly:power=0", "'power' must be a number in (0, ");
    expect_error("rex:sampling=fortnight", "'sampling' must be iteration, epoch, N% with N in (0, 100)");
    expect_error("rex:sampling=150%", "got '150%'");
    expect_error("rex:sampling=every-0", "got 'every-0'");
    expect_error("rex:sampling=[0.75,0.5]", "'sampling' must be strictly increasing");
    expect_error("rex:sampling=[0.5,1]", "'sampling' must be a list of at most 64 numbers in [0, 1)");
    expect_error("rex:warmup=2.5", "'warmup' must be a fraction in [0, 1) or a whole number of steps, got 2.5");
    expect_error("rex:warmup=-1", "'warmup' must be a fraction or percentage");
    expect_error("rex:warmup_start=2", "'warmup_start' must be a number in [0, 1]");
    expect_error("exp:gamma", "schedule 'exp': expected key=value, got 'gamma'");
    expect_error("rex:d=abc", "got 'abc'");
    expect_error("rex:samplng=epoch", "(did you mean 'sampling'?); it takes d, warmup, warmup_start, warmup_counts, sampling");
    expect_error("onecycle:div_factor=0", "'div_factor' must be a number in (0, inf), got '0'");

    /* a failed set leaves the config as it was */
    rx_sched_config c = parse_ok("step"), before = c;
    rx_err err;
    assert_int_equal(rx_sched_set_str(&c, "milestones", "[0.2, 0.1]", &err), RX_EINVAL);
    assert_memory_equal(&c, &before, sizeof c);
    assert_int_equal(rx_sched_set_str(&c, "sampling", "[0.2, 2]", &err), RX_EINVAL);
    assert_memory_equal(&c, &before, sizeof c);
    /* validate catches configs written by hand */
    c.param[0] = 5;
    assert_int_equal(rx_sched_validate(&c, &err), RX_EINVAL);
    assert_non_null(strstr(err.msg, "'gamma' must be a number in (0, 1), got '5'"));
    c = before;
    c.profile = 99;
    assert_int_equal(rx_sched_validate(&c, &err), RX_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_table),
        cmocka_unit_test(test_sample_and_hold),
        cmocka_unit_test(test_warmup),
        cmocka_unit_test(test_torch_parity),
        cmocka_unit_test(test_plateau),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_set_vector),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
