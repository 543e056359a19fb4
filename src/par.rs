//! Work spread over the machine's cores, and the one place inc starts
//! threads: [`fold`], [`chunks`] and [`join`] spread work, [`workers`]
//! runs one loop on several scoped threads, and [`background`] starts a
//! thread that may outlive its caller (a reader of a child's output).

use std::sync::atomic::{AtomicUsize, Ordering};

/// Worker threads: one per core, at most 8.
pub fn threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
}

/// Folds `items` on one worker per core. Each worker starts from `init()`
/// and takes short runs of items, in order, until none is left, calling
/// `f(state, start, run)` with the index of the run's first item; so the
/// cores finish together even when one of them is slowed down (by a task
/// beside it, another process or costlier items), instead of one idling
/// while the other works through a fixed half. Returns the workers'
/// states in no particular order: a state holds several runs, in item
/// order, not necessarily adjacent. A panic in a worker is re-raised.
pub fn fold<T, A, I, F>(items: &[T], init: I, f: F) -> Vec<A>
where
    T: Sync,
    A: Send,
    I: Fn() -> A + Sync,
    F: Fn(&mut A, usize, &[T]) + Sync,
{
    let threads = threads().min(items.len()).max(1);
    // About 16 runs a worker: handing one out is an atomic add.
    let len = items.len().div_ceil(threads * 16).max(1);
    let next = AtomicUsize::new(0);
    let work = || {
        let mut state = init();
        loop {
            let start = next.fetch_add(len, Ordering::Relaxed);
            if start >= items.len() {
                return state;
            }
            let end = (start + len).min(items.len());
            f(&mut state, start, &items[start..end]);
        }
    };
    workers(threads, work)
}

/// Runs `work` on `threads` threads at once (on this one alone when that
/// is 1 or less) and returns what each returned, in no particular order;
/// the workers share their items through `work`'s own state (an atomic
/// counter, as [`fold`] does). A panic in a worker is re-raised.
pub fn workers<A, W>(threads: usize, work: W) -> Vec<A>
where
    A: Send,
    W: Fn() -> A + Sync,
{
    if threads <= 1 {
        return vec![work()];
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|_| scope.spawn(&work)).collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// Runs `f` on runs of `items` on all cores ([`fold`]) and returns its
/// results in item order, one per run. A panic in a worker is re-raised,
/// never turned into a missing result.
pub fn chunks<T, U, F>(items: &[T], f: F) -> Vec<U>
where
    T: Sync,
    U: Send,
    F: Fn(&[T]) -> U + Sync,
{
    let mut done: Vec<(usize, U)> = fold(items, Vec::new, |done, start, run| {
        done.push((start, f(run)));
    })
    .into_iter()
    .flatten()
    .collect();
    done.sort_unstable_by_key(|(start, _)| *start);
    done.into_iter().map(|(_, u)| u).collect()
}

/// Runs `a` on a thread of its own while `b` runs on this one, and returns
/// both results (like `rayon::join`). A panic in `a` is re-raised.
pub fn join<A, B, FA, FB>(a: FA, b: FB) -> (A, B)
where
    A: Send,
    FA: FnOnce() -> A + Send,
    FB: FnOnce() -> B,
{
    std::thread::scope(|scope| {
        let a = scope.spawn(a);
        let b = b();
        let a = a
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (a, b)
    })
}

/// Starts `f` on a thread of its own and leaves it running: for work that
/// may outlast its caller, such as reading a child's output, which a
/// grandchild can hold open after the child ended. Whoever needs to know
/// when it is done is told by `f` (a channel), never by joining it.
pub fn background<F>(f: F)
where
    F: FnOnce() + Send + 'static,
{
    // The handle is dropped: the thread runs on, detached.
    drop(std::thread::spawn(f));
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_order_and_covers_every_item() {
        let items: Vec<u32> = (0..1000).collect();
        let sums = super::chunks(&items, |c| c.to_vec());
        assert_eq!(sums.concat(), items);
        // No items: `f` is never called, and there is no result.
        let none = super::chunks(&[] as &[u32], |_| -> usize { unreachable!() });
        assert!(none.is_empty(), "{none:?}");
    }

    #[test]
    fn fold_gives_every_item_to_one_worker_once_in_order() {
        let items: Vec<usize> = (0..10_000).collect();
        let states = super::fold(&items, Vec::new, |seen: &mut Vec<usize>, start, run| {
            assert_eq!(run[0], start);
            seen.extend_from_slice(run);
        });
        for seen in &states {
            assert!(seen.windows(2).all(|w| w[0] < w[1]), "runs in order");
        }
        let mut all: Vec<usize> = states.concat();
        all.sort_unstable();
        assert_eq!(all, items);
        assert_eq!(
            super::fold(&[] as &[u8], || 7, |_, _, _| unreachable!()),
            [7]
        );
    }

    #[test]
    fn a_panic_in_a_worker_is_reraised() {
        let items: Vec<u32> = (0..1000).collect();
        let panicked =
            std::panic::catch_unwind(|| super::chunks(&items, |run| assert!(!run.contains(&999))));
        assert!(panicked.is_err());
    }

    #[test]
    fn workers_run_at_once_and_reraise_a_panic() {
        use std::sync::Barrier;
        // Each worker waits for the other: this ends only if both run at once.
        let barrier = Barrier::new(2);
        let ids = super::workers(2, || {
            barrier.wait();
            std::thread::current().id()
        });
        assert_eq!(ids.len(), 2);
        assert_ne!(ids[0], ids[1]);
        assert_eq!(
            super::workers(1, || std::thread::current().id()),
            [std::thread::current().id()]
        );
        let panicked = std::panic::catch_unwind(|| super::workers(2, || panic!("in a worker")));
        assert!(panicked.is_err());
    }

    #[test]
    fn background_runs_on_a_thread_of_its_own() {
        let (tx, rx) = std::sync::mpsc::channel();
        super::background(move || {
            let _ = tx.send(std::thread::current().id());
        });
        let id = rx.recv().expect("the thread ran");
        assert_ne!(id, std::thread::current().id());
    }

    #[test]
    fn join_returns_both_and_reraises_a_panic() {
        let (a, b) = super::join(|| std::thread::current().id(), || 2);
        assert_ne!(a, std::thread::current().id(), "a runs on its own thread");
        assert_eq!(b, 2);
        let panicked = std::panic::catch_unwind(|| super::join(|| panic!("in a"), || ()));
        assert!(panicked.is_err());
    }
}
