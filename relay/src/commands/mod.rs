//! One module per subcommand. Each exposes clap `…Args` and a `run` that
//! returns the exit code, or a message for stderr when the input cannot be read.

pub mod decode;
pub mod params;
pub mod provision;
pub mod serve;
