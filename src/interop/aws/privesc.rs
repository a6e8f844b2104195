//! Privilege escalation: each technique a principal's policies allow becomes an attack step to
//! what it yields. The techniques are those of BishopFox's iam-vulnerable (and Rhino Security
//! Labs' list it follows); the README lists which are covered.
//!
//! - To `administrator`, when a principal can rewrite its own rights: `iam:PutUserPolicy`,
//!   `iam:AttachUserPolicy` on itself, `iam:PutGroupPolicy`, `iam:AttachGroupPolicy` on its
//!   group, `iam:PutRolePolicy`, `iam:AttachRolePolicy` on itself (a role), and
//!   `iam:CreatePolicyVersion` (or `iam:SetDefaultPolicyVersion`, when the policy has another
//!   version to switch to) on a customer-managed policy attached to it. AWS-managed policies
//!   cannot be changed.
//! - To another user: `iam:CreateAccessKey`, `iam:CreateLoginProfile`, `iam:UpdateLoginProfile`.
//! - To a group: `iam:AddUserToGroup`.
//! - To a role: `iam:UpdateAssumeRolePolicy` with `sts:AssumeRole` on it; `iam:PassRole` on it
//!   with the actions that start a service running as it (new Lambda function, EC2 instance
//!   through the role's instance profile, Glue dev endpoint, CloudFormation stack, Data
//!   Pipeline, SageMaker notebook, training or processing job, CodeBuild project), when its
//!   trust policy lets that service assume it.
//! - To the role of existing compute: `lambda:UpdateFunctionCode`, `glue:UpdateDevEndpoint`,
//!   `ssm:SendCommand`, `ssm:StartSession`, `ec2-instance-connect:SendSSHPublicKey`,
//!   `sagemaker:CreatePresignedNotebookInstanceUrl`, `cloudformation:UpdateStack`. Where the
//!   service's compute is listed (Lambda functions, EC2 instances) the step goes to that
//!   compute; where it is not, the worst case is assumed: the service runs something with each
//!   role it may assume (for EC2, each role with an instance profile).

use std::collections::BTreeSet;

use super::account::{Kind, Managed};
use super::build::Graph;
use super::policy::{decide, Decision, Resource};
use super::resources::Listings;
use crate::model::{LinkKind, NodeId, NodeKind};

/// New compute started with a passed role: (service principal, label, actions besides
/// `iam:PassRole`, all needed).
const PASS_ROLE: &[(&str, &str, &[&str])] = &[
    (
        "lambda.amazonaws.com",
        "iam:PassRole+lambda:CreateFunction+InvokeFunction",
        &["lambda:CreateFunction", "lambda:InvokeFunction"],
    ),
    (
        "lambda.amazonaws.com",
        "iam:PassRole+lambda:CreateFunction+CreateEventSourceMapping",
        &["lambda:CreateFunction", "lambda:CreateEventSourceMapping"],
    ),
    (
        "ec2.amazonaws.com",
        "iam:PassRole+ec2:RunInstances",
        &["ec2:RunInstances"],
    ),
    (
        "glue.amazonaws.com",
        "iam:PassRole+glue:CreateDevEndpoint",
        &["glue:CreateDevEndpoint"],
    ),
    (
        "cloudformation.amazonaws.com",
        "iam:PassRole+cloudformation:CreateStack",
        &["cloudformation:CreateStack"],
    ),
    (
        "datapipeline.amazonaws.com",
        "iam:PassRole+datapipeline:CreatePipeline",
        &[
            "datapipeline:CreatePipeline",
            "datapipeline:PutPipelineDefinition",
        ],
    ),
    (
        "sagemaker.amazonaws.com",
        "iam:PassRole+sagemaker:CreateNotebookInstance",
        &["sagemaker:CreateNotebookInstance"],
    ),
    (
        "sagemaker.amazonaws.com",
        "iam:PassRole+sagemaker:CreateTrainingJob",
        &["sagemaker:CreateTrainingJob"],
    ),
    (
        "sagemaker.amazonaws.com",
        "iam:PassRole+sagemaker:CreateProcessingJob",
        &["sagemaker:CreateProcessingJob"],
    ),
    (
        "codebuild.amazonaws.com",
        "iam:PassRole+codebuild:CreateProject+StartBuild",
        &["codebuild:CreateProject", "codebuild:StartBuild"],
    ),
];

