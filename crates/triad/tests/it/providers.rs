//! Sign-in through an identity provider (OpenID Connect), against a provider of the tests' own
//! over real HTTP: its discovery document, its key set, and a token endpoint that checks the
//! PKCE verifier and answers with an ID token the test signs with its own key (or tampers
//! with). The browser test against a real provider (`oidc-provider` on Node) is in
//! `browser.rs`.

use crate::support::*;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use openidconnect::core::{
    CoreIdToken, CoreIdTokenClaims, CoreJsonWebKeySet, CoreJwsSigningAlgorithm,
    CoreRsaPrivateSigningKey,
};
use openidconnect::{
    Audience, AuthenticationMethodReference, EmptyAdditionalClaims, EndUserEmail, EndUserName,
    IssuerUrl, JsonWebKeyId, Nonce, PrivateSigningKey, StandardClaims, SubjectIdentifier,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use triad_web::auth::providers::Provider;
use triad_web::WebConfig;

const CLIENT_ID: &str = "triad-test";
const CLIENT_SECRET: &str = "a-client-secret-for-the-tests-only";
const PROVIDER_KEY: &str = include_str!("provider_keys/provider.pem");
/// Another key under the same key id: a token signed with it claims to be the provider's.
const FORGER_KEY: &str = include_str!("provider_keys/forger.pem");

/// What the provider puts in the next ID token it issues, and how it tampers with it.
#[derive(Clone)]
struct NextToken {
    subject: String,
    email: Option<String>,
    email_verified: Option<bool>,
    name: String,
    amr: Vec<&'static str>,
    audience: String,
    /// Another issuer than the provider's own.
    issuer: Option<String>,
    /// When it expires, in seconds from the machine's real time.
    expires_in: i64,
    /// None: the nonce the sign-in was sent with; Some(""): no nonce; Some(x): x.
    nonce: Option<String>,
    /// Signed with the forger's key instead of the provider's.
    forged: bool,
    /// Signed with another key under this id: `key-2` is the provider's new key, published
    /// once it rotates; any other id is a key it never published.
    new_key_id: Option<&'static str>,
    /// The party the token says it was issued to.
    azp: Option<String>,
}

impl NextToken {
    fn person(subject: &str, email: &str, name: &str) -> Self {
        Self {
            subject: subject.into(),
            email: Some(email.into()),
            email_verified: Some(true),
            name: name.into(),
            amr: vec!["pwd"],
            audience: CLIENT_ID.into(),
            issuer: None,
            expires_in: 300,
            nonce: None,
            forged: false,
            new_key_id: None,
            azp: None,
        }
    }
}

#[derive(Clone)]
struct Shared {
    issuer: String,
    next: Arc<Mutex<NextToken>>,
    /// Codes handed out: the nonce and PKCE challenge of the sign-in each is for.
    codes: Arc<Mutex<HashMap<String, (String, String)>>>,
    /// The PKCE verifiers token requests came with that matched their challenge.
    verified: Arc<Mutex<usize>>,
    /// The provider has rotated its keys: its key set also publishes `key-2`.
    rotated: Arc<std::sync::atomic::AtomicBool>,
}

struct TestProvider {
    shared: Shared,
}

impl TestProvider {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let issuer = format!("http://{}", listener.local_addr().expect("addr"));
        let shared = Shared {
            issuer: issuer.clone(),
            next: Arc::new(Mutex::new(NextToken::person(
                "ana-1",
                "ana@district.example",
                "Ana Lima",
            ))),
            codes: Arc::default(),
            verified: Arc::default(),
            rotated: Arc::default(),
        };
        let router = axum::Router::new()
            .route(
                "/.well-known/openid-configuration",
                axum::routing::get(discovery),
            )
            .route("/jwks", axum::routing::get(jwks))
            .route("/token", axum::routing::post(token))
            .with_state(shared.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { shared }
    }

    fn provider(&self, domains: &[&str]) -> Provider {
        Provider::new(
            "district",
            "Springfield Schools",
            &self.shared.issuer,
            CLIENT_ID,
            CLIENT_SECRET,
            domains,
            true,
            None,
        )
    }

    fn next(&self, token: NextToken) {
        *self.shared.next.lock().expect("lock") = token;
    }

    fn verified(&self) -> usize {
        *self.shared.verified.lock().expect("lock")
    }
}

async fn discovery(State(shared): State<Shared>) -> Json<serde_json::Value> {
    let issuer = &shared.issuer;
    Json(serde_json::json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        "code_challenge_methods_supported": ["S256"],
    }))
}

fn signing_key(pem: &str, id: &str) -> CoreRsaPrivateSigningKey {
    CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new(id.into()))).expect("test key")
}

/// The provider's key set: `key-1`, and `key-2` once it has rotated (the forger's key file
/// serves as the new key: only the key id and the set it is published in differ).
async fn jwks(State(shared): State<Shared>) -> Json<CoreJsonWebKeySet> {
    let mut keys = vec![signing_key(PROVIDER_KEY, "key-1").as_verification_key()];
    if shared.rotated.load(std::sync::atomic::Ordering::SeqCst) {
        keys.push(signing_key(FORGER_KEY, "key-2").as_verification_key());
    }
    Json(CoreJsonWebKeySet::new(keys))
}

