//! The policy parser: YAML from a file an operator (or, in a shared checkout, someone else) wrote. Any text must
//! give a policy or an error, never a panic or a stack overflow.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = gate::policy::parse::parse(text, "fuzz.yaml");
});
