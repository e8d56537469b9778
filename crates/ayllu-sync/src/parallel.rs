//! The pure part of a sync's work on households (merging, reading and checking what came
//! in; loading and building what goes out: most of its CPU) on every core, while the store
//! is read before and written after, in turn.

/// Households merged at once: a few per core keeps every core busy, and bounds what is in
/// flight. A merged document is dropped on the worker that merged it, before the store
/// writes what was read from it: held until then, merged documents' memory outlived them
/// (a phone's fresh pull of 10,000 households peaked at 1.2–1.4 GB, `bench/facility.sh`;
/// now ~110 MB).
pub(crate) const IN_FLIGHT: usize = 16;

/// Items taken in as a stream: `produce` hands them out and `consume` takes each result,
/// both on the caller's thread (they share `state`: the store), in the items' order, while
/// `work` runs on every core in between. Writing one household overlaps merging the next
/// ones: nothing waits at a barrier between batches. At most [`IN_FLIGHT`] items are between `produce` and `consume`. The first error stops it (what
/// is in flight is finished and dropped); a panic in `work` is a panic here.
pub(crate) fn pipeline<S, T: Send, R: Send, E>(
    state: &mut S,
    mut produce: impl FnMut(&mut S) -> Result<Option<T>, E>,
    work: impl Fn(T) -> R + Sync,
    mut consume: impl FnMut(&mut S, R) -> Result<(), E>,
) -> Result<(), E> {
    use std::sync::{Mutex, mpsc};
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (jobs, queue) = mpsc::sync_channel::<(usize, T)>(IN_FLIGHT);
    let queue = Mutex::new(queue);
    let (results, done) = mpsc::channel::<(usize, std::thread::Result<R>)>();
    let work = &work;
    std::thread::scope(|s| {
        for _ in 0..workers {
            let (queue, results) = (&queue, results.clone());
            s.spawn(move || {
                loop {
                    // The lock is held only to take the next item.
                    let next = queue.lock().unwrap_or_else(|p| p.into_inner()).recv();
                    let Ok((i, item)) = next else { return };
                    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(item)));
                    if results.send((i, r)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(results);
        let (mut sent, mut taken, mut exhausted) = (0usize, 0usize, false);
        let mut ready = std::collections::BTreeMap::new();
        let outcome = (|| {
            loop {
                while !exhausted && sent - taken < IN_FLIGHT {
                    match produce(state)? {
                        Some(item) => {
                            jobs.send((sent, item))
                                .expect("workers run until the queue closes");
                            sent += 1;
                        }
                        None => exhausted = true,
                    }
                }
                if taken == sent {
                    return Ok(());
                }
                let (i, r) = done.recv().expect("a worker answers every item");
                ready.insert(i, r);
                while let Some(r) = ready.remove(&taken) {
                    taken += 1;
                    consume(state, r.unwrap_or_else(|panic| std::panic::resume_unwind(panic)))?;
                }
            }
        })();
        // Closing the queue lets the workers go; the scope waits for them.
        drop(jobs);
        outcome
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_pipeline_consumes_in_order_and_stops_at_the_first_error() {
        for n in [0usize, 1, 2, 17, 500] {
            let mut out: Vec<usize> = Vec::new();
            let mut next = 0;
            super::pipeline(
                &mut out,
                |_| -> Result<Option<usize>, ()> {
                    next += 1;
                    Ok((next <= n).then_some(next))
                },
                |x| {
                    // Uneven work: later items often finish first.
                    std::thread::sleep(std::time::Duration::from_micros(((x * 7919) % 13) as u64 * 50));
                    x * 2
                },
                |out, x| {
                    out.push(x);
                    Ok(())
                },
            )
            .unwrap();
            assert_eq!(out, (1..=n).map(|x| x * 2).collect::<Vec<_>>());
        }
        let mut consumed = 0;
        let mut next = 0;
        let stopped = super::pipeline(
            &mut consumed,
            |_| {
                next += 1;
                Ok(Some(next))
            },
            |x| x,
            |consumed, x| {
                *consumed += 1;
                if x == 40 { Err("stop") } else { Ok(()) }
            },
        );
        assert_eq!((stopped, consumed), (Err("stop"), 40));
    }

    #[test]
    #[should_panic(expected = "boom")]
    fn a_panic_in_the_work_is_the_pipelines_panic_not_a_hang() {
        let mut next = 0;
        let _ = super::pipeline(
            &mut (),
            |_| -> Result<Option<i32>, ()> {
                next += 1;
                Ok((next <= 50).then_some(next))
            },
            |x| if x == 30 { panic!("boom") } else { x },
            |_, _| Ok(()),
        );
    }
}
