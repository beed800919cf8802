//! Roster import (OneRoster 1.1) on both engines, with hand-made bundles: accounts created
//! with the roles their schools give, the same bundle again changing nothing, a changed
//! school, a person in two schools, a person who left (disabled, sessions ended), roles given
//! by hand kept, an existing account never taken over, a bundle at fault refused whole, the
//! district leader's page (and nobody else's), and a large users.csv read in bounded memory.

use crate::both_engines;
use crate::support::*;
use serde_json::Value;
use std::path::Path;
use triad_domain::auth::{Grant, Role, Scope};
use triad_domain::Id;

const MANIFEST: &str = "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\n\
                        file.orgs,bulk\nfile.users,bulk\nfile.courses,absent\n";

pub(crate) fn orgs() -> String {
    "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n\
     dist-1,active,2026-08-01,Home Unified,district,,\n\
     sch-1,active,2026-08-01,Home High,school,HH,dist-1\n\
     sch-2,active,2026-08-01,home middle,school,HM,dist-1\n\
     sch-3,active,2026-08-01,Westside Elementary,school,WE,dist-1\n"
        .to_string()
}

const USERS_HEADER: &str = "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n";

/// A users.csv row (OneRoster 1.1 columns).
fn person(id: &str, orgs: &str, role: &str, username: &str, given: &str, family: &str) -> String {
    format!(
        "{id},active,2026-08-01,true,\"{orgs}\",{role},{username},,{given},{family},,,{username}@home.example,,,,,\n"
    )
}

pub(crate) fn first_bundle() -> String {
    let mut users = USERS_HEADER.to_string();
    users += &person("t-1", "sch-1", "teacher", "tmorgan", "Tess", "Morgan");
    users += &person("a-1", "sch-2", "aide", "aquinn", "Avery", "Quinn");
    users += &person("p-1", "sch-1", "administrator", "pcho", "Paula", "Cho");
    users += &person("t-2", "sch-1,sch-2", "teacher", "tboth", "Theo", "Both");
    users += &person("d-1", "dist-1", "administrator", "dlane", "Dana", "Lane");
    users += &person("t-3", "sch-3", "teacher", "twest", "Tom", "West");
    // Someone's roster user name is an existing account's: never taken over.
    users += &person("t-4", "sch-1", "teacher", "admin", "Ada", "Minh");
    for n in 0..3 {
        users += &person(
            &format!("s-{n}"),
            "sch-1",
            "student",
            &format!("kid{n}"),
            "Kiddo",
            &format!("Pupil{n}"),
        );
    }
    users += &person("g-1", "sch-1", "guardian", "parent1", "Pat", "Parent");
    users
}

pub(crate) fn write_bundle(dir: &Path, orgs: &str, users: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("manifest.csv"), MANIFEST).unwrap();
    std::fs::write(dir.join("orgs.csv"), orgs).unwrap();
    std::fs::write(dir.join("users.csv"), users).unwrap();
}

