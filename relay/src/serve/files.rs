//! `GET /files/PATH` on the ACS listener: the firmware and config files CPEs download, from
//! `--files DIR`. No hidden file or directory is served (`.git`, `.env`, an editor's backup),
//! and no symlink is followed: a link under the directory could point anywhere on the machine.
//!
//! The path is not checked and then opened (a component swapped for a symlink in between would
//! be followed): it is opened one component at a time, none followed if it is a symlink, and
//! what is sent is read from that handle.

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::fs::{File, Metadata};
use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;
use tokio::io::{AsyncReadExt as _, AsyncSeekExt as _};

pub async fn serve(
    State(root): State<Arc<PathBuf>>,
    Path(path): Path<String>,
    request: Request<Body>,
) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, "no such file\n").into_response();
    let mut segments = Vec::new();
    for segment in path.split('/') {
        let plain = !segment.is_empty()
            && !segment.starts_with('.')
            && !segment.contains('\\')
            && !segment.contains('\0');
        if !plain {
            return not_found();
        }
        segments.push(segment.to_owned());
    }
    let opening = {
        let root = Arc::clone(&root);
        tokio::task::spawn_blocking(move || open_inside(&root, &segments))
    };
    let Ok(Some((file, metadata))) = opening.await else { return not_found() };
    let range = request.headers().get(header::RANGE).and_then(|v| v.to_str().ok());
    file_response(file, metadata.len(), range, FsPath::new(&path)).await
}

/// Opens `root`/`segments` for reading, and returns it only if it is a regular file reached
/// with no symlink on the way. On Unix each folder is opened from the one before (`openat`)
/// with `O_NOFOLLOW`, and the file last (nor waiting on a FIFO): a component swapped for a
/// symlink at any moment fails the open instead of being followed, and what is read is what
/// was opened. (`root` itself may be a symlink: the operator chose it.)
pub(super) fn open_inside(root: &FsPath, segments: &[String]) -> Option<(File, Metadata)> {
    let file = open_without_symlinks(root, segments)?;
    let metadata = file.metadata().ok()?;
    metadata.is_file().then_some((file, metadata))
}

#[cfg(unix)]
fn open_without_symlinks(root: &FsPath, segments: &[String]) -> Option<File> {
    use rustix::fs::{CWD, Mode, OFlags, openat};
    let read = OFlags::RDONLY | OFlags::CLOEXEC;
    let (last, folders) = segments.split_last()?;
    let mut folder = openat(CWD, root, read | OFlags::DIRECTORY, Mode::empty()).ok()?;
    for name in folders {
        let flags = read | OFlags::DIRECTORY | OFlags::NOFOLLOW;
        folder = openat(&folder, name.as_str(), flags, Mode::empty()).ok()?;
    }
    let flags = read | OFlags::NOFOLLOW | OFlags::NONBLOCK;
    openat(&folder, last.as_str(), flags, Mode::empty()).ok().map(File::from)
}

/// Without `openat`, each component is looked at before the open (which a swap could outrun).
#[cfg(not(unix))]
fn open_without_symlinks(root: &FsPath, segments: &[String]) -> Option<File> {
    let mut full = root.to_path_buf();
    for segment in segments {
        full.push(segment);
        if std::fs::symlink_metadata(&full).ok()?.file_type().is_symlink() {
            return None;
        }
    }
    File::open(full).ok()
}

/// A `200` with the whole file, or a `206` with the one byte range asked for (`416` when it
/// lies beyond the end); several ranges get the whole file, as RFC 9110 allows.
pub(super) async fn file_response(
    file: File,
    length: u64,
    range: Option<&str>,
    name: &FsPath,
) -> Response {
    let (status, start, count) = match range.and_then(|r| byte_range(r, length)) {
        None => (StatusCode::OK, 0, length),
        Some(Some((first, last))) => (StatusCode::PARTIAL_CONTENT, first, last - first + 1),
        Some(None) => {
            let mut refused =
                (StatusCode::RANGE_NOT_SATISFIABLE, "the range lies beyond the file\n")
                    .into_response();
            if let Ok(value) = HeaderValue::from_str(&format!("bytes */{length}")) {
                refused.headers_mut().insert(header::CONTENT_RANGE, value);
            }
            return refused;
        }
    };
    let mut file = tokio::fs::File::from_std(file);
    if start > 0
        && let Err(error) = file.seek(std::io::SeekFrom::Start(start)).await
    {
        return (StatusCode::INTERNAL_SERVER_ERROR, format!("cannot read it: {error}\n"))
            .into_response();
    }
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file.take(count)));
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    let content_type = mime_guess::from_path(name).first_or_octet_stream();
    if let Ok(value) = HeaderValue::from_str(content_type.as_ref()) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(count));
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if status == StatusCode::PARTIAL_CONTENT
        && let Ok(value) =
            HeaderValue::from_str(&format!("bytes {start}-{}/{length}", start + count - 1))
    {
        headers.insert(header::CONTENT_RANGE, value);
    }
    response
}

/// A `Range` header of one byte range: `None` to ignore it (not bytes, several ranges,
/// unreadable), `Some(None)` when it cannot be satisfied, else the first and last byte.
fn byte_range(header: &str, length: u64) -> Option<Option<(u64, u64)>> {
    let spec = header.trim().strip_prefix("bytes=")?.trim();
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    let (first, last) = if first.is_empty() {
        // The last `last` bytes.
        let suffix: u64 = last.parse().ok()?;
        if suffix == 0 || length == 0 {
            return Some(None);
        }
        (length.saturating_sub(suffix), length - 1)
    } else {
        let first: u64 = first.parse().ok()?;
        let last = if last.is_empty() { u64::MAX } else { last.parse().ok()? };
        if first > last {
            return None;
        }
        if first >= length {
            return Some(None);
        }
        (first, last.min(length - 1))
    };
    Some(Some((first, last)))
}

#[cfg(test)]
mod tests {
    use super::byte_range;

    #[test]
    fn byte_ranges_read_as_rfc_9110_says() {
        assert_eq!(byte_range("bytes=0-3", 10), Some(Some((0, 3))));
        assert_eq!(byte_range("bytes=4-", 10), Some(Some((4, 9))));
        assert_eq!(byte_range("bytes=-3", 10), Some(Some((7, 9))));
        assert_eq!(byte_range("bytes=5-100", 10), Some(Some((5, 9))));
        assert_eq!(byte_range("bytes=10-", 10), Some(None));
        assert_eq!(byte_range("bytes=0-1,4-5", 10), None);
        assert_eq!(byte_range("items=0-1", 10), None);
        assert_eq!(byte_range("bytes=5-2", 10), None);
    }
}