/// The token endpoint: the client's own credentials, a code it handed out (once), and the
/// PKCE verifier of that code's challenge; then an ID token as the test asked.
async fn token(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    let refuse = |error: &str| {
        (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({ "error": error })),
        )
            .into_response()
    };
    let authorized = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Basic {basic}"));
    if !authorized {
        return refuse("invalid_client");
    }
    let code = form.get("code").cloned().unwrap_or_default();
    let Some((nonce, challenge)) = shared.codes.lock().expect("lock").remove(&code) else {
        return refuse("invalid_grant");
    };
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    use sha2::Digest;
    if b64.encode(sha2::Sha256::digest(verifier.as_bytes())) != challenge {
        return refuse("invalid_grant");
    }
    *shared.verified.lock().expect("lock") += 1;
    let next = shared.next.lock().expect("lock").clone();
    let now = chrono::Utc::now();
    let mut standard = StandardClaims::new(SubjectIdentifier::new(next.subject.clone()))
        .set_email_verified(next.email_verified)
        .set_name(Some(EndUserName::new(next.name.clone()).into()));
    if let Some(email) = &next.email {
        standard = standard.set_email(Some(EndUserEmail::new(email.clone())));
    }
    let nonce = match next.nonce {
        None => Some(nonce),
        Some(given) if given.is_empty() => None,
        Some(given) => Some(given),
    };
    let claims = CoreIdTokenClaims::new(
        IssuerUrl::new(next.issuer.unwrap_or(shared.issuer.clone())).expect("issuer"),
        vec![Audience::new(next.audience)],
        now + chrono::Duration::seconds(next.expires_in),
        now,
        standard,
        EmptyAdditionalClaims {},
    )
    .set_nonce(nonce.map(Nonce::new))
    .set_authorized_party(next.azp.map(openidconnect::ClientId::new))
    .set_auth_method_refs(Some(
        next.amr
            .iter()
            .map(|m| AuthenticationMethodReference::new(m.to_string()))
            .collect(),
    ));
    let key = match (next.forged, next.new_key_id) {
        (true, _) => signing_key(FORGER_KEY, "key-1"),
        (false, Some(id)) => signing_key(FORGER_KEY, id),
        (false, None) => signing_key(PROVIDER_KEY, "key-1"),
    };
    let id_token = CoreIdToken::new(
        claims,
        &key,
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        None,
        None,
    )
    .expect("sign the ID token");
    Json(serde_json::json!({
        "access_token": "an-access-token",
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": id_token.to_string(),
    }))
    .into_response()
}

/// A sign-in sent to the provider: what Triad asked it for, and the browser's cookie.
struct Sent {
    query: HashMap<String, String>,
    browser_cookie: String,
}

fn cookie_named(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|pair| pair.starts_with(&format!("{name}=")) && pair.len() > name.len() + 1)
        .map(str::to_string)
}

/// Checks that Triad sent the browser to the provider as the flow requires (a redirect, or
/// from a form a page that moves on), and keeps what it sent.
async fn sent_to_provider(response: reqwest::Response, provider: &TestProvider) -> Sent {
    let browser_cookie =
        cookie_named(&response, "__Host-triad_provider").expect("the browser's sign-in cookie");
    let location = if response.status() == 303 {
        response.headers()["location"]
            .to_str()
            .expect("location")
            .to_string()
    } else {
        assert_eq!(response.status(), 200, "off to the provider");
        moves_on_to(&response.text().await.expect("page"))
    };
    let authorize = format!("{}/authorize?", provider.shared.issuer);
    assert!(location.starts_with(&authorize), "{location}");
    let query: HashMap<String, String> = reqwest::Url::parse(&location)
        .expect("URL")
        .query_pairs()
        .into_owned()
        .collect();
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["client_id"], CLIENT_ID);
    assert_eq!(query["code_challenge_method"], "S256");
    assert!(query["scope"].split(' ').any(|s| s == "openid"));
    assert!(query["redirect_uri"].ends_with("/login/callback"));
    for secret in ["state", "nonce", "code_challenge"] {
        assert!(query[secret].len() >= 22, "{secret} is long and random");
    }
    Sent {
        query,
        browser_cookie,
    }
}

impl Sent {
    /// The provider signs the person in and hands out a code for this sign-in.
    fn code(&self, provider: &TestProvider) -> String {
        let code = format!("code-{}", triad_store::auth::new_secret(""));
        provider.shared.codes.lock().expect("lock").insert(
            code.clone(),
            (
                self.query["nonce"].clone(),
                self.query["code_challenge"].clone(),
            ),
        );
        code
    }

    /// The browser comes back from the provider with a code.
    async fn back(&self, app: &TestApp, provider: &TestProvider) -> reqwest::Response {
        let code = self.code(provider);
        self.back_with(app, &code, &self.browser_cookie).await
    }

    async fn back_with(&self, app: &TestApp, code: &str, cookie: &str) -> reqwest::Response {
        app.http
            .get(app.url("/login/callback"))
            .query(&[("code", code), ("state", &self.query["state"])])
            .header("cookie", cookie)
            .header("x-forwarded-for", "203.0.113.9")
            .send()
            .await
            .expect("callback")
    }
}

async fn start_sign_in(app: &TestApp, provider: &TestProvider, next: &str) -> Sent {
    let response = app
        .http
        .get(app.url("/login/with/district"))
        .query(&[("next", next)])
        .send()
        .await
        .expect("start");
    sent_to_provider(response, provider).await
}

