//! Evidence over real HTTP: intake with photos (hash of the original, a viewing copy without
//! metadata), hand-overs with acknowledgement, disposition, the signed export verified
//! offline by the binary, tampering caught, and hostile uploads refused without a trace.

use crate::both_engines;
use crate::cli::{text, triad};
use crate::support::*;
use reqwest::multipart::{Form, Part};
use sha2::{Digest, Sha256};

/// A small photo, as a phone would send it: a JPEG.
pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 7) as u8, (y * 5) as u8, ((x + y) * 3) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .unwrap();
    out.into_inner()
}

const GPS_MARK: &[u8] = b"GPS-37.7749N-122.4194W";

/// A JPEG carrying an EXIF segment with a GPS block (the bytes a phone adds).
pub(crate) fn jpeg_with_gps() -> Vec<u8> {
    let plain = jpeg(64, 48);
    // TIFF header (little endian), one IFD entry: GPSInfo (0x8825) pointing at offset 26.
    let mut tiff = b"II*\0\x08\0\0\0\x01\0\x25\x88\x04\0\x01\0\0\0\x1a\0\0\0\0\0\0\0".to_vec();
    tiff.extend_from_slice(b"\0\0");
    tiff.extend_from_slice(GPS_MARK);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let len = (app1.len() + 2) as u16;
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&plain[2..]);
    out
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn intake_form(s: &Session, photos: Vec<(&str, Vec<u8>)>) -> Form {
    let token = triad_web::forms::FormToken::new(&s.csrf);
    let mut form = Form::new()
        .text("_idem", token.idem)
        .text("_csrf", token.csrf)
        .text("description", "Vape pen, blue")
        .text("quantity", "1")
        .text("condition", "Used, cap missing")
        .text("found_location", "Gym bleachers")
        .text("found_at", "2026-09-01T10:15")
        .text("found_by", "Assistant principal Reyes");
    for (name, bytes) in photos {
        form = form.part(
            "photo",
            Part::bytes(bytes)
                .file_name(name.to_string())
                .mime_str("image/jpeg")
                .unwrap(),
        );
    }
    form
}

pub(crate) async fn intake(
    app: &TestApp,
    s: &Session,
    photos: Vec<(&str, Vec<u8>)>,
) -> reqwest::Response {
    let path = format!("/incidents/{}/evidence", app.world.incident);
    app.http
        .post(app.url(&path))
        .header("cookie", &s.cookie)
        .multipart(intake_form(s, photos))
        .send()
        .await
        .unwrap()
}

fn stored_files(app: &TestApp) -> usize {
    ["photos-original", "photos-view"]
        .iter()
        .map(|k| {
            std::fs::read_dir(app.data_dir.join("files").join(k))
                .map(|d| d.count())
                .unwrap_or(0)
        })
        .sum()
}

