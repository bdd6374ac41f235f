/*
 * keys_json.c: the one reader of a run's canonical JSON
 * (rx_config_canonical).  rx_config_json_walk gives every leaf with its
 * dotted key and raw text (results.c labels runs with it);
 * rx_config_from_json reads it back into an rx_config on top of the walk,
 * so that a stored run can be trained again from the store alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rx_keys.h"

#define MAX_LIST 64
#define MAX_TEXT 512

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

/* p at '"'; returns the byte after the closing quote, or NULL. */
static const char *skip_string(const char *p)
{
    for (p++; *p && *p != '"'; p++)
        if (*p == '\\' && p[1])
            p++;
    return *p == '"' ? p + 1 : NULL;
}

/* Returns the end of the value at p (a string, number, literal, array or
 * object), or NULL when it is malformed. */
static const char *skip_value(const char *p)
{
    if (*p == '"')
        return skip_string(p);
    if (*p == '[' || *p == '{') {
        int depth = 0;
        do {
            if (*p == '"') {
                if (!(p = skip_string(p)))
                    return NULL;
                continue;
            }
            if (*p == '[' || *p == '{')
                depth++;
            else if (*p == ']' || *p == '}')
                depth--;
            else if (!*p)
                return NULL;
            p++;
        } while (depth > 0);
        return p;
    }
    const char *s = p;
    while (*p && !strchr(",}] \t\n\r", *p))
        p++;
    return p > s ? p : NULL;
}

/* Walks the object at p under prefix; returns the byte after it, or NULL
 * (malformed: *rc stays RX_OK; or fn's status in *rc). */
static const char *walk_object(const char *p, const char *prefix, rx_json_leaf_fn fn, void *ud,
                               int depth, int *rc)
{
    if (*p != '{' || depth > 8)
        return NULL;
    p = skip_ws(p + 1);
    if (*p == '}')
        return p + 1;
    for (;;) {
        p = skip_ws(p);
        if (*p != '"')
            return NULL;
        const char *ks = p + 1, *ke = skip_string(p);
        if (!ke)
            return NULL;
        /* prefix.key, cut at 255 bytes; copied, not printed: a store's
         * every configuration comes through here */
        char full[256];
        size_t n = strlen(prefix), kl = (size_t)(ke - 1 - ks);
        n = n < sizeof full - 1 ? n : sizeof full - 1;
        memcpy(full, prefix, n);
        if (*prefix && n < sizeof full - 1)
            full[n++] = '.';
        kl = kl < sizeof full - 1 - n ? kl : sizeof full - 1 - n;
        memcpy(full + n, ks, kl);
        full[n + kl] = '\0';
        p = skip_ws(ke);
        if (*p != ':')
            return NULL;
        p = skip_ws(p + 1);
        if (*p == '{') {
            p = walk_object(p, full, fn, ud, depth + 1, rc);
        } else {
            const char *e = skip_value(p);
            if (!e)
                return NULL;
            if ((*rc = fn(ud, full, p, (size_t)(e - p))))
                return NULL;
            p = e;
        }
        if (!p)
            return NULL;
        p = skip_ws(p);
        if (*p == ',') {
            p++;
            continue;
        }
        return *p == '}' ? p + 1 : NULL;
    }
}

int rx_config_json_walk(const char *json, rx_json_leaf_fn fn, void *ud)
{
    int rc = RX_OK;
    const char *end = json ? walk_object(skip_ws(json), "", fn, ud, 0, &rc) : NULL;
    if (rc)
        return rc;
    return end && !*skip_ws(end) ? RX_OK : RX_EFORMAT;
}

/* ---- back into an rx_config ---------------------------------------- */

typedef struct from_ctx {
    rx_config *c;
    rx_err *err;
    int failed;         /* a leaf failed (its message is set) */
    char items[MAX_LIST][MAX_TEXT];
} from_ctx;

static int bad(rx_err *err, const char *key, const char *what)
{
    return rx_errf(err, RX_EFORMAT, "configuration JSON, key '%s': %s", key, what);
}

/* The raw scalar v[0..len) as text into buf: a string unescaped (ASCII
 * \u escapes only), anything else as written. */
