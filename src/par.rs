//! Work spread over the machine's cores: the one place inc starts threads.

/// Splits `items` into one chunk per core (at most 8), runs `f` on each
/// chunk in its own thread, and returns the results in chunk order. A panic
/// in a worker is re-raised, never turned into a missing result.
pub fn chunks<T, U, F>(items: &[T], f: F) -> Vec<U>
where
    T: Sync,
    U: Send,
    F: Fn(&[T]) -> U + Sync,
{
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let size = items.len().div_ceil(threads).max(1);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(size)
            .map(|chunk| scope.spawn(move || f(chunk)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
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

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_order_and_covers_every_item() {
        let items: Vec<u32> = (0..1000).collect();
        let sums = super::chunks(&items, |c| c.to_vec());
        assert_eq!(sums.concat(), items);
        assert!(
            super::chunks(&[] as &[u32], |c| c.len())
                .iter()
                .all(|n| *n == 0)
        );
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