async fn item_json(app: &TestApp, token: &str, id: &str) -> serde_json::Value {
    let r = app.api_get(&format!("/api/v1/evidence/{id}"), token).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

both_engines!(
    a_vape_pen_from_intake_to_destruction,
    |app: TestApp| async move {
        let principal = app.session("principal").await;
        let original = jpeg_with_gps();
        let r = intake(&app, &principal, vec![("pen.jpg", original.clone())]).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
        let location = r.headers()["location"].to_str().unwrap().to_string();
        let id = location.trim_start_matches("/evidence/").to_string();
        let ap = app.token("principal").await;
        let sro = app.token("sro").await;
        let item = item_json(&app, &ap, &id).await;
        assert_eq!(item["item"]["status"], "collected");
        let photo = item["photos"][0]["id"].as_str().unwrap().to_string();
        assert_eq!(item["photos"][0]["sha256"], sha(&original));

        // Everyone who reads the item sees a copy without EXIF or GPS; only law enforcement
        // gets the original, byte for byte.
        let view = app.api_get(&format!("/api/v1/photos/{photo}"), &ap).await;
        assert_eq!(view.status(), 200);
        let view = view.bytes().await.unwrap();
        assert!(view.starts_with(&[0xFF, 0xD8]));
        assert!(!view.windows(GPS_MARK.len()).any(|w| w == GPS_MARK));
        assert!(!view.windows(4).any(|w| w == b"Exif"));
        let denied = app
            .api_get(&format!("/api/v1/photos/{photo}/original"), &ap)
            .await;
        assert_eq!(denied.status(), 403);
        let exact = app
            .api_get(&format!("/api/v1/photos/{photo}/original"), &sro)
            .await;
        assert_eq!(exact.bytes().await.unwrap().as_ref(), original.as_slice());

        // The assistant principal hands it to the SRO, who acknowledges it.
        let t = app.api_post(&ap, &format!("/api/v1/evidence/{id}/transfer"), serde_json::json!({
            "receiver": "sro", "reason": "Evidence goes to the SRO", "storage_location": "SRO office safe"
        })).await;
        assert_eq!(t.status(), 200, "{}", t.text().await.unwrap());
        let early = app
            .api_post(
                &ap,
                &format!("/api/v1/evidence/{id}/acknowledge"),
                serde_json::json!({}),
            )
            .await;
        assert_eq!(early.status(), 403, "only the receiver acknowledges");
        let ack = app
            .api_post(
                &sro,
                &format!("/api/v1/evidence/{id}/acknowledge"),
                serde_json::json!({}),
            )
            .await;
        assert_eq!(ack.status(), 200);
        let item = item_json(&app, &sro, &id).await;
        assert_eq!(item["item"]["status"], "in_custody");
        assert_eq!(item["item"]["holder"], "Test sro");

        // It never goes back to the school, nor to someone who cannot hold evidence.
        for (receiver, words) in [
            ("principal", "stays with law enforcement"),
            ("staff", "name someone who can hold this item"),
        ] {
            let back = app
                .api_post(
                    &sro,
                    &format!("/api/v1/evidence/{id}/transfer"),
                    serde_json::json!({
                        "receiver": receiver, "reason": "Hearing"
                    }),
                )
                .await;
            assert_eq!(back.status(), 422);
            assert!(back.text().await.unwrap().contains(words));
        }
        // Destroyed only with the disposition and an approver; then closed for good.
        let bare = app
            .api_post(
                &sro,
                &format!("/api/v1/evidence/{id}/status"),
                serde_json::json!({"status": "destroyed"}),
            )
            .await;
        assert_eq!(bare.status(), 422);
        let done = app.api_post(&sro, &format!("/api/v1/evidence/{id}/status"), serde_json::json!({
            "status": "destroyed", "disposition_ref": "Juvenile court disposition 26-JV-113, received 2026-10-02",
            "approved_by": "Lt. Ruiz"
        })).await;
        assert_eq!(done.status(), 200, "{}", done.text().await.unwrap());
        let after = app
            .api_post(
                &sro,
                &format!("/api/v1/evidence/{id}/transfer"),
                serde_json::json!({
                    "receiver": "sergeant", "reason": "Storage"
                }),
            )
            .await;
        assert_eq!(after.status(), 422);
        assert!(after.text().await.unwrap().contains("closed"));
        let item = item_json(&app, &sro, &id).await;
        let kinds: Vec<&str> = item["custody"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            ["intake", "transfer_offered", "transfer_received", "status"]
        );

        // The export verifies offline; an edited copy names the record that was altered.
        let bundle = app.data_dir.join("bundle.json");
        let out = triad(
            &app.data_dir,
            &app.database_url,
            &[
                "evidence",
                "export",
                &id,
                "--out",
                &bundle.display().to_string(),
            ],
            None,
        );
        assert!(out.status.success(), "{}", text(&out));
        let key = app.data_dir.join("keys/instance-ed25519.pub.pem");
        let ok = triad(
            &app.data_dir,
            &app.database_url,
            &[
                "evidence",
                "verify",
                &bundle.display().to_string(),
                "--public-key",
                &key.display().to_string(),
            ],
            None,
        );
        assert!(ok.status.success(), "{}", text(&ok));
        assert!(
            text(&ok).contains("VERIFIED: item") && text(&ok).contains("status destroyed"),
            "{}",
            text(&ok)
        );
        // The independent verifier (Python, no Triad) agrees, on the file Triad wrote.
        let (code, said) = python_verifier(&bundle, Some(&key));
        assert_eq!(code, 0, "{said}");
        assert!(
            said.contains("VERIFIED: item") && said.contains("status destroyed"),
            "{said}"
        );
        // The SRO downloads the same kind of bundle from the item's page; the school cannot.
        let downloaded = app
            .api_get(&format!("/api/v1/evidence/{id}/custody-bundle"), &sro)
            .await;
        assert_eq!(downloaded.status(), 200);
        let from_page = app.data_dir.join("from-page.json");
        std::fs::write(&from_page, downloaded.bytes().await.unwrap()).unwrap();
        let (code, said) = python_verifier(&from_page, Some(&key));
        assert_eq!(code, 0, "{said}");
        assert_eq!(
            app.api_get(&format!("/api/v1/evidence/{id}/custody-bundle"), &ap)
                .await
                .status(),
            403
        );
        // A destroyed item turned back to "in custody" in the statement: both refuse it.
        let original = std::fs::read(&bundle).unwrap();
        let mut forged: serde_json::Value = serde_json::from_slice(&original).unwrap();
        let statement = forged["statement"]
            .as_str()
            .unwrap()
            .replace("\"status\":\"destroyed\"", "\"status\":\"in_custody\"");
        forged["statement"] = statement.into();
        std::fs::write(&bundle, serde_json::to_vec(&forged).unwrap()).unwrap();
        let refused = triad(
            &app.data_dir,
            &app.database_url,
            &["evidence", "verify", &bundle.display().to_string()],
            None,
        );
        assert_eq!(refused.status.code(), Some(2));
        assert!(text(&refused).contains("signature"), "{}", text(&refused));
        let (code, said) = python_verifier(&bundle, None);
        assert_eq!(code, 2, "{said}");
        assert!(said.contains("signature"), "{said}");
        // A truncated file and another instance's key are refused too.
        std::fs::write(&bundle, &original[..original.len() / 2]).unwrap();
        assert_eq!(python_verifier(&bundle, None).0, 2);
        std::fs::write(&bundle, &original).unwrap();
        let other_key = app.data_dir.join("other.pub.pem");
        std::fs::write(
            &other_key,
            "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAF2KhZj2z79fer/55ouvHTm310jduS56n4urA855plxc=\n-----END PUBLIC KEY-----\n",
        )
        .unwrap();
        let (code, said) = python_verifier(&bundle, Some(&other_key));
        assert_eq!(code, 2, "{said}");
        assert!(said.contains("different key"), "{said}");
        let mut edited: serde_json::Value = serde_json::from_slice(&original).unwrap();
        let data = edited["records"][1]["data"]
            .as_str()
            .unwrap()
            .replace("SRO office safe", "Front office");
        edited["records"][1]["data"] = data.into();
        std::fs::write(&bundle, serde_json::to_vec(&edited).unwrap()).unwrap();
        let bad = triad(
            &app.data_dir,
            &app.database_url,
            &["evidence", "verify", &bundle.display().to_string()],
            None,
        );
        assert_eq!(bad.status.code(), Some(2));
        assert!(text(&bad).contains("custody record 2"), "{}", text(&bad));

        // Someone with the database files alters a custody row: `audit verify` names it.
        let clean = triad(&app.data_dir, &app.database_url, &["audit", "verify"], None);
        assert!(clean.status.success(), "{}", text(&clean));
        assert!(
            app.raw("UPDATE custody_records SET data = '{}' WHERE seq = 3")
                .await
                .is_err(),
            "the database refuses edits"
        );
        let drop = match app.engine {
            Engine::Sqlite => "DROP TRIGGER custody_records_no_update",
            Engine::Postgres => {
                "ALTER TABLE custody_records DISABLE TRIGGER custody_records_no_update"
            }
        };
        app.raw(drop).await.unwrap();
        app.raw(&format!(
            "UPDATE custody_records SET data = '{{}}' WHERE item_id = '{id}' AND seq = 3"
        ))
        .await
        .unwrap();
        let broken = triad(&app.data_dir, &app.database_url, &["audit", "verify"], None);
        assert_eq!(broken.status.code(), Some(2), "{}", text(&broken));
        assert!(
            text(&broken).contains(&format!("custody record 3 of evidence item {id}")),
            "{}",
            text(&broken)
        );
    }
);

both_engines!(
    hostile_uploads_are_refused_and_leave_nothing,
    |app: TestApp| async move {
        let principal = app.session("principal").await;
        let items = app.count("evidence_items").await;
        let files = stored_files(&app);
        let good = jpeg(32, 24);
        let mut bomb = good.clone();
        let sof = bomb.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        bomb[sof + 5..sof + 9].copy_from_slice(&[0xEA, 0x60, 0xEA, 0x60]);
        // 10,000 × 10,000 fits the sides allowed, not the pixels (400 MB decoded).
        let mut square = good.clone();
        square[sof + 5..sof + 9].copy_from_slice(&[0x27, 0x10, 0x27, 0x10]);
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            (
                "notes.jpg",
                b"these are my notes, not a picture".to_vec(),
                "not a JPEG or PNG",
            ),
            ("half.jpg", good[..good.len() / 2].to_vec(), "damaged"),
            ("bomb.jpg", bomb, "60000"),
            ("square.jpg", square, "10000 × 10000 pixels"),
        ];
        for (name, bytes, words) in cases {
            // A good photo beside the bad one: nothing of the form is kept.
            let r = intake(
                &app,
                &principal,
                vec![("good.jpg", good.clone()), (name, bytes)],
            )
            .await;
            assert_eq!(r.status(), 422, "{name}");
            let body = r.text().await.unwrap();
            assert!(body.contains(words), "{name}: {body}");
        }
        let none = intake(&app, &principal, vec![]).await;
        assert_eq!(none.status(), 422);
        assert!(none.text().await.unwrap().contains("at least one photo"));
        // A body just over the configured cap is refused before it is read.
        let big = vec![0u8; UPLOAD_LIMIT + 1];
        let r = intake(&app, &principal, vec![("big.jpg", big)]).await;
        assert_eq!(r.status(), 413);
        assert_eq!(app.count("evidence_items").await, items);
        assert_eq!(app.count("custody_records").await, 2);
        assert_eq!(stored_files(&app), files, "no stray files are left behind");
        // A school-side item of the fixture world is not disturbed, and staff take no custody.
        let staff = app.session("staff").await;
        let r = intake(&app, &staff, vec![("good.jpg", good)]).await;
        assert!(r.status() == 403 || r.status() == 404);
    }
);

