//! Keyed randomness: every draw is a pure function of (seed, trial, key), never of thread,
//! load order or the order in which draws are made. Designs evaluated with the same seed see the
//! same draws (common random numbers).

use crate::graph::mix64;

/// Salt that separates an edge's time draw from its success draw.
pub const TIME_SALT: u64 = 0x5d58_8b65_6c07_8965;
/// Key of a trial's detection-time draw.
pub const DETECTION_KEY: u64 = 0x2545_f491_4f6c_dd1d;

/// A uniform number in [0, 1) for (seed, trial, key).
#[inline]
pub fn uniform(seed: u64, trial: u64, key: u64) -> f64 {
    let h = mix64(
        key ^ mix64(
            seed.wrapping_mul(0x9e37_79b9_7f4a_7c15)
                ^ mix64(trial.wrapping_add(0x632b_e59b_d9b4_e019)),
        ),
    );
    (h >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
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
}
