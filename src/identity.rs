//! Who is asking. The requester is the OS account behind the real uid: never a flag or an environment variable,
//! which anyone could set.

use nix::unistd::{Uid, User};

/// The name of the account behind the real uid, or `uid:N` when the account has no name (a container with an
/// arbitrary uid): still a stable identity, and never one a person could claim by name.
pub fn current_user() -> String {
    let uid = Uid::current();
    match User::from_uid(uid) {
        Ok(Some(user)) => user.name,
        _ => format!("uid:{uid}"),
    }
}
