//! Collaboration surveys: the seed's four-table export imported as it is (messy roles,
//! out-of-range and run-together scores, half points, blank lines, stray cells, a line in the
//! wrong delimiter), re-imported without change, analysed by role with small groups
//! suppressed, and exported without cells a spreadsheet would run.

use crate::both_engines;
use crate::support::*;
use serde_json::Value;

/// A workshop export in the shape of seed 000: four tables, tab-separated, typed by people.
pub const WORKSHOP: &str = "Relationships = SRO and Educator\n\
SRO/Educator\tRelationship 1,2,3,4\tWhy did you score it that way?\n\
SRO\t1\tFull support from upper admin\t\tstray note\n\
sro \t2\tWe meet weekly\n\
Admin\t3\tThe disconnect is large\n\
principal\t1.5\tTrust is growing\n\
Educator\t23\tCan't decide\n\
teacher\t5\t\n\
\t2\tno role given\n\
Janitor\tgood\t=HYPERLINK(\"http://evil.example\")\n\
\n\
\t\t\t\tstray\n\
Communication / Collaboration\n\
SRO/Educator\tOpen and Accepting? Yes or No\tWhat is your Roadblock or your success?\n\
SRO\tYes\tWe talk every day\n\
Administrator\tno\tNew principal this year\n\
Educator\tmaybe\t\n\
Shared Goals\n\
SRO/Educator\tYour Goal/Your Why\tRoadblock/Success\n\
SRO\tKeep kids safe\tTraining with NASRO\n\
Non-crisis connections = success\n\
SRO/Educator\tHow are you building connections during non-crisis times?\tRoadblock/Success\n\
SRO\tLunch with students\tDrills went well\n\
SRO,Lunch,a comma-separated line\n";

