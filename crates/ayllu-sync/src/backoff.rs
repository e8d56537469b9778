//! When to try the hub again after a failure: exponential, capped, with jitter so twenty
//! phones coming into range together do not knock on the hub at the same instant.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    max: Duration,
    failures: u32,
}

impl Backoff {
    pub fn new(base: Duration, max: Duration) -> Backoff {
        Backoff {
            base,
            max,
            failures: 0,
        }
    }

    /// Records a failure; returns how long to wait. `jitter` in [0, 1) picks a point in the
    /// upper half of the window (the caller supplies randomness: this stays pure).
    pub fn failed(&mut self, jitter: f64) -> Duration {
        let exp = self
            .base
            .saturating_mul(1u32.checked_shl(self.failures.min(20)).unwrap_or(u32::MAX));
        let window = exp.min(self.max);
        self.failures = self.failures.saturating_add(1);
        window.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
    }

    pub fn succeeded(&mut self) {
        self.failures = 0;
    }

    pub fn failures(&self) -> u32 {
        self.failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_cap_and_resets() {
        let mut b = Backoff::new(Duration::from_secs(5), Duration::from_secs(300));
        let waits: Vec<u64> = (0..9).map(|_| b.failed(1.0).as_secs()).collect();
        assert_eq!(waits, [5, 10, 20, 40, 80, 160, 300, 300, 300]);
        assert_eq!(b.failed(0.0).as_secs(), 150);
        b.succeeded();
        assert_eq!(b.failed(1.0).as_secs(), 5);
        // Many failures never overflow.
        for _ in 0..100 {
            assert!(b.failed(0.5) <= Duration::from_secs(300));
        }
    }
}
