//! AWS IAM import: the input is read as `get-account-authorization-details` JSON (`parse` and
//! `read_account`: every problem located, never a panic) and, when it reads, built into a model
//! that is saved and read back (as `import aws` does) and goes through the engine; the same
//! bytes are also read as a resource listing.
#![no_main]

use blastradius::interop::aws::{self, account, json, resources};
use blastradius_fuzz::{exercise, render, round_trip};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let value = match json::parse(data, "details.json", "authorization details JSON") {
        Ok(v) => v,
        Err(e) => return render(&e),
    };
    let mut listings = resources::Listings::default();
    if let Err(e) = resources::read_listing(&value, "listing.json", "", "111122223333", &mut listings) {
        render(&e.into());
    }
    match account::read_account(&value, "details.json") {
        Ok(acct) => {
            let imported = aws::build(&acct, &listings, "aws", "details.json");
            round_trip(&imported.model, "aws_iam", data.len() % 2 == 1);
            exercise(imported.model);
        }
        Err(e) => render(&e.into()),
    }
});
