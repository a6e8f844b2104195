//! `--redact`: person and account ids replaced by stable pseudonyms in a result, for reports
//! that leave the security team. Groups, systems and stores keep their ids: they name
//! infrastructure, not people.
//!
//! A pseudonym is `person-` or `account-` and the first 12 hex digits of SipHash-2-4 of the id,
//! keyed by a secret. The same id and key give the same pseudonym in every run, so two redacted
//! reports can be compared. This is pseudonymisation, not anonymisation: whoever holds the key
//! (or, with the built-in key, anyone) can test a guessed id against a pseudonym.
//!
//! Free text the scenario author wrote (the scenario's and designs' descriptions) may name
//! people, so it is dropped; ids that stand as words (between spaces or punctuation, in any
//! case) in the scenario's and designs' names and in design change descriptions are replaced
//! (an id run into other id characters, as in `phished_alice`, is not recognised: name
//! scenarios and designs after what they test). Given the model's people and accounts
//! ([`Person`]), the names are also cleared of each one's id written as words ("Dana Okafor"
//! for `dana-okafor`, any case), display name, and first or last name where it is capitalised
//! as a name ("Okafor's laptop").

use std::collections::HashMap;

use super::sweep::SweepReport;
use super::{ByKind, Deterministic, PathReport, RunReport};
use crate::graph::stable_hash;

/// The key used when the user gives none.
const BUILT_IN_KEY: &[u8] = b"blastradius pseudonym key v1";

/// Hex digits of the hash kept in a pseudonym (48 bits: no collision in practice below
/// millions of ids).
const DIGITS: usize = 12;

/// Maps ids to pseudonyms under one key.
#[derive(Debug, Clone)]
pub struct Pseudonymiser {
    key: [u64; 2],
}

impl Default for Pseudonymiser {
    fn default() -> Pseudonymiser {
        Pseudonymiser::new(BUILT_IN_KEY)
    }
}

impl Pseudonymiser {
    /// A pseudonymiser keyed by any secret bytes (a passphrase).
    pub fn new(secret: &[u8]) -> Pseudonymiser {
        Pseudonymiser {
            key: [stable_hash(&[b"k0", secret]), stable_hash(&[b"k1", secret])],
        }
    }

    /// `person-3f2a9c01b7e4`: `prefix` and the first 12 hex digits of the keyed hash of `id`.
    pub fn pseudonym(&self, prefix: &str, id: &str) -> String {
        let h = siphash24(self.key, id.as_bytes());
        format!(
            "{prefix}-{:0width$x}",
            h >> (64 - 4 * DIGITS),
            width = DIGITS
        )
    }
}

/// SipHash-2-4 (Aumasson and Bernstein), the 64-bit variant.
fn siphash24(key: [u64; 2], data: &[u8]) -> u64 {
    let mut v = [
        key[0] ^ 0x736f_6d65_7073_6575,
        key[1] ^ 0x646f_7261_6e64_6f6d,
        key[0] ^ 0x6c79_6765_6e65_7261,
        key[1] ^ 0x7465_6462_7974_6573,
    ];
    fn round(v: &mut [u64; 4]) {
        v[0] = v[0].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(13) ^ v[0];
        v[0] = v[0].rotate_left(32);
        v[2] = v[2].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(16) ^ v[2];
        v[0] = v[0].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(21) ^ v[0];
        v[2] = v[2].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(17) ^ v[2];
        v[2] = v[2].rotate_left(32);
    }
    let chunks = data.chunks_exact(8);
    let tail = chunks.remainder();
    for c in chunks {
        let m = u64::from_le_bytes(c.try_into().expect("chunks of 8"));
        v[3] ^= m;
        round(&mut v);
        round(&mut v);
        v[0] ^= m;
    }
    let mut last = (data.len() as u64 & 0xff) << 56;
    for (i, &b) in tail.iter().enumerate() {
        last |= (b as u64) << (8 * i);
    }
    v[3] ^= last;
    round(&mut v);
    round(&mut v);
    v[0] ^= last;
    v[2] ^= 0xff;
    for _ in 0..4 {
        round(&mut v);
    }
    v[0] ^ v[1] ^ v[2] ^ v[3]
}

