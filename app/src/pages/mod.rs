pub mod decode;
pub mod parameters;
pub mod provision;
