//! Output sinks: the only code that knows JSON, CSV, table layout, SVG, PNG and HTML. Each format renders the
//! result structs of [`crate::results`] to text; nothing here computes a figure.

pub mod charts;
pub mod csv;
pub mod graph_export;
pub mod html;
pub mod json;
pub mod opengraph;
pub mod report;
pub mod table;
pub mod write;

/// Output format of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Csv,
}

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
}
