//! Reminders by email the day before an action item is due, received by a real SMTP sink: the
//! job run directly on the test clock sends each once across two instances, only to owners
//! who still read the campus, never before 7:00 in the district's day; the one-click stop
//! (RFC 8058) needs no session, stops that kind of email for that person only, and a tampered
//! stop link stops nothing.

use crate::sinks::{mail_config, unfolded, Received, PUBLIC};
use crate::support::*;
use chrono::Timelike;

/// An instance's state on the test's database, clock and keys: the job runs on it directly,
/// as a second instance serving the same district would.
fn instance(app: &TestApp, config: triad_web::WebConfig) -> triad_web::AppState {
    let keys = triad_store::instance::Instance::open(&app.data_dir).unwrap();
    triad_web::AppState::new(app.db.clone(), app.clock.clone(), config, keys)
}

/// Moves the test clock to 7:00 or later in the district's day, and answers that day.
async fn morning_in_district(app: &TestApp) -> chrono::NaiveDate {
    let districts = triad_store::org::districts(&mut app.db.acquire().await.unwrap())
        .await
        .unwrap();
    let home = districts
        .iter()
        .find(|d| d.id == app.world.district.to_string())
        .unwrap();
    let tz: chrono_tz::Tz = home.time_zone.parse().unwrap();
    let local = app.clock_now().to_datetime().with_timezone(&tz);
    if local.hour() < 7 {
        app.clock.advance_minutes(i64::from(7 - local.hour()) * 60);
    }
    app.clock_now()
        .to_datetime()
        .with_timezone(&tz)
        .date_naive()
}

