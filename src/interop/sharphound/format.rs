//! SharpHound CE files as read: the `meta` block that says what a file holds, a cheap first
//! pass that tells a SharpHound file from an OpenGraph one (and checks its version) before the
//! objects are parsed, and the raw objects, one struct for every object type (the fields a type
//! lacks are absent). Field names are SharpHound's (`SharpHoundCommon`'s output classes, as
//! BloodHound CE ingests them); unknown fields are skipped.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};

use serde::de::IgnoredAny;
use serde::Deserialize;

use crate::error::{Diagnostic, Severity};
use crate::interop::opengraph::{MAX_PROPERTY_BYTES, NAME_PROPERTIES};
use crate::load::input::text_too_long;

/// The JSON format versions this reader understands: SharpHound CE writes 5 (v1.x) and 6
/// (v2.x). Version 4 and older are legacy BloodHound's formats (different member and session
/// shapes), which BloodHound CE itself no longer ingests.
pub const SUPPORTED_VERSIONS: [u64; 2] = [5, 6];

/// What the first pass found at the top of a JSON file.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// A `graph` object: OpenGraph.
    OpenGraph,
    /// `data` and `meta`: a SharpHound file of this type and version.
    SharpHound(Meta),
}

/// A SharpHound file's `meta` block, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    /// `meta.type`: `users`, `groups`, `computers`, …
    pub object_type: String,
    pub version: u64,
}

#[derive(Deserialize)]
#[serde(expecting = "a JSON object: an OpenGraph document or a SharpHound file")]
struct Probe {
    #[serde(default)]
    graph: Option<IgnoredAny>,
    #[serde(default)]
    data: Option<IgnoredAny>,
    #[serde(default)]
    meta: Option<ProbeMeta>,
}

#[derive(Deserialize)]
struct ProbeMeta {
    #[serde(rename = "type", default)]
    object_type: Option<serde_json::Value>,
    #[serde(default)]
    version: Option<serde_json::Value>,
}

/// A reader past a UTF-8 byte-order mark (SharpHound and MSSQLHound write one).
pub(crate) fn skip_bom<R: Read>(reader: R) -> BufReader<R> {
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    if let Ok(head) = reader.fill_buf() {
        if head.starts_with(b"\xEF\xBB\xBF") {
            reader.consume(3);
        }
    }
    reader
}

/// A located error in `file`.
pub(crate) fn located(
    file: &str,
    line: Option<usize>,
    column: Option<usize>,
    message: String,
) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        file: file.to_string(),
        line,
        column,
        message,
    }
}

/// A serde_json error as a located diagnostic (the position serde_json reports).
pub(crate) fn json_problem(file: &str, e: &serde_json::Error) -> Diagnostic {
    Diagnostic::from_json(file, e, "a JSON document")
}

