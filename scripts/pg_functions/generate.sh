#!/usr/bin/env bash
# Generates src/classify/sql/pg_functions.txt: the PostgreSQL functions gate lets a query call and still call it
# a read. It starts a throwaway PostgreSQL (initdb + pg_ctl in a temp directory, Unix socket only, no TCP), reads
# pg_proc for every immutable or stable function in pg_catalog, removes the deny list below, and writes the
# sorted, de-duplicated names. Volatile functions are never listed: volatility is PostgreSQL's own statement that
# a function may change something. Stable and immutable functions can still reach outside a read (files, other
# servers, signals, SQL text), and those are the deny list; every entry says why.
#
# Usage: scripts/pg_functions/generate.sh [PG_BIN_DIR [PG_SOURCE_DIR...]]
#   PG_BIN_DIR     the server to read (default: the newest /usr/lib/postgresql/*/bin)
#   PG_SOURCE_DIR  unpacked source trees of newer PostgreSQL releases (Debian's postgresql-NN orig tarball, from
#                  deb.debian.org/debian/pool/main/p/postgresql-NN/), whose pg_proc.dat and pg_operator.dat are
#                  read by catalog_rows.py and judged by the same query, so the lists cover servers newer than
#                  the one installed. The committed lists were made from 15 (live) and 18.6 (source).
# As root, the server runs as the `postgres` account, as PostgreSQL insists.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out="$repo/src/classify/sql/pg_functions.txt"
bin=${1:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)}
sources=("${@:2}")

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
ts\_stat|runs the SELECT given as text
pg\_restore\_%|writes planner statistics (PostgreSQL 18)
pg\_clear\_%|clears planner statistics (PostgreSQL 18)
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
random_normal|a pseudo-random number from a normal distribution (PostgreSQL 16)
array_sample|a random sample of an array's elements (PostgreSQL 16)
array_shuffle|an array's elements in random order (PostgreSQL 16)
uuidv4|a random UUID (PostgreSQL 18)
uuidv7|a time-ordered random UUID (PostgreSQL 18)
pg_stat_get_backend_io|reads a backend's I/O statistics (PostgreSQL 18)
pg_stat_get_backend_wal|reads a backend's WAL statistics (PostgreSQL 18)
pg_stat_have_stats|whether statistics exist for an object (PostgreSQL 15)
pg_xact_status|the commit status of a transaction id, read only
txid_status|the commit status of a transaction id, read only
pg_notification_queue_usage|how full the notification queue is
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

# The server's own catalog and each source tree's go into one table, so one query judges them all.
psql -c "CREATE TABLE procs (proname text, provolatile char, prokind char, rettype text, nspname text, source text);
         CREATE TABLE operators (oprname text, nspname text, source text);
         CREATE TABLE types (typname text, typtype char, nspname text, source text)"
psql -c "INSERT INTO procs SELECT p.proname, p.provolatile, p.prokind, t.typname, n.nspname, '$version'
           FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_type t ON t.oid = p.prorettype;
         INSERT INTO operators SELECT o.oprname, n.nspname, '$version'
           FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace;
         INSERT INTO types SELECT t.typname, t.typtype, n.nspname, '$version'
           FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
