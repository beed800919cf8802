//! The identity providers an instance signs people in through (OpenID Connect, authorization
//! code flow with PKCE): their configuration file, discovery, the code exchange and the checks
//! of the ID token. What Triad does with the identity a provider vouches for is
//! `triad_app::identity_sign_in`'s.

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreIdTokenClaims, CoreProviderMetadata,
};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope,
};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use triad_app::identity_sign_in::{VouchedIdentity, SECOND_FACTOR_METHODS};
use triad_domain::{Id, Timestamp};

/// The path providers send people back to (`{public_url}/login/callback`).
pub const CALLBACK_PATH: &str = "/login/callback";

/// How long a provider's discovery document and keys are kept before they are read again
/// (a provider rotates its signing keys; a new key is picked up within this time).
const DISCOVERY_KEPT_FOR: Duration = Duration::from_secs(3600);

/// One provider as the configuration file gives it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProviderEntry {
    key: String,
    label: String,
    issuer: String,
    client_id: String,
    client_secret_file: String,
    email_domains: Vec<String>,
    #[serde(default = "yes")]
    require_verified_email: bool,
    #[serde(default)]
    district: Option<String>,
    #[serde(default)]
    roster_accounts: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProvidersFile {
    #[serde(default)]
    provider: Vec<ProviderEntry>,
}

/// A configured provider, its secret read.
#[derive(Clone)]
pub struct Provider {
    /// In its sign-in address: `/login/with/{key}`.
    pub key: String,
    /// What the sign-in button says after "Sign in with".
    pub label: String,
    pub issuer: String,
    pub client_id: String,
    client_secret: String,
    /// Lower case.
    pub email_domains: Vec<String>,
    pub require_verified_email: bool,
    pub district: Option<Id>,
    /// A first sign-in takes the account the district's roster made for its address.
    pub roster_accounts: bool,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The client secret is never printed.
        f.debug_struct("Provider")
            .field("key", &self.key)
            .field("issuer", &self.issuer)
            .finish()
    }
}

impl Provider {
    /// A provider given in code (tests, and the file's reader below).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        key: &str,
        label: &str,
        issuer: &str,
        client_id: &str,
        client_secret: &str,
        email_domains: &[&str],
        require_verified_email: bool,
        district: Option<Id>,
    ) -> Self {
        Self {
            key: key.to_string(),
            label: label.to_string(),
            // Exactly as written: the provider's discovery document and tokens must name the
            // same string (some issuers end in a slash).
            issuer: issuer.to_string(),
            client_id: client_id.to_string(),
            client_secret: client_secret.to_string(),
            email_domains: email_domains
                .iter()
                .map(|d| d.trim().to_lowercase())
                .collect(),
            require_verified_email,
            district,
            roster_accounts: false,
        }
    }
}

/// Reads the providers file (TOML, `[[provider]]` tables; see docs/sign-in.md) and each
/// provider's secret file. Every mistake is named, with the provider it is in.
pub fn read_providers_file(path: &Path) -> Result<Vec<Provider>, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let file: ProvidersFile =
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut providers: Vec<Provider> = Vec::new();
    for entry in file.provider {
        let name = format!("provider {:?} in {}", entry.key, path.display());
        let key_ok = (1..=40).contains(&entry.key.len())
            && entry
                .key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !key_ok {
            return Err(format!(
                "{name}: key must be 1 to 40 lower-case letters, digits or dashes"
            ));
        }
        if providers.iter().any(|p| p.key == entry.key) {
            return Err(format!("{name}: another provider has the same key"));
        }
        if entry.label.trim().is_empty() {
            return Err(format!("{name}: label is empty"));
        }
        check_issuer(&entry.issuer).map_err(|e| format!("{name}: {e}"))?;
        if entry.client_id.trim().is_empty() {
            return Err(format!("{name}: client_id is empty"));
        }
        let secret = std::fs::read_to_string(&entry.client_secret_file)
            .map_err(|e| format!("{name}: reading client_secret_file: {e}"))?;
        if secret.trim().is_empty() {
            return Err(format!("{name}: client_secret_file is empty"));
        }
        let domains: Vec<&str> = entry.email_domains.iter().map(String::as_str).collect();
        if domains.is_empty()
            || domains
                .iter()
                .any(|d| d.trim().is_empty() || d.contains('@'))
        {
            return Err(format!(
                "{name}: email_domains must list the domains whose people may sign in (\"district.org\", no @)"
            ));
        }
        let district = match entry.district.as_deref() {
            None => None,
            Some(text) => Some(Id::parse(text).ok_or_else(|| {
                format!("{name}: district must be a district's id (see `triad org` or its page)")
            })?),
        };
        if entry.roster_accounts && !entry.require_verified_email {
            return Err(format!(
                "{name}: roster_accounts finds the roster's account by the address the provider verified: it needs require_verified_email = true"
            ));
        }
        if entry.roster_accounts && district.is_none() {
            return Err(format!(
                "{name}: roster_accounts needs the district whose roster it is (district = \"…\")"
            ));
        }
        let mut provider = Provider::new(
            &entry.key,
            entry.label.trim(),
            &entry.issuer,
            entry.client_id.trim(),
            secret.trim(),
            &domains,
            entry.require_verified_email,
            district,
        );
        provider.roster_accounts = entry.roster_accounts;
        providers.push(provider);
    }
    Ok(providers)
}

