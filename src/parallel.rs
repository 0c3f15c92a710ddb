//! Work spread over the machine's cores, results in input order: the
//! same output and the same diagnostics whatever the number of threads.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// Blocks per thread: items are taken a block at a time, so that a thread
/// that drew heavy items (a large pipeline) takes fewer blocks, while taking
/// a block costs nothing beside the work in it.
const BLOCKS_PER_THREAD: usize = 8;

/// How many threads [`map`] uses: the cores the process may run on, or
/// `ECSPIPE_THREADS` when set (1 runs everything on the calling thread).
pub fn threads() -> usize {
    static THREADS: OnceLock<usize> = OnceLock::new();
    *THREADS.get_or_init(|| {
        std::env::var("ECSPIPE_THREADS")
            .ok()
            .and_then(|value| value.parse::<usize>().ok())
            .filter(|&threads| threads > 0)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
    })
}

/// `f` applied to every item, on up to [`threads`] threads, the results in
/// the items' order. A panic in `f` is re-raised here.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_at_least(items, 1, f)
}

/// [`map`] on no more threads than leave each at least `least` items: for
/// items so light (a generated file read or written) that a few of them
/// take less time than starting a thread.
pub fn map_at_least<T: Sync, R: Send>(items: &[T], least: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = threads().min(items.len() / least.max(1));
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let block = (items.len() / (threads * BLOCKS_PER_THREAD)).max(1);
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let start = next.fetch_add(block, Ordering::Relaxed);
            if start >= items.len() {
                return done;
            }
            let end = (start + block).min(items.len());
            done.extend((start..end).map(|index| (index, f(&items[index]))));
        }
    };
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut results = work();
        for helper in helpers {
            match helper.join() {
                Ok(done) => results.extend(done),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        results
    });
    results.sort_unstable_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_items_order() {
        let items: Vec<usize> = (0..1000).collect();
        let squares = map(&items, |i| i * i);
        assert_eq!(squares, items.iter().map(|i| i * i).collect::<Vec<_>>());
        assert!(map(&[] as &[usize], |i| *i).is_empty());
    }
}
