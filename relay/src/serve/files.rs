//! `GET /files/NAME`: the firmware and config files CPEs download, from `--files DIR`.

use std::path::PathBuf;
use tower_http::services::ServeDir;

pub fn service(directory: PathBuf) -> ServeDir {
    ServeDir::new(directory)
}
