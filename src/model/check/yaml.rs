//! Where a key or value sits in a YAML text: findings name a line, and
//! each text is parsed once, so the line is found by searching the text.

/// The 1-based line of a top-level `key:` in a YAML text, else 1.
pub(super) fn key_line(text: &str, key: &str) -> usize {
    find_key(text, key).map_or(1, |i| i + 1)
}

fn find_key(text: &str, key: &str) -> Option<usize> {
    text.lines().position(|l| {
        let l = l.strip_prefix(key).or_else(|| {
            l.strip_prefix('"')
                .and_then(|l| l.strip_prefix(key))
                .and_then(|l| l.strip_prefix('"'))
        });
        l.is_some_and(|rest| rest.trim_start().starts_with(':'))
    })
}

/// The 1-based line of `child:` in the map under the top-level `key` (a
/// block or flow map), else the key's line, else 1.
pub(super) fn nested_key_line(text: &str, key: &str, child: &str) -> usize {
    let spellings = [
        child.to_owned(),
        format!("\"{child}\""),
        format!("'{child}'"),
    ];
    line_under(
        text,
        key,
        child,
        |l| l.starts_with([' ', '\t', '#']) || l.trim().is_empty(),
        |l| {
            let l = l.trim_start();
            spellings
                .iter()
                .find_map(|k| l.strip_prefix(k.as_str()))
                .is_some_and(|r| r.trim_start().starts_with(':'))
        },
    )
}

/// The line of `value` under the top-level `key` (a block or flow list),
/// else the key's line, else 1.
pub(super) fn value_line(text: &str, key: &str, value: &str) -> usize {
    line_under(
        text,
        key,
        value,
        |l| l.starts_with([' ', '\t', '-', '#']) || l.trim().is_empty(),
        |l| {
            let item = l.trim().trim_start_matches('-').trim();
            item.trim_matches(['"', '\'']) == value
        },
    )
}

/// The line of what `is_it` finds among the lines after the top-level
/// `key` while `inside` holds (its block), or the key's line when the key's
/// own line mentions `word` (a flow map or list) or nothing is found; 1
/// without the key.
fn line_under(
    text: &str,
    key: &str,
    word: &str,
    inside: impl Fn(&str) -> bool,
    is_it: impl Fn(&str) -> bool,
) -> usize {
    let Some(start) = find_key(text, key) else {
        return 1;
    };
    let lines: Vec<&str> = text.lines().collect();
    if lines[start].contains(word) {
        return start + 1;
    }
    lines[start + 1..]
        .iter()
        .take_while(|l| inside(l))
        .position(|l| is_it(l))
        .map_or(start + 1, |i| start + i + 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_lists_name_the_key_line() {
        let text = "title: x\nservices: [api, db]\nopened_at: 2026-11-20T10:00:00Z\n";
        assert_eq!(value_line(text, "services", "db"), 2);
        let text = "title: x\nservices:\n  - api\n  - \"db\"\nopened_at: 1\n";
        assert_eq!(value_line(text, "services", "db"), 4);
        assert_eq!(value_line(text, "labels", "db"), 1);
        assert_eq!(key_line(text, "opened_at"), 5);
        assert_eq!(key_line("\"opened_at\": 1\n", "opened_at"), 1);
        assert_eq!(key_line("x: 1\nopened_atx: 2\n", "opened_at"), 1);
    }

    #[test]
    fn nested_keys_have_lines() {
        let text = "title: x\nlabels:\n  # note\n  a: 1\n  \"alert_group\": g\nopened_at: t\n";
        assert_eq!(nested_key_line(text, "labels", "alert_group"), 5);
        assert_eq!(
            nested_key_line("labels: {alert_group: g}\n", "labels", "alert_group"),
            1
        );
        // Not under `labels`: the key's line; no key: 1.
        assert_eq!(
            nested_key_line("labels:\n  a: 1\nalert_group: g\n", "labels", "alert_group"),
            1
        );
        assert_eq!(nested_key_line("title: x\n", "labels", "alert_group"), 1);
    }
}
