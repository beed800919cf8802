//! The audit trail: written with every change, append-only in the database, verifiable, and
//! readable by the people entitled to it.

use crate::both_engines;
use crate::support::*;

both_engines!(
    the_database_refuses_to_change_the_trail,
    |app: TestApp| async move {
        let s = app.session("director").await;
        let r = app
            .post_form(
                &format!("/districts/{}/campuses", app.world.district),
                &s,
                &[("name", "Audited High"), ("level", "high")],
            )
            .await;
        assert_eq!(r.status(), 303, "the write the test relies on is saved");
        assert!(app
            .raw("UPDATE audit_log SET action = 'nothing.happened'")
            .await
            .is_err());
        assert!(app.raw("DELETE FROM audit_log").await.is_err());
        let ok = triad_store::audit::verify(&app.db).await.unwrap();
        assert!(ok.is_ok(), "{ok:?}");
    }
);

both_engines!(
    verify_names_the_first_altered_entry,
    |app: TestApp| async move {
        let s = app.session("director").await;
        for name in ["One", "Two", "Three"] {
            let r = app
                .post_form(
                    &format!("/districts/{}/campuses", app.world.district),
                    &s,
                    &[("name", name), ("level", "high")],
                )
                .await;
            assert_eq!(r.status(), 303, "the write the test relies on is saved");
        }
        let n = triad_store::audit::verify(&app.db).await.unwrap().unwrap();
        assert!(n >= 3);
        // Someone with the database files removes the guard and edits an entry.
        let drop_guard = match app.engine {
            Engine::Sqlite => "DROP TRIGGER audit_log_no_update",
            Engine::Postgres => "DROP TRIGGER audit_log_no_update ON audit_log",
        };
        app.raw(drop_guard).await.unwrap();
        app.raw("UPDATE audit_log SET record_id = 'someone-else' WHERE seq = 2")
            .await
            .unwrap();
        let broken = triad_store::audit::verify(&app.db)
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(broken.seq, 2);
        assert!(broken.reason.contains("altered"));
    }
);

both_engines!(
    a_change_without_its_audit_entry_is_not_saved,
    |app: TestApp| async move {
        use triad_app::change::Change;
        use triad_app::Clock;
        use triad_domain::audit::{AuditEvent, Outcome};
        let now = app.clock.now();
        let read = |db: triad_store::Db| async move {
            let mut conn = db.acquire().await.unwrap();
            triad_store::settings::get_i64(&mut conn, "test.change", 0)
                .await
                .unwrap()
        };
        let before = app.audit_count("test.change", "ok").await;
        // A write that says nothing of itself is refused at commit and rolled back.
        let mut change = Change::open(&app.db, now).await.unwrap();
        triad_store::settings::set(&mut change, "test.change", "7")
            .await
            .unwrap();
        let refused = change.commit().await.unwrap_err();
        assert!(
            matches!(refused, triad_app::AppError::Internal(_)),
            "{refused:?}"
        );
        assert_eq!(read(app.db.clone()).await, 0, "nothing of it was saved");
        assert_eq!(app.audit_count("test.change", "ok").await, before);
        // The same write with its entry is saved with it.
        let mut change = Change::open(&app.db, now).await.unwrap();
        triad_store::settings::set(&mut change, "test.change", "7")
            .await
            .unwrap();
        change.audit(AuditEvent::new(None, "test.change", Outcome::Ok));
        change.commit().await.unwrap();
        assert_eq!(read(app.db.clone()).await, 7);
        assert_eq!(app.audit_count("test.change", "ok").await, before + 1);
    }
);

