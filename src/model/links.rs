//! Links: what a link means ([`LinkKind`], with access levels and interned custom labels)
//! and the compact [`Link`] that carries its optional probability, time and last use.

use super::NodeId;

/// Level of access a grant gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Access {
    Read,
    Write,
    Admin,
}

impl Access {
    pub const NAMES: [&'static str; 3] = ["read", "write", "admin"];

    pub fn parse(s: &str) -> Option<Access> {
        match s {
            "read" => Some(Access::Read),
            "write" => Some(Access::Write),
            "admin" => Some(Access::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        Access::NAMES[self as usize]
    }

    /// Whether an attacker holding this access gains the target (write never does).
    pub fn is_traversable(self) -> bool {
        self != Access::Write
    }
}

/// What a link means; decides its default probability and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkKind {
    /// person → account
    Owns,
    /// account/group → group
    Member,
    /// account/group → store or system
    Grant(Access),
    /// system/store → account: the holder keeps the account's secret
    Credential,
    /// system → store: the system's own data access
    Access(Access),
    /// any → any: an attack step with a free label
    Custom(Label),
}

/// The label of a custom step, interned: a link stores four bytes instead of a string, and
/// equal labels share one copy. Labels compare, order and hash by their text, so nothing
/// depends on the order in which they were first seen.
#[derive(Clone, Copy)]
pub struct Label(u32);

struct Labels {
    texts: Vec<&'static str>,
    index: rustc_hash::FxHashMap<&'static str, u32>,
}

fn labels() -> &'static std::sync::RwLock<Labels> {
    static LABELS: std::sync::OnceLock<std::sync::RwLock<Labels>> = std::sync::OnceLock::new();
    LABELS.get_or_init(|| {
        std::sync::RwLock::new(Labels {
            texts: Vec::new(),
            index: Default::default(),
        })
    })
}

impl Label {
    /// The label for `text` (kept for the life of the process: labels are few).
    pub fn new(text: &str) -> Label {
        if let Some(&i) = labels().read().expect("label table").index.get(text) {
            return Label(i);
        }
        let mut table = labels().write().expect("label table");
        if let Some(&i) = table.index.get(text) {
            return Label(i);
        }
        let leaked: &'static str = Box::leak(text.to_string().into_boxed_str());
        let i = table.texts.len() as u32;
        table.texts.push(leaked);
        table.index.insert(leaked, i);
        Label(i)
    }

    pub fn as_str(&self) -> &'static str {
        labels().read().expect("label table").texts[self.0 as usize]
    }

    /// The label's number in this process's table: equal labels have equal numbers, whichever
    /// model they came from (for matching without reading the text; it is not their order).
    pub fn number(&self) -> u32 {
        self.0
    }
}

