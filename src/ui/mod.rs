//! The terminal: colour, tables, prompts and spinners. The only code that names comfy-table, indicatif or
//! dialoguer. Data goes to stdout and messages to stderr; `NO_COLOR` turns colour off, and so does a
//! stream that is not a terminal.

pub mod prompt;
pub mod table;

use std::io::IsTerminal as _;

/// Whether to colour a stream.
/// Whether messages on stderr may be coloured.
pub fn color_enabled() -> bool {
    use std::io::IsTerminal as _;
    colour(std::io::stderr().is_terminal())
}

fn colour(is_terminal: bool) -> bool {
    is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn paint(text: &str, code: &str, on: bool) -> String {
    if on {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// A message for stderr with a coloured label (`error:`, `hint:`, `note:`).
pub fn label(label: &str, message: &str) -> String {
    let on = colour(std::io::stderr().is_terminal());
    let code = match label {
        "error" => "1;31",
        "warning" => "1;33",
        "hint" => "1;36",
        _ => "1",
    };
    format!("{} {message}", paint(&format!("{label}:"), code, on))
}

/// Prints a labelled message on stderr.
pub fn say(kind: &str, message: &str) {
    eprintln!("{}", label(kind, message));
}

/// Prints an error the one way gate prints errors: `error:`, then each cause, then the hint.
pub fn report_error(error: &dyn std::error::Error, hint: Option<&str>) {
    let mut text = label("error", &error.to_string());
    let mut source = error.source();
    while let Some(cause) = source {
        text.push('\n');
        text.push_str(&label("caused by", &cause.to_string()));
        source = cause.source();
    }
    if let Some(hint) = hint {
        text.push('\n');
        text.push_str(&label("hint", hint));
    }
    eprintln!("{text}");
}

/// Whether stdout is a terminal (tables get borders and colour only there).
pub fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

/// What the requester sees while a request waits: a spinner on a terminal, one plain line every 30 s otherwise.
pub struct Waiting {
    spinner: Option<indicatif::ProgressBar>,
    last_line: std::time::Instant,
}

impl Waiting {
    pub fn start(message: &str) -> Waiting {
        let spinner = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar.set_message(message.to_string());
            bar
        });
        if spinner.is_none() {
            say("note", message);
        }
        Waiting {
            spinner,
            last_line: std::time::Instant::now(),
        }
    }

    /// Refreshes the message; in a log, prints it at most every 30 s.
    pub fn update(&mut self, message: &str) {
        match &self.spinner {
            Some(bar) => bar.set_message(message.to_string()),
            None if self.last_line.elapsed() >= std::time::Duration::from_secs(30) => {
                say("note", message);
                self.last_line = std::time::Instant::now();
            }
            None => {}
        }
    }

    pub fn finish(self) {
        if let Some(bar) = self.spinner {
            bar.finish_and_clear();
        }
    }
}