/// Where a page that moves on by itself goes.
fn moves_on_to(page: &str) -> String {
    page.split("url=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page moves on")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// A signed-in person asks to link their account to the provider from their account page.
async fn start_link(app: &TestApp, session: &Session, provider: &TestProvider) -> Sent {
    let link = app
        .post_form(
            "/account/identities/link",
            session,
            &[("provider", "district")],
        )
        .await;
    sent_to_provider(link, provider).await
}

/// A session that came back from a sign-in, and where the page sends the browser next.
async fn signed_in(response: reqwest::Response) -> (Session, String) {
    assert_eq!(response.status(), 200, "the page that moves on");
    let cookie = cookie_named(&response, "__Host-triad_session").expect("a session cookie");
    let target = moves_on_to(&response.text().await.expect("page"));
    (
        Session {
            cookie,
            csrf: String::new(),
        },
        target,
    )
}

async fn not_signed_in(response: reqwest::Response, status: u16, says: &str) {
    assert_eq!(response.status(), status);
    assert!(cookie_named(&response, "__Host-triad_session").is_none());
    let page = response.text().await.expect("page");
    assert!(page.contains(says), "the page says {says:?}: {page}");
}

async fn start(engine: Engine, config: WebConfig) -> (TestApp, TestProvider) {
    let provider = TestProvider::start().await;
    let list = vec![provider.provider(&["district.example"])];
    let app =
        TestApp::start_with_providers(engine, config, move |_| list, Duration::from_secs(5)).await;
    (app, provider)
}

/// A server whose one provider serves the test world's home district: the accounts it makes
/// are that district's.
async fn serving_home_district(mut provider: Provider) -> TestApp {
    TestApp::start_with_providers(
        Engine::Sqlite,
        test_config(),
        move |world: &World| {
            provider.district = Some(world.district);
            vec![provider]
        },
        Duration::from_secs(5),
    )
    .await
}

fn test_config() -> WebConfig {
    WebConfig {
        behind_tls_proxy: true,
        ..WebConfig::default()
    }
}

async fn users(app: &TestApp) -> i64 {
    app.count("users").await
}

/// The first sign-in of an identity makes an account with no role, named from the address;
/// the next finds the same account by the provider's subject. An existing account with the
/// same address is never taken.
async fn first_and_second_sign_in(engine: Engine) {
    let (app, provider) = start(engine, test_config()).await;
    // A hand-made account whose person has Ana's address: not hers to take.
    app.raw(&format!(
        "UPDATE people SET email = 'ana@district.example' WHERE id = (SELECT person_id FROM users WHERE id = '{}')",
        app.user("staff")
    ))
    .await
    .expect("address");
    let before = users(&app).await;
    let sent = start_sign_in(&app, &provider, "/account").await;
    let (session, target) = signed_in(sent.back(&app, &provider).await).await;
    assert_eq!(target, "/account");
    assert_eq!(
        provider.verified(),
        1,
        "the PKCE verifier matched the challenge"
    );
    assert_eq!(users(&app).await, before + 1, "one new account");
    let page = app.get("/account", &session).await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.expect("page");
    assert!(page.contains("Signed in as <strong>ana</strong>"), "{page}");
    assert!(page.contains("Springfield Schools: ana@district.example"));
    let new_user = app
        .scalar_text("SELECT user_id FROM identities WHERE subject = 'ana-1'")
        .await;
    assert_ne!(new_user, app.user("staff").to_string());
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM grants WHERE user_id = '{new_user}'"
        ))
        .await,
        0,
        "no role until a district leader gives one"
    );
    assert_eq!(app.audit_count("account.create", "ok").await, 1);
    assert_eq!(app.audit_count("account.identity.link", "ok").await, 1);
    // Unlinking the only way into an account with no password is refused (their next
    // sign-in would make them a second account).
    let issuer = page
        .split("name=\"issuer\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the unlink form")
        .to_string();
    let field = |name: &str| {
        page.split(&format!("name=\"{name}\" value=\""))
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a form field")
            .to_string()
    };
    let token = triad_web::forms::FormToken {
        idem: field("_idem"),
        csrf: field("_csrf"),
    };
    let unlink = app
        .post_form_with(
            "/account/identities/unlink",
            &session,
            &[("issuer", &issuer), ("subject", "ana-1")],
            &token,
        )
        .await;
    assert_eq!(unlink.status(), 409);

    // Again: the same account, found by subject, even with another address and name.
    let mut again = NextToken::person("ana-1", "ana.lima@district.example", "Ana L.");
    again.amr = vec!["pwd"];
    provider.next(again);
    let sent = start_sign_in(&app, &provider, "/").await;
    let (session, _) = signed_in(sent.back(&app, &provider).await).await;
    assert_eq!(users(&app).await, before + 1, "no second account");
    let page = app
        .get("/account", &session)
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("Signed in as <strong>ana</strong>"));
    assert_eq!(app.audit_count("auth.login.success", "ok").await, 2);
}

mod first_sign_in {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::first_and_second_sign_in(super::Engine::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::first_and_second_sign_in(super::Engine::Postgres).await;
    }
}

/// A state is taken once, and only by the browser that left with it; a callback with no
/// state, an error from the provider, or a provider nobody configured signs nobody in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_or_stolen_state_signs_nobody_in() {
    let (app, provider) = start(Engine::Sqlite, test_config()).await;
    let sent = start_sign_in(&app, &provider, "/").await;
    let code = sent.code(&provider);
    // Another browser (the attacker's, with the victim's link) is refused, and does not spend
    // the victim's sign-in.
    let other = sent
        .back_with(&app, &code, "__Host-triad_provider=someone-elses")
        .await;
    not_signed_in(other, 400, "could not be finished").await;
    let no_cookie = sent.back_with(&app, &code, "").await;
    not_signed_in(no_cookie, 400, "could not be finished").await;
    let (_, _) = signed_in(sent.back_with(&app, &code, &sent.browser_cookie).await).await;
    // The same return again: the state was taken.
    let code = sent.code(&provider);
    let replayed = sent.back_with(&app, &code, &sent.browser_cookie).await;
    not_signed_in(replayed, 400, "already used").await;
    // Too late: ten minutes on Triad's clock.
    let late = start_sign_in(&app, &provider, "/").await;
    app.clock.advance_minutes(11);
    not_signed_in(late.back(&app, &provider).await, 400, "ten minutes").await;
    // And the daily upkeep forgets it.
    assert_eq!(app.count("identity_sign_ins").await, 1);
    let forgotten = triad_app::upkeep::forget_unfinished_sign_ins(&app.db, app.clock_now())
        .await
        .expect("upkeep");
    assert_eq!(forgotten, 1);

    let error = app
        .http
        .get(app.url(&format!(
            "/login/callback?error=access_denied&state={}",
            start_sign_in(&app, &provider, "/").await.query["state"]
        )))
        .send()
        .await
        .expect("callback");
    // Without the browser's cookie this is the stolen-state answer; with it, the provider's
    // refusal is told.
    not_signed_in(error, 400, "could not be finished").await;
    let refused = start_sign_in(&app, &provider, "/").await;
    let response = app
        .http
        .get(app.url(&format!(
            "/login/callback?error=access_denied&state={}",
            refused.query["state"]
        )))
        .header("cookie", &refused.browser_cookie)
        .send()
        .await
        .expect("callback");
    not_signed_in(response, 401, "Springfield Schools did not sign you in").await;
    let nobody = app
        .http
        .get(app.url("/login/with/nobody"))
        .send()
        .await
        .expect("start");
    assert_eq!(nobody.status(), 404);
    let bare = app
        .http
        .get(app.url("/login/callback"))
        .send()
        .await
        .expect("callback");
    not_signed_in(bare, 400, "could not be finished").await;
    assert_eq!(app.count("sessions").await, 1, "only the one good sign-in");
}

