//! Property: any single-byte change, deletion, reorder or truncation of an audit file fails verification.

use gate::audit::chain::{Tail, seal, verify};
use gate::audit::event::Event;
use proptest::prelude::*;

fn file(n: usize) -> (Vec<u8>, Tail) {
    let mut bytes = Vec::new();
    let mut tail: Option<Tail> = None;
    for i in 0..n {
        let event = Event::Decided {
            id: format!("01J{i:023}"),
            decision: gate::policy::Decision::Allow,
            by: "policy".into(),
            channel: "policy".into(),
            rules: vec![format!("rule-{i}")],
            message: Some(format!("ünïcode and \"quotes\" {i}")),
        };
        let (line, t) = seal(tail.as_ref(), "2026-11-24T19:00:00.000Z", &event);
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
        tail = Some(t);
    }
    (bytes, tail.unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_single_byte_change_is_caught(n in 1usize..6, pos in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let (mut bytes, head) = file(n);
        let i = pos.index(bytes.len());
        prop_assume!(bytes[i] != byte);
        bytes[i] = byte;
        prop_assert!(verify(&bytes, Some(&head)).is_err());
    }

    #[test]
    fn any_byte_deletion_is_caught(n in 1usize..6, pos in any::<prop::sample::Index>()) {
        let (mut bytes, head) = file(n);
        bytes.remove(pos.index(bytes.len()));
        prop_assert!(verify(&bytes, Some(&head)).is_err());
    }

    #[test]
    fn any_truncation_is_caught(n in 1usize..6, pos in any::<prop::sample::Index>()) {
        let (bytes, head) = file(n);
        let cut = pos.index(bytes.len());
        prop_assert!(verify(&bytes[..cut], Some(&head)).is_err());
    }

    #[test]
    fn any_record_deletion_or_reorder_is_caught(n in 2usize..8, a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>(), delete in any::<bool>()) {
        let (bytes, head) = file(n);
        let mut lines: Vec<&[u8]> = bytes.split(|&c| c == b'\n').filter(|l| !l.is_empty()).collect();
        let (i, j) = (a.index(n), b.index(n));
        if delete {
            lines.remove(i);
        } else {
            prop_assume!(i != j);
            lines.swap(i, j);
        }
        let tampered: Vec<u8> = lines.iter().flat_map(|l| l.iter().copied().chain([b'\n'])).collect();
        prop_assert!(verify(&tampered, Some(&head)).is_err());
    }
}

#[test]
fn the_untouched_file_verifies() {
    let (bytes, head) = file(5);
    assert_eq!(verify(&bytes, Some(&head)).unwrap().records, 5);
}
