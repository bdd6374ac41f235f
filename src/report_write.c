/* report_write.c: the one entry point above the report's writers: text,
 * markdown, CSV and JSON (report_out.c) and HTML (report_html.c). */
#include "report_impl.h"

#include <string.h>

int rx_report_format_parse(const char *s)
{
    static const struct { const char *name; rx_report_format fmt; } tab[] = {
        {"text", RX_FMT_TEXT}, {"markdown", RX_FMT_MARKDOWN}, {"md", RX_FMT_MARKDOWN},
        {"csv", RX_FMT_CSV}, {"json", RX_FMT_JSON}, {"html", RX_FMT_HTML},
    };
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (strcmp(s, tab[i].name) == 0)
            return (int)tab[i].fmt;
    return -1;
}

int rx_report_write(FILE *f, const rx_report *r, rx_report_format fmt,
                    const rx_report_source *src, rx_err *err)
{
    if (fmt == RX_FMT_HTML)
        return rx_report_write_html(f, r, src, NULL, 0, NULL, 0, err);
    int rc = rx_report_write_plain(f, r, fmt, src);
    if (rc == RX_ENOMEM)
        return rx_errf(err, rc, "out of memory writing the report");
    if (rc || ferror(f))
        return rx_errf(err, RX_EIO, "cannot write the report");
    return RX_OK;
}
