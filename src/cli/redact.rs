//! The key of `--redact`: pseudonyms are keyed by `BLASTRADIUS_REDACT_KEY` when it is set, else
//! by the built-in key (with a note saying so).

use blastradius::results::redact::Pseudonymiser;

/// Environment variable holding the secret that keys pseudonyms.
pub const REDACT_KEY_VAR: &str = "BLASTRADIUS_REDACT_KEY";

/// The pseudonymiser of `--redact`: keyed by `BLASTRADIUS_REDACT_KEY` when it is set, else by
/// the built-in key.
pub fn pseudonymiser() -> Pseudonymiser {
    match std::env::var_os(REDACT_KEY_VAR) {
        Some(k) if !k.is_empty() => Pseudonymiser::new(k.as_encoded_bytes()),
        _ => {
            // Anyone with this tool can recompute pseudonyms made with the built-in key from a
            // guessed id: say so once.
            eprintln!(
                "note: --redact uses the built-in key; set {REDACT_KEY_VAR} to a secret so pseudonyms cannot be matched to guessed ids"
            );
            Pseudonymiser::default()
        }
    }
}
