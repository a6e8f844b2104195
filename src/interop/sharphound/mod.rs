//! SharpHound CE (BloodHound Community Edition's Active Directory collector) files in, as
//! OpenGraph [`Document`]s that the OpenGraph import turns into a model (DESIGN.md "Other
//! formats").
//!
//! A SharpHound file is `{"data": [objects], "meta": {"type", "version", "count", …}}`, one
//! file per object type (users, groups, computers, domains, OUs, GPOs, containers, certificate
//! templates, CAs, …), usually zipped together by the collector. Formats 5 (SharpHound CE 1.x)
//! and 6 (2.x) are read; legacy BloodHound's 4 and older, and unknown versions, are errors that
//! say which versions are supported.
//!
//! Reading runs in two passes over each file: [`sniff`] (`format.rs`) reads the document once
//! keeping only its top-level keys and `meta` (it tells SharpHound from OpenGraph and checks
//! the version, wherever `meta` is: SharpHound writes it last), then [`Reader::read`] streams
//! the objects through serde into raw structs (`format.rs`) and `convert.rs` makes each object
//! a node of BloodHound's kind (`User`, `Group`, `Computer`, …) and each relation an edge of
//! BloodHound's kind, marked traversable by the rules in `rights.rs`, which cite BloodHound's
//! edge documentation. Node ids are SharpHound's object identifiers (SIDs and GUIDs, as
//! BloodHound keys its nodes), so SharpHound files imported with OpenGraph collections of the
//! same estate (MSSQLHound, ConfigManBearPig) join into one graph. Syntax and type errors carry
//! the file, line and column serde_json reports; an object without an id names its JSON path.
//!
//! What the OpenGraph import cannot learn from kinds, the reader keeps beside the documents:
//! users with an SPN are service accounts ([`Reader::service_accounts`]).

mod convert;
mod format;
mod rights;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::Read;

pub use format::{sniff, Meta, Shape, SUPPORTED_VERSIONS};
pub use rights::{ace_edge, local_group_edge, node_kind};

use crate::error::Diagnostic;
use crate::interop::opengraph::Document;
use convert::Converter;
use format::{json_problem, skip_bom, RawFile};

/// The `metadata.source_kind` the documents made from SharpHound files carry.
pub const SOURCE_KIND: &str = "SharpHound";

/// What the SharpHound files of one import held.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SharpHoundSummary {
    pub files: usize,
    /// Objects read, by `meta.type`.
    pub objects: BTreeMap<String, usize>,
    /// Objects of types this reader has no BloodHound kind for (they become systems).
    pub unknown_types: BTreeMap<String, usize>,
    pub users_enabled: usize,
    pub users_disabled: usize,
    /// Users with an SPN (`hasspn`), imported as service accounts.
    pub service_accounts: usize,
    /// Edges made that are attack steps, by kind.
    pub attack_edges: BTreeMap<String, usize>,
    /// Edges made that are not (replication and certificate rights alone, unknown rights).
    pub other_edges: BTreeMap<String, usize>,
    /// Relations recorded twice (an object's `ContainedBy` and its parent's `ChildObjects`,
    /// a session in two session lists): made once.
    pub duplicate_edges: usize,
}

/// Reads SharpHound files one by one, keeping what they share: the edges made so far (so a
/// relation two files record is made once) and the summary.
#[derive(Debug, Default)]
pub struct Reader {
    seen: HashSet<(String, String, String)>,
    service_accounts: BTreeSet<String>,
    /// Replication rights on domains: (domain, principal, index in `DCSYNC_PARTS`).
    replication: BTreeSet<(String, String, usize)>,
    /// Every `MemberOf` made: member → groups.
    member_of: BTreeMap<String, Vec<String>>,
    pub summary: SharpHoundSummary,
}

impl Reader {
    pub fn new() -> Reader {
        Reader::default()
    }

    /// Reads one SharpHound file whose `meta` [`sniff`] returned; `name` is used in messages
    /// and as the document's name. Every problem found is returned.
    pub fn read(
        &mut self,
        reader: impl Read,
        name: &str,
        meta: &Meta,
    ) -> Result<Document, Vec<Diagnostic>> {
        let raw: RawFile =
            serde_json::from_reader(skip_bom(reader)).map_err(|e| vec![json_problem(name, &e)])?;
        self.summary.files += 1;
        let mut c = Converter {
            reader: self,
            doc: Document::new(name, Some(SOURCE_KIND)),
            problems: Vec::new(),
        };
        c.objects(&meta.object_type, raw.data);
        if c.problems.is_empty() {
            Ok(c.doc)
        } else {
            Err(c.problems)
        }
    }

    /// Adds to `last` (the last document this reader made) the steps that need every file
    /// read first: DCSync, from replication rights held directly or through group membership.
    pub fn finish(&mut self, last: &mut Document) {
        let steps = convert::dcsync_steps(&self.replication, &self.member_of);
        let name = last.name.clone();
        let mut c = Converter {
            reader: self,
            doc: std::mem::replace(last, Document::new(&name, Some(SOURCE_KIND))),
            problems: Vec::new(),
        };
        for (principal, domain) in &steps {
            c.edge("DCSync", principal, domain, true);
        }
        *last = c.doc;
    }

    /// Ids of the users with an SPN: service accounts.
    pub fn service_accounts(&self) -> &BTreeSet<String> {
        &self.service_accounts
    }
}
