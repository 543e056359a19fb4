//! `inc site build`'s leak scan through the binary: what must not block a
//! publish (notes that say nothing beyond the page's own words), and what
//! must (internal text printed by an override, a stylesheet or the ID).

use crate::harness::TestRepo;

/// The common phrases of an outage, written as internal notes.
const OUTAGE_PHRASES: &[&str] = &[
    "Investigating",
    "Degraded performance",
    "Operational",
    "Affected components",
    "We are investigating",
    "Monitoring",
    "Identified",
    "Major outage",
    "Partial outage",
    "All systems operational",
    "Resolved",
    "Fix deployed, monitoring",
    "A fix has been implemented and we are monitoring the results",
];

#[test]
fn note_investigating_does_not_block_publish() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout errors", "SEV2");
    repo.inc().args(["note", &id, "Investigating"]).ok();
    repo.inc()
        .args(["update", &id, "We are looking into checkout errors."])
        .ok();
    repo.inc().args(["site", "build"]).ok();
    assert!(repo.exists("site/index.html"));
}

#[test]
fn notes_of_common_outage_phrases_do_not_block_publish() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout errors", "SEV2");
    for phrase in OUTAGE_PHRASES {
        repo.inc().args(["note", &id, phrase]).ok();
    }
    repo.inc()
        .args(["update", &id, "We are looking into checkout errors."])
        .ok();
    repo.inc().args(["status", &id, "monitoring"]).ok();
    let run = repo.inc().args(["site", "build"]).ok();
    assert!(run.stderr.contains("1 incident (1 open)"), "{run}");
}

#[test]
fn internal_note_printed_by_an_override_is_refused_with_its_text_incident_and_file() {
    let repo = TestRepo::new();
    let id = repo.open("Database outage", "SEV1");
    repo.inc()
        .args(["note", &id, "Bob dropped prod customers table"])
        .ok();
    repo.write(
        "templates/site/incident.html.j2",
        "{% extends \"builtin/site/incident.html.j2\" %}\n{% block title %}{{ incident.name }} \
         &middot; bob DROPPED prod&#32;customers table{% endblock %}\n",
    );
    let run = repo.inc().args(["site", "build"]).fails();
    assert!(run.stderr.contains("an internal note"), "{run}");
    assert!(
        run.stderr.contains("\"Bob dropped prod customers table\""),
        "quotes the text as written: {run}"
    );
    assert!(
        run.stderr.contains(&format!("`{id}`")),
        "names the incident: {run}"
    );
    assert!(run.stderr.contains("incidents/"), "names the file: {run}");
    assert!(run.stderr.contains(".html"), "names the file: {run}");
    assert!(
        run.stderr.contains("inc update"),
        "says how to go on: {run}"
    );
    assert!(run.stderr.contains("templates/site/"), "{run}");
    assert!(!repo.exists("site"));
}

#[test]
fn a_long_internal_text_is_quoted_shortened() {
    let repo = TestRepo::new();
    let id = repo.open("Database outage", "SEV1");
    let long = "the replica lag on db7 grew past the alert threshold because a vacuum job \
                locked the orders table for the whole night";
    repo.inc().args(["note", &id, long]).ok();
    repo.write(
        "templates/site/index.html.j2",
        &format!("{{% extends \"builtin/site/index.html.j2\" %}}{{% block title %}}{long}{{% endblock %}}"),
    );
    let run = repo.inc().args(["site", "build"]).fails();
    assert!(run.stderr.contains("index.html"), "{run}");
    assert!(
        run.stderr.contains(
            "\"the replica lag on db7 grew past the alert threshold because a vacuum job"
        ),
        "{run}"
    );
    assert!(run.stderr.contains("…\""), "shortened: {run}");
    assert!(!run.stderr.contains("whole night"), "{run}");
}

#[test]
fn a_stylesheet_override_holding_a_private_note_fails_the_build() {
    let repo = TestRepo::new();
    let id = repo.open("Database outage", "SEV1");
    repo.inc()
        .args(["note", &id, "the primary db password rotation failed"])
        .ok();
    repo.write(
        "templates/site/style.css",
        "/* the primary db password rotation failed */\nbody { color: #123456; }\n",
    );
    let run = repo.inc().args(["site", "build"]).fails();
    assert!(
        run.stderr
            .contains("style.css would publish an internal note"),
        "{run}"
    );
    assert!(!repo.exists("site"));
    // The same stylesheet without it is published as it is.
    repo.write("templates/site/style.css", "body { color: #123456; }\n");
    repo.inc().args(["site", "build"]).ok();
    assert_eq!(repo.read("site/style.css"), "body { color: #123456; }\n");
}

#[test]
fn a_private_incidents_title_in_a_stylesheet_override_fails_the_build() {
    let repo = TestRepo::new();
    repo.open_with("Acme contract renegotiation outage", "SEV1", &["--private"]);
    repo.write(
        "templates/site/style.css",
        "body::after { content: \"Acme contract renegotiation outage\"; }\n",
    );
    let run = repo.inc().args(["site", "build"]).fails();
    assert!(run.stderr.contains("style.css"), "{run}");
    assert!(
        run.stderr.contains("the title of a non-public incident"),
        "{run}"
    );
}

#[test]
fn a_template_printing_the_stored_id_of_a_retitled_incident_is_refused() {
    let repo = TestRepo::new();
    let id = repo.open("Bob dropped prod customers table", "SEV1");
    assert!(id.ends_with("-bob-dropped-prod-customers-table"), "{id}");
    let header = repo.read(TestRepo::header_path(&id)).replace(
        "title: Bob dropped prod customers table",
        "title: Database outage",
    );
    repo.write(TestRepo::header_path(&id), &header);
    repo.commit_all("retitle by hand");
    repo.inc()
        .args([
            "update",
            &id,
            "We are restoring the database from a backup.",
        ])
        .ok();
    // A template that prints the stored ID (whatever ID the built-ins use).
    repo.write(
        "templates/site/index.html.j2",
        &format!(
            "{{% extends \"builtin/site/index.html.j2\" %}}{{% block title %}}{id}{{% endblock %}}"
        ),
    );
    let run = repo.inc().args(["site", "build"]).fails();
    assert!(run.stderr.contains("the ID's slug"), "{run}");
    assert!(
        run.stderr.contains("bob-dropped-prod-customers-table"),
        "{run}"
    );
    assert!(!repo.exists("site"));
}

#[test]
fn an_id_whose_slug_is_the_public_names_is_not_internal() {
    let repo = TestRepo::new();
    let id = repo.open("Checkout errors in eu-west-1", "SEV2");
    repo.inc()
        .args(["update", &id, "We are looking into checkout errors."])
        .ok();
    repo.write(
        "templates/site/index.html.j2",
        &format!(
            "{{% extends \"builtin/site/index.html.j2\" %}}{{% block title %}}{id}{{% endblock %}}"
        ),
    );
    repo.inc().args(["site", "build"]).ok();
}

#[test]
fn a_note_also_posted_as_an_update_is_public() {
    let repo = TestRepo::new();
    let id = repo.open("Database outage", "SEV1");
    let text = "Failover to the replica in eu-west-1 completed";
    repo.inc().args(["note", &id, text]).ok();
    repo.inc().args(["update", &id, text]).ok();
    repo.inc().args(["site", "build"]).ok();
    assert!(repo.read("site/api/v2/incidents.json").contains(text));
}
