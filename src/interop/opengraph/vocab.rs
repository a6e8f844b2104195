//! blastradius's own OpenGraph vocabulary: the `BR_` node and edge kinds and the `br_` property
//! names its export writes and its import reads back. Both directions name them from here, so
//! the two cannot drift apart.

use crate::model::{Access, LinkKind, NodeKind};

/// Kind of the node that carries model-wide settings in blastradius's own export.
pub const MODEL_KIND: &str = "BR_Model";
/// Kind of blastradius's custom attack steps in its own export; the label is in `br_label`.
pub const CUSTOM_EDGE_KIND: &str = "BR_Edge";
/// Kind of the edges that carry flows between stores in its own export.
pub const FLOW_EDGE_KIND: &str = "BR_FlowsTo";

/// The `BR_` node kind of each blastradius node kind.
pub fn br_node_kind(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Person => "BR_Person",
        NodeKind::Account => "BR_Account",
        NodeKind::Group => "BR_Group",
        NodeKind::System => "BR_System",
        NodeKind::Store => "BR_Store",
    }
}

/// The `BR_` edge kind of a link (custom steps are all [`CUSTOM_EDGE_KIND`]).
pub fn br_edge_kind(kind: &LinkKind) -> &'static str {
    match kind {
        LinkKind::Owns => "BR_Owns",
        LinkKind::Member => "BR_MemberOf",
        LinkKind::Grant(Access::Read) => "BR_Read",
        LinkKind::Grant(Access::Write) => "BR_Write",
        LinkKind::Grant(Access::Admin) => "BR_Admin",
        LinkKind::Credential => "BR_HasCredential",
        LinkKind::Access(Access::Read) => "BR_AccessRead",
        LinkKind::Access(Access::Write) => "BR_AccessWrite",
        LinkKind::Access(Access::Admin) => "BR_AccessAdmin",
        LinkKind::Custom(_) => CUSTOM_EDGE_KIND,
    }
}

/// Property names of blastradius's own export.
pub mod br {
    pub const KIND: &str = "br_kind";
    pub const MFA: &str = "br_mfa";
    pub const ACCOUNT_KIND: &str = "br_account_kind";
    pub const RETENTION_DAYS: &str = "br_retention_days";
    pub const RECORD_CATEGORIES: &str = "br_record_categories";
    pub const RECORD_COUNTS: &str = "br_record_counts";
    pub const RECORD_PER_DAY: &str = "br_record_per_day";
    pub const RECORD_RETENTION_DAYS: &str = "br_record_retention_days";
    pub const RECORD_SUBJECTS: &str = "br_record_subjects";
    pub const RECORD_COVERAGE: &str = "br_record_coverage";
    pub const LABEL: &str = "br_label";
    pub const TIME: &str = "br_time";
    pub const LAST_USED_DAYS: &str = "br_last_used_days";
    pub const CATEGORIES: &str = "br_categories";
    pub const PROGRAM_AGE_DAYS: &str = "br_program_age_days";
    pub const CATEGORY_NAMES: &str = "br_category_names";
    pub const CATEGORY_WEIGHTS: &str = "br_category_weights";
    pub const POPULATION_NAMES: &str = "br_population_names";
    pub const POPULATION_SIZES: &str = "br_population_sizes";
    pub const NOTIFICATION_REGIMES: &str = "br_notification_regimes";
    pub const NOTIFICATION_PREFIXES: &str = "br_notification_prefixes";
    pub const MONEY_CURRENCY: &str = "br_money_currency";
    pub const MONEY_PER_INCIDENT: &str = "br_money_per_incident";
    pub const MONEY_RECORD_CATEGORIES: &str = "br_money_record_categories";
    pub const MONEY_RECORD_COSTS: &str = "br_money_record_costs";
    pub const MONEY_PERSON_REGIMES: &str = "br_money_person_regimes";
    pub const MONEY_PERSON_COSTS: &str = "br_money_person_costs";
    /// `[entry]`: one entry per vector in each array, a probability per MFA level
    /// (`ENTRY_MFA_PREFIX` + the level's name), and the vectors that give a `service` one.
    pub const ENTRY_VECTORS: &str = "br_entry_vectors";
    pub const ENTRY_MFA_PREFIX: &str = "br_entry_";
    pub const ENTRY_SERVICE_VECTORS: &str = "br_entry_service_vectors";
    pub const ENTRY_SERVICE: &str = "br_entry_service";
    pub const P_PREFIX: &str = "br_p_";
    pub const TIME_PREFIX: &str = "br_time_";
    pub const CUSTOM_KINDS: &str = "custom_kinds";
    pub const CUSTOM_VALUES: &str = "custom_values";
}
