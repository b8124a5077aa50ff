pub mod decode;
pub mod provision;
