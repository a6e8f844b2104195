//! Plain `user permission` pair lists (role-mining data sets) into a [`Model`], with an optional
//! role decomposition.
//!
//! Each user becomes an account `user-<id>`, each permission a store `perm-<id>` holding one
//! record of the chosen category, so that the records a user reaches count the permissions they
//! hold. Without roles every pair is a read grant. With a role decomposition (blocks of
//! `role: R` / `permissions: P, ...` / `users: U, ...`, as the HP role-mining covers publish
//! them) each role is a group `role-<id>`: its users are members and it holds read grants on
//! its permissions. The pair list stays the truth: a pair no role covers becomes a direct grant,
//! and pairs that roles give but the list lacks are reported.
//!
//! Two layouts of the pair file: `pairs` (two columns, user and permission) and `amazon` (the
//! Amazon Employee Access rows: user, resource, attributes..., and a last column 1 = granted,
//! 0 = denied; denied rows are kept as users and resources but grant nothing). Lines are read
//! one at a time, so memory follows the number of distinct ids and pairs, not the file.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::error::{Diagnostic, Error, Result, Severity};
use crate::model::{Access, Amount, Categories, Link, LinkKind, Model, NodeKind, RecordSet};

/// How the columns of a pair file are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Decide from the first line: two columns are pairs, more with a 0/1 last column amazon.
    Auto,
    Pairs,
    Amazon,
}

/// Most problems listed before the rest are only counted.
const MAX_PROBLEMS: usize = 50;

struct Problems {
    list: Vec<Diagnostic>,
    more: usize,
}

impl Problems {
    fn new() -> Problems {
        Problems {
            list: Vec::new(),
            more: 0,
        }
    }

    fn at(&mut self, file: &str, line: usize, column: usize, message: String) {
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(Diagnostic {
                severity: Severity::Error,
                file: file.to_string(),
                line: Some(line),
                column: Some(column),
                message,
            });
        } else {
            self.more += 1;
        }
    }

    fn into_result(mut self, file: &str) -> Result<()> {
        if self.list.is_empty() {
            return Ok(());
        }
        if self.more > 0 {
            self.list.push(Diagnostic {
                severity: Severity::Error,
                file: file.to_string(),
                line: None,
                column: None,
                message: format!("and {} more problems not shown", self.more),
            });
        }
        Err(Error::Invalid {
            problems: self.list,
        })
    }
}

/// The lines of a text file, numbered from 1, with the byte offset of each token. Lines that are
/// blank or start with `#` are skipped.
fn for_each_line(
    reader: impl Read,
    file: &str,
    problems: &mut Problems,
    mut f: impl FnMut(usize, &str, &mut Problems),
) -> Result<()> {
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    let mut buf = Vec::new();
    let mut number = 0;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|source| Error::Read {
                path: file.to_string(),
                source,
            })?;
        if n == 0 {
            return Ok(());
        }
        number += 1;
        let text = match std::str::from_utf8(&buf) {
            Ok(t) => t,
            Err(e) => {
                let column = String::from_utf8_lossy(&buf[..e.valid_up_to()])
                    .chars()
                    .count()
                    + 1;
                problems.at(
                    file,
                    number,
                    column,
                    "the line is not valid UTF-8 text".into(),
                );
                continue;
            }
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        f(number, text.trim_end_matches(['\r', '\n']), problems);
    }
}

/// Whitespace-separated tokens with their 1-based columns.
fn tokens(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                out.push((s, &line[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &line[s..]));
    }
    out.into_iter()
        .map(|(byte, t)| (line[..byte].chars().count() + 1, t))
        .collect()
}

/// Interned ids in first-seen order.
#[derive(Default)]
struct Names {
    index: HashMap<String, u32>,
    names: Vec<String>,
}

impl Names {
    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.index.insert(name.to_string(), i);
        self.names.push(name.to_string());
        i
    }
}

/// A pair list as read: users, permissions and the granted and denied pairs between them.
#[derive(Default)]
pub struct PairList {
    users: Names,
    permissions: Names,
    granted: Vec<(u32, u32)>,
    denied: Vec<(u32, u32)>,
    pub layout: Option<Layout>,
    /// Pairs listed more than once.
    pub repeated: usize,
}

