//! How every number is written, in one place: the human figures of tables, charts, the page
//! and the one-sentence answer, and the machine figures of JSON and CSV. Every sink calls
//! these, so one figure reads the same everywhere.
//!
//! Human output (tables, HTML, charts):
//! - counts and amounts have thousands separators: [`thousands`], [`figure`];
//! - one minus sign, U+2212 ([`MINUS`]), in every negative figure and change:
//!   [`signed_figure`], [`signed_count`], [`signed_percent`], [`signed_money`];
//! - percentages with one decimal, and as many more (up to six) as a non-zero change needs
//!   to show ("−0.002%"), then "<0.000001%": [`percent`], [`signed_percent`]; shares of a whole
//!   never round to 0% or 100% unless exact: [`share`];
//! - probabilities with three decimals, two significant digits below 0.01 ("0.0027"),
//!   "<0.000001" below that and ">0.999" for those that would otherwise round to a certainty
//!   they are not: [`probability`];
//! - ratios as `1.5×`: [`multiple`]; prose figures to two significant digits: [`about`],
//!   [`money_prose`].
//!
//! Machine output (JSON, CSV; ASCII minus): [`machine`] — a whole number is an integer
//! (records, exposure, people, money); a probability has four significant digits; any other
//! fraction (a mean, an interval bound, a percentage) six significant digits, never fewer than
//! its whole part.

/// The minus sign of human output (U+2212); JSON and CSV use the ASCII hyphen-minus.
pub const MINUS: char = '−';

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

/// A figure with thousands separators; one decimal only when it is not whole; negative
/// figures with [`MINUS`].
pub fn figure(x: f64) -> String {
    if x < 0.0 {
        return format!("{MINUS}{}", figure(-x));
    }
    if x.fract() == 0.0 && x < 1.8e19 {
        thousands(x as u64)
    } else if x < 1.8e19 {
        let whole = x.trunc();
        let frac = format!("{:.1}", x - whole);
        if frac.starts_with('1') {
            thousands(whole as u64 + 1)
        } else {
            format!("{}{}", thousands(whole as u64), &frac[1..])
        }
    } else {
        format!("{x:.0}")
    }
}

/// A change rounded to a whole number: `+1,200`, `−35` (a real minus sign), `0`.
pub fn signed_figure(x: f64) -> String {
    let r = x.round();
    if r > 0.0 {
        format!("+{}", figure(r))
    } else if r < 0.0 {
        format!("{MINUS}{}", figure(-r))
    } else {
        "0".into()
    }
}

/// A change of a count: `+1,200`, `−7,650,000`, `0`.
pub fn signed_count(n: i64) -> String {
    match n {
        0 => "0".into(),
        n if n < 0 => format!("{MINUS}{}", thousands(n.unsigned_abs())),
        n => format!("+{}", thousands(n as u64)),
    }
}

/// A size in percent (0 or more): one decimal, more when that is what shows a non-zero value
/// (`0.02%`, `0.0001%`) or a value under 100 that would round to it (`99.99%`),
/// `<0.000001%` and `>99.999999%` beyond that; `0%` and `100%` only when exact.
pub fn percent(p: f64) -> String {
    let p = p.abs();
    if p == 0.0 {
        return "0%".into();
    }
    for decimals in 1..=6 {
        let s = format!("{p:.decimals$}");
        let rounds_to_whole = p < 100.0 && s.parse::<f64>().is_ok_and(|v| v >= 100.0);
        if s.bytes().any(|b| (b'1'..=b'9').contains(&b)) && !rounds_to_whole {
            let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
            let whole = thousands(whole.parse().unwrap_or(0));
            return format!("{whole}.{frac}%");
        }
    }
    if p < 1.0 {
        "<0.000001%".into()
    } else {
        ">99.999999%".into()
    }
}

/// A change in percent: `−36.1%`, `+3.4%`, `−0.002%`, `0%` (exactly no change).
pub fn signed_percent(p: f64) -> String {
    if p == 0.0 {
        "0%".into()
    } else if p < 0.0 {
        format!("{MINUS}{}", percent(p))
    } else {
        format!("+{}", percent(p))
    }
}

