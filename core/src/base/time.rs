//! Packet timestamps: nanoseconds since the Unix epoch, shown as RFC 3339 UTC; and the wall-clock
//! times of logs that name no zone, shown without one.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A point in time taken from a capture or a log (never from a clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp {
    /// Nanoseconds since 1970-01-01T00:00:00, UTC unless [`Timestamp::local`].
    pub unix_nanos: i128,
    /// A wall-clock time in a zone the input does not name (e.g. a Python log line): counted from
    /// 1970-01-01T00:00:00 of that unknown zone, and printed without a `Z` (ISO 8601 local time).
    pub local: bool,
}

impl Timestamp {
    pub fn from_unix_nanos(unix_nanos: i128) -> Self {
        Self { unix_nanos, local: false }
    }

    /// A wall-clock time of an unknown zone, as nanoseconds since 1970-01-01T00:00:00 there.
    pub fn local_from_nanos(nanos: i128) -> Self {
        Self { unix_nanos: nanos, local: true }
    }

    /// Milliseconds from `self` to `later` (negative when `later` is earlier).
    pub fn millis_until(self, later: Timestamp) -> f64 {
        // Precision loss only beyond 2^53 ns ≈ 104 days of difference.
        #[allow(clippy::cast_precision_loss)]
        let nanos = (later.unix_nanos - self.unix_nanos) as f64;
        nanos / 1e6
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let secs = self.unix_nanos.div_euclid(1_000_000_000);
        let nanos = self.unix_nanos.rem_euclid(1_000_000_000);
        let days = secs.div_euclid(86_400);
        let secs_of_day = secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:09}{}",
            secs_of_day / 3600,
            secs_of_day % 3600 / 60,
            secs_of_day % 60,
            nanos,
            if self.local { "" } else { "Z" }
        )
    }
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's algorithm, written from its published description).
fn civil_from_days(days: i128) -> (i128, i128, i128) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 };
    let year = year_of_era + era * 400 + i128::from(month <= 2);
    (year, month, day)
}

fn days_from_civil(year: i128, month: i128, day: i128) -> i128 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month_index = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Parses the `YYYY-MM-DDTHH:MM:SS[.fraction]Z` form [`Timestamp`] prints (any
/// `xsd:dateTime` with a zone, in fact), as UTC.
pub fn parse_rfc3339_utc(text: &str) -> Option<Timestamp> {
    let time = DateTime::parse(text.trim()).ok()?;
    time.offset_minutes.is_some().then(|| time.to_timestamp())
}

/// Parses the wall-clock times of logs that name no zone, `YYYY-MM-DD[T ]HH:MM:SS[.,fraction]`,
/// as a local [`Timestamp`].
pub fn parse_local(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    let mut normalised = String::with_capacity(text.len());
    for (index, c) in text.char_indices() {
        normalised.push(match c {
            ' ' if index == 10 => 'T',
            ',' => '.',
            c => c,
        });
    }
    let time = DateTime::parse(&normalised).ok()?;
    time.offset_minutes.is_none().then(|| time.to_timestamp())
}

/// An `xsd:dateTime` as written (`[-]YYYY-MM-DDThh:mm:ss[.s+][Z|(+|-)hh:mm]`), every field
/// checked as XML Schema 1.0 and libxml2 check it. This is core's one dateTime reader: the
/// codec, the data models, the config files and the log readers all judge a time by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    /// Astronomical year as written; never 0 (XML Schema 1.0 has no year zero).
    pub year: i64,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    /// The fraction of the second, to the nanosecond (further digits are kept only lexically).
    pub nanos: u32,
    /// Minutes east of UTC; `None` when the text names no zone.
    pub offset_minutes: Option<i16>,
}

