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

/// Parses the `YYYY-MM-DDTHH:MM:SS[.fraction]Z` form [`Timestamp`] prints.
pub(crate) fn parse_rfc3339_utc(text: &str) -> Option<Timestamp> {
    parse_naive(text.trim().strip_suffix('Z')?)
}

/// Parses `YYYY-MM-DD[T ]HH:MM:SS[.,fraction]` with no zone, as a local [`Timestamp`].
pub(crate) fn parse_local(text: &str) -> Option<Timestamp> {
    let mut time = parse_naive(&text.trim().replacen(',', ".", 1))?;
    time.local = true;
    Some(time)
}

fn parse_naive(text: &str) -> Option<Timestamp> {
    let (date, time) = text.split_once(['T', ' '])?;
    let mut date_parts = date.splitn(3, '-');
    let year: i128 = date_parts.next()?.parse().ok()?;
    let month: i128 = date_parts.next()?.parse().ok()?;
    let day: i128 = date_parts.next()?.parse().ok()?;
    let (hms, fraction) = time.split_once('.').unwrap_or((time, ""));
    let mut time_parts = hms.splitn(3, ':');
    let hour: i128 = time_parts.next()?.parse().ok()?;
    let minute: i128 = time_parts.next()?.parse().ok()?;
    let second: i128 = time_parts.next()?.parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    let mut nanos: i128 = 0;
    for (index, digit) in fraction.bytes().take(9).enumerate() {
        let value = i128::from(digit.checked_sub(b'0').filter(|d| *d < 10)?);
        nanos += value * 10i128.pow(8 - u32::try_from(index).ok()?);
    }
    let seconds = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    Some(Timestamp::from_unix_nanos(seconds * 1_000_000_000 + nanos))
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
}
