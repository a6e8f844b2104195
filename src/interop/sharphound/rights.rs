//! Which SharpHound facts are attack steps, and under which BloodHound edge kind. Every rule
//! follows BloodHound CE: an edge is an attack step when BloodHound's pathfinding follows it
//! (`PathfindingRelationships` in `packages/cue/bh/ad/ad.cue` of `SpecterOps/BloodHound`), and
//! what each edge lets an attacker do is in BloodHound's edge documentation
//! (<https://bloodhound.specterops.io/resources/edges/overview>, one page per edge).
//! Edges are kept under BloodHound's own kind names, so a SharpHound import and an OpenGraph
//! collection that names the same AD edges (ConfigManBearPig's `MemberOf`, `HasSession`,
//! `GenericAll`) make the same steps.

/// An ACE right (`Aces[].RightName`) as an edge kind, and whether it is an attack step from
/// the principal to the object.
pub fn ace_edge(right: &str) -> (&str, bool) {
    match right {
        // Full control of the object: reset a user's password, add to a group, take over a
        // computer through resource-based delegation or shadow credentials (edges/genericall).
        "GenericAll" => ("GenericAll", true),
        // Write any non-protected attribute: a logon script, an SPN for Kerberoasting, a key
        // credential, group members (edges/genericwrite).
        "GenericWrite" => ("GenericWrite", true),
        // Rewrite the object's DACL, then grant oneself GenericAll (edges/writedacl).
        // SharpHound spells it `WriteDacl`; BloodHound's kind is `WriteDACL`.
        "WriteDacl" | "WriteDACL" => ("WriteDACL", true),
        // Make oneself the owner, whose implicit right is to rewrite the DACL
        // (edges/writeowner); the owner already has it (edges/owns). The "limited rights"
        // variants are what remains when the owner-rights SID restricts the owner; BloodHound
        // still follows them (edges/ownslimitedrights, edges/writeownerlimitedrights).
        "WriteOwner" => ("WriteOwner", true),
        "Owns" => ("Owns", true),
        "OwnsLimitedRights" => ("OwnsLimitedRights", true),
        "WriteOwnerLimitedRights" => ("WriteOwnerLimitedRights", true),
        // All extended rights: reset a user's password, read LAPS passwords of a computer,
        // replicate secrets from a domain (edges/allextendedrights).
        "AllExtendedRights" => ("AllExtendedRights", true),
        // Reset a user's password without knowing it (edges/forcechangepassword).
        "ForceChangePassword" => ("ForceChangePassword", true),
        // Add any principal, or oneself, to the group (edges/addmember, edges/addself).
        "AddMember" => ("AddMember", true),
        "AddSelf" => ("AddSelf", true),
        // Read the computer's local administrator password stored by LAPS
        // (edges/readlapspassword), or a group managed service account's password
        // (edges/readgmsapassword).
        "ReadLAPSPassword" => ("ReadLAPSPassword", true),
        "ReadGMSAPassword" => ("ReadGMSAPassword", true),
        // Shadow credentials: add a key credential and authenticate as the object with
        // PKINIT (edges/addkeycredentiallink).
        "AddKeyCredentialLink" => ("AddKeyCredentialLink", true),
        // Targeted Kerberoasting: set an SPN on a user and crack its service ticket
        // (edges/writespn).
        "WriteSPN" => ("WriteSPN", true),
        // Resource-based constrained delegation: write msDS-AllowedToActOnBehalfOfOtherIdentity
        // and impersonate any user to the computer (edges/addallowedtoact,
        // edges/writeaccountrestrictions).
        "AddAllowedToAct" => ("AddAllowedToAct", true),
        "WriteAccountRestrictions" => ("WriteAccountRestrictions", true),
        // Link a GPO one controls to an OU or domain, which runs it on every object below
        // (edges/writegplink).
        "WriteGPLink" => ("WriteGPLink", true),
        // Already-combined replication rights, when a collector writes them.
        "DCSync" => ("DCSync", true),
        "SyncLAPSPassword" => ("SyncLAPSPassword", true),
        // Replication rights alone are not a step: only GetChanges together with
        // GetChangesAll is DCSync (edges/dcsync), which [`DCSYNC_PARTS`] combines;
        // GetChangesInFilteredSet with GetChanges is SyncLAPSPassword, which needs the
        // domain's LAPS computers and is not combined here. The certificate-service rights
        // (Enroll, ManageCA, ManageCertificates, WritePKI*) become attack steps in BloodHound
        // only through its ADCS (ESC) post-processing, which this reader does not do.
        other => (other, false),
    }
}

