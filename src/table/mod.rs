//! The notice's attachment-2 summary table (项目汇总表): imported from the spreadsheets county
//! liaisons send in, exported in full for the province, and published per county with public
//! columns only.

pub mod import;
pub mod read;
pub mod write;

use crate::content::entry::{FIELDS, Field};

/// The columns of attachment 2, in the notice's order.
pub fn attachment_columns() -> impl Iterator<Item = Field> {
    FIELDS.iter().filter(|s| s.a2).map(|s| s.field)
}
