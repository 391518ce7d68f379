//! Classification speed and memory (issue 12). Targets on a 2-core machine: a one-statement `psql -c` in under
//! 20 µs (median), and a 10 MB SQL dump in under 1 s with memory bounded by the size of the input.
//!
//! `cargo bench --bench classify`
//!
//! Before criterion starts, a memory pass classifies a 10 MB and a 40 MB dump once each and prints how far the
//! process's peak resident set (`VmHWM`, reset through `/proc/self/clear_refs`) grew, against the input's size.
//! The dump goes through [`gate::assess::assess`] with a real file on disk, the path `gate run -- psql -X -f
//! dump.sql` takes: classification, policy evaluation under a reads-only policy, and the binding digest.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use criterion::{Criterion, criterion_group};
use gate::assess::assess;
use gate::classify::{self, Input, Sources, StdinView};
use gate::exec::Trust;
use gate::policy::PolicySet;
use gate::request::{Request, Requester};
use gate::stdin::FilesOnly;

const READS_ONLY: &str = "version: 1
defaults: {decision: deny, unknown: deny}
rules:
  - name: reads
    match: {kinds: [read]}
    decision: allow
";

fn argv(words: &[&str]) -> Vec<String> {
    words.iter().map(ToString::to_string).collect()
}

/// Stdin holding a script.
struct Script(Vec<u8>);

impl Sources for Script {
    fn stdin(&self) -> StdinView<'_> {
        StdinView::Bytes {
            bytes: &self.0,
            complete: true,
        }
    }

    fn read_file(&self, _path: &str) -> Option<Vec<u8>> {
        None
    }

    /// No startup file is there.
    fn read_input(&self, _path: &str) -> Input {
        Input::Absent
    }
}

/// About `size` bytes shaped like `pg_dump` plain output: the preamble, then per table its DDL, its rows as inline
/// COPY data ended by `\.`, its sequence value, its constraints and indexes.
fn pg_dump_output(size: usize) -> Vec<u8> {
    let mut out = String::from(
        "--\n-- PostgreSQL database dump\n--\n\n\
         SET statement_timeout = 0;\nSET lock_timeout = 0;\nSET client_encoding = 'UTF8';\n\
         SET standard_conforming_strings = on;\n\
         SELECT pg_catalog.set_config('search_path', '', false);\nSET check_function_bodies = false;\n\
         SET client_min_messages = warning;\nSET row_security = off;\n\n",
    );
    let mut table = 0;
    while out.len() < size {
        table += 1;
        let _ = write!(
            out,
            "--\n-- Name: t{table}; Type: TABLE; Schema: public; Owner: app\n--\n\n\
             CREATE TABLE public.t{table} (\n    id integer NOT NULL,\n    name text,\n    \
             email character varying(200),\n    created timestamp with time zone DEFAULT now()\n);\n\n\
             ALTER TABLE public.t{table} OWNER TO app;\n\n\
             CREATE SEQUENCE public.t{table}_id_seq AS integer START WITH 1 INCREMENT BY 1 NO MINVALUE \
             NO MAXVALUE CACHE 1;\n\n\
             ALTER SEQUENCE public.t{table}_id_seq OWNED BY public.t{table}.id;\n\n\
             COPY public.t{table} (id, name, email, created) FROM stdin;\n"
        );
        for row in 0..2000 {
            let _ = writeln!(
                out,
                "{row}\tcustomer number {row} with a longer name\tc{row}@example.com\t2026-11-24 10:00:00+00"
            );
        }
        let _ = write!(
            out,
            "\\.\n\n\
             SELECT pg_catalog.setval('public.t{table}_id_seq', 2000, true);\n\n\
             ALTER TABLE ONLY public.t{table}\n    ADD CONSTRAINT t{table}_pkey PRIMARY KEY (id);\n\n\
             CREATE INDEX t{table}_email_idx ON public.t{table} USING btree (email);\n\n"
        );
    }
    out.push_str("--\n-- PostgreSQL database dump complete\n--\n\n");
    out.into_bytes()
}

/// About `size` bytes of single-row INSERT statements (`pg_dump --inserts`): the worst case, one statement per row.
fn insert_statements(size: usize) -> Vec<u8> {
    let mut out = String::new();
    let mut row = 0;
    while out.len() < size {
        row += 1;
        let _ = writeln!(
            out,
            "INSERT INTO public.customers VALUES ({row}, 'customer number {row}', 'c{row}@example.com', '2026-11-24');"
        );
    }
    out.into_bytes()
}

