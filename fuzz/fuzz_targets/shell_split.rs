//! The shell splitters: `wrap::split_commands` (what `sh -c` and the hook run), `shell::split` (policy test lines,
//! the command reviewers read), and the whole classification of `sh -c TEXT`. None may panic or overflow the
//! stack on any text, `shell::join` must read back through `shell::split` unchanged, and classification always
//! finds something (an empty finding list would let a policy match nothing and fall through).
#![no_main]

use std::collections::BTreeMap;

use gate::classify::{self, NoSources, shell, wrap};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };

    for command in wrap::split_commands(text) {
        // A command with no words carries at least an assignment, or the splitter would have dropped it.
        assert!(
            !command.words.is_empty() || !command.assignments.is_empty(),
            "empty simple command from {text:?}"
        );
    }

    if let Ok(words) = shell::split(text) {
        let line = shell::join(&words);
        assert_eq!(
            shell::split(&line).as_ref(),
            Ok(&words),
            "join does not read back: {line:?}"
        );
    }

    let env = BTreeMap::new();
    for shell_name in ["sh", "bash"] {
        let argv = vec![shell_name.to_string(), "-c".to_string(), text.to_string()];
        let classification = classify::classify(&argv, &env, &NoSources);
        assert!(
            !classification.findings.is_empty(),
            "no findings for {argv:?}"
        );
    }
});
