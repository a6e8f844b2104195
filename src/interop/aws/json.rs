//! Reading the AWS JSON files: each file parsed once into a `serde_json::Value` (syntax errors
//! located by line and column), then walked with a [`Path`] so that every problem of meaning
//! names the file and the JSON path of the value (`RoleDetailList[3].AssumeRolePolicyDocument…`).

use std::path::Path as FsPath;

use serde_json::Value;

use crate::error::{Diagnostic, Error};

/// A JSON path, written as the AWS docs write them: `Policies[2].PolicyVersionList[0].Document`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path(String);

impl Path {
    pub fn root() -> Path {
        Path(String::new())
    }

    pub fn key(&self, key: &str) -> Path {
        if self.0.is_empty() {
            Path(key.to_string())
        } else {
            Path(format!("{}.{key}", self.0))
        }
    }

    pub fn index(&self, i: usize) -> Path {
        Path(format!("{}[{i}]", self.0))
    }
}

impl std::fmt::Display for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_empty() {
            f.write_str("(the document)")
        } else {
            f.write_str(&self.0)
        }
    }
}

/// A problem at a JSON path of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub file: String,
    pub path: String,
    pub message: String,
}

impl Located {
    pub fn new(file: &str, path: &Path, message: String) -> Located {
        Located {
            file: file.to_string(),
            path: path.to_string(),
            message,
        }
    }
}

impl std::fmt::Display for Located {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.path, self.message)
    }
}

impl From<Located> for Error {
    fn from(l: Located) -> Error {
        Error::Syntax {
            path: l.file,
            message: format!("{}: {}", l.path, l.message),
        }
    }
}

/// Parses JSON text; a syntax error names the file, line and column.
pub fn parse(bytes: &[u8], file: &str, expected: &str) -> Result<Value, Error> {
    serde_json::from_slice(bytes).map_err(|e| Error::Invalid {
        problems: vec![Diagnostic::from_json(file, &e, expected)],
    })
}

/// Reads and parses a file through the one input opener (regular files, size cap).
pub fn read(path: &FsPath, file: &str, expected: &str) -> Result<Value, Error> {
    use std::io::Read;
    let mut bytes = Vec::new();
    crate::load::input::open(path)
        .and_then(|mut r| r.read_to_end(&mut bytes))
        .map_err(|source| Error::Read {
            path: file.to_string(),
            source,
        })?;
    parse(&bytes, file, expected)
}

/// The longest string read: names become ids (`user/NAME`, `external/federated/NAME`), which
/// are at most [`crate::load::input::MAX_NAME_BYTES`] long, prefix included.
pub const MAX_STRING_BYTES: usize = crate::load::input::MAX_NAME_BYTES - 64;

/// Checks a string that may become an id or a name: not too long, no control characters.
pub fn name_ok(s: &str, path: &Path, file: &str) -> Result<(), Located> {
    if s.len() > MAX_STRING_BYTES {
        return Err(Located::new(
            file,
            path,
            format!(
                "a string of {} bytes (it starts {:?}); names and ARNs are at most {MAX_STRING_BYTES} bytes here",
                s.len(),
                s.chars().take(40).collect::<String>()
            ),
        ));
    }
    if s.chars().any(char::is_control) {
        return Err(Located::new(
            file,
            path,
            format!("{s:?} holds a control character (a line break, tab or escape)"),
        ));
    }
    Ok(())
}

/// The string at `key` of an object, or a located error.
pub fn string<'v>(v: &'v Value, key: &str, path: &Path, file: &str) -> Result<&'v str, Located> {
    match v.get(key) {
        Some(Value::String(s)) => {
            name_ok(s, &path.key(key), file)?;
            Ok(s)
        }
        Some(_) => Err(Located::new(
            file,
            &path.key(key),
            "expected a string".into(),
        )),
        None => Err(Located::new(file, path, format!("`{key}` is missing"))),
    }
}

/// The array at `key` (absent is empty), or a located error.
pub fn array<'v>(v: &'v Value, key: &str, path: &Path, file: &str) -> Result<&'v [Value], Located> {
    match v.get(key) {
        Some(Value::Array(items)) => Ok(items),
        None | Some(Value::Null) => Ok(&[]),
        Some(_) => Err(Located::new(
            file,
            &path.key(key),
            "expected an array".into(),
        )),
    }
}
