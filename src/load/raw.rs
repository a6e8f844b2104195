//! Raw entries of a model: what serde reads from a model file's tables, each id and number with
//! its position. A TOML entry and a row of a CSV side file (`side_tables.rs`) both become one of
//! these, so the model builder checks both the same way.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// Text of an entry: ids and short names are kept inline (up to 24 bytes) instead of in an
/// allocation of their own, which matters for the millions of cells of a large model's CSV
/// files.
pub(super) type Text = compact_str::CompactString;
pub(super) type Id = Spanned<Text>;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawModel {
    pub(super) org: Option<RawOrg>,
    pub(super) populations: Option<BTreeMap<String, Spanned<i64>>>,
    pub(super) notification: Option<BTreeMap<String, Vec<Spanned<String>>>>,
    pub(super) categories: Option<toml::Table>,
    pub(super) probabilities: Option<toml::Table>,
    pub(super) times: Option<toml::Table>,
    #[serde(default)]
    pub(super) person: Vec<RawPerson>,
    #[serde(default)]
    pub(super) account: Vec<RawAccount>,
    #[serde(default)]
    pub(super) group: Vec<RawGroup>,
    #[serde(default)]
    pub(super) system: Vec<RawSystem>,
    #[serde(default)]
    pub(super) store: Vec<RawStore>,
    #[serde(default)]
    pub(super) grant: Vec<RawGrant>,
    #[serde(default)]
    pub(super) flow: Vec<RawFlow>,
    #[serde(default)]
    pub(super) edge: Vec<RawEdge>,
    #[serde(default)]
    pub(super) membership: Vec<RawMembership>,
    /// Side files: table name → CSV file beside the model.
    pub(super) csv: Option<BTreeMap<String, Spanned<String>>>,
    pub(super) money: Option<RawMoney>,
}

/// `[money]` (DESIGN.md "Money"), every figure with its position.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMoney {
    pub(super) currency: Option<Spanned<String>>,
    pub(super) per_incident: Option<Spanned<f64>>,
    pub(super) per_record: Option<BTreeMap<String, Spanned<f64>>>,
    pub(super) per_person: Option<BTreeMap<String, Spanned<f64>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMembership {
    pub(super) member: Id,
    pub(super) group: Id,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOrg {
    pub(super) name: Option<String>,
    #[allow(dead_code)]
    pub(super) description: Option<String>,
    pub(super) program_age_days: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPerson {
    pub(super) id: Id,
    #[serde(default)]
    pub(super) accounts: Vec<Id>,
    #[allow(dead_code)]
    pub(super) name: Option<String>,
    #[allow(dead_code)]
    pub(super) description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAccount {
    pub(super) id: Id,
    pub(super) kind: Option<Spanned<Text>>,
    pub(super) mfa: Option<Spanned<Text>>,
    #[serde(default)]
    pub(super) groups: Vec<Id>,
    #[allow(dead_code)]
    pub(super) name: Option<String>,
    #[allow(dead_code)]
    pub(super) description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGroup {
    pub(super) id: Id,
    #[serde(default)]
    pub(super) groups: Vec<Id>,
    #[allow(dead_code)]
    pub(super) name: Option<String>,
    #[allow(dead_code)]
    pub(super) description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSystem {
    pub(super) id: Id,
    #[serde(default)]
    pub(super) credentials: Vec<Id>,
    #[serde(default)]
    pub(super) access: Vec<RawAccess>,
    #[allow(dead_code)]
    pub(super) name: Option<String>,
    #[allow(dead_code)]
    pub(super) description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAccess {
    pub(super) store: Id,
    pub(super) access: Spanned<Text>,
    pub(super) p: Option<Spanned<f64>>,
    pub(super) time: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStore {
    pub(super) id: Id,
    pub(super) retention_days: Option<Spanned<i64>>,
    #[serde(default)]
    pub(super) records: Vec<RawRecordSet>,
    #[serde(default)]
    pub(super) credentials: Vec<Id>,
    #[allow(dead_code)]
    pub(super) name: Option<String>,
    #[allow(dead_code)]
    pub(super) description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRecordSet {
    pub(super) category: Spanned<Text>,
    pub(super) count: Option<Spanned<i64>>,
    pub(super) per_day: Option<Spanned<i64>>,
    pub(super) retention_days: Option<Spanned<i64>>,
    pub(super) subjects: Option<Spanned<Text>>,
    pub(super) coverage: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGrant {
    pub(super) principal: Id,
    pub(super) target: Id,
    pub(super) access: Spanned<Text>,
    pub(super) last_used_days: Option<Spanned<i64>>,
    pub(super) p: Option<Spanned<f64>>,
    pub(super) time: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFlow {
    pub(super) from: Id,
    pub(super) to: Id,
    pub(super) categories: Option<Vec<Spanned<Text>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEdge {
    pub(super) from: Id,
    pub(super) to: Id,
    pub(super) kind: Spanned<Text>,
    pub(super) p: Option<Spanned<f64>>,
    pub(super) time: Option<Spanned<f64>>,
}
