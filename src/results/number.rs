//! A figure that prints as an integer when it is whole (exposure with integer weights), and as a
//! decimal otherwise.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An `f64` that serialises without a trailing `.0` when it is a whole number.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct Number(pub f64);

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let v = self.0;
        if v.fract() == 0.0 && v.abs() < 9.0e15 {
            s.serialize_i64(v as i64)
        } else {
            s.serialize_f64(v)
        }
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Number, D::Error> {
        f64::deserialize(d).map(Number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_have_no_decimal_point() {
        assert_eq!(
            serde_json::to_string(&Number(35040000.0)).unwrap(),
            "35040000"
        );
        assert_eq!(serde_json::to_string(&Number(2.5)).unwrap(), "2.5");
    }
}
