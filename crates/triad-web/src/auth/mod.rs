//! Signing in and out, the second factor, one's own account and tokens, and the
//! administration of accounts.

mod account;
mod admin;
mod api;
mod login;
mod provider_sign_in;
pub mod providers;
mod reset;

use crate::routes::Routes;

pub use api::AccountsApiDoc;
pub use login::sign_in_source;

pub fn routes() -> Routes {
    Routes::default()
        .merge(login::routes())
        .merge(provider_sign_in::routes())
        .merge(reset::routes())
        .merge(account::routes())
        .merge(admin::routes())
        .merge(api::routes())
}
