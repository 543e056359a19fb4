//! The cases of [`super`]: command lines and output masked, quoting, outcomes,
//! durations, the tail and the note.

use std::time::Duration;

use super::note::code_span;
use super::*;

fn masked(argv: &[&str]) -> String {
    let argv: Vec<String> = argv.iter().map(|s| (*s).to_owned()).collect();
    mask_command(&argv).line()
}

#[test]
fn command_lines_are_masked() {
    let cases: &[(&[&str], &str)] = &[
        (&["deploy", "--password=hunter2"], "deploy --password=***"),
        (
            &["deploy", "--password", "hunter2", "x"],
            "deploy --password *** x",
        ),
        (&["deploy", "-password", "hunter2"], "deploy -password ***"),
        (
            &["keytool", "-storepass", "changeit"],
            "keytool -storepass ***",
        ),
        (
            &["x", "--db-Passwd=a", "--api-key=b"],
            "x --db-Passwd=*** --api-key=***",
        ),
        (&["x", "--client-secret", "s"], "x --client-secret ***"),
        (
            &["x", "--auth-token", "t", "--verbose"],
            "x --auth-token *** --verbose",
        ),
        (&["x", "--credentials=c"], "x --credentials=***"),
        // The value of a secret option, even one starting with `-`.
        (&["x", "--token", "-abc"], "x --token ***"),
        // A flag with a secret name followed by another option.
        (&["x", "--no-auth", "--verbose"], "x --no-auth --verbose"),
        (
            &["env", "API_TOKEN=abc", "Db_Password=p", "PATH=/bin", "cmd"],
            "env API_TOKEN=*** Db_Password=*** PATH=/bin cmd",
        ),
        (&["TOKEN=abc"], "TOKEN=***"),
        (
            &["k", "--from-literal=password=hunter2"],
            "k --from-literal=password=***",
        ),
        (
            &["helm", "--set", "image.tag=v2,db.password=pw,x=1"],
            "helm --set image.tag=v2,db.password=***,x=1",
        ),
        (
            &["java", "-Ddb.password=s3cret", "-jar", "a.jar"],
            "java -Ddb.password=*** -jar a.jar",
        ),
        // Options that name a secret, not hold one.
        (
            &["x", "--password-file", "/run/pw", "--key-id", "k1"],
            "x --password-file /run/pw --key-id k1",
        ),
        (
            &["docker", "login", "--password-stdin", "registry"],
            "docker login --password-stdin registry",
        ),
        (
            &["git", "commit", "--author", "Al <a@b>"],
            "git commit --author 'Al <a@b>'",
        ),
        (
            &["x", "--bypass-cache", "--passive"],
            "x --bypass-cache --passive",
        ),
        // URLs.
        (
            &["psql", "postgres://app:pw123@db:5432/app"],
            "psql postgres://app:***@db:5432/app",
        ),
        (
            &[
                "git",
                "clone",
                "https://ghp_0123456789abcdefghij@github.com/o/r",
            ],
            "git clone https://***@github.com/o/r",
        ),
        (
            &["git", "clone", "ssh://git@github.com/o/r"],
            "git clone ssh://git@github.com/o/r",
        ),
        (
            &["x", "--url=https://u:p@h/x?y=1"],
            "x '--url=https://u:***@h/x?y=1'",
        ),
        (
            &["x", "DATABASE_URL=mysql://root:rootpw@localhost/db"],
            "x DATABASE_URL=mysql://root:***@localhost/db",
        ),
        // Headers.
        (
            &["curl", "-H", "Authorization: Bearer abc.def", "https://api"],
            "curl -H 'Authorization: Bearer ***' https://api",
        ),
        (
            &["curl", "-H", "authorization: Basic dXNlcjpwdw=="],
            "curl -H 'authorization: Basic ***'",
        ),
        (
            &[
                "git",
                "-c",
                "http.extraHeader=Authorization: Basic eHk=",
                "fetch",
            ],
            "git -c 'http.extraHeader=Authorization: Basic ***' fetch",
        ),
        (
            &["openssl", "pkcs12", "-passin", "pass:xyz", "-in", "a.p12"],
            "openssl pkcs12 -passin *** -in a.p12",
        ),
        (
            &["curl", "--header=Authorization: Bearer t0k"],
            "curl '--header=Authorization: Bearer ***'",
        ),
        (
            &["sh", "-c", "curl -H\"Private-Token: t0k\" u --token x"],
            "sh -c 'curl -H\"Private-Token: ***\" u --token ***'",
        ),
        (
            &["curl", "-H", "X-Api-Key: k123", "-H", "Accept: text/plain"],
            "curl -H 'X-Api-Key: ***' -H 'Accept: text/plain'",
        ),
        // Short options, only for the programs they are known for.
        (
            &["mysql", "-uroot", "-phunter2", "db"],
            "mysql -uroot -p*** db",
        ),
        (
            &["sudo", "/usr/bin/mysqldump", "-pS3cret"],
            "sudo /usr/bin/mysqldump -p***",
        ),
        (&["mysql", "-p", "db"], "mysql -p db"),
        (&["psql", "-p", "5432", "-h", "db"], "psql -p 5432 -h db"),
        (&["ssh", "-p", "2222", "host"], "ssh -p 2222 host"),
        (
            &["curl", "-u", "admin:hunter2", "https://x"],
            "curl -u admin:*** https://x",
        ),
        (
            &["curl", "--user=admin:pw", "-uadm:pw2"],
            "curl --user=admin:*** -uadm:***",
        ),
        (
            &["docker", "run", "-u", "1000:1000", "img"],
            "docker run -u 1000:1000 img",
        ),
        (&["redis-cli", "-a", "pw", "ping"], "redis-cli -a *** ping"),
        (&["sshpass", "-p", "pw", "ssh", "h"], "sshpass -p *** ssh h"),
        // Scripts are masked word by word.
        (
            &[
                "sh",
                "-c",
                "TOKEN=abc ./deploy --password pw && mysql -pxyz",
            ],
            "sh -c 'TOKEN=*** ./deploy --password *** && mysql -p***'",
        ),
        (
            &[
                "sh",
                "-c",
                "curl -H 'Authorization: Bearer tok' https://a | jq .",
            ],
            "sh -c 'curl -H '\\''Authorization: Bearer ***'\\'' https://a | jq .'",
        ),
        (
            &["sh", "-c", "echo TOKEN=abc; exit 0"],
            "sh -c 'echo TOKEN=***; exit 0'",
        ),
        (
            &["sh", "-c", "TOKEN=\"a b\" run|tee x"],
            "sh -c 'TOKEN=*** run|tee x'",
        ),
        (
            &["sh", "-c", "run '--password=p w' && x --key \"k k\" y"],
            "sh -c 'run '\\''--password=***'\\'' && x --key *** y'",
        ),
        (
            &["sh", "-c", "curl -H 'X-Api-Key: k' --password p2 x"],
            "sh -c 'curl -H '\\''X-Api-Key: ***'\\'' --password *** x'",
        ),
        (&["x", "--password=a b;c"], "x --password=***"),
        // Nothing secret: left alone.
        (
            &["kubectl", "rollout", "restart", "deploy/api"],
            "kubectl rollout restart deploy/api",
        ),
        (
            &["ls", "-la", "--sort=size", "-", "--", "-1"],
            "ls -la --sort=size - -- -1",
        ),
    ];
    let wrong: Vec<String> = cases
        .iter()
        .filter(|(argv, want)| masked(argv) != *want)
        .map(|(argv, want)| format!("{argv:?}\n  got:  {}\n  want: {want}", masked(argv)))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn secrets_are_collected_for_the_output() {
    let argv: Vec<String> = ["x", "--token=abcdef", "PASS=longer-one", "u://a:pw@h"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let m = mask_command(&argv);
    assert_eq!(m.secrets, vec!["longer-one", "abcdef", "pw"]);
    let script = mask_command(&[
        "sh".to_owned(),
        "-c".to_owned(),
        "TOKEN='quoted' x".to_owned(),
    ]);
    assert_eq!(script.secrets, vec!["quoted"]);
    assert_eq!(
        mask_line("got abcdef and longer-one, pw stays", &m.secrets),
        "got *** and ***, pw stays"
    );
}

#[test]
fn output_lines_are_masked() {
    let cases = [
        (
            "> Authorization: Bearer eyJ.x.y",
            "> Authorization: Bearer ***",
        ),
        (
            "connecting to postgres://app:pw@db/x",
            "connecting to postgres://app:***@db/x",
        ),
        ("export API_KEY=abc", "export API_KEY=***"),
        ("it's the password=abc", "it's the password=***"),
        (
            "authentication: failed, bad password",
            "authentication: failed, bad password",
        ),
        ("nothing to see", "nothing to see"),
    ];
    for (line, want) in cases {
        assert_eq!(mask_line(line, &[]), want, "{line}");
    }
}

#[test]
fn quoting_round_trips_through_a_shell_reading() {
    let cases = [
        ("plain", "plain"),
        ("", "''"),
        ("two words", "'two words'"),
        ("it's", "'it'\\''s'"),
        ("*.log", "'*.log'"),
        ("$HOME", "'$HOME'"),
        ("a\nb", "$'a\\nb'"),
        ("tab\there 'q'", "$'tab\\there \\'q\\''"),
        ("esc\x1b[0m\u{85}", "$'esc\\x1b[0m\\u0085'"),
        ("~/x", "'~/x'"),
        ("a=b,c:d@e%f+g/h.i-j_k", "a=b,c:d@e%f+g/h.i-j_k"),
    ];
    for (arg, want) in cases {
        assert_eq!(quote(arg), want, "{arg:?}");
    }
}

#[test]
fn outcomes_read_as_a_shell_reports_them() {
    assert_eq!(Outcome::Exited(0).exit_code(), 0);
    assert_eq!(Outcome::Exited(3).describe(), "exit 3");
    let killed = Outcome::Signalled {
        number: 9,
        name: "SIGKILL".to_owned(),
    };
    assert_eq!(killed.exit_code(), 137);
    assert_eq!(killed.describe(), "killed by SIGKILL");
    let missing = Outcome::NotStarted {
        reason: "No such file or directory".to_owned(),
        code: 127,
    };
    assert_eq!(missing.exit_code(), 127);
    assert_eq!(
        missing.describe(),
        "could not start: No such file or directory"
    );
}

#[test]
fn durations_read_short() {
    let cases = [
        (Duration::from_millis(0), "0.0s"),
        (Duration::from_millis(12_449), "12.4s"),
        (Duration::from_millis(59_999), "59.9s"),
        (Duration::from_secs(245), "4m 05s"),
        (Duration::from_secs(7380), "2h 03m"),
    ];
    for (d, want) in cases {
        assert_eq!(duration(d), want);
    }
}

#[test]
fn the_tail_keeps_the_last_lines_across_streams_in_order() {
    let mut tail = Tail::new(3);
    tail.feed(Stream::Out, b"one\ntw");
    tail.feed(Stream::Err, b"err one\n");
    tail.feed(Stream::Out, b"o\nthree\nfour");
    tail.feed(Stream::Err, b"err two (no newline)");
    let captured = tail.finish(&[], false);
    assert_eq!(
        captured.lines,
        vec!["three", "four", "err two (no newline)"]
    );
    assert_eq!(captured.total, 6);
}

#[test]
fn the_tail_stays_bounded() {
    let mut tail = Tail::new(2);
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..20 {
        tail.feed(Stream::Out, &chunk);
    }
    assert!(tail.partial[0].0.len() <= RAW_LINE_BYTES);
    for _ in 0..100_000 {
        tail.feed(Stream::Err, b"y\n");
    }
    assert_eq!(tail.lines.len(), 2);
    let captured = tail.finish(&[], false);
    assert_eq!(captured.total, 100_001);
    let long = &captured.lines[1];
    assert_eq!(long.chars().count(), LINE_CHARS);
    assert!(long.ends_with('…'));
}

#[test]
fn lines_are_cleaned_of_escapes_and_controls() {
    let cases: &[(&[u8], &str)] = &[
        (b"\x1b[1;31merror\x1b[0m: bad", "error: bad"),
        (b"\x1b]0;title\x07shown", "shown"),
        (b"\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "link"),
        (b"10%\r50%\r100%\r", "100%"),
        (b"crlf\r", "crlf"),
        (
            b"bell\x07 back\x08 nul\x00 tab\tok",
            "bell back nul tab\tok",
        ),
        (b"bad \xff utf8", "bad \u{fffd} utf8"),
    ];
    for (raw, want) in cases {
        assert_eq!(clean_line(raw), *want, "{raw:?}");
    }
}

#[test]
fn the_note_fences_output_it_cannot_be_closed_by() {
    let command = mask_command(&["make".to_owned(), "deploy".to_owned()]);
    let captured = Captured {
        lines: vec!["```".to_owned(), "ok ````` done".to_owned()],
        total: 10,
        still_open: false,
    };
    let text = note_text(
        &command,
        &Outcome::Exited(2),
        Duration::from_millis(1500),
        Some(&captured),
        None,
    );
    assert_eq!(
        text,
        "ran `make deploy` → exit 2 after 1.5s\n\n\
         output, last 2 of 10 lines:\n\n\
         ``````\n```\nok ````` done\n``````"
    );
}

#[test]
fn the_note_says_inc_was_told_to_stop_and_whether_it_passed_that_on() {
    let command = mask_command(&["./rollback.sh".to_owned()]);
    let note = |passed_on| {
        let stopped = Stopped {
            signal: "SIGTERM".to_owned(),
            passed_on,
        };
        let outcome = Outcome::Signalled {
            number: 15,
            name: "SIGTERM".to_owned(),
        };
        note_text(
            &command,
            &outcome,
            Duration::from_secs(3),
            None,
            Some(&stopped),
        )
    };
    assert_eq!(
        note(true),
        "ran `./rollback.sh` → killed by SIGTERM after 3.0s\n\n\
         inc got SIGTERM while the command ran, and passed it on."
    );
    assert!(note(false).ends_with("\n\ninc got SIGTERM while the command ran."));
}

#[test]
fn a_huge_command_line_is_cut() {
    let script = format!("echo {}", "x".repeat(5000));
    let command = mask_command(&["sh".to_owned(), "-c".to_owned(), script]);
    let text = note_text(&command, &Outcome::Exited(0), Duration::ZERO, None, None);
    let frame = "ran `` → exit 0 after 0.0s".chars().count();
    assert_eq!(text.chars().count(), frame + MAX_COMMAND_CHARS);
    assert!(text.ends_with("xx…` → exit 0 after 0.0s"), "{text}");
}

#[test]
fn code_spans_hold_backticks() {
    assert_eq!(code_span("a"), "`a`");
    assert_eq!(code_span("echo `date`"), "`` echo `date` ``");
    assert_eq!(code_span("a``b"), "```a``b```");
}
