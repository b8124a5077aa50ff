//! The command-line tools that work on files, with no relay running: one module per subcommand,
//! each with clap `…Args` and a `run` that returns the exit code, or a message for stderr when the
//! input cannot be read. `cwmpkit serve` is the relay, in `crate::serve`.

use std::io::Write as _;

/// The error of a command whose reader went away (`cwmpkit … | head`): it ends quietly.
pub const OUTPUT_CLOSED: &str = "the output was closed";

/// The message for a failed write to stdout; a closed pipe is not a failure (see [`OUTPUT_CLOSED`]).
pub fn cannot_write(error: std::io::Error) -> String {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        OUTPUT_CLOSED.to_owned()
    } else {
        format!("cannot write the output: {error}")
    }
}

/// Writes to stdout.
pub fn emit(text: &str) -> Result<(), String> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()).map_err(cannot_write)
}

/// `println!` for the commands: a line to stdout through [`emit`], returning its error with `?`.
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::emit(&format!("{}\n", format_args!($($arg)*)))? };
}

pub mod decode;
mod json;
pub mod params;
pub mod provision;
