//! AWS IAM: `aws iam get-account-authorization-details` output, with optional resource
//! listings, into a [`Model`].
//!
//! - Users become accounts `user/NAME`, roles service accounts `role/NAME`, groups groups
//!   `group/NAME` (users are members), instance profiles systems `instance-profile/NAME`
//!   holding their role's credentials; listed Lambda functions and EC2 instances are systems
//!   holding their role's (`lambda/NAME`, `ec2/ID`).
//! - Data stores (S3 buckets, RDS instances, Redshift clusters, DynamoDB tables, Secrets
//!   Manager secrets, Elasticsearch domains) become stores `KIND/NAME`: those the listings name,
//!   and those a policy names by a concrete ARN but no listing holds. None holds records: the
//!   data-inventory overlay says what they hold.
//! - Each principal's identity policies (its own and, for a user, its groups') are evaluated
//!   (`policy.rs`) against every data-store action of `actions.toml`: the strongest class
//!   allowed is a read or admin grant, writes a write link.
//! - Role trust policies are attack steps `sts:AssumeRole` from whom they trust; a trust of
//!   `"AWS": "*"`, another account or a federated provider starts at an external entry point,
//!   a system `external/…`, reported in the summary.
//! - Privilege escalation (`privesc.rs`): each technique is an attack step to what it yields,
//!   another principal, a role (through the compute that runs with it), or `administrator`:
//!   one group standing for full control of the account, which holds admin on every store and
//!   reaches every principal.

pub mod account;
pub mod actions;
mod build;
pub mod json;
pub mod policy;
mod privesc;
pub mod resources;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::error::{Diagnostic, Result, Severity};
use crate::model::Model;

/// The id of the node that stands for full control of the account.
pub const ADMINISTRATOR: &str = "administrator";

/// Figures of an AWS import.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AwsSummary {
    pub account: String,
    pub users: usize,
    pub groups: usize,
    pub roles: usize,
    pub instance_profiles: usize,
    pub managed_policies: usize,
    pub memberships: usize,
    /// Stores the listings hold, and those only a policy names.
    pub stores_listed: usize,
    pub stores_named: usize,
    pub compute: usize,
    /// Grants by class: read, write, admin.
    pub grants: [usize; 3],
    /// Attack steps by label.
    pub steps: BTreeMap<String, usize>,
    /// External entry points, each with the roles it may assume.
    pub external: BTreeMap<String, Vec<String>>,
    /// Principals with a step of their own to `administrator`.
    pub administrators: Vec<String>,
    /// Grants and steps that hold only if a condition (not evaluated) does, described.
    pub conditional: Vec<String>,
    /// Principals named in trust policies or listings that the details do not hold.
    pub unlisted_principals: Vec<String>,
    /// Grants a bucket policy gives, described.
    pub resource_grants: Vec<String>,
    /// Listing files of calls this import does not read.
    pub skipped: Vec<String>,
}

impl AwsSummary {
    pub fn attack_steps(&self) -> usize {
        self.steps.values().sum()
    }
}

/// An imported account.
#[derive(Debug, Clone)]
pub struct AwsImport {
    pub model: Model,
    pub warnings: Vec<Diagnostic>,
    pub summary: AwsSummary,
}

/// The region a listing's folder names (`…/us-east-1/s3-list-buckets.json`), if it looks like one.
fn folder_region(path: &Path) -> String {
    let dir = path
        .parent()
        .and_then(|p| p.file_name())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let parts: Vec<&str> = dir.split('-').collect();
    if parts.len() >= 3
        && parts
            .last()
            .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
    {
        dir
    } else {
        String::new()
    }
}

/// Reads the authorization details and the listings (each `(path, name shown)`) and builds
/// the model.
pub fn import_aws(details: (&Path, &str), listings: &[(&Path, &str)]) -> Result<AwsImport> {
    let v = json::read(
        details.0,
        details.1,
        "the output of `aws iam get-account-authorization-details`",
    )?;
    let account = account::read_account(&v, details.1)?;
    drop(v);
    let mut found = resources::Listings::default();
    for (path, shown) in listings {
        let v = json::read(path, shown, "an AWS resource listing")?;
        resources::read_listing(&v, shown, &folder_region(path), &account.id, &mut found)?;
    }
    // The model is named after the account when the dump gives its id (every ARN does), else
    // after the file.
    let name = if account.id.is_empty() {
        details
            .0
            .file_stem()
            .map_or("aws".to_string(), |s| s.to_string_lossy().into_owned())
    } else {
        format!("AWS account {}", account.id)
    };
    Ok(build(&account, &found, &name, details.1))
}

fn warning(file: &str, message: String) -> Diagnostic {
    Diagnostic {
        severity: Severity::Warning,
        file: file.to_string(),
        line: None,
        column: None,
        message,
    }
}

/// Builds the model of `account` with what the listings hold.
pub fn build(
    account: &account::Account,
    listings: &resources::Listings,
    name: &str,
    shown: &str,
) -> AwsImport {
    let summary = AwsSummary {
        account: account.id.clone(),
        managed_policies: account.managed.len(),
        skipped: listings.skipped.clone(),
        ..AwsSummary::default()
    };
    let mut g = build::Graph::new(account, name, summary);
    build::principals(&mut g);
    build::stores(&mut g, listings);
    privesc::compute(&mut g, listings);
    build::grants(&mut g);
    build::trust(&mut g);
    build::resource_policies(&mut g, listings);
    let admin = build::administrator(&mut g);
    privesc::escalation(&mut g, admin, listings);
    let mut warnings = Vec::new();
    let missing: BTreeSet<&str> = account
        .principals
        .iter()
        .flat_map(|p| &p.managed)
        .filter(|a| !account.managed.contains_key(*a))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        warnings.push(warning(
            shown,
            format!(
                "{} attached managed policies are not in `Policies` and grant nothing here: {}",
                missing.len(),
                missing.into_iter().collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    if !g.summary.conditional.is_empty() {
        warnings.push(warning(shown, format!(
            "{} grants and steps rest on a policy condition, not evaluated (treated as holding); the summary lists them",
            g.summary.conditional.len()
        )));
    }
    if !listings.skipped.is_empty() {
        let names: Vec<&str> = listings
            .skipped
            .iter()
            .map(|f| f.rsplit('/').next().unwrap_or(f))
            .collect();
        warnings.push(warning(shown, format!(
            "{} files are not listings `import aws` reads (S3, RDS, Redshift, DynamoDB, Secrets Manager, Elasticsearch, Lambda, EC2) and were skipped: {}",
            names.len(),
            names.join(", ")
        )));
    }
    g.summary.administrators.sort();
    g.summary.unlisted_principals.sort();
    AwsImport {
        model: g.model.canonical(),
        warnings,
        summary: g.summary,
    }
}
