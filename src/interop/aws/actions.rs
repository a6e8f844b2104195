//! The action table: which IAM actions read, write or administer each kind of data store, and
//! the ARN shapes they act on. The table is data (`actions.toml`, embedded), documented there.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::model::Access;

const TABLE: &str = include_str!("actions.toml");

#[derive(Deserialize)]
struct RawKind {
    what: String,
    resources: BTreeMap<String, String>,
    read: Vec<String>,
    write: Vec<String>,
    admin: Vec<String>,
}

/// One kind of data store: its actions and the ARN shapes they act on.
#[derive(Debug, Clone)]
pub struct StoreKind {
    /// The table's key, also the prefix of the store ids (`s3/…`).
    pub key: String,
    pub what: String,
    pub shapes: BTreeMap<String, String>,
    /// (action, shape, class)
    pub actions: Vec<(String, String, Access)>,
}

/// What fills a shape: the store's name, region, account, resource id and ARN.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct StoreName {
    pub name: String,
    pub region: String,
    pub account: String,
    pub id: String,
    pub arn: String,
}

impl StoreKind {
    /// The ARN (or prefix, for shapes ending in `/*`) of `shape` for a store; `true` when it is
    /// a prefix.
    pub fn resource(&self, shape: &str, s: &StoreName) -> (String, bool) {
        let t = &self.shapes[shape];
        let filled = t
            .replace("{name}", &s.name)
            .replace("{region}", &s.region)
            .replace("{account}", &s.account)
            .replace("{id}", if s.id.is_empty() { "*" } else { &s.id })
            .replace("{arn}", &s.arn);
        match filled.strip_suffix('*') {
            Some(prefix) if t.ends_with("/*") => (prefix.to_string(), true),
            _ => (filled, false),
        }
    }
}

/// The built-in table, parsed once.
pub fn kinds() -> &'static [StoreKind] {
    static KINDS: std::sync::OnceLock<Vec<StoreKind>> = std::sync::OnceLock::new();
    KINDS.get_or_init(|| {
        let raw: BTreeMap<String, RawKind> = toml::from_str(TABLE)
            .expect("the built-in actions.toml is valid (a unit test reads it)");
        raw.into_iter()
            .map(|(key, k)| {
                let mut actions = Vec::new();
                for (list, access) in [
                    (k.read, Access::Read),
                    (k.write, Access::Write),
                    (k.admin, Access::Admin),
                ] {
                    for entry in list {
                        let (action, shape) = entry
                            .split_once(' ')
                            .expect("each action is written `service:Action shape`");
                        assert!(k.resources.contains_key(shape), "unknown shape {shape}");
                        actions.push((action.to_string(), shape.to_string(), access));
                    }
                }
                StoreKind {
                    key,
                    what: k.what,
                    shapes: k.resources,
                    actions,
                }
            })
            .collect()
    })
}

/// The kind of key `key`.
pub fn kind(key: &str) -> &'static StoreKind {
    kinds()
        .iter()
        .find(|k| k.key == key)
        .expect("a kind of the built-in table")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_table_reads_and_classes_the_issue_examples() {
        use crate::model::Access;
        let s3 = super::kind("s3");
        let class = |a: &str| s3.actions.iter().find(|x| x.0 == a).map(|x| x.2);
        assert_eq!(class("s3:GetObject"), Some(Access::Read));
        assert_eq!(class("s3:PutObject"), Some(Access::Write));
        assert_eq!(class("s3:PutBucketPolicy"), Some(Access::Admin));
        assert_eq!(super::kinds().len(), 6);
    }
}
