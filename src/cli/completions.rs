//! `gate completions SHELL`: shell completion scripts, generated from the same clap definition as the parser.

/// Print a shell completion script
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The shell
    shell: clap_complete::Shell,
}

pub fn run(args: &Args) -> u8 {
    let mut cmd = super::command();
    clap_complete::generate(args.shell, &mut cmd, "gate", &mut std::io::stdout());
    0
}