fn zipped(orgs: &str, users: &str) -> Vec<u8> {
    use std::io::Write;
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in [
        ("manifest.csv", MANIFEST),
        ("orgs.csv", orgs),
        ("users.csv", users),
    ] {
        zip.start_file(format!("oneroster/{name}"), options)
            .unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

fn triad(app: &TestApp, args: &[&str]) -> std::process::Output {
    crate::cli::triad(&app.data_dir, &app.database_url, args, None)
}

pub(crate) fn import(app: &TestApp, dir: &Path, extra: &[&str]) -> Value {
    let district = app.world.district.to_string();
    let mut args = vec![
        "roster",
        "import",
        dir.to_str().unwrap(),
        "--district",
        &district,
        "--json",
    ];
    args.extend_from_slice(extra);
    let out = triad(app, &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn names(report: &Value, list: &str) -> Vec<String> {
    let mut names: Vec<String> = report[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

async fn user(app: &TestApp, username: &str) -> (Id, bool) {
    let row = triad_store::auth::user_by_name(&mut app.db.acquire().await.unwrap(), username)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no account {username}"));
    (row.user_id(), row.disabled)
}

async fn roles(app: &TestApp, username: &str) -> Vec<(Role, Option<Id>)> {
    let (id, _) = user(app, username).await;
    let mut held: Vec<(Role, Option<Id>)> =
        triad_store::auth::grants_of(&mut app.db.acquire().await.unwrap(), id)
            .await
            .unwrap()
            .into_iter()
            .map(|g| match g.scope {
                Scope::Campus { campus, .. } => (g.role, Some(campus)),
                _ => (g.role, None),
            })
            .collect();
    held.sort_by_key(|(r, c)| (r.code(), c.map(|c| c.to_string())));
    held
}

async fn signed_in(app: &TestApp, s: &Session) -> bool {
    app.get("/", s).await.status() == 200
}

both_engines!(
    a_roster_makes_and_keeps_a_district_s_accounts,
    |app: TestApp| async move {
        let home_high = app.world.campus;
        let home_middle = app.sibling_campus().await;
        let tmp = tempfile::tempdir().unwrap();
        let first = tmp.path().join("first");
        write_bundle(&first, &orgs(), &first_bundle());
        let users_before = app.count("users").await;
        let audit_before = app.count("audit_log").await;

        // A dry run says everything and writes nothing.
        let plan = import(&app, &first, &["--dry-run"]);
        assert_eq!(plan["applied"], false);
        assert_eq!(
            names(&plan, "created"),
            [
                "Ada Minh",
                "Avery Quinn",
                "Dana Lane",
                "Paula Cho",
                "Tess Morgan",
                "Theo Both"
            ]
        );
        assert_eq!(names(&plan, "not_imported"), ["Tom West"]);
        assert_eq!(plan["passed_over"]["students"], 3);
        assert_eq!(plan["passed_over"]["family_and_proctors"], 1);
        let schools = plan["schools"].as_array().unwrap();
        assert_eq!(
            schools[1]["campus_name"], "Home Middle",
            "matched by name, any case"
        );
        assert_eq!(schools[2]["matched_by"], "not_on_triad");
        assert_eq!(app.count("users").await, users_before);
        assert_eq!(app.count("audit_log").await, audit_before);

        let done = import(&app, &first, &[]);
        assert_eq!(done["applied"], true);
        assert_eq!(done["created"].as_array().unwrap().len(), 6);
        assert_eq!(app.count("users").await, users_before + 6);
        assert_eq!(
            roles(&app, "tmorgan").await,
            [(Role::Staff, Some(home_high))]
        );
        assert_eq!(
            roles(&app, "aquinn").await,
            [(Role::Staff, Some(home_middle))]
        );
        assert_eq!(
            roles(&app, "pcho").await,
            [(Role::CampusAdmin, Some(home_high))]
        );
        let mut both = vec![
            (Role::Staff, Some(home_high)),
            (Role::Staff, Some(home_middle)),
        ];
        both.sort_by_key(|(r, c)| (r.code(), c.map(|c| c.to_string())));
        assert_eq!(
            roles(&app, "tboth").await,
            both,
            "a role on each of two schools"
        );
        assert!(
            roles(&app, "dlane").await.is_empty(),
            "a district administrator: no role"
        );
        // The existing "admin" keeps its roles; the roster's person got a name of their own.
        assert_eq!(roles(&app, "admin").await, [(Role::SystemAdmin, None)]);
        assert_eq!(
            roles(&app, "admin-2").await,
            [(Role::Staff, Some(home_high))]
        );
        // Nothing of a student or a guardian was stored.
        let kept = app
            .scalar("SELECT COUNT(*) FROM people WHERE display_name LIKE '%Pupil%' OR display_name LIKE '%Parent%'")
            .await;
        assert_eq!(kept, 0);
        let address = app
            .scalar_text("SELECT p.email FROM people p JOIN users u ON u.person_id = p.id WHERE u.username = 'tmorgan'")
            .await;
        assert_eq!(address, "tmorgan@home.example");
        assert_eq!(app.audit_count("roster.import", "ok").await, 1);

        // The same bundle again changes nothing.
        let grants = app.count("grants").await;
        let again = import(&app, &first, &[]);
        for list in ["created", "changed", "disabled"] {
            assert!(
                again[list].as_array().unwrap().is_empty(),
                "{list}: {again}"
            );
        }
        assert_eq!(again["unchanged"], 6);
        assert_eq!(app.count("users").await, users_before + 6);
        assert_eq!(app.count("grants").await, grants);

        // A role given by hand is not the roster's to end.
        let (cho, _) = user(&app, "pcho").await;
        let by_hand = Grant {
            role: Role::Staff,
            scope: Scope::Campus {
                district: app.world.district,
                campus: home_middle,
            },
        };
        triad_store::auth::grant_role(
            &app.db,
            cho,
            by_hand,
            &triad_store::auth::ChangedBy {
                actor: Some(app.user("director")),
                source: None,
                now: app.clock_now(),
            },
        )
        .await
        .unwrap();

        // A truncated export (no adults at all) would disable everyone: refused unless the
        // importer confirms it, and nothing changes.
        let empty = tmp.path().join("empty");
        write_bundle(&empty, &orgs(), USERS_HEADER);
        let district = app.world.district.to_string();
        let out = triad(
            &app,
            &[
                "roster",
                "import",
                empty.to_str().unwrap(),
                "--district",
                &district,
            ],
        );
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("would disable 6 of the 6 accounts"));
        assert!(!user(&app, "tmorgan").await.1);
        let confirmed = import(&app, &empty, &["--confirm-leavers", "--dry-run"]);
        assert_eq!(confirmed["disabled"].as_array().unwrap().len(), 6);
        assert!(!user(&app, "tmorgan").await.1, "a dry run changes nothing");

        // Dana, whom the roster made, is made a district leader by hand: no longer the
        // roster's to change (a roster could otherwise disable her, or give her account an
        // address to reset its password at).
        let (dana, _) = user(&app, "dlane").await;
        let leader = Grant {
            role: Role::DistrictLeader,
            scope: Scope::District {
                district: app.world.district,
            },
        };
        triad_store::auth::grant_role(
            &app.db,
            dana,
            leader,
            &triad_store::auth::ChangedBy {
                actor: Some(app.user("admin")),
                source: None,
                now: app.clock_now(),
            },
        )
        .await
        .unwrap();

        // The next bundle: Tess moves school, Theo has left, Paula changed her name, Dana is
        // marked to be deleted.
        let (theo, _) = user(&app, "tboth").await;
        let theo_session = app.session_of(theo).await;
        assert!(signed_in(&app, &theo_session).await);
        let mut users = USERS_HEADER.to_string();
        users += &person("t-1", "sch-2", "teacher", "tmorgan", "Tess", "Morgan");
        users += &person("a-1", "sch-2", "aide", "aquinn", "Avery", "Quinn");
        users += &person(
            "p-1",
            "sch-1",
            "administrator",
            "pcho",
            "Paula",
            "Cho-Rivera",
        );
        users += &person("d-1", "dist-1", "administrator", "dlane", "Dana", "Lane").replacen(
            ",active,",
            ",tobedeleted,",
            1,
        );
        users += &person("t-4", "sch-1", "teacher", "admin", "Ada", "Minh");
        let second = tmp.path().join("second");
        write_bundle(&second, &orgs(), &users);
        let next = import(&app, &second, &[]);
        assert_eq!(names(&next, "changed"), ["Paula Cho-Rivera", "Tess Morgan"]);
        assert_eq!(names(&next, "disabled"), ["Theo Both"]);
        assert_eq!(names(&next, "left_alone"), ["Dana Lane"]);
        assert!(
            !user(&app, "dlane").await.1,
            "Dana's account is not the roster's to disable"
        );
        assert_eq!(
            roles(&app, "tmorgan").await,
            [(Role::Staff, Some(home_middle))]
        );
        assert!(user(&app, "tboth").await.1, "Theo's account is disabled");
        assert!(
            !signed_in(&app, &theo_session).await,
            "Theo's session ended at once"
        );
        let paula = app
            .scalar_text("SELECT display_name FROM users WHERE username = 'pcho'")
            .await;
        assert_eq!(paula, "Paula Cho-Rivera");
        let mut kept = vec![
            (Role::CampusAdmin, Some(home_high)),
            (Role::Staff, Some(home_middle)),
        ];
        kept.sort_by_key(|(r, c)| (r.code(), c.map(|c| c.to_string())));
        assert_eq!(
            roles(&app, "pcho").await,
            kept,
            "the role given by hand is kept"
        );
        // Disabled, never deleted: the accounts and their names are still there.
        assert_eq!(app.count("users").await, users_before + 6);

        // Theo is enabled by hand while still off the roster: the next import disables him
        // again (the roster's earlier disabling does not make it look away).
        triad_store::auth::disable_account(
            &app.db,
            theo,
            false,
            &triad_store::auth::ChangedBy {
                actor: Some(app.user("admin")),
                source: None,
                now: app.clock_now(),
            },
        )
        .await
        .unwrap();
        let again = import(&app, &second, &[]);
        assert_eq!(names(&again, "disabled"), ["Theo Both"]);
        assert!(user(&app, "tboth").await.1);

        // Theo comes back: enabled again, with the roster's roles.
        let back = import(&app, &first, &[]);
        assert!(names(&back, "changed").contains(&"Theo Both".to_string()));
        assert!(!user(&app, "tboth").await.1);
    }
);

both_engines!(
    a_bundle_at_fault_is_refused_whole,
    |app: TestApp| async move {
        let tmp = tempfile::tempdir().unwrap();
        let district = app.world.district.to_string();
        let users_before = app.count("users").await;
        let audit_before = app.count("audit_log").await;
        let refused = |users: String, orgs: String| {
            let dir = tmp.path().join(Id::new().to_string());
            write_bundle(&dir, &orgs, &users);
            let out = triad(
                &app,
                &[
                    "roster",
                    "import",
                    dir.to_str().unwrap(),
                    "--district",
                    &district,
                ],
            );
            assert_eq!(
                out.status.code(),
                Some(2),
                "{}",
                String::from_utf8_lossy(&out.stdout)
            );
            String::from_utf8_lossy(&out.stderr).to_string()
        };
        // A good row first: nothing of it may be written either.
        let good = person("t-1", "sch-1", "teacher", "tmorgan", "Tess", "Morgan");
        let duplicate = format!(
            "{USERS_HEADER}{good}{}",
            person("t-1", "sch-2", "teacher", "other", "Other", "Person")
        );
        let message = refused(duplicate, orgs());
        assert!(
            message.contains("users.csv line 3: sourcedId t-1 is already on line 2"),
            "{message}"
        );
        let unknown = format!(
            "{USERS_HEADER}{good}{}",
            person("t-2", "sch-9", "teacher", "x", "X", "Y")
        );
        let message = refused(unknown, orgs());
        assert!(
            message.contains("users.csv line 3: org sch-9 is not in orgs.csv"),
            "{message}"
        );
        let unclosed =
            format!("{USERS_HEADER}{good}t-2,active,2026-08-01,true,\"sch-1,teacher,x,,X,Y\n");
        let message = refused(unclosed, orgs());
        assert!(message.contains("line 3"), "{message}");
        let twice = format!("{}sch-1,active,2026-08-01,Again High,school,,\n", orgs());
        let message = refused(format!("{USERS_HEADER}{good}"), twice);
        assert!(
            message.contains("orgs.csv line 6: sourcedId sch-1 is already on line 3"),
            "{message}"
        );
        let no_role = format!("{USERS_HEADER}{}", good.replace(",teacher,", ",janitor,"));
        let message = refused(no_role, orgs());
        assert!(message.contains("the role 'janitor'"), "{message}");
        // A folder without users.csv.
        let dir = tmp.path().join("partial");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("manifest.csv"), MANIFEST).unwrap();
        std::fs::write(dir.join("orgs.csv"), orgs()).unwrap();
        let out = triad(
            &app,
            &[
                "roster",
                "import",
                dir.to_str().unwrap(),
                "--district",
                &district,
            ],
        );
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("no users.csv"));
        // A mapping to a campus the district does not have.
        let dir = tmp.path().join("mapped");
        write_bundle(&dir, &orgs(), &format!("{USERS_HEADER}{good}"));
        let out = triad(
            &app,
            &[
                "roster",
                "import",
                dir.to_str().unwrap(),
                "--district",
                &district,
                "--school",
                "sch-3=Other High",
            ],
        );
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("no campus 'Other High'"));
        assert_eq!(app.count("users").await, users_before);
        assert_eq!(app.count("audit_log").await, audit_before);
    }
);

both_engines!(
    the_district_leader_imports_from_the_page_and_nobody_else_does,
    |app: TestApp| async move {
        let home_middle = app.sibling_campus().await;
        let bundle = zipped(&orgs(), &first_bundle());
        let send = |s: Session, district: Id, action: &'static str, schools: Vec<String>| {
            let token = triad_web::forms::FormToken::new(&s.csrf);
            let mut form = reqwest::multipart::Form::new()
                .text("_idem", token.idem)
                .text("_csrf", token.csrf)
                .text("action", action);
            for school in schools {
                form = form.text("school", school);
            }
            form = form.part(
                "file",
                reqwest::multipart::Part::bytes(bundle.clone())
                    .file_name("roster.zip")
                    .mime_str("application/zip")
                    .unwrap(),
            );
            let request = app
                .http
                .post(app.url(&format!("/districts/{district}/roster")))
                .header("cookie", &s.cookie)
                .multipart(form);
            async move { request.send().await.unwrap() }
        };
        let director = app.session("director").await;
        let district = app
            .get(&format!("/districts/{}", app.world.district), &director)
            .await;
        assert!(district
            .text()
            .await
            .unwrap()
            .contains("id=\"roster-link\""));
        let users_before = app.count("users").await;

        let preview = send(director.clone(), app.world.district, "preview", vec![]).await;
        assert_eq!(preview.status(), 200);
        let page = preview.text().await.unwrap();
        assert!(page.contains("What the import would do"), "{page}");
        assert!(page.contains("<strong id=\"created\">6</strong>"), "{page}");
        assert!(
            page.contains("Campus for the school Westside Elementary"),
            "{page}"
        );
        assert_eq!(
            app.count("users").await,
            users_before,
            "a preview writes nothing"
        );

        // Westside is matched by hand to Home Middle: its teacher is imported too.
        let mapping = vec![format!("sch-3={home_middle}")];
        let imported = send(director.clone(), app.world.district, "import", mapping).await;
        assert_eq!(imported.status(), 200);
        let page = imported.text().await.unwrap();
        assert!(page.contains("What the import did"), "{page}");
        assert!(page.contains("<strong id=\"created\">7</strong>"), "{page}");
        assert_eq!(app.count("users").await, users_before + 7);
        assert_eq!(
            roles(&app, "twest").await,
            [(Role::Staff, Some(home_middle))]
        );

        // Nobody else imports this district's roster: not its principal, not the leader of
        // another district, not a district leader for a district that is not theirs.
        let principal = app.session("principal").await;
        assert_eq!(
            send(principal, app.world.district, "import", vec![])
                .await
                .status(),
            404
        );
        let other = app
            .add_person(
                "otherleader",
                &[Grant {
                    role: Role::DistrictLeader,
                    scope: Scope::District {
                        district: app.world.other_district,
                    },
                }],
                None,
                None,
            )
            .await;
        let other = app.session_of(other).await;
        assert_eq!(
            send(other.clone(), app.world.district, "import", vec![])
                .await
                .status(),
            404
        );
        assert_eq!(
            app.get(&format!("/districts/{}/roster", app.world.district), &other)
                .await
                .status(),
            404
        );
        // (The other district's leader is the one account added meanwhile.)
        assert_eq!(app.count("users").await, users_before + 8);
        assert!(app.audit_count("access.roster", "denied").await >= 3);

        // Something that is not a zip: a clear message on the page, nothing written.
        let token = triad_web::forms::FormToken::new(&director.csrf);
        let form = reqwest::multipart::Form::new()
            .text("_idem", token.idem)
            .text("_csrf", token.csrf)
            .text("action", "import")
            .part(
                "file",
                reqwest::multipart::Part::bytes(b"sourcedId,name\n".to_vec())
                    .file_name("users.csv"),
            );
        let r = app
            .http
            .post(app.url(&format!("/districts/{}/roster", app.world.district)))
            .header("cookie", &director.cookie)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("not a zip file"));
    }
);

