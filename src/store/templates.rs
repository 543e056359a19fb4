//! Template overrides from an incident repository's own `templates/`.
