//! Built-in collector profiles: one mapping file per collector family (`profiles/*.toml`, in
//! the `--mapping` format plus a `[profile]` table that says how to recognise it). Each
//! document is matched to a profile by its `metadata.source_kind`, else by the kinds its nodes
//! and edges carry; its nodes and edges are then mapped by that profile, after a `--mapping`
//! file's rules and before the generic built-in ones. A kind the document's profile does not
//! name falls to the profile that claims the kind's prefix (ConfigManBearPig files hold
//! MSSQLHound's kinds, MSSQLHound files hold Active Directory principals).

use std::collections::BTreeMap;

use super::{parse_mapping_over, Pattern, Rules};
use crate::error::{Error, Result};
use crate::interop::opengraph::document::Document;

/// The built-in profiles: file name and text.
const BUILT_IN: [(&str, &str); 9] = [
    ("snowhound.toml", include_str!("../profiles/snowhound.toml")),
    (
        "mssqlhound.toml",
        include_str!("../profiles/mssqlhound.toml"),
    ),
    (
        "configmanbearpig.toml",
        include_str!("../profiles/configmanbearpig.toml"),
    ),
    ("githound.toml", include_str!("../profiles/githound.toml")),
    (
        "githound_early.toml",
        include_str!("../profiles/githound_early.toml"),
    ),
    (
        "entraauthpolicyhound.toml",
        include_str!("../profiles/entraauthpolicyhound.toml"),
    ),
    ("datahound.toml", include_str!("../profiles/datahound.toml")),
    (
        "ansiblehound.toml",
        include_str!("../profiles/ansiblehound.toml"),
    ),
    (
        "active_directory.toml",
        include_str!("../profiles/active_directory.toml"),
    ),
];

/// One collector family's rules and how its documents are recognised.
#[derive(Debug, Clone)]
pub(in crate::interop::opengraph) struct Profile {
    pub(in crate::interop::opengraph) name: String,
    /// `metadata.source_kind` values its collector writes.
    pub(super) source_kinds: Vec<String>,
    /// Node and edge kinds that are its own (`SNOW_*`).
    pub(super) claims: Vec<Pattern>,
    pub(super) rules: Rules,
}

/// How a document's profile was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(in crate::interop::opengraph) enum ProfileChoice {
    SourceKind,
    KindPrefixes,
}

impl ProfileChoice {
    pub(in crate::interop::opengraph) fn describe(self) -> &'static str {
        match self {
            ProfileChoice::SourceKind => "from metadata.source_kind",
            ProfileChoice::KindPrefixes => "from its kinds",
        }
    }
}

impl Profile {
    /// Whether one of these kinds is the profile's own.
    pub(super) fn claims(&self, kinds: &[&str]) -> bool {
        kinds
            .iter()
            .any(|k| self.claims.iter().any(|p| p.matches(k)))
    }

    /// Parses a profile file: a mapping with a `[profile]` table of `name`, `source_kinds`
    /// and `kinds` (the patterns of the kinds it claims).
    pub(super) fn parse(text: &str, file: &str) -> Result<Profile> {
        let m = parse_mapping_over(None, text, file)?;
        let raw: toml::Table = toml::from_str(text).map_err(|e| Error::Syntax {
            path: file.to_string(),
            message: e.to_string(),
        })?;
        let table = raw.get("profile").and_then(|p| p.as_table());
        let strings = |key: &str| -> Vec<String> {
            table
                .and_then(|t| t.get(key))
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let name = table
            .and_then(|t| t.get("name"))
            .and_then(|v| v.as_str())
            .ok_or_else(|| Error::Input(format!("{file}: a profile needs [profile] name")))?;
        Ok(Profile {
            name: name.to_string(),
            source_kinds: strings("source_kinds"),
            claims: strings("kinds")
                .into_iter()
                .map(|text| Pattern { text })
                .collect(),
            rules: m.tiers.into_iter().next().unwrap_or_default(),
        })
    }
}

/// The built-in profiles, parsed.
pub(super) fn built_in() -> Vec<Profile> {
    BUILT_IN
        .iter()
        .map(|(file, text)| {
            Profile::parse(text, &format!("built-in profile {file}"))
                .expect("the built-in profiles are valid")
        })
        .collect()
}

/// The profile of a document: the one that lists its `metadata.source_kind`, else the one
/// that claims the most of its nodes' and edges' kinds (none if no profile claims any).
pub(super) fn recognise(profiles: &[Profile], doc: &Document) -> Option<(usize, ProfileChoice)> {
    if let Some(sk) = &doc.source_kind {
        if let Some(i) = profiles.iter().position(|p| p.source_kinds.contains(sk)) {
            return Some((i, ProfileChoice::SourceKind));
        }
    }
    let mut votes: BTreeMap<usize, usize> = BTreeMap::new();
    let kinds = doc
        .nodes
        .iter()
        .flat_map(|n| n.kinds.iter())
        .chain(doc.edges.iter().map(|e| &e.kind));
    for k in kinds {
        if let Some(i) = profiles.iter().position(|p| p.claims(&[k.as_str()])) {
            *votes.entry(i).or_default() += 1;
        }
    }
    votes
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(i, _)| (i, ProfileChoice::KindPrefixes))
}