/// An issuer is an https URL (plain http only on this machine, for tests and trials).
fn check_issuer(issuer: &str) -> Result<(), String> {
    let url = reqwest::Url::parse(issuer).map_err(|_| "issuer is not a URL".to_string())?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err("issuer must be an https:// URL".into()),
    }
}

/// The providers an instance has, with what it learnt of each (kept for an hour).
#[derive(Clone, Default)]
pub struct Providers {
    pub list: Vec<Provider>,
    /// `{public_url}/login/callback`.
    redirect_url: String,
    http: Option<reqwest::Client>,
    /// The most a sign-in's exchanges with a provider take together (each request is bounded
    /// by it too): under the 30 s at which any request to Triad is cut off, so the person
    /// reads why rather than a timeout.
    deadline: Duration,
    discovered: Arc<Mutex<HashMap<String, Discovered>>>,
}

/// What was read of a provider, and when.
#[derive(Clone)]
struct Discovered {
    at: Instant,
    /// When its keys were last read again for a token naming an unknown key.
    forced_at: Option<Instant>,
    metadata: CoreProviderMetadata,
}

impl std::fmt::Debug for Providers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.list).finish()
    }
}

/// Why a sign-in through a provider did not get an identity.
#[derive(Debug)]
pub enum ProviderFailure {
    /// The provider could not be reached, did not answer in time, or answered with something
    /// that is not OpenID Connect.
    Unreachable(String),
    /// The provider refused the code or the token failed a check: nobody is signed in.
    Rejected(String),
}