both_engines!(entries_hold_hashes_not_content, |app: TestApp| async move {
    let s = app.session("director").await;
    let r = app
        .post_form(
            &format!("/districts/{}/campuses", app.world.district),
            &s,
            &[
                ("name", "Secretive Name Elementary"),
                ("level", "elementary"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303, "the write the test relies on is saved");
    let admin = app.session("admin").await;
    let csv = app.get("/audit?format=csv", &admin).await;
    assert_eq!(
        csv.headers().get("content-type").unwrap(),
        "text/csv; charset=utf-8"
    );
    let text = csv.text().await.unwrap();
    assert!(text.contains("org.campus.create"));
    assert!(
        !text.contains("Secretive"),
        "the trail must not carry content"
    );
    assert!(text.lines().next().unwrap().contains("content_hash"));
});

both_engines!(
    district_leaders_read_their_districts_trail_only,
    |app: TestApp| async move {
        let d = app.session("director").await;
        let r = app
            .post_form(
                &format!("/districts/{}/campuses", app.world.district),
                &d,
                &[("name", "Ours"), ("level", "high")],
            )
            .await;
        assert_eq!(r.status(), 303, "the write the test relies on is saved");
        let a = app.session("admin").await;
        let r = app
            .post_form(
                &format!("/districts/{}/campuses", app.world.other_district),
                &a,
                &[("name", "Theirs"), ("level", "high")],
            )
            .await;
        assert_eq!(r.status(), 303, "the write the test relies on is saved");
        let page = app
            .get("/audit?action=org.campus", &d)
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(page.matches("org.campus.create").count(), 1);
        // Entries name their people, linked to that person's entries; the filter picks
        // people by name, among those of the reader's district only.
        let director = app.user("director");
        assert!(
            page.contains(&format!("<a href=\"/audit?actor={director}\" title=\"Only this person's entries\">Test director</a>")),
            "{page}"
        );
        assert!(page.contains(&format!(
            "<option value=\"{}\">Test sro</option>",
            app.user("sro")
        )));
        assert!(
            !page.contains("Test away-principal"),
            "another district's people are not offered"
        );
        assert!(page.contains("Test victim"), "{page}");
        // Names and people are kept between requests; a renamed person shows by the new name
        // and a disabled account leaves the filter at the next request.
        let sro = app.user("sro");
        app.raw(&format!(
            "UPDATE users SET display_name = 'Renamed sro' WHERE id = '{sro}'; \
             UPDATE users SET disabled = TRUE WHERE id = '{}'",
            app.user("victim")
        ))
        .await
        .unwrap();
        let again = app
            .get("/audit?action=org.campus", &d)
            .await
            .text()
            .await
            .unwrap();
        assert!(
            again.contains(&format!("<option value=\"{sro}\">Renamed sro</option>")),
            "{again}"
        );
        assert!(!again.contains("Test sro"), "{again}");
        assert!(!again.contains("Test victim"), "{again}");
        let all = app
            .get("/audit?action=org.campus", &a)
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(all.matches("org.campus.create").count(), 2);
        // The administrator's people filter offers the people of the entries shown (not
        // every account of the instance), and keeps the one chosen.
        assert!(all.contains(&format!(
            "<option value=\"{director}\">Test director</option>"
        )));
        assert!(
            !all.contains("Test victim"),
            "nobody the page does not show"
        );
        let victim = app.user("victim");
        let chosen = app
            .get(&format!("/audit?actor={victim}"), &a)
            .await
            .text()
            .await
            .unwrap();
        assert!(
            chosen.contains(&format!(
                "<option value=\"{victim}\" selected>Test victim</option>"
            )),
            "{chosen}"
        );
        let p = app.session("principal").await;
        assert_eq!(app.get("/audit", &p).await.status(), 404);
        let bad = app.get("/audit?outcome=maybe", &a).await;
        assert_eq!(bad.status(), 422);
        // A page at a time, newest first, the filter kept on the older pages.
        let first = app
            .get("/audit?action=org.campus&limit=1", &a)
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(first.matches("org.campus.create").count(), 1);
        let older = first
            .split("href=\"")
            .find(|h| h.starts_with("/audit?action=org.campus") && h.contains("before="))
            .and_then(|h| h.split('"').next())
            .map(|h| h.replace("&#38;", "&").replace("&amp;", "&"))
            .unwrap_or_else(|| panic!("no link to older entries: {first}"));
        let second = app
            .get(&format!("{older}&limit=1"), &a)
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(
            second.matches("org.campus.create").count(),
            1,
            "{older}: {}",
            second.split("audit-entries").nth(1).unwrap_or_default()
        );
        assert_ne!(first, second);
        let past = app.get("/audit?before=1", &a).await.text().await.unwrap();
        assert!(past.contains("past the end of the trail"), "{past}");
    }
);

/// The two engines' migrations carry the same names and, applied, make the same schema:
/// the same tables with the same columns, and the same indexes on the same tables. (Types are
/// each engine's own; what a query names must exist on both.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_engines_migrate_to_the_same_schema() {
    use triad_store::{Db, Engine as StoreEngine};
    let sqlite_names = Db::migration_names(StoreEngine::Sqlite);
    assert!(!sqlite_names.is_empty());
    assert_eq!(sqlite_names, Db::migration_names(StoreEngine::Postgres));
    let sqlite = TestApp::start(Engine::Sqlite).await;
    let postgres = TestApp::start(Engine::Postgres).await;
    let (lite, pg) = (schema_of(&sqlite).await, schema_of(&postgres).await);
    assert!(
        lite.columns.len() > 100,
        "read {} columns",
        lite.columns.len()
    );
    let tables =
        |s: &Schema| -> BTreeSet<String> { s.columns.iter().map(|(t, _)| t.clone()).collect() };
    assert_eq!(tables(&lite), tables(&pg), "tables");
    let only = |a: &Schema, b: &Schema| -> Vec<(String, String)> {
        a.columns.difference(&b.columns).cloned().collect()
    };
    assert!(
        only(&lite, &pg).is_empty(),
        "columns only on SQLite: {:?}",
        only(&lite, &pg)
    );
    assert!(
        only(&pg, &lite).is_empty(),
        "columns only on PostgreSQL: {:?}",
        only(&pg, &lite)
    );
    assert_eq!(lite.indexes, pg.indexes, "indexes (name, table)");
}

use std::collections::BTreeSet;

/// What a migrated database holds: (table, column) pairs, and (index, table) pairs of the
/// indexes the migrations create by name (not those an engine makes for a key on its own).
struct Schema {
    columns: BTreeSet<(String, String)>,
    indexes: BTreeSet<(String, String)>,
}

async fn schema_of(app: &TestApp) -> Schema {
    use triad_store::Db;
    let pairs = |rows: Vec<(String, String)>| -> BTreeSet<(String, String)> {
        rows.into_iter()
            .map(|(a, b)| (a.to_lowercase(), b.to_lowercase()))
            .collect()
    };
    match &app.db {
        Db::Sqlite(pool, ..) => {
            let columns = sqlx::query_as(
                "SELECT m.name, c.name FROM sqlite_master m, pragma_table_info(m.name) c \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations'",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            let indexes = sqlx::query_as(
                "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            Schema {
                columns: pairs(columns),
                indexes: pairs(indexes),
            }
        }
        Db::Postgres(pool, ..) => {
            let columns = sqlx::query_as(
                "SELECT c.table_name::text, c.column_name::text FROM information_schema.columns c \
                 JOIN information_schema.tables t USING (table_schema, table_name) \
                 WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
                 AND c.table_name <> '_sqlx_migrations'",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            // Indexes backing a primary key or a unique constraint are the engine's own.
            let indexes = sqlx::query_as(
                "SELECT i.relname::text, t.relname::text FROM pg_index x \
                 JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid \
                 JOIN pg_namespace n ON n.oid = t.relnamespace \
                 WHERE n.nspname = current_schema() AND t.relname <> '_sqlx_migrations' \
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid \
                 AND k.contype IN ('p', 'u', 'x'))",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            Schema {
                columns: pairs(columns),
                indexes: pairs(indexes),
            }
        }
    }
}

// Someone holding the database rewrites an entry and recomputes the chain and its head: the
// trail then checks as intact on its own, but not against a signed checkpoint kept elsewhere.
// Removing entries from the end is caught the same way, and a checkpoint that was edited,
// cut short or signed by another key is refused.
both_engines!(
    a_signed_checkpoint_catches_a_rewritten_chain,
    |app: TestApp| async move {
        use crate::cli::{text, triad};
        let s = app.session("director").await;
        for name in ["One", "Two", "Three", "Four"] {
            let r = app
                .post_form(
                    &format!("/districts/{}/campuses", app.world.district),
                    &s,
                    &[("name", name), ("level", "high")],
                )
                .await;
            assert_eq!(r.status(), 303, "the write the test relies on is saved");
        }
        let note = app.data_dir.join("kept-elsewhere.note");
        let note_arg = note.display().to_string();
        let made = triad(
            &app.data_dir,
            &app.database_url,
            &["audit", "checkpoint", "--out", &note_arg],
            None,
        );
        assert!(made.status.success(), "{}", text(&made));
        let verify = |extra: &[&str]| {
            let mut args = vec!["audit", "verify", "--checkpoint", &note_arg];
            args.extend_from_slice(extra);
            triad(&app.data_dir, &app.database_url, &args, None)
        };
        let fine = verify(&[]);
        assert!(fine.status.success(), "{}", text(&fine));
        assert!(text(&fine).contains("extends the 1 signed checkpoint"));

        // The rewrite: entry 2 says something else, and every hash after it is recomputed.
        let drop_guard = match app.engine {
            Engine::Sqlite => "DROP TRIGGER audit_log_no_update",
            Engine::Postgres => "DROP TRIGGER audit_log_no_update ON audit_log",
        };
        app.raw(drop_guard).await.unwrap();
        let mut entries = triad_store::audit::list(
            &app.db,
            &triad_store::audit::Filter {
                limit: 100_000,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        entries.sort_by_key(|e| e.seq);
        let mut prev = triad_domain::audit::GENESIS.to_string();
        for e in entries.iter_mut() {
            if e.seq == 2 {
                e.event.record_id = Some("someone-else".into());
            }
            e.prev_hash = prev.clone();
            e.hash = e.compute_hash();
            prev = e.hash.clone();
            app.raw(&format!(
                "UPDATE audit_log SET record_id = {}, prev_hash = '{}', hash = '{}' WHERE seq = {}",
                e.event
                    .record_id
                    .as_ref()
                    .map(|r| format!("'{r}'"))
                    .unwrap_or_else(|| "NULL".into()),
                e.prev_hash,
                e.hash,
                e.seq
            ))
            .await
            .unwrap();
        }
        app.raw(&format!(
            "UPDATE audit_head SET hash = '{prev}' WHERE id = 1"
        ))
        .await
        .unwrap();
        let alone = triad(&app.data_dir, &app.database_url, &["audit", "verify"], None);
        assert!(
            alone.status.success(),
            "the rewritten chain checks on its own: {}",
            text(&alone)
        );
        let caught = verify(&[]);
        assert_eq!(caught.status.code(), Some(2), "{}", text(&caught));
        assert!(
            text(&caught).contains("signed checkpoint"),
            "{}",
            text(&caught)
        );

        // A checkpoint edited (its size), cut short, or checked against another key: refused.
        let original = std::fs::read_to_string(&note).unwrap();
        let size_line = original.lines().nth(1).unwrap().to_string();
        let bigger = (size_line.parse::<i64>().unwrap() + 1).to_string();
        for forged in [
            original.replacen(&format!("\n{size_line}\n"), &format!("\n{bigger}\n"), 1),
            original[..original.len() / 2].to_string(),
        ] {
            std::fs::write(&note, &forged).unwrap();
            let refused = verify(&[]);
            assert_eq!(refused.status.code(), Some(2));
            assert!(
                text(&refused).contains("NOT VERIFIED: checkpoint"),
                "{}",
                text(&refused)
            );
        }
        std::fs::write(&note, &original).unwrap();
        let other = app.data_dir.join("other.pub.pem");
        std::fs::write(
            &other,
            "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAF2KhZj2z79fer/55ouvHTm310jduS56n4urA855plxc=\n-----END PUBLIC KEY-----\n",
        )
        .unwrap();
        let other_arg = other.display().to_string();
        let wrong_key = verify(&["--public-key", &other_arg]);
        assert_eq!(wrong_key.status.code(), Some(2));
        assert!(text(&wrong_key).contains("not signed by this instance"));
    }
);

// Content hashes are keyed with the instance's secret (kept beside its key, outside the
// database): short content such as a role granted cannot be recovered by hashing candidates.
// Entries written before keyed hashes (a bare SHA-256) still verify; a hash of neither kind
// does not.
both_engines!(
    content_hashes_are_keyed_with_the_instance_secret,
    |app: TestApp| async move {
        let token = app.token("admin").await;
        let grant = triad_domain::auth::Grant {
            role: triad_domain::auth::Role::DistrictLeader,
            scope: triad_domain::auth::Scope::District {
                district: app.world.district,
            },
        };
        let staff = app.user("staff");
        let r = app
            .api_post(
                &token,
                &format!("/api/v1/users/{staff}/grants"),
                serde_json::json!({"role": "district_leader", "scope": format!("district:{}", app.world.district)}),
            )
            .await;
        assert!(r.status().is_success());
        let entries = triad_store::audit::list(
            &app.db,
            &triad_store::audit::Filter {
                action_prefix: Some("account.grant".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let stored = entries[0].event.content_hash.clone().unwrap();
        let guess = triad_domain::audit::content_hash(&grant);
        assert_ne!(stored, guess, "a bare SHA-256 would be guessable");
        let secret = hex::decode(
            std::fs::read_to_string(app.data_dir.join("keys/audit-content.key"))
                .unwrap()
                .trim(),
        )
        .unwrap();
        let canonical = triad_domain::audit::canonical(&grant);
        assert_eq!(
            stored,
            triad_domain::audit::keyed_content_hash(&secret, &canonical),
            "the keyed hash of the grant"
        );
        // An entry of the earlier kind (bare SHA-256) verifies; a hash of no kind does not.
        let drop_guard = match app.engine {
            Engine::Sqlite => "DROP TRIGGER audit_log_no_update",
            Engine::Postgres => "DROP TRIGGER audit_log_no_update ON audit_log",
        };
        app.raw(drop_guard).await.unwrap();
        let mut entry = entries[0].clone();
        for (content, verifies) in [(guess.clone(), true), ("hmac-sha256:zz".to_string(), false)] {
            entry.event.content_hash = Some(content.clone());
            entry.hash = entry.compute_hash();
            app.raw(&format!(
                "UPDATE audit_log SET content_hash = '{content}', hash = '{}' WHERE seq = {}",
                entry.hash, entry.seq
            ))
            .await
            .unwrap();
            // Only the last entry was touched: relink the head to it.
            app.raw(&format!(
                "UPDATE audit_head SET hash = '{}' WHERE id = 1 AND seq = {}",
                entry.hash, entry.seq
            ))
            .await
            .unwrap();
            let result = triad_store::audit::verify(&app.db).await.unwrap();
            assert_eq!(result.is_ok(), verifies, "{content}: {result:?}");
        }
    }
);

both_engines!(
    the_audit_filters_walk_an_index_and_find_what_a_full_read_finds,
    |app: TestApp| async move {
        use triad_domain::audit::{AuditEvent, Outcome};
        use triad_domain::{Id, Timestamp};
        use triad_store::audit::{list, Filter};
        // Entries of three districts (one with no district), three people and every
        // outcome, at hours that interleave with the order of the chain.
        let districts = [
            Some(app.world.district),
            Some(app.world.other_district),
            None,
        ];
        let people = [Some(app.user("sro")), Some(app.user("director")), None];
        let outcomes = [Outcome::Ok, Outcome::Denied, Outcome::Failed];
        let actions = ["test.walk.read", "test.walk.write", "test.other"];
        let base = 1_700_000_000_000_i64;
        for n in 0..120_usize {
            let event = AuditEvent::new(
                people[n % 3],
                actions[n % 3 * (n % 5) % 3],
                outcomes[n / 3 % 3],
            )
            .record("thing", n)
            .tenant(districts[n / 9 % 3], None);
            let at = Timestamp::from_millis(base + ((n * 37) % 120) as i64 * 3_600_000);
            triad_store::audit::record(&app.db, event, at)
                .await
                .unwrap();
        }
        // Each filter against a full read filtered here. Run once while every action family is
        // rare (the query reads the prefix's range) and again after thousands of one family
        // (the query walks by seq for it), so both ways of finding a prefix are compared.
        let compare = |prefixes: Vec<Option<String>>| {
            let app = &app;
            async move {
                let everything = list(
                    &app.db,
                    &Filter {
                        limit: 100_000,
                        ..Filter::default()
                    },
                )
                .await
                .unwrap();
                let mut filters = Vec::new();
                for reach in [
                    None,
                    Some(vec![app.world.district]),
                    Some(vec![app.world.district, app.world.other_district]),
                    Some(vec![Id::new()]),
                ] {
                    for actor in [None, people[0], people[1]] {
                        for action_prefix in prefixes.clone() {
                            for outcome in [None, Some(Outcome::Denied)] {
                                for (since, until, before_seq, limit) in [
                                    (None, None, None, 7),
                                    (
                                        Some(base + 30 * 3_600_000),
                                        Some(base + 90 * 3_600_000),
                                        None,
                                        1000,
                                    ),
                                    (None, None, Some(everything[40].seq), 5),
                                ] {
                                    filters.push(Filter {
                                        districts: reach.clone(),
                                        actor,
                                        action_prefix: action_prefix.clone(),
                                        outcome,
                                        since: since.map(Timestamp::from_millis),
                                        until: until.map(Timestamp::from_millis),
                                        before_seq,
                                        limit,
                                    });
                                }
                            }
                        }
                    }
                }
                let mut found_some = 0;
                for f in &filters {
                    let expected: Vec<i64> = everything
                        .iter()
                        .filter(|e| match &f.districts {
                            None => true,
                            Some(ds) => e.event.district.is_some_and(|d| ds.contains(&d)),
                        })
                        .filter(|e| f.actor.is_none_or(|a| e.event.actor == Some(a)))
                        .filter(|e| {
                            f.action_prefix
                                .as_deref()
                                .is_none_or(|p| e.event.action.starts_with(p))
                        })
                        .filter(|e| f.outcome.is_none_or(|o| e.event.outcome == o))
                        .filter(|e| f.since.is_none_or(|t| e.at >= t))
                        .filter(|e| f.until.is_none_or(|t| e.at < t))
                        .filter(|e| f.before_seq.is_none_or(|s| e.seq < s))
                        .take(f.limit as usize)
                        .map(|e| e.seq)
                        .collect();
                    let got: Vec<i64> = list(&app.db, f)
                        .await
                        .unwrap()
                        .iter()
                        .map(|e| e.seq)
                        .collect();
                    assert_eq!(got, expected, "{f:?}");
                    found_some += usize::from(!got.is_empty());
                }
                assert!(
                    found_some > filters.len() / 3,
                    "the filters select something"
                );
            }
        };
        let rare = |p: &str| Some(p.to_string());
        compare(vec![
            None,
            rare("test.walk"),
            rare("test.o"),
            rare("é"),
            rare("\u{10FFFF}"),
        ])
        .await;
        // Twelve thousand entries of one family (six thousand in the district, more than a
        // rare family has), written straight to the trail after its head (their hashes are not
        // a chain: this test reads, it does not verify).
        const { assert!(6000 >= triad_store::audit::RARE_ACTION) };
        let head: i64 = app.scalar("SELECT seq FROM audit_head WHERE id = 1").await;
        app.raw(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12000) \
             INSERT INTO audit_log (seq, id, at, actor_id, action, record_type, record_id, outcome, \
               source, content_hash, district_id, agency_id, prev_hash, hash) \
             SELECT {head} + i, 'bulk-' || i, {base} + (i % 120) * 3600000, NULL, 'test.walk.bulk', \
               'thing', 'bulk', CASE WHEN i % 7 = 0 THEN 'denied' ELSE 'ok' END, NULL, NULL, \
               CASE WHEN i % 2 = 0 THEN '{district}' ELSE NULL END, NULL, 'bulk', 'bulk' FROM n",
            district = app.world.district
        ))
        .await
        .unwrap();
        app.raw(&format!(
            "UPDATE audit_head SET seq = {} WHERE id = 1",
            head + 12000
        ))
        .await
        .unwrap();
        compare(vec![rare("test.walk"), rare("test.walk.r")]).await;
    }
);
