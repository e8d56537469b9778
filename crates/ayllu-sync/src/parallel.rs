//! The pure part of taking in households (merging, reading, checking: most of a sync's CPU)
//! on every core, while the store is read before and written after, in turn.

/// Households merged at once: a few per core keeps every core busy, and bounds what is in
/// flight. A merged document is dropped on the worker that merged it, before the store
/// writes what was read from it: held until then, merged documents' memory outlived them
/// (a phone's fresh pull of 10,000 households peaked at 1.2–1.4 GB, `bench/facility.sh`;
/// now ~110 MB).
pub(crate) const IN_FLIGHT: usize = 16;

/// `f` over `items` on up to every core, results in the items' order. A panic in a worker
/// is a panic here.
pub(crate) fn map<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if workers <= 1 {
        return items.into_iter().map(f).collect();
    }
    let per = items.len().div_ceil(workers);
    let mut chunks: Vec<Vec<T>> = Vec::with_capacity(workers);
    let mut items = items.into_iter();
    loop {
        let chunk: Vec<T> = items.by_ref().take(per).collect();
        if chunk.is_empty() {
            break;
        }
        chunks.push(chunk);
    }
    let f = &f;
    std::thread::scope(|s| {
        let workers: Vec<_> = chunks
            .into_iter()
            .map(|chunk| s.spawn(move || chunk.into_iter().map(f).collect::<Vec<R>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_come_back_in_order() {
        for n in [0, 1, 2, 3, 64, 1001] {
            let items: Vec<u64> = (0..n).collect();
            assert_eq!(
                super::map(items.clone(), |x| x * x),
                items.iter().map(|x| x * x).collect::<Vec<_>>()
            );
        }
    }
}
