/*
 * keys_json.c: reads a run's canonical JSON (rx_config_canonical) back
 * into an rx_config, so that a stored run can be trained again from the
 * store alone.  Only the canonical form is read: objects of sections,
 * scalars, lists of scalars and model.conv's list of maps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rx_keys.h"

#define MAX_LIST 64
#define MAX_TEXT 512

typedef struct reader {
    const char *p;
    const char *start;
    rx_err *err;
} reader;

static int bad(reader *r, const char *what)
{
    return rx_errf(r->err, RX_EFORMAT, "configuration JSON, offset %ld: %s",
                   (long)(r->p - r->start), what);
}

static void ws(reader *r)
{
    r->p += strspn(r->p, " \t\r\n");
}

static int expect(reader *r, char c)
{
    ws(r);
    if (*r->p != c) {
        char what[32];
        snprintf(what, sizeof what, "expected '%c'", c);
        return bad(r, what);
    }
    r->p++;
    return RX_OK;
}

/* A string into buf, unescaped (ASCII \u escapes only). */
static int string(reader *r, char *buf, size_t size)
{
    size_t k = 0;
    int rc = expect(r, '"');
    if (rc)
        return rc;
    while (*r->p && *r->p != '"') {
        char c = *r->p++;
        if (c == '\\') {
            c = *r->p++;
            switch (c) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'u': {
                unsigned u;
                if (sscanf(r->p, "%4x", &u) != 1 || u == 0 || u > 0x7f)
                    return bad(r, "unsupported \\u escape");
                c = (char)u;
                r->p += 4;
                break;
            }
            case '"': case '\\': case '/': break;
            default: return bad(r, "bad escape");
            }
        }
        if (k + 1 >= size)
            return bad(r, "string too long");
        buf[k++] = c;
    }
    if (*r->p != '"')
        return bad(r, "unterminated string");
    r->p++;
    buf[k] = '\0';
    return RX_OK;
}

/* A scalar (string, number, true, false) as text. */
static int scalar(reader *r, char *buf, size_t size)
{
    ws(r);
    if (*r->p == '"')
        return string(r, buf, size);
    size_t n = strcspn(r->p, ",]} \t\r\n");
    if (n == 0 || n >= size)
        return bad(r, "expected a value");
    memcpy(buf, r->p, n);
    buf[n] = '\0';
    r->p += n;
    return RX_OK;
}

/* One model.conv layer {"channels":16,...} as "channels=16 ...". */
static int conv_layer(reader *r, char *buf, size_t size)
{
    size_t k = 0;
    int rc = expect(r, '{');
    ws(r);
    if (!rc && *r->p == '}')
        return r->p++, buf[0] = '\0', RX_OK;
    for (;;) {
        char name[64], val[64];
        if (rc || (rc = string(r, name, sizeof name)) || (rc = expect(r, ':')) ||
            (rc = scalar(r, val, sizeof val)))
            return rc;
        int n = snprintf(buf + k, size - k, "%s%s=%s", k ? " " : "", name, val);
        if (n < 0 || (size_t)n >= size - k)
            return bad(r, "conv layer too long");
        k += (size_t)n;
        ws(r);
        if (*r->p == ',') {
            r->p++;
            continue;
        }
        return expect(r, '}');
    }
}

/* One member value: sets "section.name" on c. */
static int member(reader *r, rx_config *c, const char *key)
{
    static char items[MAX_LIST][MAX_TEXT];
    const char *vals[MAX_LIST];
    int n = 0, rc;
    ws(r);
    if (*r->p != '[') {
        if ((rc = scalar(r, items[0], sizeof items[0])))
            return rc;
        vals[0] = items[0];
        return rx_config_set(c, key, vals, 1, 0, r->err);
    }
    r->p++;
    ws(r);
    int conv = strcmp(key, "model.conv") == 0;
    while (*r->p != ']') {
        if (n == MAX_LIST)
            return bad(r, "list too long");
        rc = conv ? conv_layer(r, items[n], sizeof items[n])
                  : scalar(r, items[n], sizeof items[n]);
        if (rc)
            return rc;
        vals[n] = items[n];
        n++;
        ws(r);
        if (*r->p == ',')
            r->p++;
        else if (*r->p != ']')
            return bad(r, "expected ',' or ']'");
        ws(r);
    }
    r->p++;
    return rx_config_set(c, key, vals, n, 1, r->err);
}

int rx_config_from_json(const char *json, rx_config *c, rx_err *err)
{
    reader r = {json, json, err};
    rx_config_defaults(c);
    int rc = expect(&r, '{');
    while (!rc) {
        char section[32];
        if ((rc = string(&r, section, sizeof section)) || (rc = expect(&r, ':')) ||
            (rc = expect(&r, '{')))
            break;
        ws(&r);
        while (!rc && *r.p != '}') {
            char name[64], key[100];
            if ((rc = string(&r, name, sizeof name)) || (rc = expect(&r, ':')))
                break;
            snprintf(key, sizeof key, "%s.%s", section, name);
            if ((rc = member(&r, c, key)))
                break;
            ws(&r);
            if (*r.p == ',')
                r.p++;
            else if (*r.p != '}')
                rc = bad(&r, "expected ',' or '}'");
            ws(&r);
        }
        if (rc || (rc = expect(&r, '}')))
            break;
        ws(&r);
        if (*r.p == ',') {
            r.p++;
            continue;
        }
        if ((rc = expect(&r, '}')))
            break;
        ws(&r);
        if (*r.p)
            rc = bad(&r, "text after the configuration");
        break;
    }
    return rc;
}