/// Reads the whole document once, keeping only its top-level keys and SharpHound's `meta`,
/// and says which format it is. A SharpHound file without `data`, without `meta.type`, or of
/// a version this reader does not understand is an error naming the JSON path.
pub fn sniff(reader: impl Read, name: &str) -> Result<Shape, Diagnostic> {
    let error = |m: String| located(name, None, None, m);
    let mut reader = skip_bom(reader);
    // Both formats are JSON objects; serde would take an array for a struct, field by field.
    // Only peeked (serde counts the lines), within the first buffer.
    if let Ok(head) = reader.fill_buf() {
        if let Some(first) = head.iter().find(|b| !b.is_ascii_whitespace()) {
            if *first != b'{' {
                return Err(error(
                    "not a JSON object: an OpenGraph document or a SharpHound file is one".into(),
                ));
            }
        }
    }
    let probe: Probe = serde_json::from_reader(reader).map_err(|e| json_problem(name, &e))?;
    if probe.graph.is_some() {
        return Ok(Shape::OpenGraph);
    }
    let Some(meta) = probe.meta else {
        return Err(error(if probe.data.is_some() {
            "`meta`: a SharpHound file needs its `meta` block (type and version); this one has `data` only".into()
        } else {
            "neither an OpenGraph document (no `graph` object) nor a SharpHound file (no `data` array and `meta` block)".into()
        }));
    };
    let version = match &meta.version {
        None => {
            return Err(error(
                "`meta.version`: missing; SharpHound CE writes 5 or 6".into(),
            ))
        }
        Some(v) => v.as_u64().ok_or_else(|| {
            error(format!(
                "`meta.version`: {v} is not a SharpHound format version; supported: {}",
                versions()
            ))
        })?,
    };
    if version < SUPPORTED_VERSIONS[0] {
        return Err(error(format!(
            "`meta.version`: version {version} is legacy BloodHound's format (SharpHound before CE), which is not supported; supported versions are {} (SharpHound CE 1.x and 2.x): collect again with SharpHound CE",
            versions()
        )));
    }
    if !SUPPORTED_VERSIONS.contains(&version) {
        return Err(error(format!(
            "`meta.version`: unknown SharpHound format version {version}; supported versions are {}",
            versions()
        )));
    }
    let object_type = match &meta.object_type {
        Some(serde_json::Value::String(t)) if !t.trim().is_empty() => t.trim().to_ascii_lowercase(),
        _ => {
            return Err(error(
                "`meta.type`: missing or not a string; it names the objects in `data` (users, groups, computers, …)".into(),
            ))
        }
    };
    if probe.data.is_none() {
        return Err(error(format!(
            "`data`: the SharpHound {object_type} file has no `data` array (is it truncated or hand-edited?)"
        )));
    }
    Ok(Shape::SharpHound(Meta {
        object_type,
        version,
    }))
}

fn versions() -> String {
    SUPPORTED_VERSIONS
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(" and ")
}

/// A SharpHound file's objects; `meta` was read by [`sniff`].
#[derive(Deserialize)]
#[serde(expecting = "a SharpHound file: an object with a `data` array")]
pub(super) struct RawFile {
    pub(super) data: Vec<RawObject>,
}

/// A reference to another object.
#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub(super) struct TypedId {
    #[serde(
        default,
        deserialize_with = "crate::interop::opengraph::bounded_optional"
    )]
    pub(super) object_identifier: Option<String>,
}

/// An access control entry: `PrincipalSID` holds `RightName` over the object.
#[derive(Deserialize)]
pub(super) struct RawAce {
    #[serde(
        rename = "PrincipalSID",
        default,
        deserialize_with = "crate::interop::opengraph::bounded_optional"
    )]
    pub(super) principal: Option<String>,
    #[serde(rename = "RightName", default)]
    pub(super) right: Option<String>,
}

/// A GPO link of a domain or OU.
#[derive(Deserialize)]
pub(super) struct RawLink {
    #[serde(rename = "GUID", default)]
    pub(super) guid: Option<String>,
}

/// A user's SPN target (`SQLAdmin` on a computer).
#[derive(Deserialize)]
pub(super) struct RawSpnTarget {
    #[serde(rename = "ComputerSID", default)]
    pub(super) computer: Option<String>,
    #[serde(rename = "Service", default)]
    pub(super) service: Option<String>,
}

/// A logged-on user.
#[derive(Deserialize)]
pub(super) struct RawSession {
    #[serde(
        rename = "UserSID",
        default,
        deserialize_with = "crate::interop::opengraph::bounded_optional"
    )]
    pub(super) user: Option<String>,
    #[serde(
        rename = "ComputerSID",
        default,
        deserialize_with = "crate::interop::opengraph::bounded_optional"
    )]
    pub(super) computer: Option<String>,
}

/// What a collection method returned (`Collected`, `FailureReason`, `Results`).
#[derive(Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub(super) struct Results<T> {
    #[serde(rename = "Results", default)]
    pub(super) results: Option<Vec<T>>,
}

/// A computer's local group (v5 and v6 `LocalGroups`).
#[derive(Deserialize)]
pub(super) struct RawLocalGroup {
    #[serde(
        rename = "ObjectIdentifier",
        default,
        deserialize_with = "crate::interop::opengraph::bounded_optional"
    )]
    pub(super) id: Option<String>,
    #[serde(rename = "Name", default)]
    pub(super) name: Option<String>,
    #[serde(rename = "Results", default)]
    pub(super) results: Option<Vec<TypedId>>,
}

