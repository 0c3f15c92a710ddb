//! EventBridge Scheduler's expressions and time zones, as the service
//! accepts them: `cron(...)` with its six fields, `rate(N unit)`, and IANA
//! time zone names.
//!
//! Each function returns `Err(reason)` with the rule the text breaks.

/// A schedule expression: `cron(M H DOM MON DOW YEAR)` or `rate(N unit)`.
pub fn expression(text: &str) -> Result<(), String> {
    if let Some(fields) = text.strip_prefix("cron(").and_then(|rest| rest.strip_suffix(')')) {
        return cron(fields);
    }
    if let Some(rate) = text.strip_prefix("rate(").and_then(|rest| rest.strip_suffix(')')) {
        return self::rate(rate);
    }
    Err(String::from("a schedule is `cron(...)` or `rate(...)`"))
}

/// One field of a cron expression: its name, its range, its names (months,
/// days) and which of `?`, `L`, `W` and `#` it takes.
struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
    question: bool,
    last: bool,
    weekday: bool,
    nth: bool,
}

const MONTHS: &[&str] = &["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS: &[&str] = &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const fn field(name: &'static str, min: u32, max: u32) -> Field {
    Field { name, min, max, names: &[], question: false, last: false, weekday: false, nth: false }
}

const FIELDS: [Field; 6] = [
    field("minutes", 0, 59),
    field("hours", 0, 23),
    Field { question: true, last: true, weekday: true, ..field("day-of-month", 1, 31) },
    Field { names: MONTHS, ..field("month", 1, 12) },
    Field { names: DAYS, question: true, last: true, nth: true, ..field("day-of-week", 1, 7) },
    field("year", 1970, 2199),
];

/// The six fields of a cron expression; exactly one of day-of-month and
/// day-of-week is `?`.
fn cron(fields: &str) -> Result<(), String> {
    let parts: Vec<&str> = fields.split_whitespace().collect();
    if parts.len() != 6 {
        return Err(format!(
            "a cron expression has six fields (minutes hours day-of-month month day-of-week year), this one has {}",
            parts.len()
        ));
    }
    for (part, field) in parts.iter().zip(&FIELDS) {
        cron_field(part, field)?;
    }
    match (parts[2] == "?", parts[4] == "?") {
        (true, true) => Err(String::from("only one of day-of-month and day-of-week may be `?`")),
        (false, false) => Err(String::from(
            "one of day-of-month and day-of-week must be `?`: write `*` or days in one field and `?` in the other",
        )),
        _ => Ok(()),
    }
}

fn cron_field(text: &str, field: &Field) -> Result<(), String> {
    let name = field.name;
    if text == "?" {
        return if field.question {
            Ok(())
        } else {
            Err(format!("`?` is only for day-of-month or day-of-week, not {name}"))
        };
    }
    if text == "L" && field.last {
        return Ok(());
    }
    if field.weekday {
        if text == "LW" {
            return Ok(());
        }
        if let Some(day) = text.strip_suffix('W') {
            return value(day, field).map(|_| ());
        }
    }
    if field.nth {
        if let Some((day, nth)) = text.split_once('#') {
            value(day, field)?;
            return match nth.parse::<u32>() {
                Ok(1..=5) => Ok(()),
                _ => Err(format!("`{text}`: the week after `#` is 1 to 5")),
            };
        }
        if let Some(day) = text.strip_suffix('L') {
            return value(day, field).map(|_| ());
        }
    }
    for item in text.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => (range, Some(step)),
            None => (item, None),
        };
        if let Some(step) = step {
            match step.parse::<u32>() {
                Ok(n) if n >= 1 && n <= field.max => {}
                _ => return Err(format!("`{item}`: the step after `/` in {name} is 1 to {}", field.max)),
            }
        }
        if range == "*" {
            continue;
        }
        match range.split_once('-') {
            Some((from, to)) => {
                value(from, field)?;
                value(to, field)?;
            }
            None => {
                value(range, field)?;
            }
        }
    }
    Ok(())
}

/// A number or a name (`JAN`, `MON`) in the field's range.
fn value(text: &str, field: &Field) -> Result<u32, String> {
    let upper = text.to_ascii_uppercase();
    if let Some(index) = field.names.iter().position(|name| *name == upper) {
        return Ok(u32::try_from(index).unwrap_or(0) + field.min);
    }
    match text.parse::<u32>() {
        Ok(n) if (field.min..=field.max).contains(&n) => Ok(n),
        Ok(_) => Err(format!("`{text}`: {} is {} to {}", field.name, field.min, field.max)),
        Err(_) => {
            let names = if field.names.is_empty() { String::new() } else { format!(" or {}", field.names.join(", ")) };
            Err(format!("`{text}` is not a value of {}: {} to {}{names}", field.name, field.min, field.max))
        }
    }
}

