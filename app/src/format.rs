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

#[cfg(test)]
mod tests {
    use super::*;

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