/// Every check of the ID token: signature, issuer, audience, expiry on Triad's clock, nonce.
/// Each failure signs nobody in, makes no account, and is on the audit trail.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_id_token_failing_any_check_signs_nobody_in() {
    let (app, provider) = start(Engine::Sqlite, test_config()).await;
    let person = || NextToken::person("ana-1", "ana@district.example", "Ana Lima");
    let before = users(&app).await;
    let cases: Vec<(&str, NextToken)> = vec![
        (
            "another client's",
            NextToken {
                audience: "another-client".into(),
                ..person()
            },
        ),
        (
            "another issuer's",
            NextToken {
                issuer: Some("https://issuer.example".into()),
                ..person()
            },
        ),
        (
            "expired",
            NextToken {
                expires_in: -60,
                ..person()
            },
        ),
        (
            "signed by another key",
            NextToken {
                forged: true,
                ..person()
            },
        ),
        (
            "without a nonce",
            NextToken {
                nonce: Some(String::new()),
                ..person()
            },
        ),
        (
            "another sign-in's nonce",
            NextToken {
                nonce: Some("another-nonce".into()),
                ..person()
            },
        ),
        (
            "issued to another party",
            NextToken {
                azp: Some("another-client".into()),
                ..person()
            },
        ),
        (
            "signed by a key the provider never published",
            NextToken {
                new_key_id: Some("key-3"),
                ..person()
            },
        ),
    ];
    for (what, token) in &cases {
        provider.next(token.clone());
        let sent = start_sign_in(&app, &provider, "/").await;
        let response = sent.back(&app, &provider).await;
        assert_eq!(response.status(), 401, "an ID token {what}");
        not_signed_in(response, 401, "could not be trusted").await;
    }
    assert_eq!(users(&app).await, before, "no account made");
    assert_eq!(app.count("sessions").await, 0);
    assert_eq!(
        app.audit_count("auth.login.provider_rejected", "denied")
            .await,
        cases.len()
    );

    // Expired on Triad's clock, though not on the machine's: Triad's clock decides.
    provider.next(person());
    app.clock.advance_minutes(24 * 60);
    let sent = start_sign_in(&app, &provider, "/").await;
    not_signed_in(
        sent.back(&app, &provider).await,
        401,
        "could not be trusted",
    )
    .await;
    app.clock.advance_minutes(-24 * 60);
    // And the same token, good in every way, signs in.
    let sent = start_sign_in(&app, &provider, "/").await;
    signed_in(sent.back(&app, &provider).await).await;
    // A code the provider does not know (already used, or made up) is refused by it.
    let sent = start_sign_in(&app, &provider, "/").await;
    let made_up = sent.back_with(&app, "made-up", &sent.browser_cookie).await;
    not_signed_in(made_up, 401, "could not be trusted").await;
}

/// The provider rotates its signing keys: the first token under the new key makes Triad read
/// the keys again (it kept them for the hour), and it signs in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_rotating_its_keys_keeps_signing_people_in() {
    let (app, provider) = start(Engine::Sqlite, test_config()).await;
    let person = || NextToken::person("ana-1", "ana@district.example", "Ana Lima");
    provider.next(person());
    let sent = start_sign_in(&app, &provider, "/").await;
    signed_in(sent.back(&app, &provider).await).await;
    provider
        .shared
        .rotated
        .store(true, std::sync::atomic::Ordering::SeqCst);
    provider.next(NextToken {
        new_key_id: Some("key-2"),
        ..person()
    });
    let sent = start_sign_in(&app, &provider, "/").await;
    signed_in(sent.back(&app, &provider).await).await;
}

