//! `GET /files/PATH` on the ACS listener: the firmware and config files CPEs download, from
//! `--files DIR`. No hidden file or directory is served (`.git`, `.env`, an editor's backup),
//! and no symlink is followed: a link under the directory could point anywhere on the machine.

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::path::PathBuf;
use std::sync::Arc;
use tower::ServiceExt as _;
use tower_http::services::ServeFile;

pub async fn serve(
    State(root): State<Arc<PathBuf>>,
    Path(path): Path<String>,
    request: Request<Body>,
) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, "no such file\n").into_response();
    let mut full = (*root).clone();
    for segment in path.split('/') {
        let plain = !segment.is_empty()
            && !segment.starts_with('.')
            && !segment.contains('\\')
            && !segment.contains('\0');
        if !plain {
            return not_found();
        }
        full.push(segment);
        // Each step is looked at, not followed: a symlink anywhere on the way is refused.
        match tokio::fs::symlink_metadata(&full).await {
            Ok(metadata) if !metadata.file_type().is_symlink() => {}
            _ => return not_found(),
        }
    }
    match tokio::fs::symlink_metadata(&full).await {
        Ok(metadata) if metadata.is_file() => {}
        _ => return not_found(),
    }
    match ServeFile::new(full).oneshot(request).await {
        Ok(response) => response.into_response(),
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, format!("cannot read it: {error}\n"))
            .into_response(),
    }
}