fn triad(app: &TestApp, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_triad"))
        .args(["--database-url", &app.database_url, "--data-dir"])
        .arg(&app.data_dir)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

both_engines!(
    a_workshop_spreadsheet_is_imported_as_it_is_and_analysed,
    |app: TestApp| async move {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), WORKSHOP).unwrap();
        let path = file.path().to_str().unwrap().to_string();
        let import = || {
            triad(
                &app,
                &[
                    "survey",
                    "import",
                    &path,
                    "--campaign",
                    "Workshop 2025",
                    "--json",
                ],
            )
        };
        let first = import();
        assert_eq!(first.status.code(), Some(3), "flags give exit code 3");
        let r = json(&first);
        assert_eq!(r["responses_imported"], 13, "{r:#}");
        let flags: Vec<(u64, String, String)> = r["flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["line"].as_u64().unwrap(),
                    f["question"].as_str().unwrap().into(),
                    f["reason"].as_str().unwrap().into(),
                )
            })
            .collect();
        for (line, question, words) in [
            (6, "relationship", "finer than the scale"),
            (7, "relationship", "several numbers run together"),
            (8, "relationship", "outside the scale"),
            (10, "role", "a role Triad does not know"),
            (10, "relationship", "text in a scale question"),
            (3, "-", "stray cells"),
            (17, "open_accepting", "neither yes nor no"),
        ] {
            assert!(
                flags
                    .iter()
                    .any(|(l, q, w)| *l == line && q == question && w.contains(words)),
                "line {line} {question} '{words}' missing from {flags:?}"
            );
        }
        let skipped: Vec<(u64, String)> = r["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["line"].as_u64().unwrap(),
                    s["reason"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert!(skipped.contains(&(11, "blank line".into())), "{skipped:?}");
        assert!(
            skipped
                .iter()
                .any(|(l, why)| *l == 12 && why.contains("stray")),
            "{skipped:?}"
        );
        assert!(
            skipped
                .iter()
                .any(|(l, why)| *l == 13 && why.contains("title")),
            "{skipped:?}"
        );
        assert!(
            skipped
                .iter()
                .any(|(l, why)| *l == 24 && why.contains("comma-separated")),
            "{skipped:?}"
        );
        assert_eq!(app.count("survey_responses").await, 13);

        // The same file again changes nothing.
        // The campaign's instrument is fixed once answers are in it.
        let other = triad(
            &app,
            &[
                "survey",
                "import",
                &path,
                "--campaign",
                "Workshop 2025",
                "--instrument",
                "another-survey",
            ],
        );
        assert!(!other.status.success());
        assert!(String::from_utf8_lossy(&other.stderr)
            .contains("uses the instrument 'sro-partnership'"));
        let again = json(&import());
        assert_eq!(
            (
                again["responses_imported"].as_u64(),
                again["already_present"].as_u64()
            ),
            (Some(0), Some(13))
        );
        assert_eq!(app.count("survey_responses").await, 13);

        // By role, with the scale's direction in words and the gap between SROs and administrators.
        let all = json(&triad(
            &app,
            &[
                "survey",
                "summary",
                "--campaign",
                "Workshop 2025",
                "--json",
                "--min-group",
                "1",
            ],
        ));
        let relationship = all["questions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["key"] == "relationship")
            .unwrap();
        assert_eq!(
            relationship["direction"],
            "1 = strongest relationship, 4 = weakest relationship"
        );
        let sro = relationship["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["role"] == "SRO")
            .unwrap();
        assert_eq!(
            (sro["n"].as_u64(), sro["mean"].as_f64()),
            (Some(2), Some(1.5))
        );
        let admin = relationship["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["role"] == "Administrator")
            .unwrap();
        assert_eq!(
            (admin["n"].as_u64(), admin["mean"].as_f64()),
            (Some(2), Some(2.25)),
            "1.5 is kept as given"
        );
        let gap = all["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["between"] == "SRO and Administrator")
            .unwrap();
        assert!(gap["words"].as_str().unwrap().contains("better"), "{gap}");
        let themes: Vec<&str> = all["themes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["theme"].as_str().unwrap())
            .collect();
        for theme in [
            "leadership_support",
            "regular_meetings",
            "trust",
            "training",
            "admin_turnover",
        ] {
            assert!(themes.contains(&theme), "{theme} not in {themes:?}");
        }
        // With the default smallest group (5) nothing here can be shown.
        let guarded = json(&triad(
            &app,
            &["survey", "summary", "--campaign", "Workshop 2025", "--json"],
        ));
        let text = serde_json::to_string(&guarded["questions"]).unwrap();
        assert!(
            !text.contains("\"n\":2") && !text.contains("\"mean\":1.5"),
            "{text}"
        );

        // Every answer, its role as written, its flags and the original line, safe to open.
        let csv = String::from_utf8(
            triad(
                &app,
                &[
                    "survey",
                    "export",
                    "--campaign",
                    "Workshop 2025",
                    "--format",
                    "csv",
                ],
            )
            .stdout,
        )
        .unwrap();
        assert!(
            csv.contains("'=HYPERLINK"),
            "the formula is neutralised: {csv}"
        );
        assert!(!csv.contains(",=HYPERLINK"), "{csv}");
        assert!(
            csv.contains("run_together")
                && csv.contains("finer_step")
                && csv.contains("leadership_support"),
            "{csv}"
        );
    }
);

#[test]
fn binary_and_mixed_files_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/triad.db", dir.path().display());
    let run = |file: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_triad"))
            .args(["--database-url", &db, "--data-dir"])
            .arg(dir.path())
            .args(["survey", "import"])
            .arg(file)
            .args(["--campaign", "Bad files"])
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    let binary = dir.path().join("photo.csv");
    std::fs::write(&binary, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").unwrap();
    let out = run(&binary);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("binary"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A file far over the limit is refused before it is read.
    let huge = dir.path().join("huge.csv");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    let out = run(&huge);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("larger than"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let headless = dir.path().join("numbers.csv");
    std::fs::write(&headless, "1,2,3\n4,5,6\n").unwrap();
    let out = run(&headless);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no header row"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

both_engines!(
    a_district_surveys_anonymously_with_one_time_links,
    |app: TestApp| async move {
        let director = app.token("director").await;
        let path = format!("/api/v1/districts/{}/surveys", app.world.district);
        let minors = app
            .api_post(&director, &path, serde_json::json!({"name": "Students fall", "audience": "student", "opens_on": "2026-01-01", "closes_on": "2099-01-01"}))
            .await;
        assert_eq!(
            minors.status(),
            422,
            "students are asked only with the district's notice"
        );
        // Parents read it in Spanish too: the title and notice in English alone are refused.
        let english_only = app
            .api_post(&director, &path, serde_json::json!({"name": "Fall partnership", "audience": "sro administrator educator parent",
                "opens_on": "2026-01-01", "closes_on": "2099-01-01", "tokens": "2", "notice": "Answering is voluntary (PPRA)."}))
            .await;
        assert_eq!(english_only.status(), 422);
        let said = english_only.text().await.unwrap();
        assert!(
            said.contains("name_es") && said.contains("notice_es"),
            "{said}"
        );
        let r = app
            .api_post(&director, &path, serde_json::json!({"name": "Fall partnership", "audience": "sro administrator educator parent",
                "opens_on": "2026-01-01", "closes_on": "2099-01-01", "tokens": "2", "notice": "Answering is voluntary (PPRA).",
                "name_es": "Colaboración de otoño", "notice_es": "Responder es voluntario (PPRA)."}))
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let started: Value = r.json().await.unwrap();
        let code = started["campaign"]["code"].as_str().unwrap().to_string();
        let id = started["campaign"]["id"].as_str().unwrap().to_string();
        let tokens: Vec<String> = started["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().into())
            .collect();
        assert_eq!(tokens.len(), 2);

        // No account: the form, in English or Spanish, with the notice and the way out.
        let anonymous = reqwest::Client::new();
        let form = anonymous
            .get(app.url(&format!("/s/{code}?t={}", tokens[0])))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            form.contains("Relationship") || form.contains("relationship between the SRO"),
            "{form}"
        );
        assert!(
            form.contains("Answering is voluntary") && form.contains("I do not want to take part")
        );
        let spanish = anonymous
            .get(app.url(&format!("/s/{code}?lang=es")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(spanish.contains("relación entre el SRO"), "{spanish}");
        // The browser's languages choose, unless the link says: Spanish all the way through,
        // an unknown language in English with the switch to Spanish shown.
        let read = |lang: &'static str, query: &'static str| {
            let (anonymous, url) = (anonymous.clone(), app.url(&format!("/s/{code}{query}")));
            async move {
                anonymous
                    .get(url)
                    .header("accept-language", lang)
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap()
            }
        };
        let es = read("es-MX,es;q=0.9,en;q=0.5", "").await;
        for words in [
            "<html lang=\"es\"",
            "Colaboración de otoño",
            "Responder es voluntario",
            "Madre, padre o tutor",
            "la relación más fuerte",
            "Obstáculo o éxito con esa meta",
            "Obstáculo o éxito al construir esas relaciones",
            "Enviar",
        ] {
            assert!(es.contains(words), "{words} in {es}");
        }
        for english in [
            "Fall partnership",
            "Parent<",
            "strongest relationship",
            ">Send<",
        ] {
            assert!(!es.contains(english), "{english} left in the Spanish form");
        }
        let unknown = read("de-DE,fr;q=0.8", "").await;
        assert!(unknown.contains("<html lang=\"en\"") && unknown.contains("Español"));
        let chosen = read("es", "?lang=en").await;
        assert!(
            chosen.contains("Fall partnership"),
            "the link's choice wins"
        );
        let before = app.count("survey_responses").await;
        let opt_out = anonymous
            .get(app.url(&format!("/s/{code}?opt_out=1")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(opt_out.contains("Nothing has been recorded"));
        assert_eq!(app.count("survey_responses").await, before);

        let send = |fields: Vec<(&'static str, String)>| {
            let anonymous = anonymous.clone();
            let url = app.url(&format!("/s/{code}"));
            async move { anonymous.post(url).form(&fields).send().await.unwrap() }
        };
        let bad = send(vec![
            ("role", "sro".into()),
            ("relationship", "7".into()),
            ("token", tokens[0].clone()),
        ])
        .await;
        assert_eq!(bad.status(), 422);
        assert!(bad.text().await.unwrap().contains("outside the scale"));
        let ok = send(vec![
            ("role", "sro".into()),
            ("relationship", "1".into()),
            ("relationship_why", "We meet weekly".into()),
            ("token", tokens[0].clone()),
        ])
        .await;
        assert_eq!(ok.status(), 200);
        assert!(ok.text().await.unwrap().contains("Thank you"));
        let twice = send(vec![
            ("role", "sro".into()),
            ("relationship", "2".into()),
            ("token", tokens[0].clone()),
        ])
        .await;
        assert_eq!(twice.status(), 409, "a one-time link answers once");
        let none = send(vec![("role", "sro".into()), ("relationship", "2".into())]).await;
        assert_eq!(none.status(), 409);
        assert_eq!(app.count("survey_responses").await, before + 1);
        // A campaign may ask one campus of the district, not another district's.
        let campus = |c: String| serde_json::json!({"name": format!("Campus {c}"), "audience": "educator", "opens_on": "2026-01-01", "closes_on": "2099-01-01", "campus": c});
        let foreign = app
            .api_post(&director, &path, campus(app.world.other_campus.to_string()))
            .await;
        assert_eq!(foreign.status(), 422);
        let own = app
            .api_post(&director, &path, campus(app.world.campus.to_string()))
            .await;
        assert_eq!(own.status(), 200);

        // A leader writes questions of their own on the page.
        let leader = app.session("director").await;
        let own = app
            .post_form(
                &format!("/districts/{}/surveys", app.world.district),
                &leader,
                &[
                    ("name", "Custodians' view"),
                    ("audience", "educator"),
                    ("opens_on", "2026-01-01"),
                    ("closes_on", "2099-01-01"),
                    ("questions", "own"),
                    ("q1_text", "How visible is the SRO at dismissal?"),
                    ("q1_kind", "scale"),
                    ("q1_min", "1"),
                    ("q1_max", "5"),
                    ("q1_low", "never there"),
                    ("q1_high", "always there"),
                    ("q1_best", "high"),
                ],
            )
            .await;
        assert_eq!(own.status(), 200);
        let page = own.text().await.unwrap();
        let own_code = page
            .split("/s/")
            .nth(1)
            .and_then(|r| r.split(['<', '?']).next())
            .unwrap()
            .to_string();
        let form = anonymous
            .get(app.url(&format!("/s/{own_code}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            form.contains("How visible is the SRO at dismissal?")
                && form.contains("5 (always there)"),
            "{form}"
        );

        // A campaign that has closed takes no more answers.
        let closed: Value = app
            .api_post(&director, &path, serde_json::json!({"name": "Last year", "audience": "sro", "opens_on": "2020-01-01", "closes_on": "2020-12-31"}))
            .await
            .json()
            .await
            .unwrap();
        let late = anonymous
            .post(app.url(&format!(
                "/s/{}",
                closed["campaign"]["code"].as_str().unwrap()
            )))
            .form(&[("role", "sro"), ("relationship", "1")])
            .send()
            .await
            .unwrap();
        assert_eq!(late.status(), 409);
        assert!(late.text().await.unwrap().contains("closed on 2020-12-31"));
        assert_eq!(app.count("survey_responses").await, before + 1);

        // The answer's id is random (UUIDv4): it tells nothing of when it was given.
        let ids: Vec<String> = match &app.db {
            triad_store::Db::Sqlite(p, ..) => {
                sqlx::query_scalar("SELECT id FROM survey_responses WHERE source = 'web'")
                    .fetch_all(p)
                    .await
                    .unwrap()
            }
            triad_store::Db::Postgres(p, ..) => {
                sqlx::query_scalar("SELECT id FROM survey_responses WHERE source = 'web'")
                    .fetch_all(p)
                    .await
                    .unwrap()
            }
        };
        assert!(!ids.is_empty());
        for answer in &ids {
            assert_eq!(&answer[14..15], "4", "{answer} is not a random id");
        }
        // The audit trail counts a campaign's answers per day, once the day is over: no entry
        // per answer, none by whom or from where.
        let counted = |app: &TestApp| {
            let db = app.db.clone();
            async move {
                triad_store::audit::list(
                    &db,
                    &triad_store::audit::Filter {
                        action_prefix: Some("survey.answer".into()),
                        limit: 10,
                        ..Default::default()
                    },
                )
                .await
                .unwrap()
            }
        };
        assert!(counted(&app).await.is_empty(), "nothing per answer");
        // Counted on the district's day, which is over everywhere once the next UTC day is.
        app.clock.advance_minutes(48 * 60);
        let written = triad_app::surveys::campaigns::audit_answer_days(&app.db, app.clock_now())
            .await
            .unwrap();
        assert!(written >= 1);
        let entries = counted(&app).await;
        let e = &entries
            .iter()
            .find(|e| e.event.record_id.as_deref() == Some(id.as_str()))
            .expect("the campaign's day")
            .event;
        assert_eq!(e.action, "survey.answers");
        assert_eq!((e.actor, e.source.as_deref()), (None, None));
        // Written once: a second run adds nothing.
        assert_eq!(
            triad_app::surveys::campaigns::audit_answer_days(&app.db, app.clock_now())
                .await
                .unwrap(),
            0
        );
        app.clock.advance_minutes(-48 * 60);

        // One answer is a group of one: nothing is shown of it.
        let summary: Value = app
            .api_get(&format!("/api/v1/surveys/{id}"), &director)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(summary["responses"], 1);
        let text = serde_json::to_string(&summary["questions"]).unwrap();
        assert!(!text.contains("\"n\":1"), "{text}");
        let page = app
            .get(&format!("/surveys/{id}"), &app.session("evaluator").await)
            .await;
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("too few to show"));
        let principal = app
            .api_get(
                &format!("/api/v1/surveys/{id}"),
                &app.token("principal").await,
            )
            .await;
        assert!([403, 404].contains(&principal.status().as_u16()));
        let csv = app
            .get(
                &format!("/surveys/{id}/export.csv"),
                &app.session("director").await,
            )
            .await
            .text()
            .await
            .unwrap();
        assert!(csv.contains("We meet weekly"), "{csv}");

        // The phrases found "weekly" meetings; a person corrects the coding of that answer.
        let s = app.session("director").await;
        let themes = app
            .get(&format!("/surveys/{id}/themes"), &s)
            .await
            .text()
            .await
            .unwrap();
        assert!(
            themes.contains("Regular meetings") && themes.contains("“weekly”"),
            "{themes}"
        );
        // Every answer's correction form offers every theme of the codebook.
        let forms: Vec<&str> = themes
            .split("<select name=\"theme\" aria-label=\"Theme\">")
            .skip(1)
            .map(|form| form.split("</select>").next().unwrap())
            .collect();
        assert_eq!(forms.len(), themes.matches("name=\"response\"").count());
        assert!(!forms.is_empty(), "{themes}");
        for options in forms {
            for theme in triad_domain::surveys::seed_codebook() {
                assert!(
                    options.contains(&format!("<option value=\"{}\">", theme.key)),
                    "{options}"
                );
            }
        }
        let response: String = themes
            .split("name=\"response\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_string();
        let path = format!("/surveys/{id}/themes");
        for (theme, action, status) in [
            ("regular_meetings", "remove", 303),
            ("trust", "add", 303),
            ("not_a_theme", "add", 422),
        ] {
            let fields = [
                ("response", response.as_str()),
                ("question", "relationship_why"),
                ("theme", theme),
                ("action", action),
            ];
            assert_eq!(
                app.post_form(&path, &s, &fields).await.status(),
                status,
                "{theme} {action}"
            );
        }
        let themes = app.get(&path, &s).await.text().await.unwrap();
        assert!(
            !themes.contains("“weekly”") && themes.contains("set by a person"),
            "{themes}"
        );
    }
);

both_engines!(
    a_leader_imports_a_workshop_export_from_the_campaign_page,
    |app: TestApp| async move {
        let s = app.session("director").await;
        let id = app.world.survey;
        let page = app
            .get(&format!("/surveys/{id}"), &s)
            .await
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("enctype=\"multipart/form-data\""),
            "the leader gets the import form"
        );
        let evaluator = app
            .get(&format!("/surveys/{id}"), &app.session("evaluator").await)
            .await
            .text()
            .await
            .unwrap();
        assert!(
            !evaluator.contains("/import\""),
            "an evaluator reads, and does not import"
        );
        let upload = || {
            let token = triad_web::forms::FormToken::new(&s.csrf);
            let form = reqwest::multipart::Form::new()
                .text("_idem", token.idem)
                .text("_csrf", token.csrf)
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(WORKSHOP.as_bytes().to_vec())
                        .file_name("workshop.tsv")
                        .mime_str("text/tab-separated-values")
                        .unwrap(),
                );
            app.http
                .post(app.url(&format!("/surveys/{id}/import")))
                .header("cookie", &s.cookie)
                .multipart(form)
                .send()
        };
        let first = upload().await.unwrap();
        assert_eq!(first.status(), 200);
        let report = first.text().await.unwrap();
        assert!(
            report.contains("<strong id=\"imported\">13</strong>"),
            "{report}"
        );
        assert!(report.contains("several numbers run together"), "{report}");
        let again = upload().await.unwrap().text().await.unwrap();
        assert!(
            again.contains("<strong id=\"imported\">0</strong>"),
            "{again}"
        );
        assert_eq!(app.count("survey_responses").await, 13);
    }
);

both_engines!(
    survey_exports_in_every_shape_read_alike_and_a_failed_import_creates_nothing,
    |app: TestApp| async move {
        let table = "Communication / Collaboration\n\
SRO/Educator,Open and Accepting? Yes or No,What is your Roadblock or your success?\n\
SRO,Yes,\"We talk\tevery day\"\n\
Administrator,no,\"New principal\nthis year, and a new SRO\"\n";
        let run = |name: &str, bytes: Vec<u8>, campaign: &str| {
            let file = tempfile::NamedTempFile::new().unwrap();
            std::fs::write(file.path(), bytes).unwrap();
            let out = triad(
                &app,
                &[
                    "survey",
                    "import",
                    file.path().to_str().unwrap(),
                    "--campaign",
                    campaign,
                    "--json",
                ],
            );
            (name.to_string(), out)
        };
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in table.encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        for (name, out) in [
            run("lf", table.as_bytes().to_vec(), "Shapes LF"),
            run("cr", table.replace('\n', "\r").into_bytes(), "Shapes CR"),
            run("utf16", utf16, "Shapes UTF-16"),
        ] {
            let r = json(&out);
            assert_eq!(r["responses_imported"], 2, "{name}: {r}");
            assert_eq!(r["campaign_created"], true, "{name}: {r}");
            let answers = json(&triad(
                &app,
                &[
                    "survey",
                    "export",
                    "--campaign",
                    r["campaign"].as_str().unwrap(),
                    "--format",
                    "json",
                ],
            ))
            .to_string();
            // The tab stays inside its cell and the answer keeps its second line.
            assert!(answers.contains("We talk\\tevery day"), "{name}: {answers}");
            assert!(
                answers.contains("New principal\\nthis year, and a new SRO"),
                "{name}: {answers}"
            );
        }
        // An import that fails creates no campaign.
        let campaigns = app.count("survey_campaigns").await;
        let (_, out) = run(
            "no header",
            b"just some words\nand more\n".to_vec(),
            "Never made",
        );
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("no header row"));
        assert_eq!(app.count("survey_campaigns").await, campaigns);
    }
);

both_engines!(
    the_themes_page_finds_by_theme_and_words_a_page_at_a_time,
    |app: TestApp| async move {
        use triad_app::surveys::campaigns::{answer, by_public_code, AnswerInput};
        let code = app.world.survey.to_string().replace('-', "");
        let campaign = by_public_code(&app.db, &code).await.unwrap();
        for n in 0..60 {
            let why = if n % 2 == 0 {
                format!("We talk every day ({n})")
            } else {
                format!("Trust grows slowly ({n})")
            };
            let input = AnswerInput {
                fields: [("role", "educator".to_string()), ("relationship_why", why)]
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
            };
            answer(&app.db, &campaign, &input, app.clock_now())
                .await
                .unwrap();
        }
        let s = app.session("director").await;
        let other = app.other_district_leader().await;
        let principal = app.session("principal").await;
        let written = app.scalar("SELECT version FROM data_version").await;
        let path = format!("/surveys/{}/themes", campaign.id);
        let rows = |page: &str| page.matches("name=\"response\"").count();
        let first = app.get(&path, &s).await.text().await.unwrap();
        assert_eq!(rows(&first), 50);
        assert!(first.contains("60 answers, page 1 of 2"), "{first}");
        let second = app
            .get(&format!("{path}?page=2"), &s)
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(rows(&second), 10);
        // The two pages hold each answer once, in one order (the database pages them).
        let responses = |page: &str| -> Vec<String> {
            page.split("name=\"response\" value=\"")
                .skip(1)
                .filter_map(|rest| rest.split('"').next().map(String::from))
                .collect()
        };
        let mut both = responses(&first);
        both.extend(responses(&second));
        assert_eq!(both.len(), 60);
        assert!(both.windows(2).all(|w| w[0] < w[1]), "{both:?}");
        // The first page is kept (nothing was written since it was read); whoever else asks
        // for it is still asked who they are: a leader of another district and the campus's
        // principal get nothing of it.
        assert_eq!(
            app.scalar("SELECT version FROM data_version").await,
            written,
            "a write came between the views: nothing was kept"
        );
        for (who, session) in [("other district", &other), ("principal", &principal)] {
            let refused = app.get(&path, session).await;
            assert!([403, 404].contains(&refused.status().as_u16()), "{who}");
            let body = refused.text().await.unwrap();
            assert!(!body.contains("We talk every day"), "{who}: {body}");
        }
        let talk = app
            .get(&format!("{path}?theme=communication"), &s)
            .await
            .text()
            .await
            .unwrap();
        assert!(talk.contains("30 answers"), "{talk}");
        let words = app
            .get(&format!("{path}?q=GROWS+SLOWLY"), &s)
            .await
            .text()
            .await
            .unwrap();
        assert!(words.contains("30 answers"), "{words}");
        let past = app
            .get(&format!("{path}?page=9"), &s)
            .await
            .text()
            .await
            .unwrap();
        assert!(past.contains("There is no page 9"), "{past}");
        assert!(past.contains("the answers found fill 2"), "{past}");
        // A theme and words together, and their page past the end.
        let both_filters = app
            .get(&format!("{path}?theme=communication&q=day+%2858%29"), &s)
            .await
            .text()
            .await
            .unwrap();
        assert!(
            both_filters.contains("id=\"found\">1 answers") && both_filters.contains("(58)"),
            "{both_filters}"
        );
        let talk_past = app
            .get(&format!("{path}?theme=communication&page=3"), &s)
            .await
            .text()
            .await
            .unwrap();
        assert!(
            talk_past.contains("the answers found fill 1"),
            "{talk_past}"
        );
        // A page number as large as a number gets is past the end, not an error.
        let far = app
            .get(&format!("{path}?page={}", usize::MAX), &s)
            .await
            .text()
            .await
            .unwrap();
        assert!(far.contains("the answers found fill 2"), "{far}");
        assert_eq!(app.get(&format!("{path}?page=0"), &s).await.status(), 422);
        assert_eq!(
            app.get(&format!("{path}?theme=gossip"), &s).await.status(),
            422
        );

        // Every answer is found, however many there are (the page once read only the first
        // 500), and words match in any case, accented letters too.
        let say = |why: String| {
            let input = AnswerInput {
                fields: [("role", "educator".to_string()), ("relationship_why", why)]
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
            };
            let (db, campaign, now) = (&app.db, &campaign, app.clock_now());
            async move { answer(db, campaign, &input, now).await.unwrap() }
        };
        for n in 0..480 {
            say(format!("Nothing new to add ({n})")).await;
        }
        say("ÉL VIENE CADA SEMANA Y NOS CONOCE".into()).await;
        let all = app.get(&path, &s).await.text().await.unwrap();
        assert!(all.contains("541 answers, page 1 of 11"), "{all}");
        let accented = app
            .get(&format!("{path}?q=%C3%A9l+viene"), &s)
            .await
            .text()
            .await
            .unwrap();
        assert!(accented.contains("1 answers"), "{accented}");
        assert!(accented.contains("ÉL VIENE CADA SEMANA"), "{accented}");
    }
);
