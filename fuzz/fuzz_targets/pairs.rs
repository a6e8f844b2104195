//! Pair lists: the input up to a line `===` is a pair list, what follows a role decomposition.
//! The pair list is read in each layout (auto, pairs, Amazon rows), the roles too when given, and
//! a model is built, saved and read back (as `import` does), and goes through the engine.
#![no_main]

use blastradius::interop::pairs::{build, read_pairs, read_roles, Layout};
use blastradius_fuzz::{exercise, render, round_trip};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (pairs, roles) = match data.windows(5).position(|w| w == b"\n===\n") {
        Some(i) => (&data[..i + 1], Some(&data[i + 5..])),
        None => (data, None),
    };
    let roles = match roles.map(|r| read_roles(r, "roles.txt")) {
        None => None,
        Some(Ok(roles)) => Some(roles),
        Some(Err(e)) => {
            render(&e);
            None
        }
    };
    for layout in [Layout::Auto, Layout::Pairs, Layout::Amazon] {
        match read_pairs(pairs, "pairs.txt", layout) {
            Ok(list) => {
                let imported = build(&list, roles.as_deref(), "pairs", "permission", "pairs.txt");
                round_trip(&imported.model, "pairs", layout == Layout::Auto);
                exercise(imported.model);
            }
            Err(e) => render(&e),
        }
    }
});