/// The command's peak memory (bytes) and its report, read by a Python parent that runs
/// nothing else, so the peak is the command's own.
fn dry_run_peak(app: &TestApp, dir: &Path) -> (u64, Value) {
    let python = std::env::var("TRIAD_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = "import resource, subprocess, sys\n\
                  r = subprocess.run(sys.argv[1:], capture_output=True)\n\
                  sys.stderr.write(r.stderr.decode())\n\
                  print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n\
                  print(r.returncode)\n\
                  sys.stdout.write(r.stdout.decode())\n";
    let district = app.world.district.to_string();
    let out = std::process::Command::new(python)
        .args([
            "-c",
            script,
            env!("CARGO_BIN_EXE_triad"),
            "--database-url",
            &app.database_url,
            "--data-dir",
        ])
        .arg(&app.data_dir)
        .args([
            "roster",
            "import",
            dir.to_str().unwrap(),
            "--district",
            &district,
            "--dry-run",
            "--json",
        ])
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut lines = stdout.splitn(3, '\n');
    let peak_kib: u64 = lines.next().unwrap().trim().parse().unwrap();
    assert_eq!(
        lines.next().unwrap().trim(),
        "0",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        peak_kib * 1024,
        serde_json::from_str(lines.next().unwrap()).unwrap(),
    )
}

/// A district's users.csv of tens of MB, nearly all students, is read as a stream: reading it
/// takes the command hardly more memory than reading a bundle of a dozen people.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_users_file_is_read_in_bounded_memory() {
    let app = TestApp::start(Engine::Sqlite).await;
    let tmp = tempfile::tempdir().unwrap();
    let small = tmp.path().join("small");
    write_bundle(&small, &orgs(), &first_bundle());
    let dir = tmp.path().join("large");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("manifest.csv"), MANIFEST).unwrap();
    std::fs::write(dir.join("orgs.csv"), orgs()).unwrap();
    let students = 600_000;
    {
        use std::io::Write;
        let mut file =
            std::io::BufWriter::new(std::fs::File::create(dir.join("users.csv")).unwrap());
        file.write_all(USERS_HEADER.as_bytes()).unwrap();
        for n in 0..students {
            if n % 10_000 == 0 {
                let t = n / 10_000;
                file.write_all(
                    person(
                        &format!("t-{t}"),
                        "sch-1",
                        "teacher",
                        &format!("teacher{t}"),
                        "Teach",
                        &format!("Er{t}"),
                    )
                    .as_bytes(),
                )
                .unwrap();
            }
            writeln!(file, "s-{n},active,2026-08-01,true,sch-1,student,student{n},,Student,Number {n},,ID{n},student{n}@kids.home.example,,,,09,").unwrap();
        }
    }
    let size = std::fs::metadata(dir.join("users.csv")).unwrap().len();
    assert!(size > 60_000_000, "the file is {size} bytes");
    let (baseline, _) = dry_run_peak(&app, &small);
    let (peak, report) = dry_run_peak(&app, &dir);
    assert_eq!(report["passed_over"]["students"], students);
    assert_eq!(report["created"].as_array().unwrap().len(), 60);
    println!("users.csv of {size} bytes read with a peak of {peak} bytes (a 12-person bundle: {baseline})");
    assert!(
        peak < baseline + 16 * 1024 * 1024,
        "peak {peak} bytes for a {size}-byte file, {baseline} for a small one"
    );
}

