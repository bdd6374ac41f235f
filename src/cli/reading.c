/* reading.c: what the commands that read a store (report, check, export)
 * share: option parsing without arguments, opening read-only. */
#include <unistd.h>

#include "cli.h"
#include "opts.h"
#include "rx_store.h"

int rx_cli_options_only(int argc, char **argv, const rx_option *opts, int n, const char *usage)
{
    const char *pos[1];
    int npos;
    int rc = rx_parse_options(argc, argv, opts, n, pos, 1, &npos, usage);
    if (rc)
        return rc > 0 ? RX_OK : RX_EINVAL;
    if (npos) {
        rx_cli_error("%s takes no arguments ('%s'); see 'rexsweep %s --help'", argv[0], pos[0],
                   argv[0]);
        return RX_EINVAL;
    }
    return -1;
}

int rx_cli_open_store(const char *path, rx_store **st)
{
    rx_err err = {{0}};
    int rc = rx_store_check_path(path, RX_STORE_READONLY, &err);
    if (rc == RX_EINVAL) {
        rx_cli_error("%s", err.msg);
        return RX_EINVAL;
    }
    if (access(path, F_OK) != 0) {
        rx_cli_error("no results store at '%s' (run a sweep first, or name one with --db)", path);
        return RX_EIO;
    }
    if (rx_store_open(path, RX_STORE_READONLY, st, &err)) {
        rx_cli_error("%s", err.msg);
        return RX_EIO;
    }
    return RX_OK;
}
