//! Import existing authentications into Tray in bulk.
//!
//! Rows come from files ([`input`]) or from your own code, are checked through the generated
//! connector types ([`check`]), and are tracked in a journal ([`journal`]) so that a run can be
//! stopped at any moment and started again without a duplicate or a lost row.

pub mod check;
pub mod input;
pub mod journal;