impl Providers {
    /// `public_url` is Triad's address as browsers reach it; `timeout` bounds every request to
    /// a provider (a provider that is down must not hold a sign-in page for long).
    pub fn new(list: Vec<Provider>, public_url: &str, timeout: Duration) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            // A token endpoint that redirects is not followed: the code and secret stay with
            // the provider the configuration names (as the openidconnect crate advises).
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(timeout)
            .timeout(timeout)
            .build()
            .map_err(|e| format!("making the HTTP client for identity providers: {e}"))?;
        Ok(Self {
            list,
            redirect_url: format!("{}{CALLBACK_PATH}", public_url.trim_end_matches('/')),
            http: Some(http),
            deadline: timeout,
            discovered: Arc::default(),
        })
    }

    pub fn find(&self, key: &str) -> Option<&Provider> {
        self.list.iter().find(|p| p.key == key)
    }

    fn http(&self) -> Result<&reqwest::Client, ProviderFailure> {
        self.http
            .as_ref()
            .ok_or_else(|| ProviderFailure::Unreachable("no identity providers are set up".into()))
    }

    /// The provider's discovery document and keys: kept an hour, read again after (or at
    /// once with `fresh`, when a token names a key not known yet: the provider rotated its
    /// keys). When reading them again fails, the ones kept serve meanwhile.
    async fn metadata(
        &self,
        provider: &Provider,
        fresh: bool,
    ) -> Result<CoreProviderMetadata, ProviderFailure> {
        let kept = self
            .discovered
            .lock()
            .ok()
            .and_then(|kept| kept.get(&provider.key).cloned());
        if let Some(kept) = &kept {
            let young = kept.at.elapsed() < DISCOVERY_KEPT_FOR;
            // Tokens with unknown keys read the keys again at most once a minute: a stream of
            // forged tokens does not become a stream of requests to the provider.
            let forced_lately = kept
                .forced_at
                .is_some_and(|at| at.elapsed() < Duration::from_secs(60));
            if (young && !fresh) || (fresh && forced_lately) {
                return Ok(kept.metadata.clone());
            }
        }
        let issuer = IssuerUrl::new(provider.issuer.clone())
            .map_err(|e| ProviderFailure::Unreachable(format!("issuer: {e}")))?;
        let metadata = match CoreProviderMetadata::discover_async(issuer, self.http()?).await {
            Ok(metadata) => metadata,
            Err(e) => {
                return match kept {
                    Some(kept) => {
                        tracing::warn!(provider = %provider.key, error = %error_chain(&e), "reading the provider's keys again failed; the ones kept serve");
                        Ok(kept.metadata)
                    }
                    None => Err(ProviderFailure::Unreachable(error_chain(&e))),
                };
            }
        };
        if let Ok(mut kept) = self.discovered.lock() {
            let now = Instant::now();
            kept.insert(
                provider.key.clone(),
                Discovered {
                    at: now,
                    forced_at: fresh.then_some(now),
                    metadata: metadata.clone(),
                },
            );
        }
        Ok(metadata)
    }

    async fn client(
        &self,
        provider: &Provider,
        fresh: bool,
    ) -> Result<OidcClient, ProviderFailure> {
        let metadata = self.metadata(provider, fresh).await?;
        let redirect = RedirectUrl::new(self.redirect_url.clone())
            .map_err(|e| ProviderFailure::Unreachable(format!("redirect URL: {e}")))?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(provider.client_id.clone()),
            Some(ClientSecret::new(provider.client_secret.clone())),
        )
        .set_redirect_uri(redirect))
    }

    /// Where to send the browser to sign in, with the state, nonce and PKCE verifier the
    /// return must match.
    pub async fn authorization(
        &self,
        provider: &Provider,
    ) -> Result<Authorization, ProviderFailure> {
        let client = self.within_deadline(self.client(provider, false)).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        Ok(Authorization {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Exchanges the code the provider sent back for an ID token and checks it: signature by
    /// one of the provider's keys, issuer, audience (this client), expiry on Triad's clock,
    /// and the nonce this sign-in was sent with.
    pub async fn identity(
        &self,
        provider: &Provider,
        code: &str,
        pkce_verifier: &str,
        nonce: &str,
        now: Timestamp,
    ) -> Result<VouchedIdentity, ProviderFailure> {
        self.within_deadline(self.exchange(provider, code, pkce_verifier, nonce, now))
            .await
    }

    async fn within_deadline<T>(
        &self,
        work: impl std::future::Future<Output = Result<T, ProviderFailure>>,
    ) -> Result<T, ProviderFailure> {
        tokio::time::timeout(self.deadline, work)
            .await
            .unwrap_or_else(|_| {
                Err(ProviderFailure::Unreachable(format!(
                    "no answer within {} s",
                    self.deadline.as_secs()
                )))
            })
    }

    async fn exchange(
        &self,
        provider: &Provider,
        code: &str,
        pkce_verifier: &str,
        nonce: &str,
        now: Timestamp,
    ) -> Result<VouchedIdentity, ProviderFailure> {
        let client = self.client(provider, false).await?;
        let request = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| ProviderFailure::Unreachable(format!("token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_string()));
        let response = request.request_async(self.http()?).await.map_err(|e| {
            use openidconnect::RequestTokenError;
            match e {
                RequestTokenError::ServerResponse(answer) => {
                    ProviderFailure::Rejected(format!("the provider refused the code: {answer}"))
                }
                other => ProviderFailure::Unreachable(error_chain(&other)),
            }
        })?;
        let id_token = openidconnect::TokenResponse::id_token(&response)
            .ok_or_else(|| ProviderFailure::Rejected("the provider sent no ID token".into()))?;
        let nonce = Nonce::new(nonce.to_string());
        let at = now.to_datetime();
        let checked = |client: &OidcClient| -> Result<VouchedIdentity, ClaimsError> {
            let verifier = client.id_token_verifier().set_time_fn(move || at);
            let claims = id_token.claims(&verifier, &nonce)?;
            // The crate leaves `azp` unchecked: when present, it must be this client.
            if claims
                .authorized_party()
                .is_some_and(|party| party.as_str() != provider.client_id)
            {
                return Err(ClaimsError::Other(
                    "the token's azp is another client".into(),
                ));
            }
            Ok(vouched(claims))
        };
        match checked(&client) {
            Ok(identity) => Ok(identity),
            // A key not known yet: the provider may have rotated its keys; read them again.
            Err(ClaimsError::Verification(
                openidconnect::ClaimsVerificationError::SignatureVerification(
                    openidconnect::SignatureVerificationError::NoMatchingKey,
                ),
            )) => {
                let client = self.client(provider, true).await?;
                checked(&client).map_err(ClaimsError::rejected)
            }
            Err(other) => Err(other.rejected()),
        }
    }
}

/// Why an ID token was not accepted.
enum ClaimsError {
    Verification(openidconnect::ClaimsVerificationError),
    Other(String),
}

impl From<openidconnect::ClaimsVerificationError> for ClaimsError {
    fn from(error: openidconnect::ClaimsVerificationError) -> Self {
        ClaimsError::Verification(error)
    }
}

impl ClaimsError {
    fn rejected(self) -> ProviderFailure {
        let why = match self {
            ClaimsError::Verification(e) => e.to_string(),
            ClaimsError::Other(text) => text,
        };
        ProviderFailure::Rejected(format!("the ID token failed a check: {why}"))
    }
}

type OidcClient = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

/// What the checked claims vouch for.
fn vouched(claims: &CoreIdTokenClaims) -> VouchedIdentity {
    let second_factor = claims.auth_method_refs().is_some_and(|methods| {
        methods
            .iter()
            .any(|m| SECOND_FACTOR_METHODS.contains(&m.as_str()))
    });
    VouchedIdentity {
        issuer: claims.issuer().as_str().to_string(),
        subject: claims.subject().as_str().to_string(),
        email: claims.email().map(|e| e.as_str().to_string()),
        email_verified: claims.email_verified(),
        name: claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_string()),
        second_factor,
    }
}

/// An error and its causes on one line, for the log (never for the page).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        text.push_str(": ");
        text.push_str(&e.to_string());
        cause = e.source();
    }
    text
}

/// A sign-in ready to send to its provider.
pub struct Authorization {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}