/// The district leader, on a phone and on a laptop, goes from the district's page to the
/// roster, sees what the zip would change, matches the school the roster names differently,
/// and imports; every page passes axe (WCAG 2.2 AA) and fits the screen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_district_leader_previews_then_imports_a_roster_in_the_browser() {
    use crate::accessibility::{axe_source, violations};
    use crate::browser::{
        body_text, browser, click, element_after_navigation, end_browser, overflows, screenshot,
        sign_in, start_driver, wait_for_text_where_css,
    };
    use fantoccini::Locator;
    let app = TestApp::start(Engine::Sqlite).await;
    let home_middle = app.sibling_campus().await;
    let tmp = tempfile::tempdir().unwrap();
    let zip_path = tmp.path().join("roster.zip");
    std::fs::write(&zip_path, zipped(&orgs(), &first_bundle())).unwrap();
    let zip_path = zip_path.to_str().unwrap().to_string();
    let axe = axe_source();
    let driver = start_driver();
    for (width, height, size) in [(390, 844, "phone"), (1280, 800, "laptop")] {
        let c = browser(&driver, width, height).await;
        sign_in(&c, &app, "director").await;
        c.goto(&app.url(&format!("/districts/{}", app.world.district)))
            .await
            .unwrap();
        click(&c, "#roster-link").await;
        let choose = element_after_navigation(&c, "#file").await;
        assert_eq!(
            violations(&c, &axe).await,
            Vec::<String>::new(),
            "{size}: the form"
        );
        choose.send_keys(&zip_path).await.unwrap();
        click(&c, "button[value=preview]").await;
        element_after_navigation(&c, "#roster-report").await;
        let shown = body_text(&c).await;
        assert!(shown.contains("What the import would do"), "{shown}");
        assert!(shown.contains("Nothing has been changed yet"), "{shown}");
        assert!(shown.contains("Westside Elementary"), "{shown}");
        assert_eq!(
            violations(&c, &axe).await,
            Vec::<String>::new(),
            "{size}: the preview"
        );
        assert!(
            !overflows(&c).await,
            "{size}: the preview is wider than the screen"
        );
        screenshot(&c, &format!("roster-preview-{size}")).await;
        if size == "laptop" {
            // Matched by hand, then imported: the file is chosen again with the mapping.
            click(
                &c,
                &format!("select[name=school] option[value='sch-3={home_middle}']"),
            )
            .await;
            c.find(Locator::Css("#file"))
                .await
                .unwrap()
                .send_keys(&zip_path)
                .await
                .unwrap();
            click(&c, "button[value=import]").await;
            // The preview's report is on the page until the import's arrives.
            wait_for_text_where_css(&c, "#roster-report h2", |t| t == "What the import did").await;
            let shown = body_text(&c).await;
            assert!(shown.contains("7 created"), "{shown}");
            assert_eq!(
                violations(&c, &axe).await,
                Vec::<String>::new(),
                "{size}: the report"
            );
            screenshot(&c, "roster-imported-laptop").await;
        }
        end_browser(c).await;
    }
    assert_eq!(
        roles(&app, "twest").await,
        [(Role::Staff, Some(home_middle))]
    );
}

