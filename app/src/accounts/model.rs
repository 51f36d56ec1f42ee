//! Account input that the browser and the server check the same way: e-mail
//! addresses, names, roles and new passwords. A value of these types is valid.

pub use crate::errors::Problem;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A lower-cased, trimmed e-mail address with one `@` and a dotted domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(input: &str) -> Result<Self, Problem> {
        let email = input.trim().to_lowercase();
        if email.is_empty() {
            return Err(Problem::Required);
        }
        if email.len() > Self::MAX_LEN {
            return Err(Problem::TooLong);
        }
        let (local, domain) = email.split_once('@').ok_or(Problem::NotAnEmail)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        if local.is_empty()
            || !domain_ok
            || domain.contains('@')
            || email.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(Problem::NotAnEmail);
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn local_part(&self) -> &str {
        self.0.split('@').next().unwrap_or_default()
    }
}

/// A person's full name as they want it shown: trimmed, 1–200 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FullName(String);

impl FullName {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(input: &str) -> Result<Self, Problem> {
        let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(Problem::Required);
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(Problem::TooLong);
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The role an invitation gives in a library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Works in the library (and its branches): meetings, sign-ins, plans.
    Librarian,
    /// Supports the library in one program: reads, logs consultation hours.
    Tutor,
}

/// A password good enough to be set: long, not a well-known one, and not
/// built from the person's e-mail address. Length beats character rules.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

/// Passwords people pick first; lower-cased, compared after trimming digits
/// and punctuation from the end ("Haslo123!" is "haslo").
const COMMON: &[&str] = &[
    "password",
    "haslo",
    "hasło",
    "qwerty",
    "qwertyuiop",
    "asdfgh",
    "zaq1",
    "zaq12wsx",
    "1qaz2wsx",
    "abc",
    "abcdef",
    "admin",
    "administrator",
    "biblioteka",
    "bibliotekarz",
    "bibliotekarka",
    "partnerstwa",
    "partnerstwo",
    "polska",
    "kochanie",
    "witaj",
    "zaq1@wsx",
    "iloveyou",
    "welcome",
    "letmein",
    "monkey",
    "dragon",
    "football",
    "samsung",
    "marcin",
    "agnieszka",
    "mateusz",
    "michal",
    "michał",
    "lukasz",
    "łukasz",
    "kasia",
    "tomek",
];

impl NewPassword {
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 128;

    pub fn parse(input: &str, email: &Email) -> Result<Self, Problem> {
        let length = input.chars().count();
        if length == 0 {
            return Err(Problem::Required);
        }
        if length < Self::MIN_CHARS {
            return Err(Problem::TooShort);
        }
        if length > Self::MAX_CHARS {
            return Err(Problem::TooLong);
        }
        let lower = input.to_lowercase();
        let stem = lower.trim_end_matches(|c: char| !c.is_alphabetic());
        let one_character = lower.chars().all(|c| lower.starts_with(c));
        let sequence = [
            "01234567890",
            "abcdefghijklmnopqrstuvwxyz",
            "qwertyuiopasdfghjklzxcvbnm",
        ]
        .iter()
        .any(|run| run.contains(lower.as_str()));
        if one_character || sequence || COMMON.contains(&stem) {
            return Err(Problem::TooCommon);
        }
        let local = email.local_part();
        if local.chars().count() >= 4 && lower.contains(local) {
            return Err(Problem::ContainsEmail);
        }
        Ok(Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// How strong a password looks while it is typed, shown as a meter with words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Strength {
    /// Cannot be set.
    Refused,
    /// Can be set; a longer one would be better.
    Fair,
    Strong,
}

pub fn strength(input: &str, email: &Email) -> Strength {
    if NewPassword::parse(input, email).is_err() {
        return Strength::Refused;
    }
    let length = input.chars().count();
    let classes = [
        input.chars().any(char::is_lowercase),
        input.chars().any(char::is_uppercase),
        input.chars().any(|c| c.is_ascii_digit()),
        input.chars().any(|c| !c.is_alphanumeric()),
    ]
    .into_iter()
    .filter(|present| *present)
    .count();
    if length >= 16 || length >= 12 && classes >= 3 {
        Strength::Strong
    } else {
        Strength::Fair
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email() -> Email {
        Email::parse("barbara.kowalska@biblioteka.pl").expect("valid")
    }

    #[test]
    fn emails_are_trimmed_lower_cased_and_checked() {
        assert_eq!(
            Email::parse("  Ewa@Gmina.PL ").map(|e| e.0),
            Ok("ewa@gmina.pl".into())
        );
        assert_eq!(Email::parse(""), Err(Problem::Required));
        for bad in [
            "ewa",
            "ewa@",
            "@gmina.pl",
            "ewa@gmina",
            "ewa@gmina..pl",
            "e wa@gmina.pl",
            "a@b@c.pl",
        ] {
            assert_eq!(Email::parse(bad), Err(Problem::NotAnEmail), "{bad}");
        }
    }

    #[test]
    fn names_collapse_spaces_and_have_a_limit() {
        assert_eq!(
            FullName::parse("  Anna   Maria  Nowak ").map(|n| n.0),
            Ok("Anna Maria Nowak".into())
        );
        assert_eq!(FullName::parse("   "), Err(Problem::Required));
        assert_eq!(FullName::parse(&"ż".repeat(201)), Err(Problem::TooLong));
    }

    #[test]
    fn short_common_and_personal_passwords_are_refused() {
        let email = email();
        assert_eq!(NewPassword::parse("", &email), Err(Problem::Required));
        assert_eq!(
            NewPassword::parse("krótkie1", &email),
            Err(Problem::TooShort)
        );
        assert_eq!(
            NewPassword::parse("Biblioteka2024!", &email),
            Err(Problem::TooCommon)
        );
        assert_eq!(
            NewPassword::parse("aaaaaaaaaaaa", &email),
            Err(Problem::TooCommon)
        );
        assert_eq!(
            NewPassword::parse("1234567890", &email),
            Err(Problem::TooCommon)
        );
        assert_eq!(
            NewPassword::parse("xxbarbara.kowalskaxx", &email),
            Err(Problem::ContainsEmail)
        );
        assert_eq!(
            NewPassword::parse(&"ab1".repeat(50), &email),
            Err(Problem::TooLong)
        );
        assert!(NewPassword::parse("sosna przy czytelni", &email).is_ok());
    }

    #[test]
    fn strength_grows_with_length_and_variety() {
        let email = email();
        assert_eq!(strength("haslo", &email), Strength::Refused);
        assert_eq!(strength("lipowa1234", &email), Strength::Fair);
        assert_eq!(strength("Lipowa-1234x", &email), Strength::Strong);
        assert_eq!(strength("sosna przy czytelni", &email), Strength::Strong);
    }
}

/// What an invitation did: a new account gets a link to set its password;
/// an existing one just gets the new role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invited {
    pub user_id: Uuid,
    /// The path of the set-password link (`/zaproszenie/<token>`), for a new
    /// account or one that has not set its password yet.
    pub link: Option<String>,
}

/// Who a set-password link is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkHolder {
    pub email: String,
    pub full_name: String,
}