/// The pseudonym of every person and account id a result names.
struct Mapping(HashMap<String, String>);

impl Mapping {
    fn add(&mut self, p: &Pseudonymiser, b: &ByKind) {
        for id in &b.person {
            self.0
                .entry(id.clone())
                .or_insert_with(|| p.pseudonym("person", id));
        }
        for id in &b.account {
            self.0
                .entry(id.clone())
                .or_insert_with(|| p.pseudonym("account", id));
        }
    }

    fn id(&self, id: &mut String) {
        if let Some(p) = self.0.get(id.as_str()) {
            *id = p.clone();
        }
    }

    fn ids(&self, ids: &mut [String]) {
        for id in ids.iter_mut() {
            self.id(id);
        }
        ids.sort();
    }

    /// Replaces the ids in text: each run of characters an id is made of (letters, digits and
    /// `-_.@+`) that is an id, ignoring case and a trailing full stop. An id inside a longer
    /// run (`alice-users` for `alice-u`) is another word and stays.
    fn text(&self, text: &str) -> String {
        let id_char = |c: char| c.is_alphanumeric() || "-_.@+".contains(c);
        let lower: HashMap<String, &String> =
            self.0.iter().map(|(k, v)| (k.to_lowercase(), v)).collect();
        let find = |word: &str| {
            self.0
                .get(word)
                .or_else(|| lower.get(&word.to_lowercase()).copied())
        };
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find(id_char) {
            out.push_str(&rest[..start]);
            let run = &rest[start..];
            let len = run.find(|c: char| !id_char(c)).unwrap_or(run.len());
            let word = &run[..len];
            match find(word) {
                Some(p) => out.push_str(p),
                None => match word.strip_suffix('.').and_then(&find) {
                    Some(p) => {
                        out.push_str(p);
                        out.push('.');
                    }
                    None => out.push_str(word),
                },
            }
            rest = &run[len..];
        }
        out.push_str(rest);
        out
    }

    fn paths(&self, paths: &mut [PathReport]) {
        for path in paths {
            self.id(&mut path.target);
            for step in &mut path.steps {
                self.id(&mut step.from);
                self.id(&mut step.to);
            }
        }
    }

    fn deterministic(&self, d: &mut Deterministic) {
        let b = &mut d.compromised;
        self.ids(&mut b.person);
        self.ids(&mut b.account);
        self.paths(&mut d.paths);
        d.paths.sort_by(|a, b| a.target.cmp(&b.target));
    }

    fn monte_carlo(&self, mc: &mut Option<super::monte_carlo::MonteCarlo>) {
        if let Some(mc) = mc {
            self.paths(&mut mc.most_likely_paths);
            mc.most_likely_paths.sort_by(|a, b| a.target.cmp(&b.target));
        }
    }
}

/// A person or account of the model, for finding it in free text: its pseudonym's prefix
/// (`person` or `account`), id and display name.
#[derive(Debug, Clone)]
pub struct Person {
    pub prefix: &'static str,
    pub id: String,
    pub name: Option<String>,
}