both_engines!(
    district_it_imports_the_roster_through_the_api,
    |app: TestApp| async move {
        let bundle = zipped(&orgs(), &first_bundle());
        let send = |token: String, bundle: Vec<u8>, dry_run: bool| {
            let mut form = reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(bundle).file_name("roster.zip"),
            );
            if dry_run {
                form = form.text("dry_run", "true");
            }
            let request = app
                .http
                .post(app.url(&format!("/api/v1/districts/{}/roster", app.world.district)))
                .bearer_auth(token)
                .header("idempotency-key", Id::new().to_string())
                .multipart(form);
            async move { request.send().await.unwrap() }
        };
        let director = app.token("director").await;
        let users_before = app.count("users").await;
        let plan = send(director.clone(), bundle.clone(), true).await;
        assert_eq!(plan.status(), 200);
        let plan: Value = plan.json().await.unwrap();
        assert_eq!(plan["applied"], false);
        // (No campus is Home Middle here: its aide is not imported.)
        assert_eq!(plan["created"].as_array().unwrap().len(), 5);
        assert_eq!(app.count("users").await, users_before);
        let done: Value = send(director.clone(), bundle.clone(), false)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(done["applied"], true);
        assert_eq!(app.count("users").await, users_before + 5);
        // A bundle at fault: 422 with every fault, nothing written.
        let broken = zipped(
            &orgs(),
            &format!(
                "{USERS_HEADER}{}",
                person("t-9", "sch-9", "teacher", "x", "X", "Y")
            ),
        );
        let refused = send(director, broken, false).await;
        assert_eq!(refused.status(), 422);
        assert!(refused
            .text()
            .await
            .unwrap()
            .contains("org sch-9 is not in orgs.csv"));
        // The campus's principal imports nothing.
        let principal = app.token("principal").await;
        assert_eq!(send(principal, bundle, false).await.status(), 404);
        assert_eq!(app.count("users").await, users_before + 5);
    }
);

