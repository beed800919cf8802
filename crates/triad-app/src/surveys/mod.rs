//! Collaboration surveys: campaigns and their answers, spreadsheet imports, the analysis by
//! role (small groups suppressed), and the export.

pub mod analysis;
pub mod campaigns;
pub mod coding;
pub mod export;
pub mod import;
pub mod manage;
