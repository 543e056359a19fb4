//! The example hooks in examples/hooks/: each run against an HTTP listener
//! on 127.0.0.1 that the test starts (or a fake sendmail), with the
//! environment and stdin inc gives a hook, and the request checked against
//! the shape the service documents. They need `sh` and `curl`; a missing
//! curl fails the tests, it never skips them.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::TestRepo;

/// A title no JSON body may break: quotes, backslashes, a newline, a tab,
/// a control character.
const HOSTILE: &str = "Checkout \"down\" \\ C:\\path\nsecond line\tand \u{1}bell é";
/// What a JSON string holding HOSTILE decodes to: the control character
/// dropped, the rest kept.
const HOSTILE_DECODED: &str = "Checkout \"down\" \\ C:\\path\nsecond line\tand bell é";

/// One HTTP request as the listener read it.
#[derive(Debug)]
struct Request {
    method: String,
    path: String,
    /// Lower-case names.
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

impl Request {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

/// Listens on 127.0.0.1 (any port) and answers every request 200, handing
/// each to the receiver. Returns the base URL.
fn listener() -> (String, mpsc::Receiver<Request>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let mut parts = line.split_whitespace();
            let method = parts.next().unwrap_or_default().to_owned();
            let path = parts.next().unwrap_or_default().to_owned();
            let mut headers = BTreeMap::new();
            loop {
                let mut h = String::new();
                reader.read_line(&mut h).unwrap();
                let h = h.trim_end();
                if h.is_empty() {
                    break;
                }
                if let Some((k, v)) = h.split_once(':') {
                    headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
                }
            }
            if headers.get("expect").is_some_and(|e| e == "100-continue") {
                stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").unwrap();
            }
            let len: usize = headers
                .get("content-length")
                .and_then(|l| l.parse().ok())
                .unwrap_or(0);
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
                .unwrap();
            let _ = tx.send(Request {
                method,
                path,
                headers,
                body,
            });
        }
    });
    (url, rx)
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/hooks")
        .join(name)
}