impl PairList {
    pub fn users(&self) -> usize {
        self.users.names.len()
    }

    pub fn permissions(&self) -> usize {
        self.permissions.names.len()
    }

    pub fn granted(&self) -> usize {
        self.granted.len()
    }

    pub fn denied(&self) -> usize {
        self.denied.len()
    }
}

/// Why `id` is too long to be an id, when it is.
fn too_long(id: &str) -> Option<String> {
    let max = crate::load::input::MAX_NAME_BYTES;
    (id.len() > max).then(|| format!("an id of {} bytes; ids are at most {max} bytes", id.len()))
}

/// Reads a pair file (`shown` is its name in messages).
pub fn read_pairs(reader: impl Read, shown: &str, layout: Layout) -> Result<PairList> {
    let mut list = PairList::default();
    let mut layout = (layout != Layout::Auto).then_some(layout);
    let mut seen: HashSet<(u32, u32)> = HashSet::new();
    let mut problems = Problems::new();
    for_each_line(reader, shown, &mut problems, |line, text, problems| {
        let cols = tokens(text);
        let resolved = *layout.get_or_insert_with(|| {
            let last = cols.last().map_or("", |c| c.1);
            if cols.len() >= 3 && (last == "0" || last == "1") {
                Layout::Amazon
            } else {
                Layout::Pairs
            }
        });
        let granted = match resolved {
            Layout::Pairs | Layout::Auto => {
                if cols.len() != 2 {
                    let column = cols.get(2).map_or(1, |c| c.0);
                    problems.at(
                        shown,
                        line,
                        column,
                        format!(
                            "expected two columns, `user permission`, but the line has {}",
                            cols.len()
                        ),
                    );
                    return;
                }
                true
            }
            Layout::Amazon => {
                let Some(&(column, last)) = cols.last().filter(|_| cols.len() >= 3) else {
                    problems.at(shown, line, 1, format!(
                        "expected `user resource ... decision` (at least three columns), but the line has {}",
                        cols.len()
                    ));
                    return;
                };
                match last {
                    "1" => true,
                    "0" => false,
                    other => {
                        problems.at(shown, line, column, format!(
                            "the last column is the decision, 1 (granted) or 0 (denied), not `{other}`"
                        ));
                        return;
                    }
                }
            }
        };
        if let Some(&(column, long)) = cols[..2]
            .iter()
            .find(|c| c.1.len() > crate::load::input::MAX_NAME_BYTES)
        {
            problems.at(shown, line, column, too_long(long).unwrap_or_default());
            return;
        }
        let u = list.users.intern(cols[0].1);
        let p = list.permissions.intern(cols[1].1);
        if !seen.insert((u, p)) {
            list.repeated += 1;
        } else if granted {
            list.granted.push((u, p));
        } else {
            list.denied.push((u, p));
        }
    })?;
    problems.into_result(shown)?;
    if list.users.names.is_empty() {
        return Err(Error::Input(format!("{shown}: the file holds no pairs")));
    }
    list.layout = layout;
    Ok(list)
}

/// One role of a decomposition: its id, permissions and users.
#[derive(Debug, Clone, PartialEq)]
pub struct Role {
    pub id: String,
    pub permissions: Vec<String>,
    pub users: Vec<String>,
}

