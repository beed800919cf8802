//! The identities at identity providers linked to an account, as its administrators see them,
//! and giving a sign-in's own new account's identity to the person's existing account.
//!
//! When someone who already has an account signs in through the district's provider before
//! linking it, the sign-in makes them a second account (no role, no password): Triad never
//! guesses that two accounts are one person from an address. Their district's leader or a
//! system administrator, who knows the person, moves that sign-in to the existing account,
//! and the empty account is disabled.

use super::visible_account;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use triad_domain::audit::Outcome;
use triad_domain::policy::Action;
use triad_store::auth as store;

/// The identities linked to an account the actor may see.
pub async fn identities_of(ctx: &Ctx, id: &str) -> AppResult<Vec<store::IdentityRow>> {
    let (row, _, _) = visible_account(ctx, id, Action::View).await?;
    Ok(store::identities_of(&mut ctx.app.db.acquire().await?, row.user_id()).await?)
}

fn no_such_account() -> AppError {
    AppError::Invalid(triad_domain::Invalid::one(
        "to_username",
        "no account you manage has that user name",
    ))
}

/// Which identity to move, and to whom.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct MoveIdentity {
    #[serde(default)]
    pub issuer: String,
    #[serde(default)]
    pub subject: String,
    /// The user name of the person's existing account.
    #[serde(default)]
    pub to_username: String,
}

/// Moves an identity from the account its first sign-in made to the person's existing
/// account; the made account is disabled. Both accounts must be the actor's to manage; the
/// existing one must hold only roles the actor manages (a district leader never links an
/// identity into an account beyond their reach, nor into their own, nor into one whose
/// person has another address than the identity's); its owner is told.
pub async fn move_identity(ctx: &Ctx, from: &str, input: &MoveIdentity) -> AppResult<()> {
    let (from_row, from_grants, _) = visible_account(ctx, from, Action::Change).await?;
    let from = from_row.user_id();
    let name = input.to_username.trim().to_lowercase();
    let mut conn = ctx.app.db.acquire().await?;
    let target = store::user_by_name(&mut conn, &name)
        .await?
        .filter(|u| !u.disabled)
        .ok_or_else(no_such_account)?;
    drop(conn);
    // An account out of the actor's reach answers as one that does not exist: the name of
    // someone in another district is not confirmed (the refusal is on the audit trail).
    let (to_row, to_grants, limited_to) =
        match visible_account(ctx, &target.id, Action::Change).await {
            Err(AppError::NotFound) => return Err(no_such_account()),
            other => other?,
        };
    let to = to_row.user_id();
    let refusal = if to == from {
        Some("choose the person's other account")
    } else if !from_grants.is_empty() || !from_row.password_hash.is_empty() {
        Some("only the account a sign-in made (no role, no password) gives its sign-in to another account; the owner links their sign-in on their account page")
    } else if to_grants
        .iter()
        .any(|g| !triad_domain::auth::may_manage(&ctx.actor, *g))
    {
        Some("that account holds a role you do not manage: ask a system administrator")
    } else {
        triad_domain::auth::may_grant(Some(ctx.actor.user), to).err()
    };
    let refusal = match refusal {
        Some(reason) => Some(reason),
        None => {
            let mut conn = ctx.app.db.acquire().await?;
            let moving = store::identities_of(&mut conn, from)
                .await?
                .into_iter()
                .find(|i| i.issuer == input.issuer && i.subject == input.subject)
                .ok_or(AppError::NotFound)?;
            // A district leader moves a sign-in only to the account whose person has the
            // address the provider vouched for (and verified) (a guard, never how the account is found):
            // otherwise a leader could give an identity of their own to an officer's account
            // and sign in as the officer.
            let address_matches = match moving.email.as_deref().filter(|_| moving.email_verified) {
                Some(email) => store::accounts_with_email(&mut conn, email)
                    .await?
                    .iter()
                    .any(|u| u.user_id() == to),
                None => false,
            };
            drop(conn);
            (limited_to.is_some() && !address_matches).then_some(
                "the sign-in's address is not the address on that person's record: ask a system administrator",
            )
        }
    };
    if let Some(reason) = refusal {
        triad_store::audit::record(
            &ctx.app.db,
            ctx.event("account.identity.move", Outcome::Denied)
                .record("user", to),
            ctx.now,
        )
        .await?;
        return Err(AppError::Forbidden(reason.into()));
    }
    let mut tx = ctx.change().await?;
    let moved = store::move_identity(&mut tx, &input.issuer, &input.subject, from, to).await?;
    if moved != 1 {
        return Err(AppError::NotFound);
    }
    store::set_disabled(&mut tx, from, true, ctx.now).await?;
    triad_store::notifications::insert(
        &mut tx,
        &triad_store::notifications::NewNotification {
            user: to,
            campus: None,
            message: "A district sign-in was linked to your account by an administrator: you can sign in with it now. If you did not ask for this, tell your district's safety director.",
            link: Some("/account"),
            at: ctx.now.millis(),
        },
    )
    .await?;
    tx.audit(
        ctx.event("account.identity.move", Outcome::Ok)
            .record("user", to)
            .content(&serde_json::json!({
                "from": from,
                "issuer": input.issuer,
                "subject": input.subject,
            })),
    );
    tx.audit(
        ctx.event("account.disable", Outcome::Ok)
            .record("user", from),
    );
    tx.commit().await?;
    Ok(())
}