/// Words of a name: its runs of letters and digits, lower-cased.
fn words(s: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices().chain(std::iter::once((s.len(), ' '))) {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(b)) => {
                out.push((b, i, s[b..i].to_lowercase()));
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// `text` with every mention of the people and accounts replaced by their pseudonyms: the
/// id or display name as a sequence of words (longest first), then a single word of a
/// display name (or of a person's id) of three letters or more written with a capital, when
/// it belongs to one person only (a word many share, like `user` in generated ids, is no
/// name; a first name two people share names neither).
fn names_in_text(text: &str, people: &[Person], p: &Pseudonymiser) -> String {
    let mut phrases: Vec<(Vec<String>, &Person)> = Vec::new();
    let mut parts: HashMap<String, Option<&Person>> = HashMap::new();
    for who in people {
        let mut forms = vec![who.id.as_str()];
        forms.extend(who.name.as_deref());
        for form in forms {
            let w: Vec<String> = words(form).into_iter().map(|x| x.2).collect();
            if who.prefix == "person" || form != who.id {
                for x in w
                    .iter()
                    .filter(|x| x.chars().count() >= 3 && x.chars().all(char::is_alphabetic))
                {
                    parts
                        .entry(x.clone())
                        .and_modify(|e| {
                            if e.is_some_and(|o| o.id != who.id) {
                                *e = None;
                            }
                        })
                        .or_insert(Some(who));
                }
            }
            if w.len() > 1 {
                phrases.push((w, who));
            }
        }
    }
    phrases.sort_by_key(|(w, _)| std::cmp::Reverse(w.len()));
    let tokens = words(text);
    let mut out = String::with_capacity(text.len());
    let (mut i, mut copied) = (0, 0);
    while i < tokens.len() {
        let hit = phrases.iter().find(|(w, _)| {
            tokens.len() - i >= w.len()
                && tokens[i..i + w.len()].iter().zip(w).all(|(t, x)| &t.2 == x)
        });
        let (len, who) = match hit {
            Some((w, who)) => (w.len(), Some(*who)),
            None => {
                let (b, _, ref word) = tokens[i];
                let capital = text[b..].starts_with(char::is_uppercase);
                (1, parts.get(word).copied().flatten().filter(|_| capital))
            }
        };
        if let Some(who) = who {
            out.push_str(&text[copied..tokens[i].0]);
            out.push_str(&p.pseudonym(who.prefix, &who.id));
            copied = tokens[i + len - 1].1;
        }
        i += len;
    }
    out.push_str(&text[copied..]);
    out
}

/// [`redact_run`], with the scenario's and designs' names also cleared of the model's people
/// and accounts however they are written ([`Person`]).
pub fn redact_run_naming(report: &RunReport, p: &Pseudonymiser, people: &[Person]) -> RunReport {
    let mut r = redact_run(report, p);
    r.scenario = names_in_text(&r.scenario, people, p);
    for d in &mut r.designs {
        d.name = names_in_text(&d.name, people, p);
    }
    r
}

/// The result with every person and account id it names replaced by its pseudonym, and
/// the authors' descriptions dropped. Ids are people or accounts when the result lists them
/// as such (in a `compromised` list), which every id on a path or among the entry points is.
pub fn redact_run(report: &RunReport, p: &Pseudonymiser) -> RunReport {
    let mut map = Mapping(HashMap::new());
    map.add(p, &report.baseline.deterministic.compromised);
    for d in &report.designs {
        map.add(p, &d.deterministic.compromised);
    }
    let mut r = report.clone();
    r.description = None;
    r.scenario = map.text(&r.scenario);
    map.ids(&mut r.entry_points);
    r.entry_probabilities = std::mem::take(&mut r.entry_probabilities)
        .into_iter()
        .map(|(mut id, p)| {
            map.id(&mut id);
            (id, p)
        })
        .collect();
    map.deterministic(&mut r.baseline.deterministic);
    map.monte_carlo(&mut r.baseline.monte_carlo);
    for d in &mut r.designs {
        d.description = None;
        d.name = map.text(&d.name);
        d.changes = d.changes.iter().map(|c| map.text(c)).collect();
        map.deterministic(&mut d.deterministic);
        map.monte_carlo(&mut d.monte_carlo);
    }
    r
}

/// A sweep ranking with person and account ids replaced by their pseudonyms.
pub fn redact_sweep(report: &SweepReport, p: &Pseudonymiser) -> SweepReport {
    let mut r = report.clone();
    for e in &mut r.entries {
        if e.kind == "person" || e.kind == "account" {
            e.id = p.pseudonym(&e.kind, &e.id);
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siphash_matches_the_reference_vector() {
        // The paper's test vector: key 00..0f, message 00..0e.
        let key = [
            u64::from_le_bytes([0, 1, 2, 3, 4, 5, 6, 7]),
            u64::from_le_bytes([8, 9, 10, 11, 12, 13, 14, 15]),
        ];
        let msg: Vec<u8> = (0..15).collect();
        assert_eq!(siphash24(key, &msg), 0xa129_ca61_49be_45e5);
        assert_eq!(siphash24(key, &[]), 0x726f_db47_dd0e_0e31);
    }

    #[test]
    fn pseudonyms_are_stable_keyed_and_shaped() {
        let p = Pseudonymiser::default();
        let a = p.pseudonym("person", "dana-okafor");
        assert_eq!(a, p.pseudonym("person", "dana-okafor"));
        assert!(a.starts_with("person-") && a.len() == "person-".len() + DIGITS);
        assert_ne!(a, p.pseudonym("person", "dana-okafor2"));
        assert_ne!(
            a,
            Pseudonymiser::new(b"other").pseudonym("person", "dana-okafor")
        );
    }

    #[test]
    fn text_replaces_whole_words_and_selectors_only() {
        let p = Pseudonymiser::default();
        let mut m = Mapping(HashMap::new());
        m.add(
            &p,
            &ByKind {
                account: vec!["alice-u".into()],
                ..ByKind::default()
            },
        );
        let alias = p.pseudonym("account", "alice-u");
        assert_eq!(
            m.text("set_mfa account:alice-u = otp"),
            format!("set_mfa account:{alias} = otp")
        );
        assert_eq!(
            m.text("remove_grant alice-u → badge-logs"),
            format!("remove_grant {alias} → badge-logs")
        );
        assert_eq!(m.text("alice-users stay"), "alice-users stay");
        // Punctuation around an id, another case, a full stop after it.
        for (text, want) in [
            ("Phished (alice-u)", format!("Phished ({alias})")),
            ("alice-u, phished", format!("{alias}, phished")),
            ("alice-u: phished", format!("{alias}: phished")),
            ("Phished Alice-U.", format!("Phished {alias}.")),
            ("alice-u/alice-u", format!("{alias}/{alias}")),
        ] {
            assert_eq!(m.text(text), want, "{text}");
        }
    }
}

#[cfg(test)]
mod report_tests {
    use super::*;
    use crate::output::charts::fixture;

    #[test]
    fn a_redacted_report_names_no_person_or_account() {
        let r = fixture::report(false, false);
        let p = Pseudonymiser::default();
        let red = redact_run(&r, &p);
        let json = serde_json::to_string(&red).unwrap();
        for id in ["alice", "alice-u"] {
            assert!(
                !json.contains(&format!("\"{id}\"")),
                "{id} is still in the result"
            );
        }
        assert!(json.contains(&p.pseudonym("person", "alice")));
        assert!(json.contains(&p.pseudonym("account", "alice-u")));
        assert!(json.contains("\"badge-logs\"") && json.contains("\"staff\""));
        assert!(red.description.is_none());
        assert_eq!(red.entry_points, [p.pseudonym("person", "alice")]);
        // Ids that are words of the scenario's or a design's name are replaced there too.
        let mut named = r.clone();
        named.scenario = "alice phished".into();
        named.designs[0].name = "mfa for alice-u".into();
        let red_named = redact_run(&named, &p);
        assert_eq!(
            red_named.scenario,
            format!("{} phished", p.pseudonym("person", "alice"))
        );
        assert_eq!(
            red_named.designs[0].name,
            format!("mfa for {}", p.pseudonym("account", "alice-u"))
        );
        assert_eq!(red, redact_run(&r, &p), "pseudonyms are stable");
        // With the model's people: the id as words, the display name, a capitalised surname.
        let people = [
            Person {
                prefix: "person",
                id: "dana-okafor".into(),
                name: None,
            },
            Person {
                prefix: "account",
                id: "svc-x".into(),
                name: Some("Priya Raman".into()),
            },
        ];
        let dana = p.pseudonym("person", "dana-okafor");
        let priya = p.pseudonym("account", "svc-x");
        named.scenario = "Dana Okafor phished; Okafor's laptop, dana's boss".into();
        named.designs[0].name = "priya raman review".into();
        let red = redact_run_naming(&named, &p, &people);
        assert_eq!(
            red.scenario,
            format!("{dana} phished; {dana}'s laptop, dana's boss")
        );
        assert_eq!(red.designs[0].name, format!("{priya} review"));
        let sweep = redact_sweep(&fixture::sweep(), &p);
        assert!(sweep.entries.iter().all(|e| e.id.starts_with("account-")));
        assert_eq!(sweep.entries[0].id, p.pseudonym("account", "alice-u"));
    }
}
