//! RFC 3339 UTC timestamps (时间戳) without a date-time crate: the store only needs "now",
//! "now + n seconds" and a normalised form that sorts as text in both databases.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, now.
pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The current time as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn now_rfc3339() -> String {
    format_secs(now_secs())
}

/// The time `seconds` from now as `YYYY-MM-DDTHH:MM:SSZ` (e.g. a session's expiry).
pub fn rfc3339_after(seconds: i64) -> String {
    format_secs(now_secs() + seconds)
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `secs` since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_secs(secs: i64) -> String {
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// Parse an RFC 3339 timestamp (`2025-01-02T03:04:05Z`, with optional fraction and a `Z`
/// or `±HH:MM` offset) into seconds since the epoch. Fractions are dropped.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 20 {
        return None;
    }
    let num = |from: usize, len: usize| -> Option<i64> {
        let s = text.get(from..from + len)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let sep = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(sep(4, b'-') && sep(7, b'-') && (sep(10, b'T') || sep(10, b't') || sep(10, b' ')))
        || !(sep(13, b':') && sep(16, b':'))
    {
        return None;
    }
    let (y, mo, d) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (h, mi, s) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut i = 19;
    if sep(i, b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let offset = match b.get(i) {
        Some(b'Z') | Some(b'z') if i + 1 == b.len() => 0,
        Some(&c @ (b'+' | b'-')) if i + 6 == b.len() && sep(i + 3, b':') => {
            let o = num(i + 1, 2)? * 3600 + num(i + 4, 2)? * 60;
            if c == b'+' {
                o
            } else {
                -o
            }
        }
        _ => return None,
    };
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset)
}

/// The same instant in the normalised form `YYYY-MM-DDTHH:MM:SSZ`.
pub fn normalise(text: &str) -> Option<String> {
    parse_rfc3339(text).map(format_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(format_secs(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_secs(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_secs(1_735_787_045), "2025-01-02T03:04:05Z");
        assert_eq!(format_secs(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn parses_and_normalises() {
        assert_eq!(parse_rfc3339("2025-01-02T03:04:05Z"), Some(1_735_787_045));
        assert_eq!(
            normalise("2025-01-02T11:04:05.123+08:00").as_deref(),
            Some("2025-01-02T03:04:05Z")
        );
        assert_eq!(
            normalise("2025-01-01T23:04:05-04:00").as_deref(),
            Some("2025-01-02T03:04:05Z")
        );
        for bad in [
            "",
            "2025-01-02",
            "2025-13-02T03:04:05Z",
            "2025-01-02T03:04:05",
            "x025-01-02T03:04:05Z",
            "2025-01-02T03:04:05.Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
        // Round trip over a range of days, including leap years and century rules.
        for secs in (-5_000_000_000i64..5_000_000_000).step_by(86_399 * 37) {
            assert_eq!(parse_rfc3339(&format_secs(secs)), Some(secs));
        }
    }

    #[test]
    fn now_sorts_as_text() {
        let a = now_rfc3339();
        let b = rfc3339_after(3600);
        assert!(a < b, "{a} < {b}");
    }
}
