//! The one clock. Whatever the product compares with "now" (the next
//! meeting, overdue tasks, a kiosk link's expiry, retention) asks here, and
//! the plain functions behind server functions take the instant as an
//! argument, so a test hands its code a clock instead of racing the real one.
//!
//! On the server the clock can be shifted by whole days with
//! `PARTNERSTWA_CLOCK_SHIFT_DAYS` (refused in production): the Rust test
//! suite run a year ahead shows whether a test still leans on a fixed date.

use crate::format;

/// The device's clock in the browser as a UTC instant. Nothing while the
/// server renders a page, so the page hydrates with what the server drew.
pub fn now_instant() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        // Whole seconds since the epoch fit an i64 for any real clock.
        let seconds = (js_sys::Date::now() / 1000.0) as i64;
        Some(format::instant_of(seconds))
    }
    #[cfg(not(feature = "hydrate"))]
    None
}

/// Today in Poland, `YYYY-MM-DD`, by the device's clock (empty on the server).
pub fn today() -> String {
    now_instant()
        .as_deref()
        .and_then(poland_day)
        .unwrap_or_default()
}

/// The day in Poland at a UTC instant, `YYYY-MM-DD`.
pub fn poland_day(instant: &str) -> Option<String> {
    format::warsaw_local(instant).and_then(|local| local.get(..10).map(str::to_owned))
}

/// The name of the variable that shifts the server's clock.
pub const SHIFT_VARIABLE: &str = "PARTNERSTWA_CLOCK_SHIFT_DAYS";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    #[error("{SHIFT_VARIABLE} must be a whole number of days between -36500 and 36500, not {0:?}")]
    NotDays(String),
    #[error("{SHIFT_VARIABLE} is refused in production: retention would erase on the wrong day")]
    Production,
}

/// Days the clock is shifted by, read from the variable's value (none: 0).
pub fn parse_shift(value: Option<&str>) -> Result<i64, ClockError> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(0);
    };
    value
        .parse::<i64>()
        .ok()
        .filter(|days| days.abs() <= 36_500)
        .ok_or_else(|| ClockError::NotDays(value.to_owned()))
}

#[cfg(feature = "ssr")]
mod server {
    use super::*;
    use std::sync::OnceLock;

    static SHIFT_SECONDS: OnceLock<i64> = OnceLock::new();

    /// Reads the shift once, at start-up; the server refuses to start with a
    /// bad value (or any shift in production) rather than run on a wrong day.
    pub fn check_shift(production: bool) -> Result<i64, ClockError> {
        let days = parse_shift(std::env::var(SHIFT_VARIABLE).ok().as_deref())?;
        if production && days != 0 {
            return Err(ClockError::Production);
        }
        Ok(days)
    }

    fn shift_seconds() -> i64 {
        // A bad value was refused at start-up; tests and tools that skip that
        // step run unshifted rather than panic.
        *SHIFT_SECONDS.get_or_init(|| check_shift(false).map_or(0, |days| days * 86_400))
    }

    /// The server's now, seconds since the epoch.
    pub fn now() -> i64 {
        let real = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| {
                i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
            });
        real + shift_seconds()
    }

    /// The server's now as a UTC instant, `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn instant() -> String {
        format::instant_of(now())
    }

    /// The UTC instant `days` days (and `hours` hours) from the server's now.
    pub fn instant_in(days: i64, hours: i64) -> String {
        format::instant_of(now() + days * 86_400 + hours * 3_600)
    }
}

#[cfg(feature = "ssr")]
pub use server::{check_shift, instant, instant_in, now};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_shift_is_zero_days_and_a_bad_one_is_refused() {
        assert_eq!(parse_shift(None), Ok(0));
        assert_eq!(parse_shift(Some(" ")), Ok(0));
        assert_eq!(parse_shift(Some("365")), Ok(365));
        assert_eq!(parse_shift(Some("-30")), Ok(-30));
        for bad in ["1.5", "rok", "99999999"] {
            assert_eq!(
                parse_shift(Some(bad)),
                Err(ClockError::NotDays(bad.to_owned()))
            );
        }
    }

    #[test]
    fn the_day_in_poland_turns_at_its_midnight_not_at_utc_midnight() {
        // 23:30 UTC is already the next day in Warsaw, winter and summer.
        assert_eq!(
            poland_day("2026-01-15T23:30:00Z").as_deref(),
            Some("2026-01-16")
        );
        assert_eq!(
            poland_day("2026-07-15T21:59:00Z").as_deref(),
            Some("2026-07-15")
        );
        assert_eq!(
            poland_day("2026-07-15T22:00:00Z").as_deref(),
            Some("2026-07-16")
        );
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn the_server_clock_moves_and_days_ahead_are_whole_days() {
        let (now, later) = (now(), instant_in(10, 2));
        assert!(now > 1_700_000_000, "{now}");
        let later = format::epoch_of(&later).expect("instant");
        assert!((later - now - 10 * 86_400 - 7_200).abs() <= 2);
    }
}
