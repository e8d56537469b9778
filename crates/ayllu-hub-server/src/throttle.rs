//! Rate limits: a token bucket per key (an address for enrollment, a device for sync).
//! Plain values and a caller-given clock, so it is tested without waiting.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Keys tracked at most; past this, buckets that have refilled are forgotten first.
const MAX_KEYS: usize = 10_000;

#[derive(Debug)]
pub struct Throttle {
    /// Requests a key may make at once.
    burst: f64,
    /// Tokens regained per second.
    per_second: f64,
    buckets: HashMap<String, (f64, Instant)>,
}

impl Throttle {
    pub fn new(burst: u32, per_minute: u32) -> Throttle {
        Throttle {
            burst: f64::from(burst),
            per_second: f64::from(per_minute) / 60.0,
            buckets: HashMap::new(),
        }
    }

    /// Takes one token for `key`, or says how long until one is there.
    pub fn take(&mut self, key: &str, now: Instant) -> Result<(), Duration> {
        if self.buckets.len() >= MAX_KEYS && !self.buckets.contains_key(key) {
            self.forget_full(now);
        }
        let (burst, rate) = (self.burst, self.per_second);
        let (tokens, at) = self.buckets.entry(key.to_string()).or_insert((burst, now));
        *tokens = (*tokens + now.saturating_duration_since(*at).as_secs_f64() * rate).min(burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / rate).max(Duration::from_secs(1)))
        }
    }

    fn forget_full(&mut self, now: Instant) {
        let (burst, rate) = (self.burst, self.per_second);
        self.buckets.retain(|_, (tokens, at)| {
            *tokens + now.saturating_duration_since(*at).as_secs_f64() * rate < burst
        });
        if self.buckets.len() >= MAX_KEYS {
            // Everyone is busy: forget the longest-quiet half.
            let mut ages: Vec<Instant> = self.buckets.values().map(|(_, at)| *at).collect();
            ages.sort();
            let cut = ages[ages.len() / 2];
            self.buckets.retain(|_, (_, at)| *at > cut);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_rate() {
        let mut t = Throttle::new(3, 60);
        let t0 = Instant::now();
        for _ in 0..3 {
            t.take("a", t0).unwrap();
        }
        let wait = t.take("a", t0).unwrap_err();
        assert_eq!(wait, Duration::from_secs(1));
        // Another key is not affected.
        t.take("b", t0).unwrap();
        // One second later, one more.
        t.take("a", t0 + Duration::from_secs(1)).unwrap();
        assert!(t.take("a", t0 + Duration::from_secs(1)).is_err());
        // Long quiet: back to the full burst, no more.
        let later = t0 + Duration::from_secs(3600);
        for _ in 0..3 {
            t.take("a", later).unwrap();
        }
        assert!(t.take("a", later).is_err());
    }

    #[test]
    fn memory_is_bounded_under_many_keys() {
        let mut t = Throttle::new(2, 60);
        let t0 = Instant::now();
        for i in 0..(3 * MAX_KEYS) {
            let _ = t.take(&format!("k{i}"), t0 + Duration::from_millis(i as u64));
        }
        assert!(t.buckets.len() <= MAX_KEYS);
    }
}
