//! Nodes: their dense ids, their five kinds, and what an account carries (MFA, human or
//! service).

/// Dense index of a node in [`Model::nodes`](super::Model::nodes).
pub type NodeId = u32;

/// The five kinds of node of DESIGN.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeKind {
    Person,
    Account,
    Group,
    System,
    Store,
}

impl NodeKind {
    pub const ALL: [NodeKind; 5] = [
        NodeKind::Person,
        NodeKind::Account,
        NodeKind::Group,
        NodeKind::System,
        NodeKind::Store,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Person => "person",
            NodeKind::Account => "account",
            NodeKind::Group => "group",
            NodeKind::System => "system",
            NodeKind::Store => "store",
        }
    }

    pub fn parse(s: &str) -> Option<NodeKind> {
        NodeKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// `n` nodes of this kind, in words: "1 person", "3 people", "2 accounts".
    pub fn counted(self, n: usize) -> String {
        let many = match self {
            NodeKind::Person => "people",
            NodeKind::Account => "accounts",
            NodeKind::Group => "groups",
            NodeKind::System => "systems",
            NodeKind::Store => "stores",
        };
        crate::model::counted(n, self.as_str(), many)
    }
}

impl NodeKind {
    /// "a person", "an account", …
    pub fn with_article(self) -> String {
        match self {
            NodeKind::Account => "an account".into(),
            k => format!("a {k}"),
        }
    }
}

impl std::fmt::Display for NodeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Multi-factor authentication on an account; decides the default success of a stolen
/// credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Mfa {
    #[default]
    None,
    Otp,
    PhishingResistant,
}

impl Mfa {
    pub const NAMES: [&'static str; 3] = ["none", "otp", "phishing_resistant"];

    pub fn parse(s: &str) -> Option<Mfa> {
        match s {
            "none" => Some(Mfa::None),
            "otp" => Some(Mfa::Otp),
            "phishing_resistant" => Some(Mfa::PhishingResistant),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        Mfa::NAMES[self as usize]
    }
}

/// Human or service account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccountKind {
    #[default]
    Human,
    Service,
}

/// A node: its id as the model writes it and its kind.
#[derive(Debug, Clone)]
pub struct Node {
    /// Ids of up to 24 bytes (nearly all) are stored inline, without an allocation of their
    /// own.
    pub id: compact_str::CompactString,
    pub kind: NodeKind,
}
