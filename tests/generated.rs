//! `completions/` and `man/` are generated from the clap definition and committed. This test fails when they are
//! stale; `UPDATE_GENERATED=1 cargo test --test generated` rewrites them.

use std::path::{Path, PathBuf};

use clap_complete::Shell;

fn expected() -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for (shell, name) in [
        (Shell::Bash, "gate.bash"),
        (Shell::Zsh, "_gate"),
        (Shell::Fish, "gate.fish"),
        (Shell::Elvish, "gate.elv"),
        (Shell::PowerShell, "_gate.ps1"),
    ] {
        let mut out = Vec::new();
        clap_complete::generate(shell, &mut gate::cli::command(), "gate", &mut out);
        files.push((root.join("completions").join(name), out));
    }
    let cmd = gate::cli::command();
    let mut pages = vec![("gate.1".to_string(), cmd.clone())];
    for sub in cmd.get_subcommands() {
        let name = format!("gate-{}", sub.get_name());
        let page = sub.clone().name(&*Box::leak(name.clone().into_boxed_str()));
        pages.push((format!("{name}.1"), page));
    }
    for (file, page) in pages {
        let mut out = Vec::new();
        clap_mangen::Man::new(page).render(&mut out).unwrap();
        files.push((root.join("man").join(file), out));
    }
    files
}

#[test]
fn completions_and_man_pages_are_current() {
    let update = std::env::var_os("UPDATE_GENERATED").is_some();
    let mut stale = Vec::new();
    for (path, bytes) in expected() {
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &bytes).unwrap();
        } else if std::fs::read(&path).ok().as_deref() != Some(&bytes[..]) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files (run `UPDATE_GENERATED=1 cargo test --test generated`): {stale:?}"
    );
}

#[test]
fn the_man_page_documents_the_exit_codes() {
    let man = expected()
        .into_iter()
        .find(|(p, _)| p.ends_with("man/gate-run.1"))
        .unwrap()
        .1;
    let man = String::from_utf8(man).unwrap();
    for exit in gate::exit::Exit::ALL.into_iter().filter(|e| e.from_run()) {
        assert!(
            man.contains(&exit.code().to_string()),
            "gate-run.1 documents {exit:?}"
        );
    }
}

#[test]
fn the_binary_prints_the_same_completions() {
    let out = assert_cmd::Command::cargo_bin("gate")
        .unwrap()
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let committed =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/gate.bash")).unwrap();
    assert_eq!(out.stdout, committed);
}
