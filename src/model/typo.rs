//! "Did you mean": the known word a mistyped one most likely is.

/// The known word `typed` is most likely a typo of: equal but for case,
/// `-` for `_`, or at most two edits away (one for words of five letters or
/// fewer). `None` when none is that close.
pub fn did_you_mean<'a>(typed: &str, known: &[&'a str]) -> Option<&'a str> {
    let typed = typed.trim().to_lowercase().replace('-', "_");
    known
        .iter()
        .map(|k| (edit_distance(&typed, &k.to_lowercase()), *k))
        .filter(|(d, k)| *d <= if k.len() <= 5 { 1 } else { 2 })
        .min()
        .map(|(_, k)| k)
}

/// Levenshtein distance, counting characters; for short words.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_word_and_strangers_find_none() {
        let statuses = ["investigating", "identified", "monitoring", "resolved"];
        assert_eq!(did_you_mean("identifed", &statuses), Some("identified"));
        assert_eq!(did_you_mean("Resovled", &statuses), Some("resolved"));
        assert_eq!(did_you_mean("fixed", &statuses), None);
        assert_eq!(did_you_mean("sev9", &["SEV1", "SEV2"]), Some("SEV1"));
        assert_eq!(did_you_mean("p1", &["SEV1", "SEV2"]), None);
        assert_eq!(
            did_you_mean("in-progress", &["in_progress"]),
            Some("in_progress")
        );
    }
}
