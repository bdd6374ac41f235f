/* reading.c: what the commands that read a store (report, check, export)
 * share: option parsing without arguments, opening read-only, exit codes. */
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
        return rc > 0 ? RX_EXIT_OK : RX_EXIT_USAGE;
    if (npos) {
        rx_die_msg("%s takes no arguments ('%s'); see 'rexsweep %s --help'", argv[0], pos[0],
                   argv[0]);
        return RX_EXIT_USAGE;
    }
    return -1;
}

int rx_cli_open_store(const char *path, rx_store **st)
{
    rx_err err = {{0}};
    int rc = rx_store_check_path(path, RX_STORE_READONLY, &err);
    if (rc == RX_EINVAL) {
        rx_die_msg("%s", err.msg);
        return RX_EXIT_USAGE;
    }
    if (access(path, F_OK) != 0) {
        rx_die_msg("no results store at '%s' (run a sweep first, or name one with --db)", path);
        return RX_EXIT_IO;
    }
    if (rx_store_open(path, RX_STORE_READONLY, st, &err)) {
        rx_die_msg("%s", err.msg);
        return RX_EXIT_IO;
    }
    return RX_EXIT_OK;
}

int rx_cli_load_exit(int status)
{
    /* an unknown sweep or metric, or a refused lr choice, is usage */
    return status == RX_ENOTFOUND || status == RX_EINVAL ? RX_EXIT_USAGE : RX_EXIT_IO;
}
