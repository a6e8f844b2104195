//! How numbers are written in tables, charts and the page: thousands separators, signed
//! changes (with a real minus sign), percentages, and rounded figures for prose. Written once
//! here so every sink shows the same figure the same way.

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A probability in a table: to four decimal places, no trailing zeros ("0.08", "0.0012", "1").
pub fn probability(p: f64) -> String {
    let r = (p * 1e4).round() / 1e4;
    if r == 0.0 && p > 0.0 {
        "<0.0001".to_string()
    } else {
        format!("{r}")
    }
}

/// A figure with thousands separators; decimals only when it is not whole.
pub fn figure(x: f64) -> String {
    if x.fract() == 0.0 && (0.0..1.8e19).contains(&x) {
        thousands(x as u64)
    } else if (0.0..1.8e19).contains(&x) {
        let whole = x.trunc();
        let frac = format!("{:.1}", x - whole);
        if frac.starts_with('1') {
            thousands(whole as u64 + 1)
        } else {
            format!("{}{}", thousands(whole as u64), &frac[1..])
        }
    } else {
        format!("{x}")
    }
}

/// A change rounded to a whole number: `+1,200`, `−35` (a real minus sign), `0`.
pub fn signed_figure(x: f64) -> String {
    let r = x.round();
    if r > 0.0 {
        format!("+{}", figure(r))
    } else if r < 0.0 {
        format!("−{}", figure(-r))
    } else {
        "0".into()
    }
}

/// A change in percent rounded to a whole number, for charts and the page: `−42%`, `+3%`,
/// `0%` (a real minus sign); a change that rounds to zero is `−<1%` or `+<1%`.
pub fn signed_percent(p: f64) -> String {
    let r = p.round();
    if r == 0.0 {
        if p == 0.0 {
            "0%".into()
        } else if p < 0.0 {
            "−<1%".into()
        } else {
            "+<1%".into()
        }
    } else if r < 0.0 {
        format!("−{}%", figure(-r))
    } else {
        format!("+{}%", figure(r))
    }
}

/// A change in percent to one decimal, for terminal tables: `+3.4%`, `-42.0%`, `0%`.
pub fn signed_percent_tenths(p: f64) -> String {
    if p == 0.0 {
        "0%".into()
    } else {
        format!("{:+.1}%", p)
    }
}

/// A share (0 to 1) in percent that never rounds up to 100% or down to 0% unless it is
/// exactly that.
pub fn share(p: f64) -> String {
    let v = 100.0 * p;
    if (v > 0.0 && v < 1.0) || (v > 99.0 && v < 100.0) {
        format!("{v:.1}%")
    } else {
        format!("{v:.0}%")
    }
}

/// A figure rounded to two significant digits for prose: 4,380,000 → 4,400,000; below 100
/// it is exact.
pub fn about(x: f64) -> String {
    if x < 100.0 {
        return figure(x.round());
    }
    let digits = x.log10().floor() as i32;
    let unit = 10f64.powi(digits - 1);
    figure((x / unit).round() * unit)
}

/// A sum of money for tables: the currency code and the whole amount, `USD 17,323,250`.
pub fn money(x: f64, currency: &str) -> String {
    if x < 0.0 {
        format!("−{currency} {}", figure((-x).round()))
    } else {
        format!("{currency} {}", figure(x.round()))
    }
}

/// A change of money for tables: `+USD 1,200`, `−USD 35`, `USD 0`.
pub fn signed_money(x: f64, currency: &str) -> String {
    let r = x.round();
    if r > 0.0 {
        format!("+{currency} {}", figure(r))
    } else if r < 0.0 {
        format!("−{currency} {}", figure(-r))
    } else {
        format!("{currency} 0")
    }
}

/// A sum of money for prose, to two significant digits with a scale: `$4.1 M`, `$310 k`,
/// `€40 k`, `CHF 950`. The common currencies have their symbol; others their code.
pub fn money_prose(x: f64, currency: &str) -> String {
    let sign = if x < 0.0 { "−" } else { "" };
    let symbol = match currency {
        "USD" => "$".to_string(),
        "EUR" => "€".to_string(),
        "GBP" => "£".to_string(),
        "JPY" => "¥".to_string(),
        other => format!("{other} "),
    };
    let x = x.abs();
    let (scaled, unit) = if x >= 1e9 {
        (x / 1e9, " B")
    } else if x >= 1e6 {
        (x / 1e6, " M")
    } else if x >= 1e3 {
        (x / 1e3, " k")
    } else {
        (x, "")
    };
    // Two significant digits: one decimal below 10 (4.1 M), none above (310 k).
    let digits = if scaled < 10.0 && !unit.is_empty() {
        format!("{scaled:.1}")
    } else if scaled < 100.0 {
        format!("{}", scaled.round())
    } else {
        let unit10 = 10f64.powi(scaled.log10().floor() as i32 - 1);
        format!("{}", (scaled / unit10).round() * unit10)
    };
    format!("{sign}{symbol}{digits}{unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(35040000), "35,040,000");
        assert_eq!(figure(1234.5), "1,234.5");
        assert_eq!(figure(1234.0), "1,234");
        assert_eq!(figure(9.96), "10");
    }

    #[test]
    fn changes_carry_their_sign() {
        assert_eq!(signed_percent(-41.6), "−42%");
        assert_eq!(signed_percent(3.2), "+3%");
        assert_eq!(signed_percent(0.0), "0%");
        assert_eq!(signed_percent(-0.2), "−<1%");
        assert_eq!(signed_percent_tenths(-41.64), "-41.6%");
        assert_eq!(signed_figure(-1234.4), "−1,234");
        assert_eq!(signed_figure(0.4), "0");
    }

    #[test]
    fn money_in_tables_and_prose() {
        assert_eq!(money(17_323_250.4, "USD"), "USD 17,323,250");
        assert_eq!(signed_money(-310_000.0, "EUR"), "−EUR 310,000");
        assert_eq!(money_prose(4_130_000.0, "USD"), "$4.1 M");
        assert_eq!(money_prose(6_000_000.0, "USD"), "$6.0 M");
        assert_eq!(money_prose(312_000.0, "USD"), "$310 k");
        assert_eq!(money_prose(40_000.0, "EUR"), "€40 k");
        assert_eq!(money_prose(950.0, "CHF"), "CHF 950");
        assert_eq!(money_prose(-2_500_000_000.0, "GBP"), "−£2.5 B");
    }
}