/// The request `gate run -- psql -X -h db.prod.internal -f dump.sql app` makes, run in `dir`.
fn dump_request(dir: &Path) -> Request {
    Request {
        argv: argv(&[
            "psql",
            "-X",
            "-h",
            "db.prod.internal",
            "-f",
            "dump.sql",
            "app",
        ]),
        cwd: dir.display().to_string(),
        env: BTreeMap::new(),
        requester: Requester {
            user: "bench".into(),
            agent: None,
        },
        reason: None,
    }
}

fn reads_only() -> PolicySet {
    PolicySet::new(vec![
        gate::policy::parse::parse(READS_ONLY, "bench").expect("the reads-only policy parses"),
    ])
}

/// A `/proc/self/status` field in kB.
fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .expect("/proc/self/status")
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a kB field")
}

/// A byte count as a float, for printing ratios; sizes here are far below 2^52.
#[allow(clippy::cast_precision_loss)]
fn approx(n: u64) -> f64 {
    n as f64
}

/// Classifies dumps of 10 MB and 40 MB once each through the `gate run -- psql -f` path and prints the growth of
/// peak RSS over the resident set just before: bounded by the input means a small multiple of it (gate holds the
/// file once, and what it builds per statement does not outlive the statement).
fn memory_report(policies: &PolicySet) {
    eprintln!(
        "memory: peak RSS growth while assessing `psql -X -f dump.sql` (pg_dump-style input)"
    );
    for mb in [10, 40] {
        let dir = tempfile::tempdir().expect("temp dir");
        let dump = pg_dump_output(mb << 20);
        let bytes = dump.len();
        std::fs::write(dir.path().join("dump.sql"), &dump).expect("write the dump");
        drop(dump);
        let request = dump_request(dir.path());
        let sources = FilesOnly::new(dir.path(), Trust::default());
        // `5` resets VmHWM to the current RSS (Linux 4.0+).
        let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
        let before = status_kb("VmRSS:");
        let started = Instant::now();
        let assessment = assess(&request, policies, &sources);
        let elapsed = started.elapsed();
        let peak = status_kb("VmHWM:");
        let growth = peak.saturating_sub(before);
        let ratio = approx(growth * 1024) / approx(bytes as u64);
        eprintln!(
            "memory: {:>5.1} MB input: {:>7.1} ms, RSS {before} kB before, peak {peak} kB, growth {growth} kB = \
             {ratio:.2}x the input{}; decision {}, kinds {:?}",
            approx(bytes as u64) / f64::from(1 << 20),
            elapsed.as_secs_f64() * 1e3,
            if reset {
                ""
            } else {
                " (VmHWM not reset: peak is the process's)"
            },
            assessment.decision(),
            assessment.kinds(),
        );
        black_box(assessment);
    }
}

fn bench(c: &mut Criterion) {
    let env = BTreeMap::new();
    let one = argv(&[
        "psql",
        "-X",
        "-h",
        "db.prod.internal",
        "-U",
        "ops",
        "shop",
        "-c",
        "SELECT sku, price FROM items WHERE sku = 'A-1'",
    ]);
    c.bench_function("classify psql -c, one statement", |b| {
        b.iter(|| classify::classify(black_box(&one), &env, &classify::NoSources));
    });

    let policies = reads_only();
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("dump.sql"), pg_dump_output(10 << 20)).expect("write the dump");
    let request = dump_request(dir.path());
    let sources = FilesOnly::new(dir.path(), Trust::default());
    let mut group = c.benchmark_group("10 MB dump");
    group.sample_size(10);
    group.bench_function("gate run -- psql -X -f dump.sql (assess)", |b| {
        b.iter(|| assess(black_box(&request), &policies, &sources));
    });

    let psql = argv(&["psql", "-X", "-h", "db.prod.internal", "app"]);
    for (name, script) in [
        (
            "pg_dump output on stdin (classify)",
            pg_dump_output(10 << 20),
        ),
        (
            "INSERT per row on stdin (classify)",
            insert_statements(10 << 20),
        ),
    ] {
        let sources = Script(script);
        group.bench_function(name, |b| {
            b.iter(|| classify::classify(black_box(&psql), &env, &sources));
        });
    }
    group.finish();
}

criterion_group!(benches, bench);

fn main() {
    // Only under `cargo bench`: `cargo test --benches` runs each benchmark once in a debug build.
    if std::env::args().any(|a| a == "--bench") {
        memory_report(&reads_only());
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
