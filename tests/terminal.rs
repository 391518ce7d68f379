//! `confirm` asks the person at the terminal, like sudo. script(1) gives gate a real pseudo-terminal, so there is a
//! /dev/tty to ask on; the answer is typed only once the prompt is on the screen.

mod common;

use std::io::Write as _;
use std::process::Stdio;

use common::Home;

const POLICY: &str =
    "version: 1\nrules:\n  - name: ask-first\n    match: {tools: [touch]}\n    decision: confirm\n";

/// Runs `gate run -- touch MARKER` on a pseudo-terminal, answers the prompt, and returns gate's exit status
/// and what the terminal showed.
fn answer(home: &Home, reply: &str) -> (i32, String) {
    let marker = home.path().join("ran");
    let line = format!(
        "{} run -- touch {}",
        assert_cmd::cargo::cargo_bin("gate").display(),
        marker.display()
    );
    let mut child = home
        .std_command("script")
        .args(["-qefc", &line, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script(1) from util-linux/bsdutils");
    let screen = common::read_screen(child.stdout.take().unwrap());
    common::wait_for(&screen, "Run `");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(reply.as_bytes()).unwrap();
    stdin.flush().unwrap();
    let status = child.wait().unwrap();
    drop(stdin);
    let text = screen.lock().unwrap().clone();
    (status.code().unwrap_or(-1), text)
}

#[test]
fn answering_no_leaves_the_command_unrun() {
    let home = Home::with_policy(POLICY);
    let (code, screen) = answer(&home, "n\n");
    assert_eq!(code, 77, "{screen}");
    assert!(screen.contains("not confirmed at the terminal"), "{screen}");
    assert!(!home.path().join("ran").exists());
    let decided: Vec<_> = home
        .records()
        .into_iter()
        .filter(|r| r["event"] == "decided")
        .collect();
    assert_eq!(decided.last().unwrap()["channel"], "terminal");
    assert_eq!(decided.last().unwrap()["decision"], "deny");
}

#[test]
fn answering_yes_runs_it() {
    let home = Home::with_policy(POLICY);
    let (code, screen) = answer(&home, "y\n");
    assert_eq!(code, 0, "{screen}");
    assert!(home.path().join("ran").exists());
    let decided: Vec<_> = home
        .records()
        .into_iter()
        .filter(|r| r["event"] == "decided")
        .collect();
    assert_eq!(decided.last().unwrap()["decision"], "allow");
}

/// What `gate explain` shows on a pseudo-terminal, with or without `NO_COLOR`.
fn explain_on_a_terminal(no_color: bool) -> String {
    let home = Home::new();
    let line = format!(
        "{} explain -- psql -c 'DROP TABLE t'",
        assert_cmd::cargo::cargo_bin("gate").display()
    );
    let mut cmd = home.std_command("script");
    cmd.args(["-qefc", &line, "/dev/null"]).env("TERM", "xterm");
    if !no_color {
        cmd.env_remove("NO_COLOR");
    }
    let out = cmd.output().expect("script(1) from util-linux/bsdutils");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn no_color_turns_the_terminal_colours_off() {
    let coloured = explain_on_a_terminal(false);
    assert!(
        coloured.contains("\x1b["),
        "colours on a terminal: {coloured:?}"
    );
    let plain = explain_on_a_terminal(true);
    assert!(plain.contains("decision"), "{plain:?}");
    assert!(!plain.contains("\x1b["), "NO_COLOR: {plain:?}");
}
