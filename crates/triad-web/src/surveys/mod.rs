//! Collaboration surveys: campaigns of an instrument (the seed's four questions or one users
//! built), anonymous answers, spreadsheet imports, the analysis by role with small groups
//! suppressed, and themes in free text.

pub mod import;
pub mod service;