/// A delta's departure may be only an id marked `tobedeleted` (OneRoster lets the rest of the
/// row be empty): the account of that id is disabled; an id Triad never had (a student's) is
/// passed over without a word; everyone else stays as they are.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delta_departure_given_only_by_its_id_disables_the_account() {
    let app = TestApp::start(Engine::Sqlite).await;
    let tmp = tempfile::tempdir().unwrap();
    let first = tmp.path().join("first");
    write_bundle(&first, &orgs(), &first_bundle());
    import(&app, &first, &[]);
    let delta = tmp.path().join("delta");
    let empty_rest = ",".repeat(15);
    let mut users = USERS_HEADER.to_string();
    users += &format!("t-1,tobedeleted,2026-09-01{empty_rest}\n");
    users += &format!("s-77,tobedeleted,2026-09-01{empty_rest}\n");
    write_bundle(&delta, &orgs(), &users);
    std::fs::write(
        delta.join("manifest.csv"),
        MANIFEST.replace("file.users,bulk", "file.users,delta"),
    )
    .unwrap();
    let report = import(&app, &delta, &[]);
    assert_eq!(names(&report, "disabled"), ["Tess Morgan"]);
    assert!(names(&report, "not_imported").is_empty(), "{report}");
    assert!(user(&app, "tmorgan").await.1, "Tess's account is disabled");
    assert!(
        !user(&app, "pcho").await.1,
        "a delta leaves everyone it does not name as they are"
    );
    // The same id twice is still a mistake in the file: nothing is written.
    let twice = tmp.path().join("twice");
    let mut users = USERS_HEADER.to_string();
    users += &format!("p-1,tobedeleted,2026-09-02{empty_rest}\n");
    users += &format!("p-1,tobedeleted,2026-09-02{empty_rest}\n");
    write_bundle(&twice, &orgs(), &users);
    std::fs::write(
        twice.join("manifest.csv"),
        MANIFEST.replace("file.users,bulk", "file.users,delta"),
    )
    .unwrap();
    let district = app.world.district.to_string();
    let out = triad(
        &app,
        &[
            "roster",
            "import",
            twice.to_str().unwrap(),
            "--district",
            &district,
        ],
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("sourcedId p-1 is listed more than once"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!user(&app, "pcho").await.1, "nothing written");
}