/// Why a text is not an `xsd:dateTime`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not an xsd:dateTime: {0}")]
pub struct DateTimeError(pub &'static str);

impl DateTime {
    pub fn parse(text: &str) -> Result<DateTime, DateTimeError> {
        let fail = |reason| Err(DateTimeError(reason));
        let (negative, rest) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let Some((year_text, rest)) = rest.split_once('-') else {
            return fail("expected YYYY-MM-DDThh:mm:ss");
        };
        if year_text.len() < 4 || !year_text.bytes().all(|b| b.is_ascii_digit()) {
            return fail("the year needs at least four digits");
        }
        if year_text.len() > 4 && year_text.starts_with('0') {
            return fail("a year of more than four digits has no leading zero");
        }
        let Ok(year) = year_text.parse::<i64>() else { return fail("the year is too large") };
        if year == 0 {
            return fail("there is no year 0000");
        }
        let bytes = rest.as_bytes();
        // MM-DDThh:mm:ss is 14 bytes, then the optional fraction and zone.
        let shape_ok = bytes.len() >= 14
            && bytes.iter().take(14).enumerate().all(|(index, &b)| match index {
                2 => b == b'-',
                5 => b == b'T',
                8 | 11 => b == b':',
                _ => b.is_ascii_digit(),
            });
        if !shape_ok {
            return fail("expected YYYY-MM-DDThh:mm:ss");
        }
        let two = |at: usize| (bytes[at] - b'0') * 10 + (bytes[at + 1] - b'0');
        let (month, day, hour, minute, second) = (two(0), two(3), two(6), two(9), two(12));
        if !(1..=12).contains(&month) {
            return fail("the month is not 01 to 12");
        }
        if day == 0 || day > days_in_month(if negative { 1 - year } else { year }, month) {
            return fail("the day is not in the month");
        }
        if hour > 24 || minute > 59 || second > 59 {
            return fail("the time of day is out of range");
        }
        let mut tail = &rest[14..];
        let mut nanos = 0u32;
        if let Some(fraction) = tail.strip_prefix('.') {
            let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return fail("a `.` must be followed by digits");
            }
            for (index, digit) in fraction.bytes().take(digits.min(9)).enumerate() {
                nanos += u32::from(digit - b'0') * 10u32.pow(8 - index as u32);
            }
            tail = &fraction[digits..];
        }
        // 24:00:00 is the end of the day (XML Schema 1.0), and nothing after it.
        if hour == 24 && (minute, second, nanos) != (0, 0, 0) {
            return fail("24:00:00 is the only time in hour 24");
        }
        let offset_minutes = match tail.as_bytes() {
            [] => None,
            [b'Z'] => Some(0),
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2]
                if [h1, h2, m1, m2].iter().all(|b| b.is_ascii_digit()) =>
            {
                let hours = i16::from((h1 - b'0') * 10 + (h2 - b'0'));
                let minutes = i16::from((m1 - b'0') * 10 + (m2 - b'0'));
                if minutes > 59 || hours > 14 || (hours == 14 && minutes > 0) {
                    return fail("a zone offset is at most ±14:00");
                }
                let offset = hours * 60 + minutes;
                Some(if *sign == b'-' { -offset } else { offset })
            }
            _ => return fail("the zone must be `Z` or ±hh:mm"),
        };
        Ok(DateTime {
            year: if negative { -year } else { year },
            month,
            day,
            hour,
            minute,
            second,
            nanos,
            offset_minutes,
        })
    }

    /// True when `text` is an `xsd:dateTime`.
    pub fn is_valid(text: &str) -> bool {
        DateTime::parse(text).is_ok()
    }

    /// The instant, in UTC when the text named a zone, otherwise a [`Timestamp::local`] time.
    /// (A written year -1 is astronomical year 0: XML Schema 1.0 counts no year zero.)
    pub fn to_timestamp(&self) -> Timestamp {
        let year = if self.year < 0 { i128::from(self.year) + 1 } else { i128::from(self.year) };
        let days = days_from_civil(year, i128::from(self.month), i128::from(self.day));
        let seconds = days * 86_400
            + i128::from(self.hour) * 3600
            + i128::from(self.minute) * 60
            + i128::from(self.second)
            - i128::from(self.offset_minutes.unwrap_or(0)) * 60;
        let nanos = seconds * 1_000_000_000 + i128::from(self.nanos);
        match self.offset_minutes {
            Some(_) => Timestamp::from_unix_nanos(nanos),
            None => Timestamp::local_from_nanos(nanos),
        }
    }
}

fn days_in_month(astronomical_or_written_year: i64, month: u8) -> u8 {
    let year = astronomical_or_written_year;
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_rfc3339_utc(&text)
            .or_else(|| parse_local(&text))
            .ok_or_else(|| serde::de::Error::custom(format!("not an RFC 3339 UTC time: {text}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_back() {
        let t = Timestamp::from_unix_nanos(1_650_891_234_123_456_000);
        assert_eq!(t.to_string(), "2022-04-25T12:53:54.123456000Z");
        assert_eq!(parse_rfc3339_utc(&t.to_string()), Some(t));
        assert_eq!(Timestamp::default().to_string(), "1970-01-01T00:00:00.000000000Z");
        let before_epoch = Timestamp::from_unix_nanos(-1);
        assert_eq!(before_epoch.to_string(), "1969-12-31T23:59:59.999999999Z");
    }

    #[test]
    fn local_times_print_without_a_zone_and_parse_back() {
        let local = parse_local("2022-04-25 15:41:17,549").unwrap();
        assert!(local.local);
        assert_eq!(local.to_string(), "2022-04-25T15:41:17.549000000");
        let json = serde_json::to_string(&local).unwrap();
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), local);
        assert_eq!(parse_local("2022-04-25 15:41"), None);
    }

    #[test]
    fn date_times_are_judged_as_xml_schema_judges_them() {
        for good in [
            "0001-01-01T00:00:00Z",
            "2023-03-28T15:39:56.053+02:00",
            "2024-02-29T23:59:59-14:00",
            "12024-01-01T00:00:00",
            "-0044-03-15T12:00:00Z",
            "2016-01-31T13:28:09.123456789123+14:00",
            "2023-12-31T24:00:00.000Z",
        ] {
            assert!(DateTime::is_valid(good), "{good}");
        }
        for bad in [
            "",
            "yesterday",
            "2019-03-05T11:54::14",
            "2023-02-29T00:00:00Z",
            "2023-04-31T00:00:00Z",
            "0000-01-01T00:00:00Z",
            "02023-01-01T00:00:00Z",
            "999-01-01T00:00:00Z",
            "2023-01-01T24:00:00.5Z",
            "2023-01-01T24:01:00Z",
            "2023-01-01T23:60:00Z",
            "2023-01-01T23:59:60Z",
            "2023-01-01T00:00:00+99:00",
            "2023-01-01T00:00:00+14:01",
            "2023-01-01T00:00:00+01:60",
            "2023-01-01T00:00:00.Z",
            "2023-01-01T00:00:00+0100",
            "2023-01-01 00:00:00",
            "2023-1-01T00:00:00",
            "2023-01-01T00:00:00z",
        ] {
            assert!(!DateTime::is_valid(bad), "{bad}");
        }
        let zoned = DateTime::parse("2022-04-25T14:53:54.123456+02:00").unwrap();
        assert_eq!(zoned.to_timestamp().to_string(), "2022-04-25T12:53:54.123456000Z");
        assert_eq!(
            DateTime::parse("1969-12-31T23:59:59.999999999Z").unwrap().to_timestamp(),
            Timestamp::from_unix_nanos(-1)
        );
    }
}
