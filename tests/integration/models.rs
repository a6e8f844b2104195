//! Small random organisations written as TOML text, for property tests and exact enumeration.
//! The same seed gives the same organisation; `shuffle` lists its entries in another order.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

/// Size of a generated organisation.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    pub people: usize,
    pub groups: usize,
    pub systems: usize,
    pub stores: usize,
}

pub const TINY: Shape = Shape {
    people: 3,
    groups: 3,
    systems: 2,
    stores: 4,
};

/// A random organisation as TOML. Probabilities come from {0.3, 0.6, 0.9, 1}.
pub fn random_model(seed: u64, shape: Shape, shuffle: bool) -> String {
    let mut rng = StdRng::seed_from_u64(seed);
    let ps = [0.3, 0.6, 0.9, 1.0, 1.0];
    let mut entries: Vec<String> = Vec::new();
    let mut accounts = Vec::new();
    for i in 0..shape.people {
        let n = 1 + rng.gen_range(0..2);
        let ids: Vec<String> = (0..n).map(|j| format!("acc-{i}-{j}")).collect();
        entries.push(format!(
            "[[person]]\nid = \"person-{i}\"\naccounts = [{}]\n",
            ids.iter()
                .map(|a| format!("\"{a}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        accounts.extend(ids);
    }
    let services: Vec<String> = (0..shape.systems).map(|i| format!("svc-{i}")).collect();
    let mfa = ["none", "otp", "phishing_resistant"];
    for a in accounts.iter().chain(&services) {
        let groups: Vec<String> = (0..shape.groups)
            .filter(|_| rng.gen_bool(0.35))
            .map(|g| format!("\"group-{g}\""))
            .collect();
        entries.push(format!(
            "[[account]]\nid = \"{a}\"\nmfa = \"{}\"\ngroups = [{}]\n",
            mfa[rng.gen_range(0..3)],
            groups.join(", ")
        ));
    }
    for g in 0..shape.groups {
        let parents: Vec<String> = (g + 1..shape.groups)
            .filter(|_| rng.gen_bool(0.3))
            .map(|p| format!("\"group-{p}\""))
            .collect();
        entries.push(format!(
            "[[group]]\nid = \"group-{g}\"\ngroups = [{}]\n",
            parents.join(", ")
        ));
    }
    for s in 0..shape.systems {
        let creds: Vec<String> = services
            .iter()
            .filter(|_| rng.gen_bool(0.5))
            .map(|x| format!("\"{x}\""))
            .collect();
        let store = rng.gen_range(0..shape.stores);
        entries.push(format!(
            "[[system]]\nid = \"system-{s}\"\ncredentials = [{}]\naccess = [{{ store = \"store-{store}\", access = \"read\", p = {} }}]\n",
            creds.join(", "),
            ps[rng.gen_range(0..ps.len())]
        ));
    }
    let cats = [
        "user.location.precise",
        "user.health",
        "user.behavior",
        "user.identity",
    ];
    for d in 0..shape.stores {
        let mut sets = Vec::new();
        for _ in 0..1 + rng.gen_range(0..2) {
            let cat = cats[rng.gen_range(0..cats.len())];
            let pop = ["employees", "visitors"][rng.gen_range(0..2)];
            let cov = [0.1, 0.5, 1.0][rng.gen_range(0..3)];
            if rng.gen_bool(0.7) {
                sets.push(format!(
                    "{{ category = \"{cat}\", per_day = {}, subjects = \"{pop}\", coverage = {cov} }}",
                    1 + rng.gen_range(0..500)
                ));
            } else {
                sets.push(format!(
                    "{{ category = \"{cat}\", count = {}, subjects = \"{pop}\", coverage = {cov} }}",
                    1 + rng.gen_range(0..5000)
                ));
            }
        }
        let creds: Vec<String> = services
            .iter()
            .filter(|_| rng.gen_bool(0.2))
            .map(|x| format!("\"{x}\""))
            .collect();
        entries.push(format!(
            "[[store]]\nid = \"store-{d}\"\nretention_days = {}\nrecords = [{}]\ncredentials = [{}]\n",
            [30, 90, 365][rng.gen_range(0..3)],
            sets.join(", "),
            creds.join(", ")
        ));
    }
    let principals: Vec<String> = accounts
        .iter()
        .chain(&services)
        .cloned()
        .chain((0..shape.groups).map(|g| format!("group-{g}")))
        .collect();
    for _ in 0..shape.stores + 2 {
        let p = &principals[rng.gen_range(0..principals.len())];
        let access = ["read", "read", "admin", "write"][rng.gen_range(0..4)];
        entries.push(format!(
            "[[grant]]\nprincipal = \"{p}\"\ntarget = \"store-{}\"\naccess = \"{access}\"\np = {}\nlast_used_days = {}\n",
            rng.gen_range(0..shape.stores),
            ps[rng.gen_range(0..ps.len())],
            rng.gen_range(0..400)
        ));
    }
    for _ in 0..shape.systems {
        let p = &principals[rng.gen_range(0..principals.len())];
        entries.push(format!(
            "[[grant]]\nprincipal = \"{p}\"\ntarget = \"system-{}\"\naccess = \"admin\"\np = {}\n",
            rng.gen_range(0..shape.systems),
            ps[rng.gen_range(0..ps.len())]
        ));
    }
    for d in 0..shape.stores {
        for e in d + 1..shape.stores {
            if rng.gen_bool(0.25) {
                entries.push(format!(
                    "[[flow]]\nfrom = \"store-{d}\"\nto = \"store-{e}\"\n"
                ));
            }
        }
    }
    if shape.systems > 0 && rng.gen_bool(0.7) {
        entries.push(format!(
            "[[edge]]\nfrom = \"system-{}\"\nto = \"{}\"\nkind = \"session_on_host\"\np = {}\n",
            rng.gen_range(0..shape.systems),
            accounts[rng.gen_range(0..accounts.len())],
            ps[rng.gen_range(0..ps.len())]
        ));
    }
    if shuffle {
        entries.shuffle(&mut StdRng::seed_from_u64(seed ^ 0xdead_beef));
    }
    let header = "[org]\nname = \"Random\"\nprogram_age_days = 200\n\n[populations]\nemployees = 1000\nvisitors = 300\n\n[notification]\nhealth = [\"user.health\"]\n\n[categories]\n\"user.location\" = 8\n\"user.health\" = 10\n\"user.behavior\" = 5\n\"user.identity\" = 3\n\n[probabilities]\ncredential = { none = 0.9, otp = 0.5, phishing_resistant = 0.1 }\n\n";
    format!("{header}{}", entries.join("\n"))
}

/// Scales every other store's holdings by `factor` (a minimisation design applied directly), so
/// their copies hold part of each set instead of all of it.
pub fn scale_every_other_store(model: &mut blastradius::model::Model, factor: f64) {
    let stores: Vec<_> = model
        .nodes_of(blastradius::model::NodeKind::Store)
        .step_by(2)
        .collect();
    for s in stores {
        model.store_policy[s as usize].scale.push((None, factor));
    }
}

/// Loads a model text through the library, panicking with the problems if it is invalid.
pub fn load(text: &str) -> blastradius::Analysis {
    match blastradius::load::parse_model(text, "generated.toml") {
        Ok(m) => blastradius::Analysis::new(m.model),
        Err(e) => panic!("generated model is invalid: {e}\n{text}"),
    }
}