/// Reads a role decomposition: blocks of `role: R`, `permissions: P, ...`, `users: U, ...`,
/// separated by blank lines.
pub fn read_roles(reader: impl Read, shown: &str) -> Result<Vec<Role>> {
    let mut roles: Vec<Role> = Vec::new();
    let mut current: Option<(usize, Role)> = None;
    let mut problems = Problems::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut finish =
        |current: &mut Option<(usize, Role)>, roles: &mut Vec<Role>, problems: &mut Problems| {
            if let Some((line, role)) = current.take() {
                if role.id.is_empty() {
                    problems.at(shown, line, 1, "a block without a `role:` line".into());
                } else if let Some(prev) = ids.insert(role.id.clone(), line) {
                    problems.at(
                        shown,
                        line,
                        1,
                        format!("role `{}` is listed twice (first at line {prev})", role.id),
                    );
                } else {
                    roles.push(role);
                }
            }
        };
    let mut last_line = 0;
    let mut blank_since = true;
    let mut reader = BufReader::new(reader);
    let mut buf = String::new();
    loop {
        buf.clear();
        let n = reader.read_line(&mut buf).map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidData => Error::Input(format!(
                "{shown}:{}: the file is not valid UTF-8 text",
                last_line + 1
            )),
            _ => Error::Read {
                path: shown.to_string(),
                source: e,
            },
        })?;
        if n == 0 {
            break;
        }
        last_line += 1;
        let line = last_line;
        let text = buf.trim_end_matches(['\r', '\n']);
        if text.trim().is_empty() {
            blank_since = true;
            continue;
        }
        if text.trim_start().starts_with('#') {
            continue;
        }
        let Some((key, rest)) = text.split_once(':') else {
            problems.at(
                shown,
                line,
                1,
                "expected `role: …`, `permissions: …` or `users: …`".into(),
            );
            continue;
        };
        let key = key.trim();
        let named = current.as_ref().is_some_and(|(_, r)| !r.id.is_empty());
        if blank_since || current.is_none() || (key == "role" && named) {
            finish(&mut current, &mut roles, &mut problems);
            current = Some((
                line,
                Role {
                    id: String::new(),
                    permissions: Vec::new(),
                    users: Vec::new(),
                },
            ));
        }
        blank_since = false;
        let role = &mut current.as_mut().expect("a block is open").1;
        let value_column = text[..text.len() - rest.len()].chars().count() + 1;
        let items = || -> Vec<String> {
            rest.split([',', ' ', '\t'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        };
        match key {
            "role" => {
                let id = rest.trim();
                if let Some(message) = too_long(id) {
                    problems.at(shown, line, value_column, message);
                } else if id.is_empty() || id.contains(char::is_whitespace) {
                    problems.at(
                        shown,
                        line,
                        value_column,
                        format!("`role:` needs one id, not `{id}`"),
                    );
                } else {
                    role.id = id.to_string();
                }
            }
            "permissions" => role.permissions.extend(items()),
            "users" => role.users.extend(items()),
            other => problems.at(
                shown,
                line,
                1,
                format!(
                    "unknown key `{other}`; expected role, permissions or users{}",
                    crate::error::did_you_mean(other, ["role", "permissions", "users"])
                ),
            ),
        }
    }
    finish(&mut current, &mut roles, &mut problems);
    problems.into_result(shown)?;
    if roles.is_empty() {
        return Err(Error::Input(format!("{shown}: the file holds no roles")));
    }
    Ok(roles)
}

/// Figures of a pair import.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PairsSummary {
    pub users: usize,
    pub permissions: usize,
    pub granted: usize,
    pub denied: usize,
    pub repeated: usize,
    pub roles: usize,
    pub memberships: usize,
    pub role_grants: usize,
    /// Grants from user to permission: every pair without roles; with roles, those no role covers.
    pub direct_grants: usize,
    /// User–permission pairs the roles give that the pair list lacks.
    pub role_extra: usize,
}

/// A model made from a pair list, with what the import noticed.
#[derive(Debug, Clone)]
pub struct PairsImport {
    pub model: Model,
    pub warnings: Vec<Diagnostic>,
    pub summary: PairsSummary,
}

/// Model ids of the three kinds of entity.
pub fn user_id(u: &str) -> String {
    format!("user-{u}")
}

pub fn permission_id(p: &str) -> String {
    format!("perm-{p}")
}

pub fn role_id(r: &str) -> String {
    format!("role-{r}")
}

/// The model's node of each user and permission, made on first mention.
struct Entities<'c> {
    users: HashMap<String, u32>,
    perms: HashMap<String, u32>,
    /// The category of the one record each permission store holds.
    category: &'c str,
}

impl Entities<'_> {
    fn user(&mut self, model: &mut Model, u: &str) -> u32 {
        *self
            .users
            .entry(u.to_string())
            .or_insert_with(|| model.add_node(&user_id(u), NodeKind::Account))
    }

    fn perm(&mut self, model: &mut Model, p: &str) -> u32 {
        let category = self.category;
        *self.perms.entry(p.to_string()).or_insert_with(|| {
            let n = model.add_node(&permission_id(p), NodeKind::Store);
            model.record_sets.push(RecordSet {
                store: n,
                category: category.to_string(),
                amount: Amount::Count(1),
                retention_days: None,
                subjects: None,
                coverage: 1.0,
            });
            n
        })
    }
}