/// Only addresses at the configured domains, and only verified ones, sign in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_at_another_domain_or_unverified_is_refused() {
    let (app, provider) = start(Engine::Sqlite, test_config()).await;
    let before = users(&app).await;
    provider.next(NextToken::person(
        "eve-3",
        "eve@elsewhere.example",
        "Eve Stranger",
    ));
    let sent = start_sign_in(&app, &provider, "/").await;
    not_signed_in(
        sent.back(&app, &provider).await,
        403,
        "only addresses at district.example",
    )
    .await;
    // Two @: the part after the last is not the address's domain to anyone else.
    provider.next(NextToken::person(
        "eve-5",
        "eve@elsewhere.example@district.example",
        "Eve",
    ));
    let sent = start_sign_in(&app, &provider, "/").await;
    not_signed_in(sent.back(&app, &provider).await, 403, "only addresses at").await;
    // A look-alike domain is another domain.
    provider.next(NextToken::person(
        "eve-4",
        "eve@evil-district.example",
        "Eve",
    ));
    let sent = start_sign_in(&app, &provider, "/").await;
    not_signed_in(sent.back(&app, &provider).await, 403, "only addresses at").await;
    provider.next(NextToken {
        email_verified: Some(false),
        ..NextToken::person("dan-5", "dan@district.example", "Dan")
    });
    let sent = start_sign_in(&app, &provider, "/").await;
    not_signed_in(sent.back(&app, &provider).await, 403, "has not verified").await;
    provider.next(NextToken {
        email: None,
        ..NextToken::person("dan-5", "dan@district.example", "Dan")
    });
    let sent = start_sign_in(&app, &provider, "/").await;
    not_signed_in(sent.back(&app, &provider).await, 403, "only addresses at").await;
    assert_eq!(users(&app).await, before);
    assert_eq!(
        app.audit_count("auth.login.provider_refused", "denied")
            .await,
        5
    );
}

/// An existing account is linked only by its owner, signed in; an identity is one account's;
/// a disabled account stays out; a provider's second factor counts where the instance
/// requires one, and Triad's own code is asked for when it does not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_links_an_account_and_the_providers_second_factor_counts() {
    let config = WebConfig {
        require_second_factor: true,
        ..test_config()
    };
    let (app, provider) = start(Engine::Sqlite, config).await;
    let principal = app.session("principal").await;
    provider.next(NextToken {
        amr: vec!["pwd", "mfa"],
        ..NextToken::person("pat-7", "pat@district.example", "Pat Principal")
    });
    // The principal has no second factor yet: the instance sends them to set one up, except
    // to link (the link is made, and their next sign-in brings the provider's factor).
    let link = app
        .post_form(
            "/account/identities/link",
            &principal,
            &[("provider", "district")],
        )
        .await;
    assert_eq!(
        link.status(),
        303,
        "a principal must set up a second factor first"
    );
    let location = link.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    assert!(location.starts_with("/account/second-factor"), "{location}");
    let enrolled = app.enrol_second_factor(&principal).await;
    assert_eq!(enrolled.1.len(), 10, "recovery codes: enrolled");
    let sent = start_link(&app, &principal, &provider).await;
    let back = sent.back(&app, &provider).await;
    assert_eq!(back.status(), 200);
    assert!(
        cookie_named(&back, "__Host-triad_session").is_none(),
        "linking signs nobody in"
    );
    assert_eq!(
        app.scalar_text("SELECT user_id FROM identities WHERE subject = 'pat-7'")
            .await,
        app.user("principal").to_string()
    );

    // Signing in with it: the provider's second factor stands for Triad's.
    let sent = start_sign_in(&app, &provider, "/").await;
    let (session, target) = signed_in(sent.back(&app, &provider).await).await;
    assert_eq!(target, "/");
    assert_eq!(app.get("/", &session).await.status(), 200);
    // Without it, Triad's own code is asked for.
    provider.next(NextToken::person(
        "pat-7",
        "pat@district.example",
        "Pat Principal",
    ));
    let sent = start_sign_in(&app, &provider, "/reports").await;
    let (waiting, target) = signed_in(sent.back(&app, &provider).await).await;
    assert_eq!(target, "/login/second-factor?next=%2Freports");
    assert_eq!(
        app.get("/", &waiting).await.status(),
        303,
        "not signed in until the code"
    );
    let _ = enrolled;

    // A link whose session ended meanwhile (signed out on a shared computer) links nothing.
    let leaving = app.session("principal").await;
    let sent = start_link(&app, &leaving, &provider).await;
    assert_eq!(app.post_form("/logout", &leaving, &[]).await.status(), 303);
    not_signed_in(
        sent.back(&app, &provider).await,
        403,
        "signed out of Triad before",
    )
    .await;

    // Someone else cannot link the principal's identity to their own account.
    let staff = app.session("staff").await;
    let sent = start_link(&app, &staff, &provider).await;
    not_signed_in(
        sent.back(&app, &provider).await,
        403,
        "already linked to another",
    )
    .await;

    // A disabled account does not sign in through its provider either.
    app.raw(&format!(
        "UPDATE users SET disabled = TRUE WHERE id = '{}'",
        app.user("principal")
    ))
    .await
    .expect("disable");
    let sent = start_sign_in(&app, &provider, "/").await;
    not_signed_in(sent.back(&app, &provider).await, 403, "disabled").await;
}