/// An object's `Properties`, with the bounds OpenGraph properties have: every string at most
/// [`MAX_PROPERTY_BYTES`], a display name ([`NAME_PROPERTIES`]) at most
/// [`crate::load::input::MAX_TEXT_BYTES`]; serde_json locates the error (at the map's end).
fn bounded_properties<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<BTreeMap<String, serde_json::Value>>, D::Error> {
    let props = Option::<BTreeMap<String, serde_json::Value>>::deserialize(d)?;
    for (k, v) in props.iter().flatten() {
        let strings: Vec<&str> = match v {
            serde_json::Value::String(s) => vec![s],
            serde_json::Value::Array(items) => items.iter().filter_map(|i| i.as_str()).collect(),
            _ => Vec::new(),
        };
        for s in strings {
            let error = if s.len() > MAX_PROPERTY_BYTES {
                Some(format!(
                    "the `{k}` property is a string of {} bytes; property strings are at most {MAX_PROPERTY_BYTES} bytes",
                    s.len()
                ))
            } else if NAME_PROPERTIES.contains(&k.as_str()) {
                text_too_long(&format!("the `{k}` property"), s)
            } else {
                None
            };
            if let Some(e) = error {
                return Err(serde::de::Error::custom(e));
            }
        }
    }
    Ok(props)
}

/// One object of any type. Absent and `null` fields are both `None`.
#[derive(Deserialize, Default)]
#[serde(expecting = "a SharpHound object (`ObjectIdentifier`, `Properties`, `Aces`, …)")]
#[serde(rename_all = "PascalCase")]
pub(super) struct RawObject {
    #[serde(
        default,
        deserialize_with = "crate::interop::opengraph::bounded_optional"
    )]
    pub(super) object_identifier: Option<String>,
    #[serde(default, deserialize_with = "bounded_properties")]
    pub(super) properties: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(default)]
    pub(super) aces: Option<Vec<RawAce>>,
    #[serde(default)]
    pub(super) members: Option<Vec<TypedId>>,
    #[serde(
        rename = "PrimaryGroupSID",
        default,
        deserialize_with = "crate::interop::opengraph::bounded_optional"
    )]
    pub(super) primary_group: Option<String>,
    #[serde(default)]
    pub(super) contained_by: Option<TypedId>,
    #[serde(default)]
    pub(super) child_objects: Option<Vec<TypedId>>,
    #[serde(default)]
    pub(super) links: Option<Vec<RawLink>>,
    #[serde(default)]
    pub(super) local_groups: Option<Vec<RawLocalGroup>>,
    #[serde(default)]
    pub(super) local_admins: Option<Results<TypedId>>,
    #[serde(default)]
    pub(super) remote_desktop_users: Option<Results<TypedId>>,
    #[serde(default)]
    pub(super) dcom_users: Option<Results<TypedId>>,
    #[serde(rename = "PSRemoteUsers", default)]
    pub(super) ps_remote_users: Option<Results<TypedId>>,
    #[serde(default)]
    pub(super) sessions: Option<Results<RawSession>>,
    #[serde(default)]
    pub(super) privileged_sessions: Option<Results<RawSession>>,
    #[serde(default)]
    pub(super) registry_sessions: Option<Results<RawSession>>,
    #[serde(default)]
    pub(super) allowed_to_delegate: Option<Vec<TypedId>>,
    #[serde(default)]
    pub(super) allowed_to_act: Option<Vec<TypedId>>,
    #[serde(rename = "HasSIDHistory", default)]
    pub(super) has_sid_history: Option<Vec<TypedId>>,
    #[serde(rename = "DumpSMSAPassword", default)]
    pub(super) dump_smsa_password: Option<Vec<TypedId>>,
    #[serde(rename = "SPNTargets", default)]
    pub(super) spn_targets: Option<Vec<RawSpnTarget>>,
}
