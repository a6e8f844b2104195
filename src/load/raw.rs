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
    /// Data-inventory overlays applied to the model once it is built.
    pub(super) include: Option<RawInclude>,
    pub(super) money: Option<RawMoney>,
    /// `[entry]`: attack vectors, each a probability or a table by MFA.
    pub(super) entry: Option<BTreeMap<String, Spanned<toml::Value>>>,
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

/// `[include]`: overlay files, relative to the model file, applied in the order listed.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawInclude {
    #[serde(default)]
    pub(super) overlays: Vec<Spanned<String>>,
}

/// A data-inventory overlay (`load/model/overlay/`): the tables of a model that describe data
/// and access, whose node references are selectors ([`Sel`]) of nodes the model already has.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOverlay {
    pub(super) populations: Option<BTreeMap<String, Spanned<i64>>>,
    pub(super) notification: Option<BTreeMap<String, Vec<Spanned<String>>>>,
    pub(super) categories: Option<toml::Table>,
    #[serde(default)]
    pub(super) store: Vec<RawStore<Sel>>,
    #[serde(default)]
    pub(super) system: Vec<RawSystem<Sel>>,
    #[serde(default)]
    pub(super) grant: Vec<RawGrant<Sel>>,
    #[serde(default)]
    pub(super) flow: Vec<RawFlow<Sel>>,
    #[serde(default)]
    pub(super) edge: Vec<RawEdge<Sel>>,
    #[serde(default)]
    pub(super) membership: Vec<RawMembership<Sel>>,
    /// Side files: table name → CSV file beside the overlay.
    pub(super) csv: Option<BTreeMap<String, Spanned<String>>>,
    /// Fides datasets whose collections become record sets (`overlay/fides.rs`).
    pub(super) fides: Option<RawFides>,
}

/// `[fides]`: Fides dataset files (relative to the overlay), the store each dataset maps to
/// (by its key when not listed), rows per `dataset.collection`, and the rows of the others.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFides {
    #[serde(default)]
    pub(super) datasets: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) stores: BTreeMap<String, Sel>,
    #[serde(default)]
    pub(super) rows: BTreeMap<String, Spanned<i64>>,
    pub(super) default_rows: Option<Spanned<i64>>,
}

/// A node selector of an overlay, with its position.
pub(super) type Sel = Spanned<Selecting>;

/// What a selector says: a node id, `kind:glob` or a glob (as text), or a property match
/// (`{ name = "CM_PS1" }`, as key–value pairs).
#[derive(Debug, Clone)]
pub(super) enum Selecting {
    Text(Text),
    Props(Vec<(String, String)>),
}

impl<'de> Deserialize<'de> for Selecting {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Selecting, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Selecting;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a node id, a `kind:glob` or a property match such as { name = \"CM_PS1\" }",
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Selecting, E> {
                Ok(Selecting::Text(v.into()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Selecting, A::Error> {
                let mut pairs = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, String>()? {
                    pairs.push((k, v));
                }
                Ok(Selecting::Props(pairs))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "R: Deserialize<'de>"))]
pub(super) struct RawMembership<R = Id> {
    pub(super) member: R,
    pub(super) group: R,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOrg {
    pub(super) name: Option<Spanned<Text>>,
    pub(super) description: Option<Spanned<Text>>,
    pub(super) program_age_days: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPerson {
    pub(super) id: Id,
    #[serde(default)]
    pub(super) accounts: Vec<Id>,
    pub(super) name: Option<Spanned<Text>>,
    pub(super) description: Option<Spanned<Text>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAccount {
    pub(super) id: Id,
    pub(super) kind: Option<Spanned<Text>>,
    pub(super) mfa: Option<Spanned<Text>>,
    #[serde(default)]
    pub(super) groups: Vec<Id>,
    pub(super) name: Option<Spanned<Text>>,
    pub(super) description: Option<Spanned<Text>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGroup {
    pub(super) id: Id,
    #[serde(default)]
    pub(super) groups: Vec<Id>,
    pub(super) name: Option<Spanned<Text>>,
    pub(super) description: Option<Spanned<Text>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "R: Deserialize<'de>"))]
pub(super) struct RawSystem<R = Id> {
    pub(super) id: R,
    #[serde(default)]
    pub(super) credentials: Vec<R>,
    #[serde(default)]
    pub(super) access: Vec<RawAccess<R>>,
    pub(super) name: Option<Spanned<Text>>,
    pub(super) description: Option<Spanned<Text>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "R: Deserialize<'de>"))]
pub(super) struct RawAccess<R = Id> {
    pub(super) store: R,
    pub(super) access: Spanned<Text>,
    pub(super) p: Option<Spanned<f64>>,
    pub(super) time: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "R: Deserialize<'de>"))]
pub(super) struct RawStore<R = Id> {
    pub(super) id: R,
    pub(super) retention_days: Option<Spanned<i64>>,
    #[serde(default)]
    pub(super) records: Vec<RawRecordSet>,
    #[serde(default)]
    pub(super) credentials: Vec<R>,
    pub(super) name: Option<Spanned<Text>>,
    pub(super) description: Option<Spanned<Text>>,
}

#[derive(Deserialize, Clone)]
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
#[serde(deny_unknown_fields, bound(deserialize = "R: Deserialize<'de>"))]
pub(super) struct RawGrant<R = Id> {
    pub(super) principal: R,
    pub(super) target: R,
    pub(super) access: Spanned<Text>,
    pub(super) last_used_days: Option<Spanned<i64>>,
    pub(super) p: Option<Spanned<f64>>,
    pub(super) time: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "R: Deserialize<'de>"))]
pub(super) struct RawFlow<R = Id> {
    pub(super) from: R,
    pub(super) to: R,
    pub(super) categories: Option<Vec<Spanned<Text>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "R: Deserialize<'de>"))]
pub(super) struct RawEdge<R = Id> {
    pub(super) from: R,
    pub(super) to: R,
    pub(super) kind: Spanned<Text>,
    pub(super) p: Option<Spanned<f64>>,
    pub(super) time: Option<Spanned<f64>>,
}