impl std::ops::Deref for Label {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Label {
    fn eq(&self, other: &Label) -> bool {
        self.0 == other.0
    }
}
impl Eq for Label {}

impl std::hash::Hash for Label {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl PartialOrd for Label {
    fn partial_cmp(&self, other: &Label) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Label {
    fn cmp(&self, other: &Label) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::fmt::Debug for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl LinkKind {
    /// The short label shown in paths and exports (`owns`, `member`, `read`, `admin`,
    /// `credential`, `access:read`, or the custom label).
    pub fn label(&self) -> String {
        match self {
            LinkKind::Owns => "owns".into(),
            LinkKind::Member => "member".into(),
            LinkKind::Grant(a) => a.as_str().into(),
            LinkKind::Credential => "credential".into(),
            LinkKind::Access(a) => format!("access:{}", a.as_str()),
            LinkKind::Custom(k) => k.to_string(),
        }
    }

    /// The `[probabilities]` / `[times]` key of this kind.
    pub fn table_key(&self) -> &'static str {
        match self {
            LinkKind::Owns => "owns",
            LinkKind::Member => "member",
            LinkKind::Grant(_) => "grant",
            LinkKind::Credential => "credential",
            LinkKind::Access(_) => "access",
            LinkKind::Custom(k) => k.as_str(),
        }
    }

    /// Every kind but the custom ones.
    pub fn fixed_kinds() -> [LinkKind; 9] {
        use Access::{Admin, Read, Write};
        [
            LinkKind::Owns,
            LinkKind::Member,
            LinkKind::Grant(Read),
            LinkKind::Grant(Write),
            LinkKind::Grant(Admin),
            LinkKind::Credential,
            LinkKind::Access(Read),
            LinkKind::Access(Write),
            LinkKind::Access(Admin),
        ]
    }

    /// Whether the attacker can move along it (write grants and write access cannot).
    pub fn is_traversable(&self) -> bool {
        match self {
            LinkKind::Grant(a) | LinkKind::Access(a) => a.is_traversable(),
            _ => true,
        }
    }
}

/// A directed relation between two nodes: "whoever controls `from` can gain `to`".
///
/// Its optional figures are stored without `Option`'s padding (a large model has hundreds of
/// thousands of links): read them with [`Link::p`], [`Link::time`] and
/// [`Link::last_used_days`], set them with the `with_` and `set_` methods.
#[derive(Clone, Copy, PartialEq)]
pub struct Link {
    pub from: NodeId,
    pub to: NodeId,
    pub kind: LinkKind,
    /// Explicit success probability, or [`NOT_GIVEN`]: the default of
    /// [`Probabilities`](super::Probabilities).
    p: u64,
    /// Explicit time to use in days, or [`NOT_GIVEN`]: the default of
    /// [`Times`](super::Times).
    time: u64,
    /// Days since the grant was last used (access reviews), or `u64::MAX` (every `u32` is a
    /// valid day count; the link is 40 bytes either way).
    last_used: u64,
}

/// Bits of an optional figure that was not given (a NaN, which no valid figure is).
const NOT_GIVEN: u64 = 0x7ff8_dead_beef_0001;

fn pack(x: Option<f64>) -> u64 {
    x.map_or(NOT_GIVEN, f64::to_bits)
}

fn unpack(bits: u64) -> Option<f64> {
    (bits != NOT_GIVEN).then(|| f64::from_bits(bits))
}

impl Link {
    /// A link with no explicit probability, time or last use.
    pub fn new(from: NodeId, to: NodeId, kind: LinkKind) -> Link {
        Link {
            from,
            to,
            kind,
            p: NOT_GIVEN,
            time: NOT_GIVEN,
            last_used: u64::MAX,
        }
    }

    pub fn with_p(mut self, p: Option<f64>) -> Link {
        self.set_p(p);
        self
    }

    pub fn with_time(mut self, time: Option<f64>) -> Link {
        self.time = pack(time);
        self
    }

    pub fn with_last_used_days(mut self, days: Option<u32>) -> Link {
        self.last_used = days.map_or(u64::MAX, u64::from);
        self
    }

    /// Explicit success probability; `None` takes the default of
    /// [`Probabilities`](super::Probabilities).
    pub fn p(&self) -> Option<f64> {
        unpack(self.p)
    }

    pub fn set_p(&mut self, p: Option<f64>) {
        self.p = pack(p);
    }

    /// Explicit time to use, in days; `None` takes the default of
    /// [`Times`](super::Times).
    pub fn time(&self) -> Option<f64> {
        unpack(self.time)
    }

    /// Days since the grant was last used (access reviews).
    pub fn last_used_days(&self) -> Option<u32> {
        (self.last_used != u64::MAX).then_some(self.last_used as u32)
    }
}

impl std::fmt::Debug for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Link")
            .field("from", &self.from)
            .field("to", &self.to)
            .field("kind", &self.kind)
            .field("p", &self.p())
            .field("time", &self.time())
            .field("last_used_days", &self.last_used_days())
            .finish()
    }
}

#[cfg(test)]
mod link_tests {
    use super::*;

    #[test]
    fn links_are_compact_and_keep_every_figure() {
        assert_eq!(std::mem::size_of::<Link>(), 40);
        let l = Link::new(1, 2, LinkKind::Custom(Label::new("x")))
            .with_p(Some(0.25))
            .with_time(Some(0.0))
            .with_last_used_days(Some(u32::MAX));
        assert_eq!(l.p(), Some(0.25));
        assert_eq!(l.time(), Some(0.0));
        assert_eq!(l.last_used_days(), Some(u32::MAX));
        let plain = Link::new(1, 2, LinkKind::Member);
        assert_eq!(
            (plain.p(), plain.time(), plain.last_used_days()),
            (None, None, None)
        );
        assert_eq!(Label::new("x"), Label::new("x"));
        assert!(Label::new("a") < Label::new("b"));
    }
}