/// A probability: three decimals (`0.950`), or two significant digits below 0.01 (`0.0027`,
/// `0.00012`), so a small chance keeps its information and p × a figure can be checked;
/// `<0.000001` below that, and `>0.999` where rounding would show a certainty that is not
/// there. It rounds the figure JSON and CSV hold ([`machine`]), so a reader rounding those
/// gets the table's figure.
pub fn probability(p: f64) -> String {
    let p = machine("p", p);
    if p > 0.0 && p < 0.000_000_95 {
        "<0.000001".into()
    } else if p > 0.0 && p < 0.009_95 {
        // Two significant digits: 0.0027 has four decimals, 0.00012 five.
        let decimals = (1 - p.log10().floor() as i32).max(3) as usize;
        let s = format!("{p:.decimals$}");
        // A value just under a power of ten can round up to it (0.00099 stays, 0.000999 → 0.0010).
        let v: f64 = s.parse().unwrap_or(p);
        let decimals = (1 - v.log10().floor() as i32).max(3) as usize;
        format!("{v:.decimals$}")
    } else if (0.9995..1.0).contains(&p) {
        ">0.999".into()
    } else {
        format!("{p:.3}")
    }
}

/// A ratio: `1.5×`, `−0.3×`.
pub fn multiple(x: f64) -> String {
    if x < 0.0 {
        format!("{MINUS}{:.1}×", -x)
    } else {
        format!("{x:.1}×")
    }
}

/// Whether a JSON key or CSV column holds a probability.
fn is_probability(key: &str) -> bool {
    key == "p" || key.starts_with("p_") || key.ends_with("probability")
}

/// A number of JSON or CSV, typed by what it means (`key` is its field or column name): whole
/// numbers stay whole (the writers print them without a decimal point), probabilities are
/// rounded to four significant digits, other fractions to six but never into their whole
/// part (a mean of 103,288,941.3 records is 103288941).
pub fn machine(key: &str, x: f64) -> f64 {
    if !x.is_finite() || x.fract() == 0.0 {
        return x;
    }
    let digits: i32 = if is_probability(key) { 4 } else { 6 };
    let whole_digits = x.abs().log10().floor() as i32 + 1;
    if whole_digits >= digits {
        return x.round();
    }
    rounded_quickly(x, digits, digits - whole_digits).unwrap_or_else(|| rounded_exactly(x, digits))
}

/// `x` to `digits` significant digits, exactly: its decimal expansion rounded, read back.
fn rounded_exactly(x: f64, digits: i32) -> f64 {
    format!("{:.*e}", (digits - 1) as usize, x)
        .parse()
        .unwrap_or(x)
}

/// The powers of ten a double holds exactly.
const EXACT_POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// [`rounded_exactly`] without formatting (a JSON of millions of paths spends a fifth of its
/// time there), or `None` where it could differ. `x · 10^shift` is `x`'s significant digits
/// before the point; computed, it is off by at most 2⁻⁵³ of itself (under 10⁻⁹ below 10⁶).
/// Away from a half (where the exact expansion could round the other way) and from the ends of
/// `[10^(digits−1), 10^digits)` (where `shift` could be one off), its rounding is the exact
/// digits, and dividing that whole number by the exact power of ten gives the double nearest the
/// rounded decimal, which is what reading it back gives.
fn rounded_quickly(x: f64, digits: i32, shift: i32) -> Option<f64> {
    const MARGIN: f64 = 1e-6;
    let scale = *EXACT_POWERS_OF_TEN.get(usize::try_from(shift).ok()?)?;
    let low = *EXACT_POWERS_OF_TEN.get(usize::try_from(digits - 1).ok()?)?;
    let y = (x * scale).abs();
    let frac = y - y.floor();
    if y < low + MARGIN || y > 10.0 * low - MARGIN || (frac - 0.5).abs() < MARGIN {
        return None;
    }
    Some(y.round().copysign(x) / scale)
}

/// Whether a machine figure is written as an integer.
pub fn is_whole(x: f64) -> bool {
    x.fract() == 0.0 && x.abs() < 9.0e15
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
        format!("{MINUS}{currency} {}", figure((-x).round()))
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
        format!("{MINUS}{currency} {}", figure(-r))
    } else {
        format!("{currency} 0")
    }
}