/// Adds each role as a group: its users are members, and it holds read grants on its
/// permissions. Returns the pairs of the list (`matrix`) the roles cover; the pairs they give
/// beyond it are counted and warned about.
fn add_roles(
    model: &mut Model,
    entities: &mut Entities,
    roles: &[Role],
    matrix: &HashSet<(u32, u32)>,
    summary: &mut PairsSummary,
    warnings: &mut Vec<Diagnostic>,
    shown: &str,
) -> HashSet<(u32, u32)> {
    let mut covered: HashSet<(u32, u32)> = HashSet::new();
    summary.roles = roles.len();
    let mut extra: BTreeSet<(u32, u32)> = BTreeSet::new();
    let mut unknown_ids = 0;
    for r in roles {
        let g = model.add_node(&role_id(&r.id), NodeKind::Group);
        let members: Vec<u32> = r
            .users
            .iter()
            .map(|u| {
                if !entities.users.contains_key(u) {
                    unknown_ids += 1;
                }
                entities.user(model, u)
            })
            .collect();
        let targets: Vec<u32> = r
            .permissions
            .iter()
            .map(|p| {
                if !entities.perms.contains_key(p) {
                    unknown_ids += 1;
                }
                entities.perm(model, p)
            })
            .collect();
        for &u in &members {
            model.links.push(Link::new(u, g, LinkKind::Member));
            summary.memberships += 1;
        }
        for &p in &targets {
            model
                .links
                .push(Link::new(g, p, LinkKind::Grant(Access::Read)));
            summary.role_grants += 1;
        }
        for &u in &members {
            for &p in &targets {
                if matrix.contains(&(u, p)) {
                    covered.insert((u, p));
                } else {
                    extra.insert((u, p));
                }
            }
        }
    }
    summary.role_extra = extra.len();
    if unknown_ids > 0 {
        warnings.push(warning(shown, format!(
            "the roles name {unknown_ids} users or permissions that the pair list does not have; they were added"
        )));
    }
    if !extra.is_empty() {
        warnings.push(warning(shown, format!(
            "the roles give {} user–permission pairs that the pair list does not have (roles over-grant)",
            extra.len()
        )));
    }
    covered
}

