//! Keyed randomness: every draw is a pure function of (seed, trial, key), never of thread,
//! load order or the order in which draws are made. Designs evaluated with the same seed see the
//! same draws (common random numbers).

use crate::graph::mix64;

/// Salt that separates an edge's time draw from its success draw.
pub const TIME_SALT: u64 = 0x5d58_8b65_6c07_8965;
/// Salt of an entry draw's key (`engine::entry::entry_key`): an account's entry is keyed by a
/// hash of its id xor this, apart from every edge's success and time draws.
pub const ENTRY_SALT: u64 = 0x8ebc_6af0_9c88_c6e3;
/// Key of a trial's detection-time draw.
pub const DETECTION_KEY: u64 = 0x2545_f491_4f6c_dd1d;
/// Salt of the seed for the compound Poisson years of the annual loss: a year's draws are
/// keyed by (seed ^ this, year, key), apart from every trial's draws.
pub const YEAR_SALT: u64 = 0x3c6e_f372_fe94_f82b;
/// Key of a year's number of incidents; incident `i` (from 0) is keyed `this + 1 + i`.
pub const INCIDENTS_KEY: u64 = 0x1f83_d9ab_fb41_bd6b;

/// The part of every draw of trial `trial` that does not depend on the key: computed once per
/// trial so that the inner loop mixes only once per draw.
#[inline]
pub fn trial_salt(seed: u64, trial: u64) -> u64 {
    mix64(
        seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ mix64(trial.wrapping_add(0x632b_e59b_d9b4_e019)),
    )
}

/// The 53 random bits of the draw for `key` in the trial with this salt.
#[inline]
pub fn draw_bits(salt: u64, key: u64) -> u64 {
    mix64(key ^ salt) >> 11
}

/// `draw_bits` as a uniform number in [0, 1); exact, since the bits fit a double's mantissa.
#[inline]
pub fn bits_to_uniform(bits: u64) -> f64 {
    bits as f64 * (1.0 / (1u64 << 53) as f64)
}

/// The integer threshold with `draw_bits(..) < threshold(p)` exactly when the uniform draw is
/// below `p`: the draw is k·2⁻⁵³, and k < p·2⁵³ ⟺ k < ⌈p·2⁵³⌉ for whole k. p = 1 gives 2⁵³,
/// which every draw is under.
#[inline]
pub fn threshold(p: f64) -> u64 {
    (p.clamp(0.0, 1.0) * (1u64 << 53) as f64).ceil() as u64
}

/// Threshold of an edge that is always open (p = 1): it needs no draw.
pub const ALWAYS: u64 = 1 << 53;

/// A uniform number in [0, 1) for (seed, trial, key).
#[inline]
pub fn uniform(seed: u64, trial: u64, key: u64) -> f64 {
    bits_to_uniform(draw_bits(trial_salt(seed, trial), key))
}

/// An exponential time with the given mean, from a uniform draw.
#[inline]
pub fn exponential(mean: f64, u: f64) -> f64 {
    -mean * (1.0 - u).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_is_keyed_and_roughly_uniform() {
        assert_eq!(uniform(7, 3, 99), uniform(7, 3, 99));
        assert_ne!(uniform(7, 3, 99), uniform(8, 3, 99));
        assert_ne!(uniform(7, 3, 99), uniform(7, 4, 99));
        let n = 200_000;
        let mean: f64 = (0..n).map(|t| uniform(1, t, 42)).sum::<f64>() / n as f64;
        assert!((mean - 0.5).abs() < 0.005, "{mean}");
        let below: usize = (0..n).filter(|&t| uniform(1, t, 42) < 0.1).count();
        assert!((below as f64 / n as f64 - 0.1).abs() < 0.005);
    }

    #[test]
    fn integer_thresholds_decide_exactly_as_the_float_comparison() {
        let ps = [
            1e-300,
            1e-9,
            0.02,
            0.1,
            0.3,
            0.4,
            0.5,
            0.95,
            0.999_999_9,
            1.0,
        ];
        for t in 0..20_000u64 {
            let salt = trial_salt(3, t);
            let bits = draw_bits(salt, t.wrapping_mul(7919));
            let u = bits_to_uniform(bits);
            assert_eq!(u, uniform(3, t, t.wrapping_mul(7919)));
            for &p in &ps {
                assert_eq!(bits < threshold(p), u < p, "p {p} u {u}");
            }
            // Draws that land exactly on p's boundary.
            for &p in &ps {
                let k = threshold(p);
                for b in [k.saturating_sub(1), k, k + 1] {
                    if b < ALWAYS {
                        assert_eq!(b < threshold(p), bits_to_uniform(b) < p);
                    }
                }
            }
        }
        assert_eq!(threshold(1.0), ALWAYS);
    }
}