static int scalar(const char *key, const char *v, size_t len, char *buf, size_t size,
                  rx_err *err)
{
    if (len == 0 || *v == '[' || *v == '{')
        return bad(err, key, "expected a value");
    if (*v != '"') {
        if (len >= size)
            return bad(err, key, "value too long");
        memcpy(buf, v, len);
        buf[len] = '\0';
        return RX_OK;
    }
    size_t k = 0;
    for (const char *p = v + 1, *end = v + len - 1; p < end;) {
        char c = *p++;
        if (c == '\\') {
            c = *p++;
            switch (c) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'u': {
                unsigned u;
                if (end - p < 4 || sscanf(p, "%4x", &u) != 1 || u == 0 || u > 0x7f)
                    return bad(err, key, "unsupported \\u escape");
                c = (char)u;
                p += 4;
                break;
            }
            case '"': case '\\': case '/': break;
            default: return bad(err, key, "bad escape");
            }
        }
        if (k + 1 >= size)
            return bad(err, key, "string too long");
        buf[k++] = c;
    }
    buf[k] = '\0';
    return RX_OK;
}

/* One model.conv layer's field: appends "name=value" to the layer's text. */
typedef struct conv_text {
    char *buf;
    size_t size, k;
    rx_err *err;
} conv_text;

static int conv_field(void *ud, const char *key, const char *val, size_t len)
{
    conv_text *t = ud;
    char v[64];
    int rc = scalar("model.conv", val, len, v, sizeof v, t->err);
    if (rc)
        return rc;
    int n = snprintf(t->buf + t->k, t->size - t->k, "%s%s=%s", t->k ? " " : "", key, v);
    if (n < 0 || (size_t)n >= t->size - t->k)
        return bad(t->err, "model.conv", "conv layer too long");
    t->k += (size_t)n;
    return RX_OK;
}

/* One leaf: sets key on the config, a list item by item (model.conv's
 * maps as "channels=16 kernel=3 ..."). */
static int set_leaf(from_ctx *x, const char *key, const char *val, size_t len)
{
    const char *vals[MAX_LIST];
    if (*val != '[') {
        int rc = scalar(key, val, len, x->items[0], sizeof x->items[0], x->err);
        vals[0] = x->items[0];
        return rc ? rc : rx_config_set(x->c, key, vals, 1, 0, x->err);
    }
    int n = 0, conv = strcmp(key, "model.conv") == 0;
    const char *p = skip_ws(val + 1), *end = val + len - 1;
    while (p < end) {
        const char *e = skip_value(p);
        if (!e || e > end)
            return bad(x->err, key, "malformed list");
        if (n == MAX_LIST)
            return bad(x->err, key, "list too long");
        int rc;
        if (conv) {
            conv_text t = {x->items[n], sizeof x->items[n], 0, x->err};
            x->items[n][0] = '\0';
            rc = RX_OK;
            if (*p != '{')
                rc = bad(x->err, key, "expected a layer's map");
            else if (walk_object(p, "", conv_field, &t, 0, &rc) != e && !rc)
                rc = bad(x->err, key, "malformed layer");
        } else {
            rc = scalar(key, p, (size_t)(e - p), x->items[n], sizeof x->items[n], x->err);
        }
        if (rc)
            return rc;
        vals[n] = x->items[n];
        n++;
        p = skip_ws(e);
        if (*p == ',')
            p = skip_ws(p + 1);
        else if (p != end)
            return bad(x->err, key, "expected ',' or ']'");
    }
    return rx_config_set(x->c, key, vals, n, 1, x->err);
}

static int from_leaf(void *ud, const char *key, const char *val, size_t len)
{
    from_ctx *x = ud;
    int rc = set_leaf(x, key, val, len);
    x->failed = rc != RX_OK;
    return rc;
}

int rx_config_from_json(const char *json, rx_config *c, rx_err *err)
{
    static from_ctx x;      /* 32 KiB of list items */
    x.c = c;
    x.err = err;
    x.failed = 0;
    rx_config_defaults(c);
    int rc = rx_config_json_walk(json, from_leaf, &x);
    if (rc && !x.failed)
        rc = rx_errf(err, RX_EFORMAT, "configuration JSON: not a JSON object (malformed text)");
    return rc;
}
