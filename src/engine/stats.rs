//! Summary statistics of per-trial figures: mean with a 95% interval, percentiles by the
//! nearest-rank method, and exceedance curves. Sums run in trial order, so results never depend
//! on scheduling.

/// Mean, 95% confidence interval of the mean (normal approximation), and percentiles.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Summary {
    pub mean: f64,
    pub ci95: [f64; 2],
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
}

/// Nearest-rank percentile of sorted values: the smallest value with at least `q` of the values
/// at or below it.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

/// Mean and sample standard deviation, summed in order.
pub fn mean_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let mean = values.iter().sum::<f64>() / n;
    if values.len() < 2 {
        return (mean, 0.0);
    }
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

pub fn summarise(values: &[f64]) -> Summary {
    let (mean, sd) = mean_sd(values);
    let half = 1.96 * sd / (values.len().max(1) as f64).sqrt();
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    Summary {
        mean,
        ci95: [mean - half, mean + half],
        p50: percentile(&sorted, 0.50),
        p90: percentile(&sorted, 0.90),
        p95: percentile(&sorted, 0.95),
        p99: percentile(&sorted, 0.99),
    }
}

/// `x` rounded down to `digits` significant digits (9049.99999999 → 9049.99), so curve points
/// print without float noise and stay just below the value they step at.
fn floor_significant(x: f64, digits: i32) -> f64 {
    if x <= 0.0 || !x.is_finite() {
        return x;
    }
    let scale = 10f64.powi(digits - 1 - x.log10().floor() as i32);
    (x * scale).floor() / scale
}

/// Points (x, P(value > x)) of an exceedance curve: x = 0, then up to `points` thresholds spread
/// evenly on a log scale from the smallest positive value to the largest.
pub fn exceedance(values: &[f64], points: usize) -> Vec<(f64, f64)> {
    let n = values.len();
    if n == 0 {
        return Vec::new();
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let above = |x: f64| (n - sorted.partition_point(|&v| v <= x)) as f64 / n as f64;
    let mut out = vec![(0.0, above(0.0))];
    let lo = sorted.iter().copied().find(|&v| v > 0.0);
    let hi = sorted[n - 1];
    if let Some(lo) = lo {
        let steps = points.max(2) - 1;
        let (a, b) = (lo.ln(), hi.ln());
        let mut last = 0.0;
        for i in 0..=steps {
            // Just below each threshold, so the curve steps at the values themselves.
            let x = if b > a {
                (a + (b - a) * i as f64 / steps as f64).exp()
            } else {
                lo
            };
            let x = floor_significant(x * (1.0 - 1e-12), 6).max(last);
            if x > last || i == 0 {
                out.push((x, above(x)));
                last = x;
            }
        }
        out.push((hi, 0.0));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(|x| x as f64).collect();
        assert_eq!(percentile(&v, 0.5), 50.0);
        assert_eq!(percentile(&v, 0.95), 95.0);
        assert_eq!(percentile(&v, 0.99), 99.0);
        assert_eq!(percentile(&[3.0], 0.99), 3.0);
    }

    #[test]
    fn summary_of_a_two_point_distribution() {
        let v = [0.0, 10.0, 0.0, 10.0];
        let s = summarise(&v);
        assert_eq!(s.mean, 5.0);
        assert_eq!(s.p50, 0.0);
        assert_eq!(s.p90, 10.0);
        // sd = sqrt(100/3); half-width 1.96 × sd / 2.
        assert!((s.ci95[1] - (5.0 + 1.96 * (100.0f64 / 3.0).sqrt() / 2.0)).abs() < 1e-12);
    }

    #[test]
    fn exceedance_steps_down_to_zero() {
        let v = [0.0, 0.0, 10.0, 100.0];
        let c = exceedance(&v, 5);
        assert_eq!(c[0], (0.0, 0.5));
        assert_eq!(*c.last().unwrap(), (100.0, 0.0));
        assert!(c.windows(2).all(|w| w[0].1 >= w[1].1 && w[0].0 <= w[1].0));
    }
}
