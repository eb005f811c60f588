#!/bin/sh
# The image's entry point (Dockerfile). The database is migrated and seeded only when asked:
#
#   migrate          migrate to the latest revision, load the seed (SPACEFACTS_SEED=0: skip it),
#                    exit: the one-shot job run before a deploy's new replicas start
#   serve [ARGS...]  (the default) serve on 0.0.0.0:8000 with SPACEFACTS_WORKERS worker
#                    processes, believing X-Forwarded-For/-Proto only from
#                    SPACEFACTS_TRUSTED_PROXIES; SPACEFACTS_MIGRATE=1 runs `migrate` first
#                    (a single container on its own; never with several replicas at once).
#                    ARGS are passed on to `spacefacts serve`.
#   anything else    run as given, e.g. `spacefacts keys create --name N --scope write`
set -eu

migrate() {
    spacefacts db upgrade
    if [ "${SPACEFACTS_SEED:-1}" = 1 ]; then
        spacefacts seed
    fi
}

command=${1:-serve}
[ $# -gt 0 ] && shift

case "$command" in
    migrate)
        migrate
        ;;
    serve)
        if [ "${SPACEFACTS_MIGRATE:-0}" = 1 ]; then
            migrate
        fi
        # exec: uvicorn is PID 1's child no more, it is PID 1, and gets SIGTERM itself (graceful
        # shutdown drains in-flight requests, SPACEFACTS_SHUTDOWN_GRACE seconds at most).
        exec spacefacts serve --host 0.0.0.0 --port 8000 \
            --workers "${SPACEFACTS_WORKERS:-2}" \
            --trusted-proxies "${SPACEFACTS_TRUSTED_PROXIES:-}" \
            "$@"
        ;;
    *)
        exec "$command" "$@"
        ;;
esac
