//! `sqlx::migrate!` embeds the migrations when this crate compiles: a migration added or
//! changed must rebuild it, or a binary would run without it.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
