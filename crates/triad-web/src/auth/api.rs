//! Accounts and tokens in the API: the same calls as the account and Users pages.

use super::account::{self, TokenInput};
use super::admin::{self, AccountChange, GrantInput, NewUserInput, UserSummary};
use crate::context::Ctx;
use crate::error::{ErrorBody, WebResult};
use crate::paging::{Listed, PageQuery};
use crate::routes::Routes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::http::Uri;
use axum::{Extension, Json};
use serde::Serialize;
use triad_store::auth::TokenRow;

pub fn routes() -> Routes {
    Routes::default()
        .get("/api/v1/users", users)
        .post("/api/v1/users", create_user)
        .post("/api/v1/users/{id}/disable", disable)
        .post("/api/v1/users/{id}/enable", enable)
        .post("/api/v1/users/{id}/unlock", unlock)
        .post("/api/v1/users/{id}/grants", grant)
        .get("/api/v1/tokens", tokens)
        .post("/api/v1/tokens", create_token)
        .post("/api/v1/tokens/{id}/revoke", revoke_token)
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        users,
        create_user,
        disable,
        enable,
        unlock,
        grant,
        tokens,
        create_token,
        revoke_token
    ),
    components(schemas(
        UserSummary,
        NewUserInput,
        GrantInput,
        TokenInput,
        Created,
        NewToken,
        TokenView
    ))
)]
pub struct AccountsApiDoc;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: String,
}

/// The accounts by user name, with their roles and any lock in force (system
/// administrators), a page at a time.
#[utoipa::path(get, path = "/api/v1/users", tag = "accounts", params(PageQuery),
    responses((status = 200, body = [UserSummary], headers(("Link" = String, description = "the next page, when there may be one"))), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn users(
    ctx: Ctx,
    uri: Uri,
    Query(q): Query<PageQuery>,
) -> WebResult<Listed<Vec<UserSummary>>> {
    let page = q.page()?;
    let users = admin::user_summaries(&ctx, page).await?;
    Ok(Listed::items(users, page, uri, |u: &UserSummary| {
        u.id.clone()
    }))
}

/// Creates an account with its first role (system administrators).
#[utoipa::path(post, path = "/api/v1/users", tag = "accounts", params(("Idempotency-Key" = String, Header)), request_body = NewUserInput,
    responses((status = 201, body = Created), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn create_user(
    ctx: Ctx,
    Json(input): Json<NewUserInput>,
) -> WebResult<(StatusCode, Json<Created>)> {
    let id = admin::create_account(&ctx, input).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

/// Disables an account: its sessions and tokens end at once.
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "accounts", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), responses((status = 204), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn disable(ctx: Ctx, Path(id): Path<String>) -> WebResult<StatusCode> {
    admin::change_account(&ctx, &id, AccountChange::Disable).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Enables a disabled account.
#[utoipa::path(post, path = "/api/v1/users/{id}/enable", tag = "accounts", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), responses((status = 204), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn enable(ctx: Ctx, Path(id): Path<String>) -> WebResult<StatusCode> {
    admin::change_account(&ctx, &id, AccountChange::Enable).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lifts every sign-in lock of an account.
#[utoipa::path(post, path = "/api/v1/users/{id}/unlock", tag = "accounts", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), responses((status = 204), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn unlock(ctx: Ctx, Path(id): Path<String>) -> WebResult<StatusCode> {
    admin::change_account(&ctx, &id, AccountChange::Unlock).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Grants a role in a scope.
#[utoipa::path(post, path = "/api/v1/users/{id}/grants", tag = "accounts", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = GrantInput,
    responses((status = 204), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn grant(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<GrantInput>,
) -> WebResult<StatusCode> {
    admin::grant(&ctx, &id, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TokenView {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl From<TokenRow> for TokenView {
    fn from(t: TokenRow) -> Self {
        Self {
            id: t.id,
            name: t.name,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
        }
    }
}

/// The caller's own tokens (never their secrets).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "accounts", params(PageQuery),
    responses((status = 200, body = [TokenView], headers(("Link" = String, description = "the next page, when there may be one"))), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn tokens(
    ctx: Ctx,
    uri: Uri,
    Query(q): Query<PageQuery>,
) -> WebResult<Listed<Vec<TokenView>>> {
    let page = q.page()?;
    let views = account::own_tokens(&ctx, page)
        .await?
        .into_iter()
        .map(TokenView::from)
        .collect();
    Ok(Listed::items(views, page, uri, |t: &TokenView| {
        t.id.clone()
    }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct NewToken {
    pub id: String,
    /// The secret, shown this once.
    pub token: String,
}

/// Makes a new token for the caller.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "accounts", params(("Idempotency-Key" = String, Header)), request_body = TokenInput,
    responses((status = 201, body = NewToken), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn create_token(
    ctx: Ctx,
    Json(input): Json<TokenInput>,
) -> WebResult<(
    StatusCode,
    Extension<crate::forms::ShownOnce>,
    Json<NewToken>,
)> {
    let (id, token) = account::create_own_token(&ctx, input).await?;
    Ok((
        StatusCode::CREATED,
        Extension(crate::forms::ShownOnce),
        Json(NewToken {
            id: id.to_string(),
            token,
        }),
    ))
}

/// Revokes a token: one's own, or anyone's for a system administrator.
#[utoipa::path(post, path = "/api/v1/tokens/{id}/revoke", tag = "accounts", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), responses((status = 204), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn revoke_token(ctx: Ctx, Path(id): Path<String>) -> WebResult<StatusCode> {
    account::revoke(&ctx, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