/// A provider that is down, or that does not answer, gives a clear page; password sign-in
/// still works. With passwords turned off, only a system administrator's still signs in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_down_or_slow_leaves_passwords_working() {
    // Down: nothing listens at its address.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let down = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    // Slow: it takes the connection and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let slow = format!("http://{}", silent.local_addr().expect("addr"));
    let mut held = Vec::new();
    let provider = |key: &str, issuer: &str| {
        Provider::new(
            key,
            &format!("{key} sign-in"),
            issuer,
            CLIENT_ID,
            CLIENT_SECRET,
            &["district.example"],
            true,
            None,
        )
    };
    let list = vec![provider("down", &down), provider("slow", &slow)];
    let app = TestApp::start_with_providers(
        Engine::Sqlite,
        test_config(),
        move |_| list,
        Duration::from_secs(2),
    )
    .await;
    let login = app.http.get(app.url("/login")).send().await.expect("login");
    let page = login.text().await.expect("page");
    assert!(page.contains("Sign in with down sign-in"));
    assert!(page.contains("/login/with/slow?next=%2F"));
    assert!(page.contains("id=\"password-form\""));
    for key in ["down", "slow"] {
        let accept = async {
            if key == "slow" {
                if let Ok((stream, _)) = silent.accept().await {
                    held.push(stream);
                }
            }
        };
        let (response, ()) = tokio::join!(
            app.http.get(app.url(&format!("/login/with/{key}"))).send(),
            accept
        );
        let response = response.expect("start");
        not_signed_in(response, 503, &format!("{key} sign-in did not answer")).await;
    }
    let password = app.sign_in("staff", PASSWORD, "198.51.100.1").await;
    assert_eq!(password.status(), 303, "password sign-in still works");

    // Passwords off for everyone but system administrators.
    app.raw(&format!(
        "INSERT INTO settings (key, value) VALUES ('{}', 'no')",
        triad_store::auth::PASSWORDS_SETTING
    ))
    .await
    .expect("setting");
    let page = app.http.get(app.url("/login")).send().await.expect("login");
    let page = page.text().await.expect("page");
    assert!(
        page.contains("<details id=\"password-sign-in\""),
        "the form is folded away"
    );
    let staff = app.sign_in("staff", PASSWORD, "198.51.100.1").await;
    assert_eq!(staff.status(), 401, "not for staff");
    assert_eq!(
        app.audit_count("auth.login.password_off", "denied").await,
        1
    );
    // Nor does the form lock anyone out now: staff's password is not even tried.
    for _ in 0..6 {
        let wrong = app
            .sign_in("staff", "not the password at all", "198.51.100.2")
            .await;
        assert_eq!(wrong.status(), 401);
    }
    assert_eq!(app.audit_count("auth.lock", "denied").await, 0);
    assert_eq!(app.audit_count("auth.login.failure", "failed").await, 0);
    let admin = app.sign_in("admin", PASSWORD, "198.51.100.1").await;
    assert_eq!(admin.status(), 303, "a system administrator still signs in");
}

/// A real OpenID Connect provider (the `oidc-provider` package on Node, pinned in
/// tests/oidc-provider), stopped with the test.
struct NodeProvider {
    child: tokio::process::Child,
    issuer: String,
    /// The answers it sent back to Triad, as URLs, in order.
    redirects: Arc<Mutex<Vec<String>>>,
}

impl NodeProvider {
    /// Starts it on `port` for a client that comes back to `redirect_uri`.
    async fn start(port: u16, redirect_uri: &str) -> Self {
        use tokio::io::AsyncBufReadExt;
        let script = std::env::var("TRIAD_TEST_OIDC_PROVIDER").unwrap_or_else(|_| {
            panic!("TRIAD_TEST_OIDC_PROVIDER is not set: run the tests with scripts/test, which installs the test identity provider (tests/oidc-provider) with npm")
        });
        let mut child = tokio::process::Command::new("node")
            .arg(&script)
            .args(["--port", &port.to_string(), "--redirect-uri", redirect_uri])
            .args(["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET])
            // Its stdin closing (this process ending) stops it too.
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("node could not start the test identity provider: {e}"));
        let stdout = child.stdout.take().expect("stdout");
        let mut reader = tokio::io::BufReader::new(stdout);
        let mut line = String::new();
        tokio::time::timeout(PATIENCE, reader.read_line(&mut line))
            .await
            .expect("the test identity provider is ready in time")
            .expect("its ready line");
        let issuer = line
            .trim()
            .strip_prefix("ready ")
            .unwrap_or_else(|| panic!("the test identity provider said {line:?}"))
            .to_string();
        let redirects: Arc<Mutex<Vec<String>>> = Arc::default();
        let kept = redirects.clone();
        tokio::spawn(async move {
            let mut lines = reader.lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(url) = line.strip_prefix("redirect ") {
                    kept.lock().expect("lock").push(url.to_string());
                }
            }
        });
        Self {
            child,
            issuer,
            redirects,
        }
    }

    fn last_redirect(&self) -> String {
        self.redirects
            .lock()
            .expect("lock")
            .last()
            .cloned()
            .expect("the provider sent an answer back")
    }
}