/// Builds the model. `name` names the organisation; `category` is the category of the one
/// record each permission store holds.
pub fn build(
    pairs: &PairList,
    roles: Option<&[Role]>,
    name: &str,
    category: &str,
    shown: &str,
) -> PairsImport {
    let mut model = Model::default();
    model.name = name.to_string();
    model.categories = Categories::new(vec![(category.to_string(), 1.0)]);
    let mut summary = PairsSummary {
        users: pairs.users(),
        permissions: pairs.permissions(),
        granted: pairs.granted(),
        denied: pairs.denied(),
        repeated: pairs.repeated,
        ..PairsSummary::default()
    };
    let mut warnings = Vec::new();
    let mut entities = Entities {
        users: HashMap::new(),
        perms: HashMap::new(),
        category,
    };
    for name in &pairs.users.names {
        entities.user(&mut model, name);
    }
    for name in &pairs.permissions.names {
        entities.perm(&mut model, name);
    }
    let matrix: HashSet<(u32, u32)> = pairs
        .granted
        .iter()
        .map(|&(u, p)| {
            (
                entities.users[&pairs.users.names[u as usize]],
                entities.perms[&pairs.permissions.names[p as usize]],
            )
        })
        .collect();
    let covered = match roles {
        Some(roles) => add_roles(
            &mut model,
            &mut entities,
            roles,
            &matrix,
            &mut summary,
            &mut warnings,
            shown,
        ),
        None => HashSet::new(),
    };
    let mut direct: Vec<(u32, u32)> = matrix.difference(&covered).copied().collect();
    direct.sort_unstable();
    summary.direct_grants = direct.len();
    if roles.is_some() && !direct.is_empty() {
        warnings.push(warning(
            shown,
            format!(
                "{} pairs of the list are in no role; they became direct grants",
                direct.len()
            ),
        ));
    }
    for (u, p) in direct {
        model
            .links
            .push(Link::new(u, p, LinkKind::Grant(Access::Read)));
    }
    if summary.repeated > 0 {
        warnings.push(warning(
            shown,
            format!(
                "{} pairs are listed more than once; each counts once",
                summary.repeated
            ),
        ));
    }
    PairsImport {
        model: model.canonical(),
        warnings,
        summary,
    }
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

/// Reads a pair file and, optionally, a role decomposition, and builds the model.
pub fn import_pairs(
    path: &Path,
    shown: &str,
    layout: Layout,
    roles: Option<(&Path, &str)>,
    category: &str,
) -> Result<PairsImport> {
    let open = |p: &Path, s: &str| {
        crate::load::input::open(p).map_err(|source| Error::Read {
            path: s.to_string(),
            source,
        })
    };
    let pairs = read_pairs(open(path, shown)?, shown, layout)?;
    let roles = match roles {
        Some((p, s)) => Some(read_roles(open(p, s)?, s)?),
        None => None,
    };
    let name = path
        .file_stem()
        .map_or("pairs".to_string(), |s| s.to_string_lossy().into_owned());
    let category = category.trim();
    if category.is_empty() || category.split('.').any(str::is_empty) {
        return Err(Error::Input(format!(
            "--category `{category}` is not a dot-separated category name"
        )));
    }
    Ok(build(&pairs, roles.as_deref(), &name, category, shown))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(r: Result<impl Sized>) -> String {
        match r {
            Ok(_) => panic!("expected an error"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn pairs_and_amazon_rows_are_told_apart() {
        let p = read_pairs("  1   2\n# c\n\n 1 3\n".as_bytes(), "p.txt", Layout::Auto).unwrap();
        assert_eq!((p.users(), p.permissions(), p.granted()), (1, 2, 2));
        assert_eq!(p.layout, Some(Layout::Pairs));
        let a = read_pairs(
            "7 16 1 2 3 1\n8 16 1 2 3 0\n".as_bytes(),
            "a.txt",
            Layout::Auto,
        )
        .unwrap();
        assert_eq!(a.layout, Some(Layout::Amazon));
        assert_eq!((a.granted(), a.denied()), (1, 1));
    }

    #[test]
    fn bad_lines_are_located() {
        let e = err(read_pairs(
            "1 2\n1 2 3\n".as_bytes(),
            "p.txt",
            Layout::Pairs,
        ));
        assert!(e.contains("p.txt:2:5: error: expected two columns"), "{e}");
        let e = err(read_pairs(
            "1 2 3 1\n1 2 3 x\n".as_bytes(),
            "a.txt",
            Layout::Amazon,
        ));
        assert!(
            e.contains("a.txt:2:7: error: the last column is the decision"),
            "{e}"
        );
        let e = err(read_roles(
            "role: 1\npermisions: 1, 2\n".as_bytes(),
            "r.txt",
        ));
        assert!(
            e.contains("r.txt:2:1: error: unknown key `permisions`"),
            "{e}"
        );
        assert!(e.contains("did you mean `permissions`?"), "{e}");
    }

    #[test]
    fn roles_reproduce_the_list_and_gaps_become_direct_grants() {
        let pairs = read_pairs("1 1\n1 2\n2 2\n2 3\n".as_bytes(), "p.txt", Layout::Auto).unwrap();
        let roles = read_roles(
            "role: 1\npermissions: 1, 2\nusers: 1 \n\nrole: 2\npermissions: 2\nusers: 2\n"
                .as_bytes(),
            "r.txt",
        )
        .unwrap();
        assert_eq!(roles.len(), 2);
        let out = build(&pairs, Some(&roles), "t", "permission", "p.txt");
        assert_eq!(out.summary.memberships, 2);
        assert_eq!(out.summary.role_grants, 3);
        assert_eq!(out.summary.direct_grants, 1); // 2 → 3
        assert_eq!(out.summary.role_extra, 0);
        assert_eq!(out.model.nodes_of(NodeKind::Store).count(), 3);
    }
}