/// An action item of the campus's meeting, added by its principal (signed in afresh: the
/// test clock moves by days).
async fn item(app: &TestApp, title: &str, owner: &str, due: chrono::NaiveDate) {
    let principal = app.session("principal").await;
    let r = app
        .post_form(
            &format!("/meetings/{}/items", app.world.meeting),
            &principal,
            &[
                ("title", title),
                ("owner", owner),
                ("due_on", &due.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap();
    assert!(to.starts_with("/meetings/"), "{to}");
}

fn stop_link(message: &str) -> String {
    let message = unfolded(message);
    let start = message
        .find(&format!("List-Unsubscribe: <{PUBLIC}/email/stop/"))
        .expect("no one-click stop header")
        + "List-Unsubscribe: <".len();
    let end = start + message[start..].find('>').unwrap();
    message[start + PUBLIC.len()..end].to_string()
}

async fn received_by(mail: &Received, to: &str, subject: &str) -> String {
    mail.wait_for(&format!("Subject: {subject}"))
        .await
        .into_iter()
        .chain(mail.all())
        .map(|m| unfolded(&m))
        .find(|m| m.contains(&format!("<{to}>")) && m.contains(subject))
        .unwrap_or_else(|| panic!("no reminder to {to}: {:?}", mail.all()))
}

async fn stopped_count(app: &TestApp) -> usize {
    app.audit_count("email.stopped", "ok").await
}

async fn reminders_the_day_before(engine: Engine) {
    let (config, mail) = mail_config().await;
    let app = TestApp::start_with(engine, config.clone()).await;
    let today = morning_in_district(&app).await;
    let tomorrow = today.succ_opt().unwrap();
    item(&app, "Order the radio batteries", "principal", tomorrow).await;
    item(&app, "Print the drill maps", "sro", tomorrow).await;
    item(
        &app,
        "Not yet: the fence quote",
        "principal",
        tomorrow.succ_opt().unwrap(),
    )
    .await;

    // Two instances serve the district: each reminder goes out once.
    let first = instance(&app, config.clone());
    let second = instance(&app, config.clone());
    assert_eq!(
        triad_web::reminders::send_due(&first)
            .await
            .unwrap()
            .reminders,
        2
    );
    assert_eq!(
        triad_web::reminders::send_due(&second)
            .await
            .unwrap()
            .reminders,
        0
    );
    assert_eq!(
        triad_web::reminders::send_due(&first)
            .await
            .unwrap()
            .reminders,
        0
    );
    let to_principal = received_by(
        &mail,
        "principal@triad.test",
        "Due tomorrow: Order the radio batteries",
    )
    .await;
    assert!(to_principal.contains(&format!("{PUBLIC}/meetings/{}", app.world.meeting)));
    assert!(to_principal.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    assert!(!mail
        .all()
        .iter()
        .any(|m| m.contains("Due tomorrow: Not yet: the fence quote")));
    let to_sro = received_by(
        &mail,
        "sro@triad.test",
        "Due tomorrow: Print the drill maps",
    )
    .await;

    // The stop link opened in a browser asks first and changes nothing.
    let link = stop_link(&to_principal);
    let page = app.http.get(app.url(&link)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Stop these emails"));
    assert_eq!(stopped_count(&app).await, 0);
    // Tampered: another kind, another person's id under the principal's signature, a cut
    // signature. None stops anything.
    let sro_link = stop_link(&to_sro);
    let (user, rest) = link["/email/stop/".len()..].split_once('.').unwrap();
    let sro_user = sro_link["/email/stop/".len()..].split_once('.').unwrap().0;
    for bad in [
        format!(
            "/email/stop/{user}.digest.{}",
            rest.split_once('.').unwrap().1
        ),
        format!("/email/stop/{sro_user}.{rest}"),
        link[..link.len() - 4].to_string(),
        "/email/stop/nonsense".into(),
    ] {
        let r = app
            .http
            .post(app.url(&bad))
            .form(&[("List-Unsubscribe", "One-Click")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{bad}");
    }
    assert_eq!(stopped_count(&app).await, 0);
    // The mail program's one-click POST: no session, no CSRF token.
    let r = app
        .http
        .post(app.url(&link))
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("no more reminders"));
    assert_eq!(stopped_count(&app).await, 1);
    // Twice is the same as once.
    let again = app.http.post(app.url(&link)).send().await.unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(stopped_count(&app).await, 1);

    // The next day: the principal stopped them, the SRO did not.
    app.clock.advance_minutes(24 * 60);
    let day_after = tomorrow.succ_opt().unwrap();
    item(&app, "Call the bus company", "sro", day_after).await;
    assert_eq!(
        triad_web::reminders::send_due(&first)
            .await
            .unwrap()
            .reminders,
        1
    );
    received_by(
        &mail,
        "sro@triad.test",
        "Due tomorrow: Call the bus company",
    )
    .await;
    assert!(!mail
        .all()
        .iter()
        .any(|m| m.contains("Due tomorrow: Not yet: the fence quote")));

    // An owner whose assignment ended gets no more reminders of the campus's items.
    let later = day_after.succ_opt().unwrap();
    item(&app, "Restock the first-aid kit", "sro", later).await;
    let admin = app.token("admin").await;
    let r = app
        .api_send(
            reqwest::Method::POST,
            &format!("/api/v1/assignments/{}/end", app.world.assignment),
            &admin,
            "reminder-end",
            &serde_json::json!({"ends_on": today.to_string()}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app.clock.advance_minutes(24 * 60);
    assert_eq!(
        triad_web::reminders::send_due(&first)
            .await
            .unwrap()
            .reminders,
        0
    );
}

/// The weekly email of what is due: once a week per person across instances, only to partners
/// with something due or late, stopped with its own link and nothing else.
async fn a_weekly_email_of_what_is_due(engine: Engine) {
    let (config, mail) = mail_config().await;
    let app = TestApp::start_with(engine, config.clone()).await;
    let today = morning_in_district(&app).await;
    let monday = triad_domain::org::week_start(today);
    let first = instance(&app, config.clone());
    let second = instance(&app, config.clone());
    // A ban of Home High ends in two days; an evidence item waits for the principal to
    // acknowledge receiving it.
    let ends_on = (today + chrono::Duration::days(2)).to_string();
    app.raw(&format!(
        "UPDATE bans SET ends_on = '{ends_on}' WHERE id = '{}'",
        app.world.ban
    ))
    .await
    .unwrap();
    let banned = app
        .scalar_text(&format!(
            "SELECT family_name FROM bans WHERE id = '{}'",
            app.world.ban
        ))
        .await;
    app.raw(&format!(
        "UPDATE evidence_items SET pending_receiver_id = '{}' WHERE id = '{}'",
        app.user("principal"),
        app.world.evidence
    ))
    .await
    .unwrap();
    // A follow-up of the campus's event is the principal's, due today; another is theirs
    // but due next month (not this week's).
    for (title, due) in [
        ("Replace the east door closer", today),
        (
            "Review the radio channel plan",
            today + chrono::Duration::days(30),
        ),
    ] {
        app.raw(&format!(
            "INSERT INTO campus_event_follow_ups (id, event_id, title, owner_id, due_on, created_by, created_at) \
             VALUES ('{}', '{}', '{title}', '{}', '{due}', '{}', 0)",
            triad_domain::Id::new(),
            app.world.campus_event,
            app.user("principal"),
            app.user("sro")
        ))
        .await
        .unwrap();
    }
    let sent = triad_web::reminders::send_due(&first).await.unwrap();
    assert!(sent.digests >= 2, "{sent:?}");
    assert_eq!(
        triad_web::reminders::send_due(&second)
            .await
            .unwrap()
            .digests,
        0
    );
    // A later round finds everyone's week claimed by reading: it writes nothing.
    let batches = app.db.write_batches();
    assert_eq!(
        triad_web::reminders::send_due(&first)
            .await
            .unwrap()
            .digests,
        0
    );
    assert_eq!(
        app.db.write_batches(),
        batches,
        "a round with nothing to send wrote"
    );
    let subject = format!("Triad: what is due this week ({monday})");
    let to_principal = received_by(&mail, "principal@triad.test", &subject).await;
    // Their campus's week, and the late item they own.
    assert!(to_principal.contains("- Home High: "), "{to_principal}");
    assert!(
        to_principal.contains("Walk the east fence line"),
        "{to_principal}"
    );
    assert!(to_principal.contains(&format!("Open Triad: {PUBLIC}/")));
    assert!(
        to_principal.contains("Evidence waits for you to acknowledge receiving it"),
        "{to_principal}"
    );
    assert!(
        to_principal.contains("1 campus ban ends by"),
        "{to_principal}"
    );
    assert!(
        !to_principal.contains(&banned),
        "a ban's person is never named in an email"
    );
    assert!(
        to_principal.contains(&format!(
            "- Follow-up yours, due {today}: Replace the east door closer"
        )),
        "{to_principal}"
    );
    assert!(
        !to_principal.contains("radio channel plan"),
        "not this week's"
    );
    let to_sro = received_by(&mail, "sro@triad.test", &subject).await;
    assert!(to_sro.contains("- Home High: "));
    // The test world's SRO has no training recorded: short of the agency's requirements.
    assert!(
        to_sro.contains("- Your training is short: basic SRO course 0 of"),
        "{to_sro}"
    );
    assert!(
        !to_principal.contains("Your training"),
        "an SRO's own, nobody else's"
    );
    assert!(to_sro.contains("1 campus ban ends by"), "{to_sro}");
    assert!(
        !to_sro.contains("Evidence waits for you"),
        "the principal's receipt, not the SRO's"
    );
    // Staff, who are not partners of the program, have nothing due: no email.
    assert!(!mail
        .all()
        .iter()
        .any(|m| m.contains("<staff@triad.test>") && m.contains("what is due this week")));
    // The other district's principal reads of their own campus only.
    if let Some(away) = mail
        .all()
        .into_iter()
        .find(|m| m.contains("<away-principal@triad.test>"))
    {
        assert!(!away.contains("Home High"), "{away}");
    }

    // Stopped by the principal: the next week, the SRO's comes and the principal's does not.
    let link = stop_link(&to_principal);
    let r = app.http.post(app.url(&link)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("no more weekly emails"));
    app.clock.advance_minutes(7 * 24 * 60);
    let next = format!(
        "Triad: what is due this week ({})",
        monday + chrono::Duration::days(7)
    );
    assert!(
        triad_web::reminders::send_due(&first)
            .await
            .unwrap()
            .digests
            >= 1
    );
    received_by(&mail, "sro@triad.test", &next).await;
    assert!(!mail
        .all()
        .iter()
        .any(|m| m.contains("<principal@triad.test>") && m.contains(&next)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_weekly_email_of_what_is_due_sqlite() {
    a_weekly_email_of_what_is_due(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_weekly_email_of_what_is_due_postgres() {
    a_weekly_email_of_what_is_due(Engine::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_the_day_before_sqlite() {
    reminders_the_day_before(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_the_day_before_postgres() {
    reminders_the_day_before(Engine::Postgres).await;
}