made_from="PostgreSQL $version (server)"
for src in "${sources[@]}"; do
  release=$(sed -n "s/^AC_INIT(\[PostgreSQL\], \[\([^]]*\)\].*/\1/p" "$src/configure.ac")
  python3 "$here/catalog_rows.py" proc "$src" >"$tmp/procs.csv"
  python3 "$here/catalog_rows.py" operator "$src" >"$tmp/operators.csv"
  python3 "$here/catalog_rows.py" type "$src" >"$tmp/types.csv"
  chmod a+r "$tmp"/*.csv
  psql -c "\\copy procs (proname, provolatile, prokind, rettype, nspname) FROM '$tmp/procs.csv' CSV"
  psql -c "\\copy operators (oprname, nspname) FROM '$tmp/operators.csv' CSV"
  psql -c "\\copy types (typname, typtype, nspname) FROM '$tmp/types.csv' CSV"
  psql -c "UPDATE procs SET source = '$release' WHERE source IS NULL; UPDATE operators SET source = '$release' WHERE source IS NULL;
           UPDATE types SET source = '$release' WHERE source IS NULL"
  made_from="$made_from and $release (source)"
done

# The deny list goes in as a VALUES table so the filtering is PostgreSQL's own LIKE.
extra=$(printf '%s\n' "$volatile_reads" | awk -F'|' '{ printf "%s(\x27%s\x27)", (NR>1?",":""), $1 }')
values=$(printf '%s\n' "$deny" | awk -F'|' '{ gsub(/\x27/, "\x27\x27", $1); printf "%s(E\x27%s\x27)", (NR>1?",":""), $1 }' | sed 's/\\/\\\\/g')

{
  echo "# PostgreSQL functions gate lets a read call. Generated by scripts/pg_functions/generate.sh"
  echo "# from pg_proc of $made_from: pg_catalog functions with provolatile in ('i','s'),"
  echo "# prokind 'f' or 'a' or 'w' (plain, aggregate, window), minus the script's deny list, plus its reviewed"
  echo "# volatile functions that only read. Do not edit by hand."
  psql -c "
    WITH deny(pattern) AS (VALUES $values)
    SELECT DISTINCT p.proname COLLATE \"C\" AS proname
    FROM procs p
    WHERE p.nspname = 'pg_catalog'
      AND p.provolatile IN ('i', 's')
      AND p.prokind IN ('f', 'a', 'w')
      AND p.rettype NOT IN ('internal', 'trigger', 'event_trigger', 'language_handler', 'fdw_handler',
                            'table_am_handler', 'index_am_handler', 'tsm_handler')
      AND NOT EXISTS (SELECT 1 FROM deny d WHERE p.proname LIKE d.pattern)
    UNION
    SELECT p.proname COLLATE \"C\" FROM procs p
    WHERE p.nspname = 'pg_catalog' AND p.proname IN (SELECT n FROM (VALUES $extra) AS v(n))
    ORDER BY 1"
} > "$out.tmp"
mv "$out.tmp" "$out"
# Operators in pg_catalog: an operator outside them calls a function gate cannot see.
{
  echo "# Built-in operator names (pg_operator in pg_catalog) of $made_from. Generated by scripts/pg_functions/generate.sh."
  psql -c "SELECT DISTINCT oprname COLLATE \"C\" FROM operators WHERE nspname = 'pg_catalog' ORDER BY 1"
} > "${out%/*}/pg_operators.txt"
# Types in pg_catalog other than the catalogs' row types: `name(x)` with one argument and no function of that name
# is a cast to the type (a built-in conversion), which is how `regrole('x')` or `tsquery('a')` is written.
{
  echo "# Built-in type names (pg_type in pg_catalog, all but composite) of $made_from. Generated by scripts/pg_functions/generate.sh."
  psql -c "SELECT DISTINCT typname COLLATE \"C\" FROM types WHERE nspname = 'pg_catalog' AND typtype <> 'c' ORDER BY 1"
} > "${out%/*}/pg_types.txt"

# Which deny entries removed something stable or immutable (the others are volatile already, and stay listed in
# case a later PostgreSQL changes that).
psql -F ' ' -c "
  WITH deny(pattern) AS (VALUES $values)
  SELECT d.pattern, count(DISTINCT p.proname) FROM deny d
  LEFT JOIN procs p ON p.proname LIKE d.pattern AND p.provolatile IN ('i','s')
    AND p.nspname = 'pg_catalog'
  GROUP BY 1 HAVING count(DISTINCT p.proname) > 0 ORDER BY 1" | sed 's/^/denied stable or immutable: /' >&2
echo "wrote $(grep -vc '^#' "$out") names from $made_from to $out" >&2
