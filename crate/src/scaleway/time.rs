//! RFC 3339 timestamps, as Scaleway writes them (`2026-11-25T09:00:00Z`,
//! `2022-03-22T12:34:56.123456Z`, or with a numeric offset), read into milliseconds since the
//! Unix epoch. The clock is never read here: "now" comes from the caller.

/// Milliseconds since the Unix epoch for an RFC 3339 `date-time` (upper-case `T` and `Z`,
/// 0-9 fraction digits, years 0001-9999); `None` for anything else.
pub fn parse_rfc3339_ms(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(range)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if year < 1 || !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut rest = &text[19..];
    let mut millis = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if !(1..=9).contains(&digits) {
            return None;
        }
        let first3 = format!("{:0<3}", &fraction[..digits.min(3)]);
        millis = first3.parse::<i64>().ok()?;
        rest = &fraction[digits..];
    }
    let offset_minutes = match rest.as_bytes() {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let h = num(text.len() - 5..text.len() - 3)?;
            let m = num(text.len() - 2..text.len())?;
            if h > 23 || m > 59 {
                return None;
            }
            let total = h * 60 + m;
            if *sign == b'+' {
                total
            } else {
                -total
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    Some(secs * 1000 + millis)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_scaleway_writes() {
        assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339_ms("2022-03-22T12:34:56.123456Z"),
            Some(1_647_952_496_123)
        );
        assert_eq!(
            parse_rfc3339_ms("2022-03-22T12:34:56.1Z"),
            Some(1_647_952_496_100)
        );
        assert_eq!(
            parse_rfc3339_ms("2022-03-22T14:34:56+02:00"),
            parse_rfc3339_ms("2022-03-22T12:34:56Z")
        );
        assert_eq!(
            parse_rfc3339_ms("2022-03-22T10:04:56-02:30"),
            parse_rfc3339_ms("2022-03-22T12:34:56Z")
        );
        assert_eq!(
            parse_rfc3339_ms("2024-02-29T00:00:00Z"),
            Some(1_709_164_800_000)
        );
        assert_eq!(
            parse_rfc3339_ms("2025-11-25T09:00:00Z"),
            Some(1_764_061_200_000)
        );
        assert_eq!(
            parse_rfc3339_ms("9999-12-31T23:59:59.999Z"),
            Some(253_402_300_799_999)
        );
        assert_eq!(parse_rfc3339_ms("1969-12-31T23:59:59Z"), Some(-1000));
    }

    #[test]
    fn rejects_everything_else() {
        for bad in [
            "",
            "2022-03-22",
            "2022-03-22 12:34:56Z",
            "2022-03-22t12:34:56z",
            "2022-03-22T12:34:56",
            "2022-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2022-04-31T00:00:00Z",
            "2022-03-22T24:00:00Z",
            "2022-03-22T12:60:00Z",
            "2022-03-22T12:00:60Z",
            "2022-03-22T12:00:00.Z",
            "2022-03-22T12:00:00.1234567890Z",
            "2022-03-22T12:00:00+2:00",
            "2022-03-22T12:00:00+24:00",
            "0000-01-01T00:00:00Z",
            "+2022-03-22T12:00:00Z",
            "2022-03-22T12:00:00Zjunk",
            "２０２２-03-22T12:00:00Z",
        ] {
            assert_eq!(parse_rfc3339_ms(bad), None, "{bad:?}");
        }
    }
}