/// The environment inc gives a hook for an event.
fn inc_env(event: &str, status: &str, severity: &str, title: &str) -> Vec<(String, String)> {
    [
        ("INC_ID", "2026-11-27-checkout-down"),
        ("INC_EVENT", event),
        ("INC_REPO", "/srv/incidents"),
        ("INC_TITLE", title),
        ("INC_SEVERITY", severity),
        ("INC_STATUS", status),
        ("INC_BY", "alice"),
        ("INC_TEXT", "opened as SEV1, investigating"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

/// What inc writes on a hook's stdin (shortened).
fn stdin_json(event: &str) -> String {
    json!({
        "event": {"at": "2026-11-27T12:00:00Z", "by": "alice", "type": event},
        "incident": {"id": "2026-11-27-checkout-down", "title": HOSTILE},
        "repo": "/srv/incidents",
    })
    .to_string()
}

/// Runs an example script with `env` (and PATH) only; asserts it succeeded.
fn run(name: &str, env: &[(String, String)], stdin: &str) -> String {
    assert!(
        Command::new("curl").arg("--version").output().is_ok(),
        "the example hooks need curl on PATH"
    );
    let mut child = Command::new("sh")
        .arg(script(name))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A script may exit without reading its input, as a hook may.
    match child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => panic!("write stdin: {e}"),
        _ => {}
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{name} failed: {stderr}");
    stderr
}

fn one(rx: &mpsc::Receiver<Request>) -> Request {
    rx.recv_timeout(Duration::from_secs(10))
        .expect("the script sent a request")
}

fn with(mut env: Vec<(String, String)>, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    env.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    env
}

#[test]
fn slack_posts_text() {
    let (url, rx) = listener();
    let env = with(
        inc_env("opened", "investigating", "SEV1", HOSTILE),
        &[("SLACK_WEBHOOK_URL", &format!("{url}/services/T0/B0/x"))],
    );
    run("slack.sh", &env, &stdin_json("opened"));
    let req = one(&rx);
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/services/T0/B0/x");
    assert_eq!(req.headers["content-type"], "application/json");
    let body = req.json();
    let text = body["text"].as_str().unwrap();
    assert_eq!(body.as_object().unwrap().len(), 1, "{body}");
    assert!(
        text.starts_with(&format!("[SEV1] {HOSTILE_DECODED} (investigating): ")),
        "{text:?}"
    );
    assert!(
        text.ends_with("(by alice, 2026-11-27-checkout-down)"),
        "{text:?}"
    );
}

#[test]
fn pagerduty_triggers_and_resolves_one_alert() {
    let (url, rx) = listener();
    let base = [
        ("PAGERDUTY_ROUTING_KEY", "R0UT1NGKEY\"x"),
        ("PAGERDUTY_EVENTS_URL", &format!("{url}/v2/enqueue")),
    ];
    for (severity, expected) in [
        ("SEV1", "critical"),
        ("SEV2", "error"),
        ("SEV3", "warning"),
        ("SEV4", "info"),
    ] {
        let env = with(inc_env("opened", "investigating", severity, HOSTILE), &base);
        run("pagerduty.sh", &env, &stdin_json("opened"));
        let req = one(&rx);
        assert_eq!(req.path, "/v2/enqueue");
        assert_eq!(req.headers["content-type"], "application/json");
        let body = req.json();
        assert_eq!(body["routing_key"], "R0UT1NGKEY\"x");
        assert_eq!(body["event_action"], "trigger");
        assert_eq!(body["dedup_key"], "2026-11-27-checkout-down");
        let payload = &body["payload"];
        assert_eq!(
            payload["summary"],
            format!("[{severity}] {HOSTILE_DECODED}")
        );
        assert_eq!(payload["source"], "inc");
        assert_eq!(payload["severity"], expected);
        assert_eq!(payload["custom_details"]["incident"]["title"], HOSTILE);
        assert_eq!(payload["custom_details"]["event"]["type"], "opened");
    }
    let env = with(inc_env("page", "investigating", "SEV2", "t"), &base);
    run("pagerduty.sh", &env, &stdin_json("page"));
    assert_eq!(one(&rx).json()["event_action"], "trigger");

    let env = with(inc_env("status", "resolved", "SEV2", HOSTILE), &base);
    run("pagerduty.sh", &env, &stdin_json("status"));
    let body = one(&rx).json();
    assert_eq!(
        body,
        json!({"routing_key": "R0UT1NGKEY\"x", "event_action": "resolve",
               "dedup_key": "2026-11-27-checkout-down"})
    );
    // A note is nothing PagerDuty needs: no request.
    let env = with(inc_env("note", "investigating", "SEV2", "t"), &base);
    run("pagerduty.sh", &env, &stdin_json("note"));
    assert!(rx.recv_timeout(Duration::from_millis(300)).is_err());
}

#[test]
fn teams_posts_an_adaptive_card() {
    let (url, rx) = listener();
    let env = with(
        inc_env("opened", "investigating", "SEV2", HOSTILE),
        &[("TEAMS_WEBHOOK_URL", &format!("{url}/webhookb2/abc"))],
    );
    run("teams.sh", &env, &stdin_json("opened"));
    let req = one(&rx);
    assert_eq!(req.path, "/webhookb2/abc");
    assert_eq!(req.headers["content-type"], "application/json");
    let body = req.json();
    assert_eq!(body["type"], "message");
    let attachment = &body["attachments"][0];
    assert_eq!(
        attachment["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    let card = &attachment["content"];
    assert_eq!(card["type"], "AdaptiveCard");
    assert_eq!(
        card["$schema"],
        "http://adaptivecards.io/schemas/adaptive-card.json"
    );
    assert!(card["version"].is_string());
    assert_eq!(card["body"][0]["type"], "TextBlock");
    assert_eq!(card["body"][0]["text"], format!("[SEV2] {HOSTILE_DECODED}"));
    assert_eq!(card["body"][1]["text"], "opened as SEV1, investigating");
    assert_eq!(card["body"][2]["type"], "FactSet");
    assert_eq!(
        card["body"][2]["facts"][0],
        json!({"title": "Status", "value": "investigating"})
    );
}

#[test]
fn ntfy_publishes_with_title_and_priority() {
    let (url, rx) = listener();
    let env = with(
        inc_env("opened", "investigating", "SEV1", HOSTILE),
        &[
            ("NTFY_URL", &format!("{url}/")),
            ("NTFY_TOPIC", "acme-incidents"),
            ("NTFY_TOKEN", "tk_secret"),
        ],
    );
    run("ntfy.sh", &env, &stdin_json("opened"));
    let req = one(&rx);
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/acme-incidents");
    assert_eq!(
        req.headers["title"], "[SEV1] Checkout \"down\" \\ C:\\pathsecond lineand bell é",
        "line breaks and control characters can't split a header"
    );
    assert_eq!(req.headers["priority"], "urgent");
    assert_eq!(req.headers["tags"], "rotating_light");
    assert_eq!(req.headers["authorization"], "Bearer tk_secret");
    assert_eq!(
        String::from_utf8(req.body).unwrap(),
        "opened as SEV1, investigating\n2026-11-27-checkout-down (by alice)"
    );
}

#[test]
fn mail_goes_through_sendmail_with_headers() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("sendmail");
    let record = dir.path().join("mail");
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\necho \"$@\" > {0}.args\ncat > {0}\n",
            record.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let env = with(
        inc_env("opened", "investigating", "SEV1", HOSTILE),
        &[
            ("MAIL_TO", "oncall@example.com"),
            ("MAIL_FROM", "inc@example.com"),
            ("SENDMAIL", &fake.display().to_string()),
        ],
    );
    run("mail.sh", &env, &stdin_json("opened"));
    assert_eq!(
        std::fs::read_to_string(record.with_extension("args"))
            .unwrap()
            .trim(),
        "-t -oi"
    );
    let mail = std::fs::read_to_string(&record).unwrap();
    let (head, body) = mail.split_once("\n\n").unwrap();
    assert_eq!(
        head.lines().collect::<Vec<_>>(),
        [
            "To: oncall@example.com",
            "From: inc@example.com",
            "Subject: [SEV1] Checkout \"down\" \\ C:\\pathsecond lineand bell é: opened",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
        ],
        "one line per header: the title can't add one"
    );
    assert!(
        body.starts_with("opened as SEV1, investigating\n"),
        "{body}"
    );
    assert!(
        body.contains("Incident: 2026-11-27-checkout-down\n"),
        "{body}"
    );
}

#[test]
fn a_missing_setting_fails_with_its_name() {
    let out = Command::new("sh")
        .arg(script("slack.sh"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(
            inc_env("opened", "investigating", "SEV1", "t")
                .iter()
                .map(|(k, v)| (k, v)),
        )
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("SLACK_WEBHOOK_URL"));
}

#[test]
fn inc_runs_the_slack_example_end_to_end() {
    let (url, rx) = listener();
    let repo = TestRepo::with_config(&format!(
        "hooks:\n  - on: [opened]\n    run: sh '{}'\n",
        script("slack.sh").display()
    ));
    let run = repo
        .inc()
        .env("INC_TRUST_HOOKS", "1")
        .env("SLACK_WEBHOOK_URL", format!("{url}/hook"))
        .args(["open", "Checkout \"down\" \\ again", "-s", "SEV2"])
        .ok();
    assert!(!run.stderr.contains("warning"), "{run}");
    let text = one(&rx).json()["text"].as_str().unwrap().to_owned();
    let id = run.stdout.trim();
    assert_eq!(
        text,
        format!(
            "[SEV2] Checkout \"down\" \\ again (investigating): opened as SEV2, investigating \
             (by alice, {id})"
        )
    );
}
