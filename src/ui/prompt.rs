//! Asking the person at the terminal, like sudo does: on `/dev/tty`, so that a command's redirected stdin and
//! stdout are never read from or written to, and with "no" as the default.

use std::fs::OpenOptions;

/// Asks a yes/no question on the controlling terminal. `None` means there is no terminal to ask on.
pub fn confirm(question: &str) -> Option<bool> {
    let read = OpenOptions::new().read(true).open("/dev/tty").ok()?;
    let write = OpenOptions::new().write(true).open("/dev/tty").ok()?;
    let term = console::Term::read_write_pair(read, write);
    let answer = dialoguer::Confirm::new()
        .with_prompt(question)
        .default(false)
        .wait_for_newline(true)
        .interact_on_opt(&term);
    // An interrupted or failed prompt is a "no": gate never runs what nobody said yes to.
    Some(matches!(answer, Ok(Some(true))))
}

fn tty() -> Option<console::Term> {
    let read = OpenOptions::new().read(true).open("/dev/tty").ok()?;
    let write = OpenOptions::new().write(true).open("/dev/tty").ok()?;
    Some(console::Term::read_write_pair(read, write))
}

/// Offers a choice on the controlling terminal. `None` when there is no terminal or the person backed out.
pub fn choose(question: &str, options: &[&str]) -> Option<usize> {
    let term = tty()?;
    dialoguer::Select::new()
        .with_prompt(question)
        .items(options)
        .default(options.len() - 1)
        .interact_on_opt(&term)
        .ok()
        .flatten()
}

/// Asks for a line of text on the controlling terminal.
pub fn input(question: &str) -> Option<String> {
    let term = tty()?;
    dialoguer::Input::<String>::new()
        .with_prompt(question)
        .interact_text_on(&term)
        .ok()
}

/// Whether there is a controlling terminal to ask on.
pub fn has_terminal() -> bool {
    tty().is_some()
}
