//! Request ids. They are ULIDs: the time part comes from the caller's clock, so a fake clock gives ids in its own
//! order and nothing here reads the wall clock, and the 80 random bits come from the operating system.

use jiff::Timestamp;

/// A new request id for a request made at `now`.
pub fn request_id(now: Timestamp) -> String {
    let mut random = [0u8; 16];
    getrandom::fill(&mut random[6..]).expect("the operating system's random source works");
    let ms = u64::try_from(now.as_millisecond()).unwrap_or(0);
    ulid::Ulid::from_parts(ms, u128::from_be_bytes(random)).to_string()
}

/// Whether `id` is a ULID in its canonical spelling.
pub fn is_request_id(id: &str) -> bool {
    ulid::Ulid::from_string(id)
        .map(|u| u.to_string())
        .as_deref()
        == Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_carry_the_given_time_and_differ() {
        let now: Timestamp = "2026-12-02T01:00:00Z".parse().unwrap();
        let (a, b) = (request_id(now), request_id(now));
        assert_ne!(a, b);
        assert!(is_request_id(&a) && is_request_id(&b));
        let ms = ulid::Ulid::from_string(&a).unwrap().timestamp_ms();
        assert_eq!(i64::try_from(ms).unwrap(), now.as_millisecond());
        assert!(
            !is_request_id("01hzzzzzzzzzzzzzzzzzzzzzzz"),
            "lowercase is not canonical"
        );
        assert!(!is_request_id("not-a-ulid"));
    }
}