/// Runs the repository's independent verifier (scripts/verify-custody-bundle.py) on a bundle.
fn python_verifier(bundle: &std::path::Path, key: Option<&std::path::Path>) -> (i32, String) {
    let python = std::env::var("TRIAD_TEST_PYTHON").unwrap_or_else(|_| {
        panic!("TRIAD_TEST_PYTHON is not set: run the tests with scripts/test, which installs the verifier's package")
    });
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scripts/verify-custody-bundle.py");
    let mut cmd = std::process::Command::new(python);
    cmd.arg(script).arg(bundle);
    if let Some(key) = key {
        cmd.arg("--public-key").arg(key);
    }
    let out = cmd.output().expect("the verifier runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// The system administrator rotates the instance key and the audit secret: what the old
/// ones signed (a custody record, a checkpoint, an email's stop link) still verifies, what
/// is signed afterwards is signed with the new key, and an exported history that spans the
/// rotation verifies in Triad and in the independent verifier.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_rotation_keeps_everything_signed_before_verifiable() {
    let app = TestApp::start(Engine::Sqlite).await;
    let principal = app.session("principal").await;
    let r = intake(&app, &principal, vec![("pen.jpg", jpeg_with_gps())]).await;
    assert_eq!(r.status(), 303);
    let id = r.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/evidence/")
        .to_string();
    let run = |args: &[&str]| {
        let out = triad(&app.data_dir, &app.database_url, args, None);
        (out.status.success(), text(&out))
    };
    let note = app.data_dir.join("before-rotation.checkpoint");
    let note_arg = note.display().to_string();
    assert!(run(&["audit", "checkpoint", "--out", &note_arg]).0);
    let before = triad_store::instance::Instance::open(&app.data_dir).unwrap();
    let old_key = before.signing_key.verifying_key();
    let state = triad_web::AppState::new(
        app.db.clone(),
        app.clock.clone(),
        triad_web::WebConfig::default(),
        before,
    );
    let stop = triad_app::reminders::stop_token(
        &state.app,
        app.user("principal"),
        triad_app::reminders::WEEKLY_DIGEST,
    );

    let (ok, said) = run(&["keys", "rotate"]);
    assert!(ok, "{said}");
    let after = triad_store::instance::Instance::open(&app.data_dir).unwrap();
    let new_key = after.signing_key.verifying_key();
    assert_ne!(old_key, new_key);
    assert_eq!(*after.retired_keys, [old_key]);
    assert_ne!(*after.audit_secret, *state.app.instance.audit_secret);
    let fingerprints = run(&["keys", "show"]).1;
    assert!(
        fingerprints.contains(&triad_domain::evidence::fingerprint(&new_key)),
        "{fingerprints}"
    );
    assert!(fingerprints.contains(&format!(
        "Earlier key (still verifies): {}",
        triad_domain::evidence::fingerprint(&old_key)
    )));
    assert_eq!(app.audit_count("instance.keys.rotate", "ok").await, 1);
    // The old private key is gone from the data folder.
    let retired: Vec<String> = std::fs::read_dir(app.data_dir.join("keys/retired"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert!(
        retired
            .iter()
            .all(|name| name.ends_with(".pub.pem") || name.starts_with("audit-content-")),
        "{retired:?}"
    );

    // An instance started after the rotation signs with the new key: it hands the item on.
    let second = app.second_instance().await;
    let ap = app.token("principal").await;
    let handed = app
        .http
        .post(format!("{second}/api/v1/evidence/{id}/transfer"))
        .bearer_auth(&ap)
        .header("idempotency-key", triad_domain::Id::new().to_string())
        .json(&serde_json::json!({"receiver": "sro", "reason": "To the SRO"}))
        .send()
        .await
        .unwrap();
    assert_eq!(handed.status(), 200, "{}", handed.text().await.unwrap());
    let records = triad_store::evidence::records(&mut app.db.acquire().await.unwrap(), &id)
        .await
        .unwrap();
    assert_eq!(records.len(), 2);
    let signed_by = |key: &ed25519_dalek::VerifyingKey,
                     r: &triad_domain::evidence::CustodyRecord| {
        let signature =
            ed25519_dalek::Signature::from_slice(&hex::decode(&r.signature).unwrap()).unwrap();
        key.verify_strict(r.hash.as_bytes(), &signature).is_ok()
    };
    assert!(signed_by(&old_key, &records[0]) && signed_by(&new_key, &records[1]));

    // The whole trail, the custody histories and the checkpoint of before verify.
    let (ok, said) = run(&["audit", "verify", "--checkpoint", &note_arg]);
    assert!(ok, "{said}");
    // The history spanning the rotation, exported and checked against the new key alone.
    let bundle = app.data_dir.join("rotated.json");
    let bundle_arg = bundle.display().to_string();
    assert!(run(&["evidence", "export", &id, "--out", &bundle_arg]).0);
    let key = app.data_dir.join("keys/instance-ed25519.pub.pem");
    let key_arg = key.display().to_string();
    let (ok, said) = run(&["evidence", "verify", &bundle_arg, "--public-key", &key_arg]);
    assert!(ok && said.contains("VERIFIED: item"), "{said}");
    let (code, said) = python_verifier(&bundle, Some(&key));
    assert_eq!(code, 0, "{said}");
    // An earlier key slipped into the statement breaks its signature.
    let mut edited: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&bundle).unwrap()).unwrap();
    let statement = edited["statement"]
        .as_str()
        .unwrap()
        .replace("earlier_keys\":[\"", "earlier_keys\":[\"00");
    edited["statement"] = serde_json::Value::String(statement);
    std::fs::write(&bundle, edited.to_string()).unwrap();
    assert!(!run(&["evidence", "verify", &bundle_arg]).0);
    assert_ne!(python_verifier(&bundle, None).0, 0);

    // A stop link in an email sent before the rotation still works after it.
    let state = triad_web::AppState::new(
        app.db.clone(),
        app.clock.clone(),
        triad_web::WebConfig::default(),
        after,
    );
    let (user, kind) = triad_app::reminders::read_stop_token(&state.app, &stop).unwrap();
    assert_eq!(
        (user, kind),
        (app.user("principal"), triad_app::reminders::WEEKLY_DIGEST)
    );
    // And one signed by a key nobody has does not.
    let last = if stop.ends_with('0') { "1" } else { "0" };
    let forged = format!("{}{last}", &stop[..stop.len() - 1]);
    assert!(triad_app::reminders::read_stop_token(&state.app, &forged).is_err());
}
