#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
//! Integration tests: the real server on a free port, over real HTTP, on SQLite and on
//! PostgreSQL; the real binary for the command line; headless Chromium for the pages.

mod fixtures;
mod sinks;
mod support;

mod access;
mod accessibility;
mod activity;
mod admin;
mod api;
mod assessment;
mod audit;
mod authz;
mod browser;
mod calendar;
mod cli;
mod community;
mod crdc;
mod evidence;
mod funding;
mod improvement;
mod incidents;
mod investigations;
mod meetings;
mod mou;
mod operations;
mod pages;
mod password_reset;
mod personnel;
mod providers;
mod reminders;
mod response;
mod role_guide;
mod roster;
mod scoping;
mod selection;
mod sign_in;
mod sqlite_memory;
mod start_of_year;
mod state_exchange;
mod surveys;
mod training;
mod visitors;
mod writes;