/// `N unit`: a positive whole number and `minute`, `hour` or `day`,
/// singular for 1 and plural otherwise.
fn rate(text: &str) -> Result<(), String> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    let [amount, unit] = parts[..] else {
        return Err(String::from("a rate is a number and a unit, such as `rate(6 hours)`"));
    };
    let Ok(amount) = amount.parse::<u32>() else {
        return Err(format!("`{amount}` is not a whole number: write `rate(6 hours)`"));
    };
    if amount == 0 {
        return Err(String::from("a rate of 0 never runs: the number is at least 1"));
    }
    let singular = unit.strip_suffix('s').unwrap_or(unit);
    if !["minute", "hour", "day"].contains(&singular) {
        return Err(format!("`{unit}` is not a unit of a rate: minutes, hours or days"));
    }
    match (amount == 1, unit == singular) {
        (true, false) => Err(format!("1 takes the singular: `rate(1 {singular})`")),
        (false, true) => Err(format!("{amount} takes the plural: `rate({amount} {singular}s)`")),
        _ => Ok(()),
    }
}

/// The regions of the IANA time zone database (`Europe/Berlin`).
const AREAS: &[&str] = &[
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
    "Etc",
];

/// An IANA time zone name: `UTC`, `GMT`, or `Area/Location[/Location]` of
/// a region of the database, each part capitalised as the database writes
/// it. Not every such name exists; Scheduler refuses one that does not.
pub fn time_zone(text: &str) -> Result<(), String> {
    if text == "UTC" || text == "GMT" {
        return Ok(());
    }
    let mut parts = text.split('/');
    let area = parts.next().unwrap_or_default();
    let Some(known) = AREAS.iter().find(|known| known.eq_ignore_ascii_case(area)) else {
        return Err(format!("a time zone is `UTC` or `Area/City` with an area of {}", AREAS.join(", ")));
    };
    let locations: Vec<&str> = parts.collect();
    if locations.is_empty() || locations.len() > 2 {
        return Err(format!("a time zone is `{known}/City`, such as `Europe/Berlin`"));
    }
    if area != *known {
        return Err(format!("time zone names are written as the database spells them: `{known}`, not `{area}`"));
    }
    for location in locations {
        let mut chars = location.chars();
        let starts =
            chars.next().is_some_and(|c| c.is_ascii_uppercase() || (*known == "Etc" && c.is_ascii_alphanumeric()));
        if !starts || !location.chars().all(|c| c.is_ascii_alphanumeric() || "_+-".contains(c)) {
            return Err(format!(
                "`{location}`: a location starts with a capital letter and holds letters, digits, `_`, `+` and `-` (`New_York`)"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cron_takes_six_fields_and_one_question_mark() {
        for good in [
            "cron(0 3 * * ? *)",
            "cron(0 7 ? * MON-FRI *)",
            "cron(15 10 ? * 6L 2026-2030)",
            "cron(0/15 * * * ? *)",
            "cron(0 8 1,15 JAN-MAR ? *)",
            "cron(0 0 LW * ? *)",
            "cron(0 0 ? * 2#1 *)",
            "cron(0 0 L * ? *)",
        ] {
            assert_eq!(expression(good), Ok(()), "{good}");
        }
        for bad in [
            "cron(0 3 * * *)",
            "cron(0 3 * * * *)",
            "cron(0 3 ? * ? *)",
            "cron(60 3 * * ? *)",
            "cron(0 24 * * ? *)",
            "cron(0 3 ? * MON-FRY *)",
            "cron(? 3 * * ? *)",
            "cron(0 3 * 13 ? *)",
            "cron(0 0 ? * 2#6 *)",
            "cron(0/0 * * * ? *)",
            "cron 0 3 * * ? *",
        ] {
            assert!(expression(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rate_takes_a_positive_number_and_its_unit_in_the_right_number() {
        for good in ["rate(1 hour)", "rate(5 minutes)", "rate(1 day)", "rate(7 days)"] {
            assert_eq!(expression(good), Ok(()), "{good}");
        }
        for bad in ["rate(1 hours)", "rate(5 minute)", "rate(0 days)", "rate(5 weeks)", "rate(5)", "rate(x hours)"] {
            assert!(expression(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn time_zones_are_iana_names() {
        for good in ["UTC", "Europe/Berlin", "America/New_York", "America/Argentina/Buenos_Aires", "Etc/GMT+2"] {
            assert_eq!(time_zone(good), Ok(()), "{good}");
        }
        for bad in ["CET", "europe/berlin", "Europe", "Mars/Olympus", "Europe/berlin", "Europe/Ber lin", ""] {
            assert!(time_zone(bad).is_err(), "{bad}");
        }
    }
}