/// Existing compute taken over: (service principal, compute listing it, action).
const EXISTING: &[(&str, &str, &str)] = &[
    (
        "lambda.amazonaws.com",
        "lambda",
        "lambda:UpdateFunctionCode",
    ),
    ("glue.amazonaws.com", "", "glue:UpdateDevEndpoint"),
    ("ec2.amazonaws.com", "ec2", "ssm:SendCommand"),
    ("ec2.amazonaws.com", "ec2", "ssm:StartSession"),
    (
        "ec2.amazonaws.com",
        "ec2",
        "ec2-instance-connect:SendSSHPublicKey",
    ),
    (
        "sagemaker.amazonaws.com",
        "",
        "sagemaker:CreatePresignedNotebookInstanceUrl",
    ),
    (
        "cloudformation.amazonaws.com",
        "",
        "cloudformation:UpdateStack",
    ),
];

/// Any resource: an action allowed on some ARN.
const ANY: Resource<'static> = Resource::Under("arn:");

/// Listed compute as systems holding their role's credentials.
pub(super) fn compute(g: &mut Graph, listings: &Listings) {
    for c in listings
        .compute
        .iter()
        .filter(|c| c.role.is_some() || c.profile.is_some())
    {
        let n = g.node(
            &format!("{}/{}", c.service, c.name),
            NodeKind::System,
            Some(&c.arn),
        );
        g.summary.compute += 1;
        if let Some(role) = &c.role {
            let r = g.role_by_arn(role);
            g.link(n, r, LinkKind::Credential);
        }
        if let Some(profile) = &c.profile {
            let name = profile.rsplit('/').next().unwrap_or(profile);
            let ip = g.node(
                &format!("instance-profile/{name}"),
                NodeKind::System,
                Some(profile),
            );
            g.step(n, ip, "instance profile");
        }
    }
}

/// The roles whose trust policy lets `service` assume them (unconditional or not).
fn trusted_by(g: &Graph, service: &str) -> Vec<usize> {
    let account = g.account;
    (0..account.principals.len())
        .filter(|&i| {
            let p = &account.principals[i];
            p.kind == Kind::Role
                && p.trust.iter().any(|t| {
                    t.effect == super::policy::Effect::Allow
                        && t.principals
                            .contains(&super::account::Trusted::Service(service.into()))
                })
        })
        .collect()
}

/// Where taking a service's compute running as role `ri` leads: for EC2 the role's instance
/// profiles (none: no instance can run as it), else the role.
fn via(g: &mut Graph, service: &str, ri: usize) -> Vec<NodeId> {
    let p = &g.account.principals[ri];
    if service == "ec2.amazonaws.com" {
        let ids: Vec<String> = p
            .instance_profiles
            .iter()
            .map(|(n, _)| format!("instance-profile/{n}"))
            .collect();
        ids.iter().filter_map(|id| g.get(id)).collect()
    } else {
        vec![g.principal[ri]]
    }
}

