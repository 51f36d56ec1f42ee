//! Checks every entity's fields share: short and long texts, choices,
//! ids, days and instants (with a real calendar), required fields. The same
//! code runs in the browser and on the server.

use crate::errors::Problem;
use serde_json::{Map, Value};
use uuid::Uuid;

pub const MAX_SHORT: usize = 200;
pub const MAX_TEXT: usize = 100_000;

/// A one-line text, trimmed, at most 200 characters (names, titles, places);
/// shared by every entity's checks.
pub fn short_text(value: &Value, required: bool) -> Result<Value, Problem> {
    let text = value.as_str().ok_or(Problem::NotAllowedChoice)?;
    let trimmed = text.trim();
    if required && trimmed.is_empty() {
        return Err(Problem::Required);
    }
    if trimmed.chars().count() > MAX_SHORT {
        return Err(Problem::TooLong);
    }
    Ok(Value::String(trimmed.to_owned()))
}

/// A long text (minutes, notes, a plan's sections), at most 100 000 characters.
pub fn long_text(value: &Value) -> Result<Value, Problem> {
    let text = value.as_str().ok_or(Problem::NotAllowedChoice)?;
    if text.chars().count() > MAX_TEXT {
        return Err(Problem::TooLong);
    }
    Ok(Value::String(text.to_owned()))
}

/// One of the allowed codes.
pub fn choice(value: &Value, allowed: &[&str]) -> Result<Value, Problem> {
    match value.as_str() {
        Some(text) if allowed.contains(&text) => Ok(value.clone()),
        _ => Err(Problem::NotAllowedChoice),
    }
}

/// A UTC instant written `YYYY-MM-DDTHH:MM:SSZ`: one form, so instants
/// compare as text. The interface converts from Europe/Warsaw local time.
pub fn is_utc_instant(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_digit);
    let number = |range: std::ops::Range<usize>| text[range].parse::<u32>().unwrap_or(u32::MAX);
    bytes.len() == 20
        && digits(0..4)
        && bytes[4] == b'-'
        && digits(5..7)
        && bytes[7] == b'-'
        && digits(8..10)
        && bytes[10] == b'T'
        && digits(11..13)
        && bytes[13] == b':'
        && digits(14..16)
        && bytes[16] == b':'
        && digits(17..19)
        && bytes[19] == b'Z'
        && (1..=9999).contains(&number(0..4))
        && (1..=12).contains(&number(5..7))
        && (1..=days_in_month(number(0..4), number(5..7))).contains(&number(8..10))
        && number(11..13) < 24
        && number(14..16) < 60
        && number(17..19) < 60
}

/// Days in a month of the Gregorian calendar (0 for no such month).
fn days_in_month(year: u32, month: u32) -> u32 {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    }
}

/// A calendar day written `YYYY-MM-DD`.
pub fn is_day(text: &str) -> bool {
    text.len() == 10 && is_utc_instant(&format!("{text}T00:00:00Z"))
}

/// A record id, written the one canonical way.
pub fn record_id(value: &Value) -> Result<Value, Problem> {
    value
        .as_str()
        .and_then(|id| Uuid::parse_str(id).ok())
        .map(|id| Value::String(id.to_string()))
        .ok_or(Problem::NotAllowedChoice)
}

/// A calendar day, or nothing (`null`) when not required.
pub fn day(value: &Value, required: bool) -> Result<Value, Problem> {
    match value {
        Value::Null if !required => Ok(Value::Null),
        Value::String(text) if text.is_empty() && !required => Ok(Value::Null),
        Value::String(text) if is_day(text) => Ok(value.clone()),
        Value::Null => Err(Problem::Required),
        Value::String(text) if text.is_empty() => Err(Problem::Required),
        _ => Err(Problem::NotAllowedChoice),
    }
}

pub fn instant(value: &Value, required: bool) -> Result<Value, Problem> {
    match value {
        Value::Null if !required => Ok(Value::Null),
        Value::String(text) if is_utc_instant(text) => Ok(value.clone()),
        Value::Null => Err(Problem::Required),
        _ => Err(Problem::NotAllowedChoice),
    }
}

/// The first of `fields` missing from a record, if any.
pub fn require(
    data: &Map<String, Value>,
    fields: &[&'static str],
) -> Result<(), (&'static str, Problem)> {
    match fields
        .iter()
        .find(|field| data.get(**field).is_none_or(Value::is_null))
    {
        Some(field) => Err((field, Problem::Required)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_have_one_utc_form() {
        assert!(is_utc_instant("2026-10-20T12:00:00Z"));
        assert!(!is_utc_instant("2026-10-20T12:00:00+02:00"));
        assert!(!is_utc_instant("2026-13-20T12:00:00Z"));
        // Real calendar days only: PostgreSQL refuses the others.
        for impossible in ["2027-02-29", "2026-04-31", "0000-01-01", "2026-06-00"] {
            assert!(!is_day(impossible), "{impossible}");
            assert!(
                !is_utc_instant(&format!("{impossible}T10:00:00Z")),
                "{impossible}"
            );
        }
        for real in ["2028-02-29", "2000-02-29", "2026-12-31", "2026-04-30"] {
            assert!(is_day(real), "{real}");
        }
        assert!(!is_day("2100-02-29"));
        assert!(!is_utc_instant("2026-10-20 12:00:00Z"));
        assert!(is_day("2026-10-20") && !is_day("20.10.2026"));
    }
}
