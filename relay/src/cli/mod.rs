//! The command-line tools that work on files, with no relay running: one module per subcommand,
//! each with clap `…Args` and a `run` that returns the exit code, or a message for stderr when the
//! input cannot be read. `cwmpkit serve` is the relay, in `crate::serve`.

pub mod decode;
pub mod params;
pub mod provision;
