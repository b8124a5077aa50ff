//! `cargo xtask dist`: the release build of the app, its split into lazily
//! loaded chunks, and its sizes: what each asset weighs gzipped, and what a
//! browser loads before the first page shows, which must stay within
//! [`STARTUP_BUDGET`].

use crate::split::{self, Split};
use crate::{offline, process};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Bytes (gzip -9) a browser may load before the first page shows, whatever
/// page it opens: index.html, what it references, and the opened page's chunks.
pub const STARTUP_BUDGET: usize = 400_000;

/// Split points whose name starts so are pages (app/src/lib.rs): opening the
/// app at a page's URL loads its chunks at start. Other split points load on use.
const PAGE_PREFIX: &str = "page_";

pub fn dist() -> Result<(), String> {
    process::run(
        process::command("trunk")
            .args(["build", "--release"])
            .env("TRUNK_SKIP_VERSION_CHECK", "true")
            .env("NO_COLOR", "true")
            .env("RUSTFLAGS", split::RUSTFLAGS),
    )?;
    let dist = process::root().join("dist");
    let split = split::split(&dist)?;
    split::strip_link_sections(&dist.join("decode-worker_bg.wasm"))?;
    offline::write_licences(&dist)?;
    let mut files = Vec::new();
    collect_files(&dist, &mut files)?;
    let mut names: Vec<String> =
        files.iter().map(|f| f.strip_prefix(&dist).unwrap_or(f).display().to_string()).collect();
    names.sort();
    let build = offline::write_service_worker(&dist, &names)?;
    println!(
        "build {build}: index.html stamped, sw.js keeps {} files for offline use",
        names.len()
    );
    let sizes = Sizes::measure(&dist, &split)?;
    sizes.print();
    sizes.check(STARTUP_BUDGET)
}

/// Every asset of dist with its gzip size, and what is loaded at start.
struct Sizes {
    /// Relative name → (bytes, gzip bytes).
    assets: BTreeMap<String, (usize, usize)>,
    /// Loaded whatever page opens: index.html and what it pulls in.
    base: BTreeSet<String>,
    /// Per page (split point name without its hash): its chunks.
    pages: BTreeMap<String, Vec<String>>,
}

impl Sizes {
    fn measure(dist: &Path, split: &Split) -> Result<Sizes, String> {
        let mut files = Vec::new();
        collect_files(dist, &mut files)?;
        let mut assets = BTreeMap::new();
        for file in &files {
            let bytes =
                std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let name = file.strip_prefix(dist).unwrap_or(file).display().to_string();
            assets.insert(name, (bytes.len(), gzip_len(&bytes)?));
        }
        let base = loaded_at_start(dist, assets.keys())?;
        let pages = split
            .chunks_of
            .iter()
            .filter(|(point, _)| point.starts_with(PAGE_PREFIX))
            .map(|(point, chunks)| (page_name(point), chunks.clone()))
            .collect();
        Ok(Sizes { assets, base, pages })
    }

    fn gzip_of<'a>(&self, names: impl IntoIterator<Item = &'a String>) -> usize {
        names.into_iter().filter_map(|n| self.assets.get(n)).map(|&(_, gz)| gz).sum()
    }

    /// Start-up bytes (gzip) per page: the base and the page's chunks.
    fn startup(&self) -> BTreeMap<&str, usize> {
        let base = self.gzip_of(&self.base);
        self.pages
            .iter()
            .map(|(page, chunks)| {
                let own = chunks.iter().filter(|c| !self.base.contains(*c));
                (page.as_str(), base + self.gzip_of(own))
            })
            .collect()
    }

    fn loaded(&self, name: &str) -> String {
        if self.base.contains(name) {
            return "at start".to_owned();
        }
        let pages: Vec<&str> = self
            .pages
            .iter()
            .filter(|(_, chunks)| chunks.iter().any(|c| c == name))
            .map(|(page, _)| page.as_str())
            .collect();
        if pages.is_empty() { "on use".to_owned() } else { format!("with {}", pages.join(", ")) }
    }

    fn print(&self) {
        println!("{:<52} {:>10} {:>10}  loaded", "dist asset", "bytes", "gzip");
        let (mut raw_total, mut gzip_total) = (0, 0);
        for (name, &(raw, gz)) in &self.assets {
            raw_total += raw;
            gzip_total += gz;
            println!("{name:<52} {raw:>10} {gz:>10}  {}", self.loaded(name));
        }
        println!("{:<52} {raw_total:>10} {gzip_total:>10}", "total");
        let base: usize = self.gzip_of(&self.base);
        println!("start-up, before any page's chunks: {base} bytes gzip");
        for (page, bytes) in self.startup() {
            println!("start-up when the app opens at the {page} page: {bytes} bytes gzip");
        }
    }

    fn check(&self, budget: usize) -> Result<(), String> {
        let over: Vec<String> = self
            .startup()
            .into_iter()
            .filter(|&(_, bytes)| bytes > budget)
            .map(|(page, bytes)| format!("{page}: {bytes}"))
            .collect();
        if self.pages.is_empty() {
            return Err("the split found no page split points (`page_*`): is the app split?".into());
        }
        if over.is_empty() {
            println!("start-up within the budget of {budget} bytes gzip");
            Ok(())
        } else {
            Err(format!(
                "start-up over the budget of {budget} bytes gzip (bytes by page: {}); \
                 BENCHMARKS.md says where the bytes go",
                over.join(", ")
            ))
        }
    }
}