impl Drop for NodeProvider {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// In headless Chromium against the real provider: Ana (a password at the provider) and Ben
/// (a second factor there) each sign in with one click on the provider's page; a sign-in
/// replayed from the browser's history and an address at another domain are refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_sign_in_through_a_real_provider_in_a_browser() {
    use crate::browser::{
        body_text, browser, click, element_after_navigation, end_browser, screenshot, start_driver,
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let issuer = format!("http://127.0.0.1:{port}");
    let provider = Provider::new(
        "district",
        "Springfield Schools",
        &issuer,
        CLIENT_ID,
        CLIENT_SECRET,
        &["district.example"],
        true,
        None,
    );
    // It serves the home district: its director finds the accounts it makes.
    let app = TestApp::start_with_providers(
        Engine::Sqlite,
        test_config(),
        move |world: &World| {
            let mut provider = provider;
            provider.district = Some(world.district);
            vec![provider]
        },
        Duration::from_secs(10),
    )
    .await;
    let node = NodeProvider::start(port, &app.url("/login/callback")).await;
    assert_eq!(node.issuer, issuer);
    let driver = start_driver();

    // On a phone: the sign-in page offers the district's sign-in first.
    let phone = browser(&driver, 390, 844).await;
    phone.goto(&app.url("/login")).await.expect("login");
    screenshot(&phone, "sign-in-with-provider-phone").await;
    click(&phone, "#providers a").await;
    click_after_navigation(&phone, "#as-ana").await;
    element_after_navigation(&phone, "header.top").await;
    let home = body_text(&phone).await;
    assert!(
        home.contains("Your account has no role in Triad yet"),
        "{home}"
    );
    let account = app.url("/account");
    phone.goto(&account).await.expect("account");
    let text = body_text(&phone).await;
    assert!(text.contains("Signed in as ana"), "{text}");
    assert!(
        text.contains("Springfield Schools: ana@district.example"),
        "{text}"
    );
    screenshot(&phone, "account-linked-provider-phone").await;
    let ana = app
        .scalar_text("SELECT user_id FROM identities WHERE subject = 'ana-sub-1'")
        .await;
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM sessions WHERE user_id = '{ana}' AND second_factor_by_provider = FALSE"
        ))
        .await,
        1,
        "a password at the provider is not a second factor"
    );
    // The provider's answer again, in the same browser: its state was taken.
    phone.goto(&node.last_redirect()).await.expect("replay");
    let replayed = wait_for_body(&phone, "could not be finished").await;
    assert!(replayed.contains("Start again"), "{replayed}");
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM sessions WHERE user_id = '{ana}'"
        ))
        .await,
        1,
        "no second session from the replay"
    );
    end_browser(phone).await;

    // The district's director, on a phone too, finds Ana's new account waiting for a role,
    // with the way to give her sign-in to an account she already has.
    let director = browser(&driver, 390, 844).await;
    crate::browser::sign_in(&director, &app, "director").await;
    director
        .goto(&app.url("/admin/users?q=ana"))
        .await
        .expect("users");
    click(&director, &format!("a[href='/admin/users/{ana}']")).await;
    element_after_navigation(&director, "#identities").await;
    let text = body_text(&director).await;
    assert!(
        text.contains("No role: this account opens nothing."),
        "{text}"
    );
    assert!(
        text.contains("Springfield Schools: ana@district.example"),
        "{text}"
    );
    assert!(text.contains("Give the sign-in to that account"), "{text}");
    screenshot(&director, "admin-user-from-provider-phone").await;
    end_browser(director).await;

    // At a desk: Ben's provider asked him for a second factor, and Triad knows it.
    let desk = browser(&driver, 1280, 900).await;
    desk.goto(&app.url("/login?next=/account"))
        .await
        .expect("login");
    click(&desk, "#providers a").await;
    click_after_navigation(&desk, "#as-ben").await;
    element_after_navigation(&desk, "header.top").await;
    let text = body_text(&desk).await;
    assert!(text.contains("Signed in as ben"), "{text}");
    let ben = app
        .scalar_text("SELECT user_id FROM identities WHERE subject = 'ben-sub-2'")
        .await;
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM sessions WHERE user_id = '{ben}' AND second_factor_by_provider = TRUE"
        ))
        .await,
        1,
        "the provider's mfa is on the session"
    );
    // Signed out, Eve tries: her address is at another domain.
    click(&desk, "header form button").await;
    element_after_navigation(&desk, "#providers a").await;
    click(&desk, "#providers a").await;
    click_after_navigation(&desk, "#as-eve").await;
    let refused = wait_for_body(&desk, "only addresses at district.example").await;
    assert!(refused.contains("Use your district account"), "{refused}");
    screenshot(&desk, "sign-in-refused-domain-desktop").await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM identities WHERE subject = 'eve-sub-3'")
            .await,
        0
    );
    end_browser(desk).await;
    drop(node);
}

/// Clicks an element of the page a navigation is bringing.
async fn click_after_navigation(c: &fantoccini::Client, css: &str) {
    crate::browser::element_after_navigation(c, css).await;
    crate::browser::click(c, css).await;
}

/// Waits for the page's text to contain `wanted` (a navigation may still be going on).
async fn wait_for_body(c: &fantoccini::Client, wanted: &str) -> String {
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let text = c
            .execute(
                "return document.body ? document.body.innerText : '';",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        if text.contains(wanted) || std::time::Instant::now() > deadline {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Someone already in Triad signs in through the provider before linking: the sign-in makes
/// them an empty account, which their district's leader finds (it is of the district the
/// provider serves) and gives to their existing account. Never into an account beyond the
/// leader's reach, nor their own, nor from an account that holds anything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_district_leader_gives_a_sign_ins_new_account_to_the_persons_existing_one() {
    let provider = TestProvider::start().await;
    let app = serving_home_district(provider.provider(&["district.example"])).await;
    provider.next(NextToken::person(
        "pat-7",
        "pat@district.example",
        "Pat Principal",
    ));
    let sent = start_sign_in(&app, &provider, "/").await;
    signed_in(sent.back(&app, &provider).await).await;
    let made = app
        .scalar_text("SELECT user_id FROM identities WHERE subject = 'pat-7'")
        .await;

    // The district's leader finds the new account; a leader of another district does not.
    let director = app.session("director").await;
    let list = app
        .get("/admin/users?q=pat", &director)
        .await
        .text()
        .await
        .expect("list");
    assert!(list.contains(&format!("/admin/users/{made}")), "{list}");
    let other = app.other_district_leader().await;
    let page = app.get(&format!("/admin/users/{made}"), &other).await;
    assert_eq!(page.status(), 404);
    let page = app.get(&format!("/admin/users/{made}"), &director).await;
    assert_eq!(page.status(), 200);
    assert!(page
        .text()
        .await
        .expect("page")
        .contains("Give the sign-in to that account"));

    let issuer = provider.shared.issuer.clone();
    let give = |to: &'static str| {
        let issuer = issuer.clone();
        let made = made.clone();
        let director = director.clone();
        let app = &app;
        async move {
            app.post_form(
                &format!("/admin/users/{made}/identities/move"),
                &director,
                &[
                    ("issuer", &issuer),
                    ("subject", "pat-7"),
                    ("to_username", to),
                ],
            )
            .await
            .status()
        }
    };
    assert_eq!(
        give("admin").await,
        422,
        "a system administrator's account is beyond a leader: answered as no such account"
    );
    assert_eq!(give("director").await, 403, "not into their own account");
    assert_eq!(give("nobody-here").await, 422);
    // The principal's record has no address yet: a leader's move needs the same address.
    assert_eq!(
        give("principal").await,
        403,
        "not to a person with another address"
    );
    assert_eq!(app.audit_count("account.identity.move", "denied").await, 2);
    let principal = app.user("principal");
    app.raw(&format!(
        "UPDATE people SET email = 'Pat@District.example' WHERE id = (SELECT person_id FROM users WHERE id = '{principal}')"
    ))
    .await
    .expect("address");
    // From an account that holds a role: the owner links their own.
    let refused = app
        .post_form(
            &format!("/admin/users/{principal}/identities/move"),
            &director,
            &[
                ("issuer", &issuer),
                ("subject", "pat-7"),
                ("to_username", "staff"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 403);

    assert_eq!(give("principal").await, 303);
    assert_eq!(
        app.scalar_text("SELECT user_id FROM identities WHERE subject = 'pat-7'")
            .await,
        principal.to_string()
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM users WHERE id = '{made}' AND disabled = TRUE"
        ))
        .await,
        1,
        "the empty account is disabled"
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM notifications WHERE user_id = '{principal}' AND message LIKE 'A district sign-in was linked%'"
        ))
        .await,
        1,
        "the owner is told"
    );
    // The next sign-in is the principal's.
    let sent = start_sign_in(&app, &provider, "/").await;
    let (session, _) = signed_in(sent.back(&app, &provider).await).await;
    let page = app
        .get("/account", &session)
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("Signed in as <strong>principal</strong>"),
        "{page}"
    );
}

