//! Amounts in fen as requests carry them: a JSON integer, or a number without a fractional part
//! (`12800.0` is the integer 12800 to JSON Schema, so the API document's `integer` promises it).
//! `#[serde(deserialize_with = "fen::whole")]`, or `fen::whole_or_none` with `default`.

use serde::de::Error;
use serde::{Deserialize, Deserializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum Number {
    Int(i64),
    Float(f64),
}

/// Floats stand for integers exactly below 2^53.
const EXACT: f64 = 9_007_199_254_740_992.0;

fn integral<E: Error>(n: Number) -> Result<i64, E> {
    match n {
        Number::Int(i) => Ok(i),
        Number::Float(f) if f.fract() == 0.0 && f.abs() < EXACT => Ok(f as i64),
        Number::Float(f) => Err(E::custom(format!("{f} is not a whole number of fen"))),
    }
}

pub fn whole<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    integral(Number::deserialize(d)?)
}

pub fn whole_or_none<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Option::<Number>::deserialize(d)?.map(integral).transpose()
}

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize)]
    struct Amounts {
        #[serde(deserialize_with = "super::whole")]
        a: i64,
        #[serde(default, deserialize_with = "super::whole_or_none")]
        b: Option<i64>,
    }

    fn read(json: &str) -> Result<(i64, Option<i64>), String> {
        serde_json::from_str::<Amounts>(json)
            .map(|x| (x.a, x.b))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn whole_numbers_are_taken_written_either_way_and_fractions_are_refused() {
        assert_eq!(read(r#"{"a": 12800}"#), Ok((12800, None)));
        assert_eq!(read(r#"{"a": 12800.0, "b": 5e2}"#), Ok((12800, Some(500))));
        assert_eq!(read(r#"{"a": -3, "b": null}"#), Ok((-3, None)));
        assert!(
            read(r#"{"a": 128.5}"#)
                .unwrap_err()
                .contains("not a whole number")
        );
        assert!(read(r#"{"a": "12800"}"#).is_err());
        assert!(read(r#"{"a": 1e300}"#).is_err());
    }
}
