//! JSON output: the result structs serialised, pretty-printed, with a final newline.

use serde::Serialize;

/// Pretty JSON of any result struct.
pub fn render<T: Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("result structs always serialise");
    s.push('\n');
    s
}