/// With `roster_accounts`, a person's first sign-in takes the account the district's roster
/// made for their address, with the roles the roster gave; never an account made by hand,
/// one that has a password, or one another identity took.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_sign_in_takes_the_account_the_roster_made() {
    let provider = TestProvider::start().await;
    let mut configured = provider.provider(&["home.example"]);
    configured.roster_accounts = true;
    let app = serving_home_district(configured).await;
    let dir = tempfile::tempdir().expect("dir");
    crate::roster::write_bundle(
        dir.path(),
        &crate::roster::orgs(),
        &crate::roster::first_bundle(),
    );
    crate::roster::import(&app, dir.path(), &[]);
    let tmorgan = app
        .scalar_text("SELECT id FROM users WHERE username = 'tmorgan'")
        .await;
    // A hand-made account with a roster person's address is not the roster's to give.
    app.raw(&format!(
        "UPDATE people SET email = 'tboth@home.example' WHERE id = (SELECT person_id FROM users WHERE id = '{}')",
        app.user("staff")
    ))
    .await
    .expect("address");
    let before = users(&app).await;

    provider.next(NextToken::person(
        "tess-1",
        "TMorgan@home.example",
        "Tess Morgan",
    ));
    let sent = start_sign_in(&app, &provider, "/").await;
    let (session, _) = signed_in(sent.back(&app, &provider).await).await;
    assert_eq!(users(&app).await, before, "no new account");
    assert_eq!(
        app.scalar_text("SELECT user_id FROM identities WHERE subject = 'tess-1'")
            .await,
        tmorgan
    );
    let home = app.get("/", &session).await.text().await.expect("home");
    assert!(
        !home.contains("no role in Triad yet"),
        "the roster's role came with it"
    );

    // Another identity with the same address finds the account taken: a new one.
    provider.next(NextToken::person(
        "tess-2",
        "tmorgan@home.example",
        "Tess Again",
    ));
    let sent = start_sign_in(&app, &provider, "/").await;
    signed_in(sent.back(&app, &provider).await).await;
    assert_eq!(users(&app).await, before + 1);
    // Two accounts have tboth's address (the roster's and one made by hand): neither is
    // taken.
    provider.next(NextToken::person(
        "theo-1",
        "tboth@home.example",
        "Theo Both",
    ));
    let sent = start_sign_in(&app, &provider, "/").await;
    signed_in(sent.back(&app, &provider).await).await;
    assert_eq!(users(&app).await, before + 2);
    // A roster account given a role by hand (Dana, the district's administrator, made its
    // leader) is no longer the roster's to give.
    let dana = app
        .scalar_text("SELECT id FROM users WHERE username = 'dlane'")
        .await;
    let dana = triad_domain::Id::parse(&dana).expect("id");
    let mut tx = app.db.begin().await.expect("begin");
    triad_store::auth::add_grant(
        &mut tx,
        dana,
        triad_domain::auth::Grant {
            role: triad_domain::auth::Role::DistrictLeader,
            scope: triad_domain::auth::Scope::District {
                district: app.world.district,
            },
        },
        app.clock_now(),
    )
    .await
    .expect("grant");
    tx.commit().await.expect("commit");
    provider.next(NextToken::person(
        "dana-1",
        "dlane@home.example",
        "Dana Lane",
    ));
    let sent = start_sign_in(&app, &provider, "/").await;
    signed_in(sent.back(&app, &provider).await).await;
    assert_eq!(users(&app).await, before + 3);
    // A roster account whose person chose a password is theirs to link, not a sign-in's.
    app.raw("UPDATE users SET password_hash = 'set-by-reset' WHERE username = 'pcho'")
        .await
        .expect("password");
    provider.next(NextToken::person(
        "paula-1",
        "pcho@home.example",
        "Paula Cho",
    ));
    let sent = start_sign_in(&app, &provider, "/").await;
    signed_in(sent.back(&app, &provider).await).await;
    assert_eq!(users(&app).await, before + 4);
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM identities WHERE user_id IN \
             (SELECT id FROM users WHERE username IN ('tboth', 'pcho', 'dlane')) OR user_id = '{}'",
            app.user("staff")
        ))
        .await,
        0
    );
}
