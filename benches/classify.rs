//! Classification speed. Targets on a 2-core machine: a one-statement `psql -c` in under 20 µs, and a 10 MB SQL
//! dump in under 1 s with memory bounded by the size of the input.
//!
//! `cargo bench --bench classify`

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use gate::classify::{self, Sources, StdinView};

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
}

/// About `size` bytes shaped like `pg_dump` output: DDL, then each table's rows as inline COPY data.
fn pg_dump_output(size: usize) -> Vec<u8> {
    let mut out = String::from(
        "SET statement_timeout = 0;\nSET client_encoding = 'UTF8';\nSELECT pg_catalog.set_config('search_path', '', false);\n",
    );
    let mut table = 0;
    while out.len() < size {
        table += 1;
        let _ = writeln!(
            out,
            "CREATE TABLE public.t{table} (id integer NOT NULL, name text, created timestamptz DEFAULT now());\n\
             ALTER TABLE public.t{table} OWNER TO app;\n\
             COPY public.t{table} (id, name, created) FROM stdin;"
        );
        for row in 0..2000 {
            let _ = writeln!(
                out,
                "{row}\tcustomer number {row} with a longer name\t2026-11-24 10:00:00+00"
            );
        }
        out.push_str("\\.\n\n");
        let _ = writeln!(
            out,
            "ALTER TABLE ONLY public.t{table} ADD CONSTRAINT t{table}_pkey PRIMARY KEY (id);"
        );
    }
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

fn bench(c: &mut Criterion) {
    let env = BTreeMap::new();
    let one = argv(&[
        "psql",
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

    let psql = argv(&["psql", "-h", "db.prod.internal", "app"]);
    let mut group = c.benchmark_group("classify a 10 MB script on stdin");
    group.sample_size(10);
    for (name, script) in [
        ("pg_dump output", pg_dump_output(10 << 20)),
        ("INSERT per row", insert_statements(10 << 20)),
    ] {
        let sources = Script(script);
        group.bench_function(name, |b| {
            b.iter(|| classify::classify(black_box(&psql), &env, &sources));
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