/// A sum of money for prose, to two significant digits with a scale: `$4.1 M`, `$310 k`,
/// `€40 k`, `CHF 950`. The common currencies have their symbol; others their code.
pub fn money_prose(x: f64, currency: &str) -> String {
    let sign = if x < 0.0 { "\u{2212}" } else { "" };
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
        assert_eq!(signed_percent(-41.64), "−41.6%");
        assert_eq!(signed_percent(3.2), "+3.2%");
        assert_eq!(signed_percent(0.0), "0%");
        assert_eq!(signed_percent(-0.2), "−0.2%");
        assert_eq!(signed_percent(-0.0021), "−0.002%");
        assert_eq!(signed_percent(-0.03), "−0.03%");
        assert_eq!(signed_percent(-0.0000943), "−0.0001%");
        assert_eq!(signed_percent(-0.0000001), "−<0.000001%");
        assert_eq!(signed_percent(1234.56), "+1,234.6%");
        assert_eq!(signed_percent(-99.99), "−99.99%");
        assert_eq!(signed_percent(-99.96), "−99.96%");
        assert_eq!(signed_percent(-99.94), "−99.9%");
        assert_eq!(signed_percent(-100.0), "−100.0%");
        assert_eq!(signed_percent(-99.999_999_99), "−>99.999999%");
        assert_eq!(signed_figure(-1234.4), "−1,234");
        assert_eq!(signed_figure(0.4), "0");
        assert_eq!(signed_count(-7_650_000), "−7,650,000");
        assert_eq!(signed_count(12), "+12");
        assert_eq!(figure(-2100.0), "−2,100");
    }

    #[test]
    fn probabilities_have_one_precision() {
        assert_eq!(probability(0.8122499999999999), "0.812");
        assert_eq!(probability(0.95), "0.950");
        assert_eq!(probability(0.0), "0.000");
        assert_eq!(probability(0.0027), "0.0027");
        assert_eq!(probability(0.002_712_3), "0.0027");
        assert_eq!(probability(0.000_123_4), "0.00012");
        assert_eq!(probability(0.0001), "0.00010");
        assert_eq!(probability(0.009_94), "0.0099");
        assert_eq!(probability(0.009_96), "0.010");
        assert_eq!(probability(0.000_999_7), "0.0010");
        assert_eq!(probability(0.000_000_1), "<0.000001");
        assert_eq!(probability(0.9999), ">0.999");
        assert_eq!(probability(1.0), "1.000");
    }

    #[test]
    fn quick_rounding_is_the_exact_rounding() {
        // Doubles of every size and digit pattern, near-halves and powers of ten among them:
        // the quick rounding, where it answers, must equal reading back the formatted digits.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            state
        };
        let mut answered = 0;
        for i in 0..400_000 {
            let r = next();
            let mantissa = (r >> 11) as f64 / (1u64 << 53) as f64;
            let exponent = (next() % 24) as i32 - 12;
            let mut x = (mantissa + 0.05) * 10f64.powi(exponent);
            if i % 4 == 1 {
                // A near-half: d digits then 5, nudged an ulp either way.
                let d = (next() % 10_000_000) as f64 + 0.5;
                x = d / 10f64.powi((next() % 12) as i32);
                x = match next() % 3 {
                    0 => f64::from_bits(x.to_bits() + 1),
                    1 => f64::from_bits(x.to_bits() - 1),
                    _ => x,
                };
            }
            if i % 4 == 2 {
                x = 10f64.powi(exponent) * (1.0 - 1e-7 * (next() % 3) as f64);
            }
            if i % 2 == 1 {
                x = -x;
            }
            for digits in [4, 6] {
                let whole = x.abs().log10().floor() as i32 + 1;
                if whole >= digits {
                    continue;
                }
                if let Some(q) = rounded_quickly(x, digits, digits - whole) {
                    answered += 1;
                    assert_eq!(
                        q.to_bits(),
                        rounded_exactly(x, digits).to_bits(),
                        "{x:e} to {digits} digits"
                    );
                }
            }
        }
        assert!(
            answered > 300_000,
            "the quick path answered {answered} times"
        );
    }

    #[test]
    fn machine_figures_are_typed_by_meaning() {
        assert_eq!(machine("p", 0.8122499999999999), 0.8122);
        assert_eq!(machine("breach_probability", 0.000123456), 0.0001235);
        assert_eq!(machine("mean", 103_288_941.3), 103_288_941.0);
        assert_eq!(machine("ci_low", 102872859.49254504), 102_872_859.0);
        assert_eq!(machine("percent", -36.074661817729115), -36.0747);
        assert_eq!(machine("mc_mean", 4199.9962368), 4200.0);
        assert_eq!(machine("exposure", 38_250_000.0), 38_250_000.0);
        assert!(is_whole(machine("mc_mean", 4199.9962368)));
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
