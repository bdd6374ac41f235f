# bash completion for rexsweep (installed by `make install` into
# $(PREFIX)/share/bash-completion/completions/rexsweep).
# tests/cli/test_completion.sh checks these lists against the commands'
# --help and the schedule table, so they cannot drift.

_rexsweep_commands="check export merge plan report run schedule slurm status train verify"
_rexsweep_schedules="rex linear cosine exp step plateau onecycle delayed-linear poly constant none step-50-75 step-30-60-90 onecycle-torch"

_rexsweep_options() {
    case $1 in
    train)    echo "--log-every --json --quiet --keys --help" ;;
    run)      echo "--db --jobs --retry-failed --fail-fast --max-runs --timeout --checkpoint-every --shard --set --diverged-ok --json --quiet --rung --from --help" ;;
    plan)     echo "--db --set --limit --json --help" ;;
    schedule) echo "--steps --epoch-steps --sampling --param --lr --momentum --val-losses --plot --svg --csv --help" ;;
    report)   echo "--db --sweep --metric --format --output --select-on --no-merge --vs --schedules --bootstrap --min-steps --curve-budget --tune --no-tune --help" ;;
    check)    echo "--baseline --db --sweep --metric --abs --rel --sigma --junit --format --help" ;;
    export)   echo "--db --sweep --format --metrics --config --output --help" ;;
    slurm)    echo "--tasks --partition --time --cpus-per-task --mem --store-dir --submit --merge --resubmit-failed --requeue --db --rexsweep --set --help" ;;
    merge)    echo "--quiet --help" ;;
    status)   echo "--db --store-dir --sweep --watch --json --help" ;;
    verify)   echo "--db --sweep --sample --seed --all --json --quiet --help" ;;
    esac
}

# The formats each command's --format accepts.
_rexsweep_formats() {
    case $1 in
    report) echo "text markdown csv json html" ;;
    check)  echo "text markdown json" ;;
    export) echo "csv json" ;;
    esac
}

_rexsweep() {
    local cur prev cmd
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "$_rexsweep_commands --help --version" -- "$cur"))
        return
    fi
    cmd=${COMP_WORDS[1]}
    case $prev in
    --db|--baseline|--junit|--svg|--output|-o|--store-dir|--rexsweep|--from)
        COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --format)
        COMPREPLY=($(compgen -W "$(_rexsweep_formats "$cmd")" -- "$cur")); return ;;
    --sampling)
        COMPREPLY=($(compgen -W "iteration epoch 50-75 33-66 25-50-75 10-10 1-100" -- "$cur")); return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_rexsweep_options "$cmd")" -- "$cur"))
    elif [ "$cmd" = schedule ]; then
        COMPREPLY=($(compgen -W "$_rexsweep_schedules" -- "$cur"))
    elif [ "$cmd" = train ] && [[ $cur == schedule.name=* ]]; then
        COMPREPLY=($(compgen -P schedule.name= -W "$_rexsweep_schedules" -- "${cur#schedule.name=}"))
    else
        # specs, stores and directories; plain case patterns, not
        # compgen -X '!*.@(...)', which needs extglob (set by the
        # bash-completion package, not by bash)
        local f
        COMPREPLY=()
        while IFS= read -r f; do
            case $f in *.yaml|*.yml|*.db) COMPREPLY+=("$f") ;; esac
        done < <(compgen -f -- "$cur")
        COMPREPLY+=($(compgen -d -- "$cur"))
    fi
}
complete -F _rexsweep rexsweep
