//! Dates and numbers the Polish way (and the English way): "20 października
//! 2026", decimal comma, hours with the right plural form.

use crate::i18n::Locale;
use serde::{Deserialize, Serialize};

/// A calendar day without time or zone (a program's start, a deadline).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Day {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

const MONTHS_PL_GENITIVE: [&str; 12] = [
    "stycznia",
    "lutego",
    "marca",
    "kwietnia",
    "maja",
    "czerwca",
    "lipca",
    "sierpnia",
    "września",
    "października",
    "listopada",
    "grudnia",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Day {
    /// "20 października 2026" / "20 October 2026".
    pub fn long(&self, locale: Locale) -> String {
        let index = usize::from(self.month.clamp(1, 12) - 1);
        let month = match locale {
            Locale::pl => MONTHS_PL_GENITIVE[index],
            Locale::en => MONTHS_EN[index],
        };
        format!("{} {month} {}", self.day, self.year)
    }
}

#[cfg(feature = "ssr")]
impl From<time::Date> for Day {
    fn from(date: time::Date) -> Self {
        Self {
            year: date.year(),
            month: u8::from(date.month()),
            day: date.day(),
        }
    }
}

/// A number of tenths as a decimal: 240 → "24", 15 → "1,5" (Polish) or "1.5".
pub fn tenths(value: u32, locale: Locale) -> String {
    let (whole, tenth) = (value / 10, value % 10);
    let separator = match locale {
        Locale::pl => ',',
        Locale::en => '.',
    };
    if tenth == 0 {
        whole.to_string()
    } else {
        format!("{whole}{separator}{tenth}")
    }
}

/// Bytes in megabytes to one decimal, cut (never rounded up to a limit):
/// 2_450_000 → "2,4 MB" (Polish) or "2.4 MB".
pub fn megabytes(bytes: u64, locale: Locale) -> String {
    let tenths_of_mb = u32::try_from(bytes / 100_000).unwrap_or(u32::MAX);
    format!("{} MB", tenths(tenths_of_mb, locale))
}

/// "24 godziny", "5 godzin", "1 godzina", "1,5 godziny" / "24 hours".
pub fn hours(tenths_of_hour: u32, locale: Locale) -> String {
    use crate::i18n::td_string;
    let number = tenths(tenths_of_hour, locale);
    if !tenths_of_hour.is_multiple_of(10) {
        // Fractions take the genitive singular in Polish: "1,5 godziny".
        return td_string!(locale, format.hours_fraction, value = number).to_string();
    }
    let count = i32::try_from(tenths_of_hour / 10).unwrap_or(i32::MAX);
    td_string!(locale, format.hours, count = count).to_string()
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number from `days_from_civil`.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// Seconds since the epoch of the last Sunday of a month, 01:00 UTC (when
/// European summer time starts and ends).
fn last_sunday_1am_utc(year: i64, month: i64) -> i64 {
    let next_month = if month == 12 {
        days_from_civil(year + 1, 1, 1)
    } else {
        days_from_civil(year, month + 1, 1)
    };
    let last = next_month - 1;
    // 1970-01-01 was a Thursday: weekday 0 = Sunday is (days + 4) % 7.
    let sunday = last - (last + 4).rem_euclid(7);
    sunday * 86_400 + 3_600
}

/// Poland's offset from UTC in seconds at a UTC instant: one hour, two in summer.
fn warsaw_offset(epoch: i64) -> i64 {
    let (year, _, _) = civil_from_days(epoch.div_euclid(86_400));
    let summer = (last_sunday_1am_utc(year, 3)..last_sunday_1am_utc(year, 10)).contains(&epoch);
    if summer { 7_200 } else { 3_600 }
}

fn parse_fixed(text: &str, range: std::ops::Range<usize>) -> Option<i64> {
    text.get(range)?.parse().ok()
}

/// Seconds since the epoch of `YYYY-MM-DDTHH:MM:SSZ`.
pub fn epoch_of(instant: &str) -> Option<i64> {
    if !crate::kernel::fields::is_utc_instant(instant) {
        return None;
    }
    let field = |range| parse_fixed(instant, range);
    let days = days_from_civil(field(0..4)?, field(5..7)?, field(8..10)?);
    Some(days * 86_400 + field(11..13)? * 3_600 + field(14..16)? * 60 + field(17..19)?)
}

/// `YYYY-MM-DDTHH:MM:SSZ` of seconds since the epoch.
pub fn instant_of(epoch: i64) -> String {
    let (year, month, day) = civil_from_days(epoch.div_euclid(86_400));
    let second = epoch.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        second / 3_600,
        second % 3_600 / 60,
        second % 60
    )
}

/// A UTC instant as the wall clock in Poland shows it, `YYYY-MM-DDTHH:MM`
/// (the value of an `<input type="datetime-local">`).
pub fn warsaw_local(instant: &str) -> Option<String> {
    let epoch = epoch_of(instant)?;
    let local = instant_of(epoch + warsaw_offset(epoch));
    Some(local[..16].to_owned())
}

/// The UTC instant of a Polish wall-clock time `YYYY-MM-DDTHH:MM`. In the
/// hour that repeats in October the first one is taken; a time skipped in
/// March is read as summer time.
pub fn from_warsaw_local(local: &str) -> Option<String> {
    let local = local.get(..16)?;
    let as_utc = epoch_of(&format!("{local}:00Z"))?;
    let winter = as_utc - 3_600;
    let summer = as_utc - 7_200;
    let epoch = if warsaw_offset(summer) == 7_200 {
        summer
    } else {
        winter
    };
    Some(instant_of(epoch))
}

/// A meeting's time for people: "20 października 2026, 14:00".
pub fn when(instant: &str, locale: Locale) -> String {
    match (day(instant, locale), warsaw_local(instant)) {
        (Some(day), Some(local)) => format!("{day}, {}", &local[11..16]),
        _ => instant.to_owned(),
    }
}

/// The day in Poland, "22 listopada 2026".
pub fn day(instant: &str, locale: Locale) -> Option<String> {
    let local = warsaw_local(instant)?;
    let day = Day {
        year: local[0..4].parse().ok()?,
        month: local[5..7].parse().ok()?,
        day: local[8..10].parse().ok()?,
    };
    Some(day.long(locale))
}

/// Hours and minutes in Poland, "14:05".
pub fn clock(instant: &str) -> String {
    warsaw_local(instant).map_or_else(String::new, |local| local[11..16].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn megabytes_are_cut_to_a_tenth_never_rounded_up_to_a_limit() {
        assert_eq!(megabytes(2_450_482, Locale::pl), "2,4 MB");
        assert_eq!(megabytes(2_500_000, Locale::pl), "2,5 MB");
        assert_eq!(megabytes(3_000_000, Locale::en), "3 MB");
        assert_eq!(megabytes(99_999, Locale::en), "0 MB");
    }

    #[test]
    fn polish_wall_clock_follows_summer_time() {
        // Summer (CEST, +2) and winter (CET, +1).
        assert_eq!(
            warsaw_local("2026-10-20T12:00:00Z").as_deref(),
            Some("2026-10-20T14:00")
        );
        assert_eq!(
            warsaw_local("2026-11-22T12:00:00Z").as_deref(),
            Some("2026-11-22T13:00")
        );
        // Summer time ends 25 October 2026 at 01:00 UTC.
        assert_eq!(
            warsaw_local("2026-10-25T00:59:00Z").as_deref(),
            Some("2026-10-25T02:59")
        );
        assert_eq!(
            warsaw_local("2026-10-25T01:00:00Z").as_deref(),
            Some("2026-10-25T02:00")
        );
        assert_eq!(
            from_warsaw_local("2026-10-20T14:00").as_deref(),
            Some("2026-10-20T12:00:00Z")
        );
        assert_eq!(
            from_warsaw_local("2027-01-05T09:30").as_deref(),
            Some("2027-01-05T08:30:00Z")
        );
        // 29 March 2026: 02:30 does not exist on the wall clock.
        assert_eq!(
            from_warsaw_local("2026-03-29T03:30").as_deref(),
            Some("2026-03-29T01:30:00Z")
        );
        assert_eq!(from_warsaw_local("20.10.2026 14:00"), None);
    }

    #[test]
    fn instants_round_trip_and_read_in_polish() {
        for instant in [
            "1999-12-31T23:59:59Z",
            "2024-02-29T00:00:00Z",
            "2026-10-20T12:00:00Z",
        ] {
            assert_eq!(epoch_of(instant).map(instant_of).as_deref(), Some(instant));
        }
        assert_eq!(
            when("2026-10-20T12:00:00Z", Locale::pl),
            "20 października 2026, 14:00"
        );
        assert_eq!(clock("2026-11-22T09:05:00Z"), "10:05");
    }

    #[test]
    fn days_are_written_with_the_month_in_the_genitive() {
        let day = Day {
            year: 2026,
            month: 10,
            day: 20,
        };
        assert_eq!(day.long(Locale::pl), "20 października 2026");
        assert_eq!(day.long(Locale::en), "20 October 2026");
    }

    #[test]
    fn hours_use_the_decimal_comma_and_polish_plurals() {
        assert_eq!(hours(10, Locale::pl), "1 godzina");
        assert_eq!(hours(240, Locale::pl), "24 godziny");
        assert_eq!(hours(50, Locale::pl), "5 godzin");
        assert_eq!(hours(15, Locale::pl), "1,5 godziny");
        assert_eq!(hours(15, Locale::en), "1.5 hours");
        assert_eq!(hours(10, Locale::en), "1 hour");
    }
}
