//! "Forgot your password?": a link by email to choose a new one. Offered only where Triad can
//! send email and knows its public address: the link is built from `TRIAD_PUBLIC_URL`, never
//! from the request's Host header, which a stranger could set to their own site to receive
//! someone else's link.

use super::login::{refuse_cross_site, sign_in_source};
use crate::error::WebResult;
use crate::routes::Routes;
use crate::views::render;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use triad_app::accounts::reset::{self, ResetMail};
use triad_app::error::AppError;

pub fn routes() -> Routes {
    Routes::default()
        .get("/login/forgot", forgot_page)
        .post("/login/forgot", forgot_submit)
        .get("/login/reset/{secret}", reset_page)
        .post("/login/reset/{secret}", reset_submit)
}

/// Where links are sent from and to: the relay, the sender and the public address, when all
/// are set.
pub(crate) fn email_reset(state: &AppState) -> Option<(String, String, String)> {
    let notices = &state.config.notices;
    Some((
        notices.smtp_url.clone()?,
        notices.from.clone(),
        notices
            .public_url
            .clone()?
            .trim_end_matches('/')
            .to_string(),
    ))
}

#[derive(Template)]
#[template(path = "auth/forgot.html")]
struct ForgotPage {
    /// Triad can send the link here.
    available: bool,
    email: String,
    error: Option<String>,
    /// The address a link was asked for: the answer is the same whether or not it has an
    /// account.
    asked: Option<String>,
}

async fn forgot_page(State(state): State<AppState>) -> WebResult<Html<String>> {
    render(&ForgotPage {
        available: email_reset(&state).is_some(),
        email: String::new(),
        error: None,
        asked: None,
    })
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

async fn forgot_submit(
    State(state): State<AppState>,
    parts: Parts,
    Form(form): Form<ForgotForm>,
) -> WebResult<Response> {
    refuse_cross_site(&parts, "use the form on Triad's own page")?;
    let Some((smtp_url, from, base)) = email_reset(&state) else {
        return Ok(forgot_page(State(state)).await?.into_response());
    };
    let source = sign_in_source(&parts, &state);
    let mails = match reset::request(&state, &form.email, &source).await {
        Ok(mails) => mails,
        Err(AppError::Invalid(invalid)) => {
            let page = ForgotPage {
                available: true,
                email: form.email.trim().to_string(),
                error: invalid.errors.first().map(|e| e.message.clone()),
                asked: None,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    // Sent after the answer, so how long it takes tells nothing of whether an account uses
    // the address; a relay that is down is logged, and the person may ask again.
    tokio::spawn(async move {
        for mail in mails {
            let (subject, text) = reset_message(&mail, &base);
            if let Err(e) = crate::mail::send_text(&smtp_url, &from, &mail.to, subject, text).await
            {
                tracing::warn!(error = %e, "a password reset link could not be sent");
            }
        }
    });
    render(&ForgotPage {
        available: true,
        email: String::new(),
        error: None,
        asked: Some(form.email.trim().to_string()),
    })
    .map(IntoResponse::into_response)
}

fn reset_message(mail: &ResetMail, base: &str) -> (&'static str, String) {
    (
        "Choose a new Triad password",
        format!(
            "Hello {},\n\nSomeone asked to choose a new password for the Triad account \"{}\". If it \
             was you, open this link within 30 minutes; it works once:\n\n{base}/login/reset/{}\n\n\
             If it was not you, ignore this email: your password stays as it is.\n",
            mail.display_name, mail.username, mail.secret
        ),
    )
}

#[derive(Template)]
#[template(path = "auth/reset.html")]
struct ResetPage {
    /// The link still works: the account's user name.
    username: Option<String>,
    action: String,
    error: Option<String>,
    done: bool,
}

async fn reset_page(
    State(state): State<AppState>,
    Path(secret): Path<String>,
) -> WebResult<Response> {
    let username = match reset::holder(&state, &secret).await {
        Ok(user) => Some(user.username),
        Err(AppError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let status = if username.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    let page = ResetPage {
        username,
        action: format!("/login/reset/{secret}"),
        error: None,
        done: false,
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

async fn reset_submit(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    parts: Parts,
    Form(form): Form<ResetForm>,
) -> WebResult<Response> {
    refuse_cross_site(&parts, "use the form on Triad's own page")?;
    let source = sign_in_source(&parts, &state);
    let action = format!("/login/reset/{secret}");
    let outcome = reset::complete(&state, &secret, form.password, &form.confirm, &source).await;
    let (status, page) = match outcome {
        Ok(()) => (
            StatusCode::OK,
            ResetPage {
                username: None,
                action,
                error: None,
                done: true,
            },
        ),
        Err(AppError::NotFound) => (
            StatusCode::NOT_FOUND,
            ResetPage {
                username: None,
                action,
                error: None,
                done: false,
            },
        ),
        Err(AppError::Invalid(invalid)) => {
            let username = reset::holder(&state, &secret)
                .await
                .ok()
                .map(|u| u.username);
            let message = invalid
                .errors
                .iter()
                .map(|e| match e.field {
                    "confirm" => format!("The second password {}.", e.message),
                    _ => format!("The new password {}.", e.message),
                })
                .collect::<Vec<_>>()
                .join(" ");
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                ResetPage {
                    username,
                    action,
                    error: Some(message),
                    done: false,
                },
            )
        }
        Err(e) => return Err(e.into()),
    };
    Ok((status, render(&page)?).into_response())
}
