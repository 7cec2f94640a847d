//! placeholder
#[derive(Debug)]
pub struct Store;
