//! Training records: an officer records their own courses with a certificate (kept as
//! uploaded, served only as a download), their agency's supervisor sees everyone's and sets
//! the requirements, nobody else sees a name, and a district sees counts.

use crate::both_engines;
use crate::support::*;
use sha2::Digest;

/// A page form with a certificate, posted as the browser would.
async fn post_course(
    app: &TestApp,
    s: &Session,
    path: &str,
    fields: &[(&str, &str)],
    certificate: Option<(&[u8], &str)>,
) -> reqwest::Response {
    let token = triad_web::forms::FormToken::new(&s.csrf);
    let mut form = reqwest::multipart::Form::new()
        .text("_idem", token.idem)
        .text("_csrf", token.csrf);
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    if let Some((bytes, name)) = certificate {
        form = form.part(
            "certificate",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()),
        );
    }
    app.http
        .post(app.url(path))
        .header("cookie", &s.cookie)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

both_engines!(
    an_officer_keeps_their_training_and_their_supervisor_sees_who_is_short,
    |app: TestApp| async move {
        let w = app.world;
        let sro = app.session("sro").await;
        // The SRO's home says where their training stands, and leads to it.
        let home = app.get("/", &sro).await.text().await.unwrap();
        let mine = home
            .split("id=\"my-training\"")
            .nth(1)
            .and_then(|r| r.split("</section>").next())
            .expect("the SRO's home has their training")
            .to_string();
        assert!(
            mine.contains("short") && mine.contains("0 of 120 hours"),
            "{mine}"
        );
        let path = mine
            .split("href=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap()
            .to_string();
        assert!(
            path.starts_with("/people/") && path.ends_with("/training"),
            "{path}"
        );
        let person = path
            .trim_start_matches("/people/")
            .trim_end_matches("/training")
            .to_string();

        // The basic course, with its certificate.
        let pdf = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n".to_vec();
        let r = post_course(
            &app,
            &sro,
            &path,
            &[
                ("title", "Basic School Resource Officer course"),
                ("provider", "State police-training academy"),
                ("counts", "basic"),
                ("hours", "120"),
                ("completed_on", "2019-03-01"),
            ],
            Some((&pdf, "certificate.pdf")),
        )
        .await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
        // A page that calls itself a PDF, negative hours, a course still to come: refused, and
        // nothing kept (no record, no file).
        let before = app.count("training_records").await;
        let tomorrow =
            (app.clock_now().to_datetime().date_naive() + chrono::Days::new(2)).to_string();
        for (fields, file, field) in [
            (
                vec![("hours", "8")],
                Some((&b"<html><script>alert(1)</script>"[..], "evil.pdf")),
                "certificate",
            ),
            (vec![("hours", "-8")], None, "hours"),
            (vec![("hours", "5000")], None, "hours"),
            (
                vec![("hours", "8"), ("completed_on", tomorrow.as_str())],
                None,
                "completed_on",
            ),
        ] {
            let mut all = vec![
                ("title", "De-escalation"),
                ("provider", "NASRO"),
                ("counts", "in_service"),
                ("completed_on", "2026-01-10"),
            ];
            for (k, v) in &fields {
                all.retain(|(name, _)| name != k);
                all.push((k, v));
            }
            let r = post_course(&app, &sro, &path, &all, file).await;
            assert_eq!(r.status(), 422, "{fields:?}");
            let body = r.text().await.unwrap();
            assert!(
                body.to_lowercase().contains(&field.replace('_', " ")),
                "{field}: {body}"
            );
        }
        assert_eq!(app.count("training_records").await, before);

        // Briefings attended: the officer records their own, once a day, never one to come.
        for (day, status) in [
            ("", 303),
            ("", 303),
            (tomorrow.as_str(), 422),
            ("2020-01-01", 422),
        ] {
            let r = app
                .post_form(
                    &format!("/people/{person}/briefings"),
                    &sro,
                    &[("held_on", day)],
                )
                .await;
            assert_eq!(r.status(), status, "{day:?}");
        }
        let page = app.get(&path, &sro).await.text().await.unwrap();
        let count = page.split("id=\"briefing-count\">").nth(1).unwrap();
        assert!(count.starts_with("1 attended in"), "{count}");
        assert_eq!(app.audit_count("training.briefing", "ok").await, 1);

        // The supervisor records an in-service course over the API, attended with the principal.
        let sergeant = app.token("sergeant").await;
        // Today on the agency's clock (its district's, Chicago): the course counts this year.
        let today = app.district_today().to_string();
        let r = app
            .api_post(
                &sergeant,
                &format!("/api/v1/people/{person}/training"),
                serde_json::json!({"title": "Threat assessment", "provider": "U.S. Department of Justice",
                    "counts": "in_service", "hours": "7.5", "completed_on": today, "joint": true}),
            )
            .await;
        assert_eq!(r.status(), 201);
        let listed: serde_json::Value = app
            .api_get(&format!("/api/v1/people/{person}/training"), &sergeant)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(listed["standing"]["basic_short"], "0");
        assert_eq!(listed["standing"]["year_hours"], "7.5");
        assert_eq!(listed["standing"]["year_short"], "32.5");
        assert_eq!(listed["standing"]["joint_this_year"], 1);
        assert_eq!(listed["standing"]["short"], true);

        // The certificate comes back byte for byte, as a download only, to the supervisor.
        let basic = listed["records"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["counts"] == "basic")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let s = app.session("sergeant").await;
        let download = app.get(&format!("/training/{basic}/certificate"), &s).await;
        assert_eq!(download.status(), 200);
        let headers = download.headers().clone();
        assert!(headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;"));
        assert_eq!(headers["content-type"], "application/pdf");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(download.bytes().await.unwrap().to_vec(), pdf);
        let kept: String = app
            .scalar_text(&format!(
                "SELECT certificate_sha256 FROM training_records WHERE id = '{basic}'"
            ))
            .await;
        assert_eq!(kept, hex::encode(sha2::Sha256::digest(&pdf)));

        // Nobody else reads it: not another SRO of the agency, not the campus's people, not the
        // district's leader.
        let other = app
            .add_person(
                "second-sro",
                &[triad_domain::auth::Grant {
                    role: triad_domain::auth::Role::Sro,
                    scope: triad_domain::auth::Scope::Agency { agency: w.agency },
                }],
                Some(w.agency),
                Some((w.agency, w.district, w.campus)),
            )
            .await;
        let second = app.session_of(other).await;
        for s in [
            &second,
            &app.session("principal").await,
            &app.session("director").await,
        ] {
            for page in [path.clone(), format!("/training/{basic}/certificate")] {
                let status = app.get(&page, s).await.status().as_u16();
                assert!(matches!(status, 403 | 404), "{page}: {status}");
            }
        }

        // The supervisor sets the requirements; the roster shows who is short.
        let requirements = format!("/agencies/{}/training/requirements", w.agency);
        let r = app
            .post_form(
                &requirements,
                &s,
                &[
                    ("basic_hours", "-1"),
                    ("yearly_hours", "40"),
                    ("training_year", "fiscal"),
                ],
            )
            .await;
        assert_eq!(r.status(), 422);
        let director = app.session("director").await;
        let r = app
            .post_form(
                &requirements,
                &director,
                &[
                    ("basic_hours", "40"),
                    ("yearly_hours", "8"),
                    ("training_year", "school"),
                ],
            )
            .await;
        assert!(matches!(r.status().as_u16(), 403 | 404));
        let r = app
            .post_form(
                &requirements,
                &s,
                &[
                    ("basic_hours", "120"),
                    ("yearly_hours", "7.5"),
                    ("training_year", "school"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let roster = app
            .get(&format!("/agencies/{}/training", w.agency), &s)
            .await
            .text()
            .await
            .unwrap();
        assert!(roster.contains("School year (July to June)"), "{roster}");
        // The SRO meets both now; the second SRO and the unassigned officer do not.
        let row = |name: &str| {
            roster
                .split("<tr>")
                .find(|r| r.contains(name))
                .unwrap_or_else(|| panic!("{name} on the roster"))
                .to_string()
        };
        assert!(!row("Test sro").contains("flag"), "{}", row("Test sro"));
        assert!(row("Test second-sro").contains("short"));
        let short = roster.split("id=\"short-count\"").nth(1).unwrap();
        assert!(
            short
                .split("</p>")
                .next()
                .unwrap()
                .contains("short of training"),
            "{short}"
        );

        // The district sees counts, and no name.
        for who in ["director", "evaluator"] {
            let s = app.session(who).await;
            let page = app
                .get(&format!("/districts/{}/training", w.district), &s)
                .await
                .text()
                .await
                .unwrap();
            assert!(
                page.contains("Short of this year&#39;s in-service hours: 1")
                    || page.contains("Short of this year's in-service hours: 1"),
                "{who}: {page}"
            );
            assert!(
                page.contains("Joint trainings with school administrators this year: 1"),
                "{page}"
            );
            assert!(
                !page.contains("Test sro") && !page.contains("second-sro"),
                "{page}"
            );
        }
        // A wrong record is voided by the supervisor, with a reason, and stops counting; the
        // officer cannot void their own.
        let listed: serde_json::Value = app
            .api_get(&format!("/api/v1/people/{person}/training"), &sergeant)
            .await
            .json()
            .await
            .unwrap();
        let in_service = listed["records"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["counts"] == "in_service")
            .unwrap()
            .clone();
        assert_eq!(in_service["entered_by_officer"], false);
        let basic_row = listed["records"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["counts"] == "basic")
            .unwrap()
            .clone();
        assert_eq!(
            basic_row["entered_by_officer"], true,
            "the SRO entered the basic course"
        );
        let void = format!("/training/{}/void", in_service["id"].as_str().unwrap());
        assert_eq!(
            app.post_form(&void, &sro, &[("reason", "mine")])
                .await
                .status(),
            403
        );
        assert_eq!(
            app.post_form(&void, &s, &[("reason", " ")]).await.status(),
            422
        );
        assert_eq!(
            app.post_form(&void, &s, &[("reason", "Entered twice")])
                .await
                .status(),
            303
        );
        assert_eq!(
            app.post_form(&void, &s, &[("reason", "again")])
                .await
                .status(),
            409
        );
        let after: serde_json::Value = app
            .api_get(&format!("/api/v1/people/{person}/training"), &sergeant)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(after["standing"]["year_hours"], "0");
        assert_eq!(
            after["records"].as_array().unwrap().len(),
            2,
            "kept, not deleted"
        );
        assert_eq!(app.audit_count("training.add", "ok").await, 2);
        assert_eq!(app.audit_count("training.requirements", "ok").await, 1);
    }
);