/// `page_decode_5395435696702921561` → `decode`.
fn page_name(point: &str) -> String {
    let name = point.strip_prefix(PAGE_PREFIX).unwrap_or(point);
    match name.rsplit_once('_') {
        Some((page, hash)) if hash.bytes().all(|b| b.is_ascii_digit()) => page.to_owned(),
        _ => name.to_owned(),
    }
}

/// index.html and every asset it names, followed through the CSS and JS it
/// loads, and the service worker's script. A `.wasm` named only inside JS is
/// fetched when code asks for it (a split chunk, a worker), and what the
/// service worker lists it fetches after the page has loaded, so neither is
/// followed.
fn loaded_at_start<'a>(
    dist: &Path,
    names: impl Iterator<Item = &'a String> + Clone,
) -> Result<BTreeSet<String>, String> {
    let mut start: BTreeSet<String> = ["index.html", "sw.js"]
        .into_iter()
        .map(str::to_owned)
        .filter(|n| names.clone().any(|m| m == n))
        .collect();
    let mut queue: Vec<String> = start.iter().filter(|n| *n != "sw.js").cloned().collect();
    while let Some(file) = queue.pop() {
        let is_html = file.ends_with(".html");
        if !(is_html || file.ends_with(".js") || file.ends_with(".css")) {
            continue;
        }
        let text = std::fs::read_to_string(dist.join(&file))
            .map_err(|e| format!("cannot read {file}: {e}"))?;
        for name in names.clone() {
            if start.contains(name) || (!is_html && name.ends_with(".wasm")) {
                continue;
            }
            if text.contains(&format!("/{name}")) {
                start.insert(name.clone());
                queue.push(name.clone());
            }
        }
    }
    Ok(start)
}

fn collect_files(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

pub fn gzip_len(bytes: &[u8]) -> Result<usize, String> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes).map_err(|e| e.to_string())?;
    encoder.finish().map(|out| out.len()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_names_drop_the_prefix_and_the_hash() {
        assert_eq!(page_name("page_decode_5395435696702921561"), "decode");
        assert_eq!(page_name("page_workspace_12"), "workspace");
        assert_eq!(page_name("decode_worker"), "decode_worker");
    }

    #[test]
    fn start_up_follows_html_and_js_but_not_wasm_named_in_js() {
        let dir = std::env::temp_dir().join(format!("cwmpkit-dist-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let files = [
            ("index.html", "<link href=\"/app.js\"><link href=\"/app_bg.wasm\">"),
            ("sw.js", "const ASSETS = [\"/models/x.schema\", \"/chunk_1.wasm\"]"),
            ("app.js", "import './split-1.js'"),
            ("split-1.js", "fetch('./chunk_1.wasm')"),
            ("app_bg.wasm", ""),
            ("chunk_1.wasm", ""),
            ("models/x.schema", ""),
        ];
        std::fs::create_dir_all(dir.join("models")).unwrap();
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        let names: Vec<String> = files.iter().map(|(n, _)| (*n).to_owned()).collect();
        let start = loaded_at_start(&dir, names.iter()).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        let start: Vec<&str> = start.iter().map(String::as_str).collect();
        assert_eq!(start, ["app.js", "app_bg.wasm", "index.html", "split-1.js", "sw.js"]);
    }
}
