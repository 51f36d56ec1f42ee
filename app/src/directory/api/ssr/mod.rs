//! The database side of the directory: lists and details, each filtered
//! by what the actor may see.

use crate::accounts::access::{Actor, Scope};
use crate::directory::{AccountStatus, Member, PER_PAGE};
use uuid::Uuid;

mod library;
mod person;
mod program;

// Siblings reach each other's items through these.
#[allow(unused_imports)]
use library::*;
pub use library::{libraries, library};
#[allow(unused_imports)]
use person::*;
pub use person::{account_roles, people};
#[allow(unused_imports)]
use program::*;
pub use program::{program, programs};

/// `None` means every library (admins); SQL reads it as `$n::uuid[] is null`.
fn library_filter(actor: &Actor) -> Option<Vec<Uuid>> {
    match actor.visible_libraries() {
        Scope::All => None,
        Scope::Only(ids) => Some(ids),
    }
}

/// A case-insensitive "contains" pattern with `%`, `_` and `\` taken literally.
pub fn contains_pattern(search: &str) -> String {
    let mut pattern = String::from("%");
    for c in search.trim().chars().take(100) {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

fn offset(page: u32) -> i64 {
    i64::from(page.max(1) - 1) * i64::from(PER_PAGE)
}

fn count(total: i64) -> u32 {
    u32::try_from(total).unwrap_or(u32::MAX)
}

fn status(is_active: bool, has_password: bool) -> AccountStatus {
    match (is_active, has_password) {
        (false, _) => AccountStatus::Deactivated,
        (true, false) => AccountStatus::Invited,
        (true, true) => AccountStatus::Active,
    }
}

type MemberTuple = (Uuid, String, String, bool, bool);
/// id, name, municipality, voivodeship, parent id, parent name, visible branches.
type LibraryTuple = (
    Uuid,
    String,
    String,
    String,
    Option<Uuid>,
    Option<String>,
    i64,
);
/// name, municipality, voivodeship, parent id, parent name.
type LibraryHead = (String, String, String, Option<Uuid>, Option<String>);
/// A member tuple followed by the program: id, name, round.
type TutorTuple = (
    Uuid,
    String,
    String,
    bool,
    bool,
    Uuid,
    String,
    Option<String>,
);

fn member((user_id, full_name, email, is_active, has_password): MemberTuple) -> Member {
    Member {
        user_id,
        full_name,
        email,
        status: status(is_active, has_password),
    }
}

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    #[test]
    fn search_wildcards_are_taken_literally() {
        assert_eq!(contains_pattern(" Zal "), "%Zal%");
        assert_eq!(contains_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
    }
}