/// The two ACE rights on a domain that together let a principal replicate every secret of the
/// domain (DCSync, edges/dcsync): the principal reaches the domain.
pub const DCSYNC_PARTS: [&str; 2] = ["GetChanges", "GetChangesAll"];

/// A computer's local group, by the RID that ends its SID, as the edge its members get to the
/// computer (BloodHound CE's ingest of `LocalGroups`): Administrators (544) AdminTo, Remote
/// Desktop Users (555) CanRDP, Distributed COM Users (562) ExecuteDCOM, Remote Management
/// Users (580) CanPSRemote. All four are pathfinding edges (edges/adminto, edges/canrdp,
/// edges/executedcom, edges/canpsremote): each lets the member run code or log on there.
pub fn local_group_edge(group_sid: &str) -> Option<&'static str> {
    let rid = group_sid.rsplit('-').next()?;
    match rid {
        "544" => Some("AdminTo"),
        "555" => Some("CanRDP"),
        "562" => Some("ExecuteDCOM"),
        "580" => Some("CanPSRemote"),
        _ => None,
    }
}

/// The name SharpHound gives a domain controller's local groups: they are the domain's
/// BUILTIN groups, already collected as groups with members and ACEs, so BloodHound ignores
/// them as local groups and so does this reader.
pub const IGNORED_LOCAL_GROUP: &str = "IGNOREME";

// Every other edge this reader makes, each a BloodHound pathfinding edge:
// - `MemberOf` (member → group, from `Members` and each user's and computer's
//   `PrimaryGroupSID`): a member has the group's rights (edges/memberof).
// - `HasSession` (computer → user, from `Sessions`, `PrivilegedSessions`,
//   `RegistrySessions`): whoever controls the computer can take the logged-on user's
//   credentials from memory (edges/hassession).
// - `AllowedToDelegate` (principal → computer): constrained delegation lets the principal
//   impersonate any user to the target's services (edges/allowedtodelegate).
// - `AllowedToAct` (principal → computer, from the computer's `AllowedToAct`):
//   resource-based constrained delegation, the same for the computer (edges/allowedtoact).
// - `HasSIDHistory` (object → the principal whose SID it carries): it has that principal's
//   rights (edges/hassidhistory).
// - `DumpSMSAPassword` (computer → standalone managed service account): an admin of the
//   computer reads the account's password (edges/dumpsmsapassword).
// - `SQLAdmin` (user → computer, from `SPNTargets` with service `SQLAdmin`): the SQL
//   service account is sysadmin of the instance, which runs code on the host
//   (edges/sqladmin).
// - `Contains` (container, OU or domain → child, from `ContainedBy` and `ChildObjects`):
//   control of a container reaches its children through inherited ACEs (edges/contains).
// - `GPLink` (GPO → OU or domain, from `Links`): a GPO's settings apply to every object
//   below where it is linked (edges/gplink).

/// The OpenGraph kind of a SharpHound object type (`meta.type`), as BloodHound names its AD
/// node kinds; an unknown type keeps its own name (and becomes a system, reported).
pub fn node_kind(object_type: &str) -> Option<&'static str> {
    Some(match object_type {
        "users" => "User",
        "groups" => "Group",
        "computers" => "Computer",
        "domains" => "Domain",
        "ous" => "OU",
        "gpos" => "GPO",
        "containers" => "Container",
        "certtemplates" => "CertTemplate",
        "enterprisecas" => "EnterpriseCA",
        "rootcas" => "RootCA",
        "aiacas" => "AIACA",
        "ntauthstores" => "NTAuthStore",
        "issuancepolicies" => "IssuancePolicy",
        _ => return None,
    })
}
