#!/usr/bin/env bash
# Generates src/classify/sql/pg_functions.txt: the PostgreSQL functions gate lets a query call and still call it
# a read. It starts a throwaway PostgreSQL (initdb + pg_ctl in a temp directory, Unix socket only, no TCP), reads
# pg_proc for every immutable or stable function in pg_catalog, removes the deny list below, and writes the
# sorted, de-duplicated names. Volatile functions are never listed: volatility is PostgreSQL's own statement that
# a function may change something. Stable and immutable functions can still reach outside a read (files, other
# servers, signals, SQL text), and those are the deny list; every entry says why.
#
# Usage: scripts/pg_functions/generate.sh [PG_BIN_DIR]   (default: the newest /usr/lib/postgresql/*/bin)
# As root, the server runs as the `postgres` account, as PostgreSQL insists.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out="$repo/src/classify/sql/pg_functions.txt"
bin=${1:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)}

# The deny list: name patterns (SQL LIKE, `\_` is a literal underscore) that are removed even when PostgreSQL
# marks them stable or immutable. Reviewed against the PostgreSQL 15 function documentation (§9.27, §9.28) and
# pg_proc. Keep one `pattern|why` per line.
deny=$(cat <<'LIST'
dblink%|dblink_* connect to and run SQL on other servers
lo\_%|lo_* read, write and create large objects and server files
pg\_read\_%|pg_read_file/pg_read_binary_file read server files
pg\_ls\_%|pg_ls_* list server directories
pg\_stat\_file|reads server file metadata
pg\_terminate\_backend|signals another session
pg\_cancel\_backend|signals another session
pg\_signal\_backend|signals another session
set\_config|changes a setting, including role and search_path
pg\_advisory%|takes advisory locks that outlive the query
pg\_try\_advisory%|takes advisory locks that outlive the query
%replication\_slot%|creates, drops, advances or reads replication slots
pg\_logical\_slot\_%|consumes logical replication slot changes
pg\_replication\_origin\_%|changes replication origins
pg\_stat\_reset%|resets statistics
pg\_stat\_clear\_snapshot|changes the session's statistics snapshot
pg\_stat\_force\_next\_flush|changes when statistics are flushed
query\_to\_xml%|runs a query given as text
cursor\_to\_xml%|reads a cursor given by name
table\_to\_xml%|reads a table given as text, with no query gate can see
schema\_to\_xml%|reads a whole schema given as text
database\_to\_xml%|reads the whole database
query\_to\_xmlschema|runs a query given as text
pg\_notify|sends a notification to other sessions
pg\_sleep%|holds a backend and its locks for as long as asked
txid\_current|assigns a transaction id (a write to the server's state)
pg\_current\_xact\_id|assigns a transaction id (a write to the server's state)
pg\_logical\_emit\_message|writes to the WAL
pg\_import\_system\_collations|creates collations
pg\_create\_restore\_point|writes to the WAL
pg\_switch\_wal|forces a WAL switch
pg\_promote|promotes a standby
pg\_reload\_conf|signals the postmaster to reload its configuration
pg\_rotate\_logfile|rotates the server log
pg\_log\_backend\_memory\_contexts|signals another backend
pg\_backup\_%|starts or stops a backup
pg\_start\_backup|starts a backup
pg\_stop\_backup|stops a backup
pg\_wal\_replay\_%|pauses or resumes recovery
pg\_file\_%|adminpack: writes, renames and removes server files
pg\_logdir\_ls|adminpack: lists the log directory
pg\_copy\_%|copies replication slots
pg\_drop\_%|drops replication state
pg\_create\_%|creates replication state
ts\_rewrite|with a text argument, runs the SELECT given as text to find its rewrite rules
pg\_nextoid|assigns oids (superuser-only, changes the oid counter)
nextval|advances a sequence: a write
setval|sets a sequence: a write
pg\_export\_snapshot|exports a snapshot other sessions can import
LIST
)

# Volatile functions that only read or compute (PostgreSQL marks them volatile because their result changes
# between calls, not because they change anything). Reviewed one by one; `name|why`.
volatile_reads=$(cat <<'LIST'
random|a new pseudo-random number each call
clock_timestamp|the current time, which changes during a statement
timeofday|the current time as text
gen_random_uuid|a random UUID
pg_relation_size|the size of a relation's files
pg_total_relation_size|the size of a table with its indexes and TOAST
pg_table_size|the size of a table without its indexes
pg_indexes_size|the size of a table's indexes
pg_database_size|the size of a database
pg_tablespace_size|the size of a tablespace
currval|this session's last value of a sequence, read only
lastval|this session's last sequence value, read only
pg_partition_tree|lists a partition tree
pg_partition_ancestors|lists a partition's ancestors
pg_partition_root|names a partition tree's root
LIST
)

tmp=$(mktemp -d /tmp/gate-pgfun-XXXXXX)
cleanup() {
  if [ -f "$tmp/data/postmaster.pid" ]; then as_pg "$bin/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$tmp"
}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
trap cleanup EXIT
[ "$(id -u)" = 0 ] && chown postgres:postgres "$tmp"

as_pg "$bin/initdb" -D "$tmp/data" -A trust -U postgres --no-sync >/dev/null
as_pg "$bin/pg_ctl" -D "$tmp/data" -w -l "$tmp/log" \
  -o "-c listen_addresses='' -c unix_socket_directories=$tmp -k $tmp" start >/dev/null

psql() { as_pg "$bin/psql" -X -q -At -h "$tmp" -U postgres -d postgres "$@"; }
version=$(psql -c "SHOW server_version")

# The deny list goes in as a VALUES table so the filtering is PostgreSQL's own LIKE.
extra=$(printf '%s\n' "$volatile_reads" | awk -F'|' '{ printf "%s(\x27%s\x27)", (NR>1?",":""), $1 }')
values=$(printf '%s\n' "$deny" | awk -F'|' '{ gsub(/\x27/, "\x27\x27", $1); printf "%s(E\x27%s\x27)", (NR>1?",":""), $1 }' | sed 's/\\/\\\\/g')

{
  echo "# PostgreSQL functions gate lets a read call. Generated by scripts/pg_functions/generate.sh"
  echo "# from pg_proc of PostgreSQL $version: pg_catalog functions with provolatile in ('i','s'),"
  echo "# prokind 'f' or 'a' or 'w' (plain, aggregate, window), minus the script's deny list, plus its reviewed"
  echo "# volatile functions that only read. Do not edit by hand."
  psql -c "
    WITH deny(pattern) AS (VALUES $values)
    SELECT DISTINCT p.proname COLLATE \"C\" AS proname
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'pg_catalog'
      AND p.provolatile IN ('i', 's')
      AND p.prokind IN ('f', 'a', 'w')
      AND p.prorettype <> 'pg_catalog.internal'::regtype
      AND p.prorettype <> 'pg_catalog.trigger'::regtype
      AND p.prorettype <> 'pg_catalog.event_trigger'::regtype
      AND p.prorettype <> 'pg_catalog.language_handler'::regtype
      AND p.prorettype <> 'pg_catalog.fdw_handler'::regtype
      AND p.prorettype <> 'pg_catalog.table_am_handler'::regtype
      AND p.prorettype <> 'pg_catalog.index_am_handler'::regtype
      AND p.prorettype <> 'pg_catalog.tsm_handler'::regtype
      AND NOT EXISTS (SELECT 1 FROM deny d WHERE p.proname LIKE d.pattern)
    UNION
    SELECT p.proname COLLATE \"C\" FROM pg_proc p
    WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.proname IN (SELECT n FROM (VALUES $extra) AS v(n))
    ORDER BY 1"
} > "$out.tmp"
mv "$out.tmp" "$out"
# Operators and types in pg_catalog: an operator or a cast to a type outside them calls code gate cannot see
# (a user-defined operator's function, a user type's input function).
{
  echo "# PostgreSQL $version built-in operator names (pg_operator in pg_catalog). Generated by scripts/pg_functions/generate.sh."
  psql -c "SELECT DISTINCT oprname COLLATE \"C\" FROM pg_operator WHERE oprnamespace = 'pg_catalog'::regnamespace ORDER BY 1"
} > "${out%/*}/pg_operators.txt"
{
  echo "# PostgreSQL $version built-in type names (pg_type in pg_catalog, base, range, multirange, pseudo and enum"
  echo "# types, and their arrays). Generated by scripts/pg_functions/generate.sh."
  psql -c "SELECT DISTINCT typname COLLATE \"C\" FROM pg_type WHERE typnamespace = 'pg_catalog'::regnamespace AND typtype <> 'c' ORDER BY 1"
} > "${out%/*}/pg_types.txt"

# Which deny entries removed something stable or immutable (the others are volatile already, and stay listed in
# case a later PostgreSQL changes that).
psql -F ' ' -c "
  WITH deny(pattern) AS (VALUES $values)
  SELECT d.pattern, count(DISTINCT p.proname) FROM deny d
  LEFT JOIN pg_proc p ON p.proname LIKE d.pattern AND p.provolatile IN ('i','s')
    AND p.pronamespace = 'pg_catalog'::regnamespace
  GROUP BY 1 HAVING count(DISTINCT p.proname) > 0 ORDER BY 1" | sed 's/^/denied stable or immutable: /' >&2
echo "wrote $(grep -vc '^#' "$out") names from PostgreSQL $version to $out" >&2
