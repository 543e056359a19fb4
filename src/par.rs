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
}
