pub mod about;
pub mod decode;
pub mod live;
pub mod parameters;
pub mod provision;
pub mod workspace;