/// Every technique of every user and role (and group, for `administrator`).
// Long: one pass per attacker over the technique families; split, they would share a dozen locals.
pub(super) fn escalation(g: &mut Graph, admin: NodeId, listings: &Listings) {
    let account = g.account;
    let allowed = |policies: &[&super::policy::Policy], action: &str, r: Resource| {
        decide(policies.iter().copied(), action, r)
    };
    let mut admins: BTreeSet<String> = BTreeSet::new();
    for i in 0..account.principals.len() {
        let me = &account.principals[i];
        let from = g.principal[i];
        let policies: Vec<&super::policy::Policy> = if me.kind == Kind::Group {
            me.inline
                .iter()
                .map(|(_, x)| x)
                .chain(
                    me.managed
                        .iter()
                        .filter_map(|a| account.managed.get(a).map(|m| &m.policy)),
                )
                .collect()
        } else {
            account.policies(i)
        };
        let note = |g: &mut Graph, d: Decision, to: NodeId, label: &str| {
            if let Decision::Allowed { conditional } = d {
                g.step(from, to, label);
                if conditional {
                    let what = format!(
                        "{} {label} {} (policy condition)",
                        g.id_of(from),
                        g.id_of(to)
                    );
                    g.conditional(what);
                }
                true
            } else {
                false
            }
        };
        // Rewriting its own rights.
        let mut own: Vec<(String, &str)> = Vec::new();
        match me.kind {
            Kind::User => {
                own.push((me.arn.clone(), "iam:PutUserPolicy"));
                own.push((me.arn.clone(), "iam:AttachUserPolicy"));
                for gname in &me.groups {
                    if let Some(gi) = account.find(Kind::Group, gname) {
                        own.push((account.principals[gi].arn.clone(), "iam:PutGroupPolicy"));
                        own.push((account.principals[gi].arn.clone(), "iam:AttachGroupPolicy"));
                    }
                }
            }
            Kind::Role => {
                own.push((me.arn.clone(), "iam:PutRolePolicy"));
                own.push((me.arn.clone(), "iam:AttachRolePolicy"));
            }
            Kind::Group => {
                own.push((me.arn.clone(), "iam:PutGroupPolicy"));
                own.push((me.arn.clone(), "iam:AttachGroupPolicy"));
            }
        }
        let changeable: Vec<&str> = if me.kind == Kind::Group {
            me.managed
                .iter()
                .map(String::as_str)
                .filter(|a| !Managed::is_aws(a))
                .collect()
        } else {
            account.changeable_policies(i)
        };
        for arn in changeable {
            own.push((arn.to_string(), "iam:CreatePolicyVersion"));
            if account.managed.get(arn).is_some_and(|m| m.versions > 1) {
                own.push((arn.to_string(), "iam:SetDefaultPolicyVersion"));
            }
        }
        let mut sure = false;
        for (arn, action) in &own {
            let d = allowed(&policies, action, Resource::Exact(arn));
            if note(g, d, admin, action) {
                admins.insert(g.id_of(from).to_string());
                sure |= d == Decision::Allowed { conditional: false };
            }
        }
        if sure {
            // `administrator` reaches every principal: the other techniques add nothing.
            continue;
        }
        if me.kind == Kind::Group {
            // Any member may rewrite its own user when the group covers every user.
            let users = format!("arn:aws:iam::{}:user/", account.id);
            for action in ["iam:PutUserPolicy", "iam:AttachUserPolicy"] {
                let d = allowed(&policies, action, Resource::Under(&users));
                let covers = matches!(d, Decision::Allowed { .. })
                    && super::policy::decide(
                        policies.iter().copied(),
                        action,
                        Resource::Exact(&format!("{users}*")),
                    )
                    .allowed();
                if covers && note(g, d, admin, action) {
                    admins.insert(g.id_of(from).to_string());
                }
            }
            continue;
        }
        // Other principals.
        for (j, other) in account.principals.iter().enumerate() {
            if j == i {
                continue;
            }
            let to = g.principal[j];
            let r = Resource::Exact(&other.arn);
            match other.kind {
                Kind::User => {
                    for action in [
                        "iam:CreateAccessKey",
                        "iam:CreateLoginProfile",
                        "iam:UpdateLoginProfile",
                    ] {
                        note(g, allowed(&policies, action, r), to, action);
                    }
                }
                Kind::Group if me.kind == Kind::User && !me.groups.contains(&other.name) => {
                    note(
                        g,
                        allowed(&policies, "iam:AddUserToGroup", r),
                        to,
                        "iam:AddUserToGroup",
                    );
                }
                Kind::Role => {
                    let update = allowed(&policies, "iam:UpdateAssumeRolePolicy", r);
                    let assume = allowed(&policies, "sts:AssumeRole", r);
                    if update.allowed() && assume.allowed() {
                        let cond = matches!(update, Decision::Allowed { conditional: true })
                            || matches!(assume, Decision::Allowed { conditional: true });
                        note(
                            g,
                            Decision::Allowed { conditional: cond },
                            to,
                            "iam:UpdateAssumeRolePolicy+sts:AssumeRole",
                        );
                    }
                }
                Kind::Group => {}
            }
        }
        // Passing a role to new compute.
        for (service, label, actions) in PASS_ROLE {
            let starts: Vec<Decision> =
                actions.iter().map(|a| allowed(&policies, a, ANY)).collect();
            if !starts.iter().all(|d| d.allowed()) {
                continue;
            }
            let cond = starts
                .iter()
                .any(|d| matches!(d, Decision::Allowed { conditional: true }));
            for ri in trusted_by(g, service) {
                let pass = allowed(
                    &policies,
                    "iam:PassRole",
                    Resource::Exact(&account.principals[ri].arn),
                );
                if let Decision::Allowed { conditional } = pass {
                    for to in via(g, service, ri) {
                        note(
                            g,
                            Decision::Allowed {
                                conditional: cond || conditional,
                            },
                            to,
                            label,
                        );
                    }
                }
            }
        }
        // Taking over existing compute.
        for (service, listing, action) in EXISTING {
            if !listing.is_empty() && listings.listed_services.contains(listing) {
                let targets: Vec<(String, String)> = listings
                    .compute
                    .iter()
                    .filter(|c| c.service == *listing)
                    .map(|c| (format!("{}/{}", c.service, c.name), c.arn.clone()))
                    .collect();
                for (id, arn) in targets {
                    if let Some(to) = g.get(&id) {
                        note(
                            g,
                            allowed(&policies, action, Resource::Exact(&arn)),
                            to,
                            action,
                        );
                    }
                }
            } else {
                let d = allowed(&policies, action, ANY);
                if d.allowed() {
                    for ri in trusted_by(g, service) {
                        for to in via(g, service, ri) {
                            note(g, d, to, &format!("{action} (compute not listed)"));
                        }
                    }
                }
            }
        }
    }
    g.summary.administrators = admins.into_iter().collect();
}
