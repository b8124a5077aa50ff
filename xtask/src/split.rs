//! Splits the app's wasm into the part every page needs and chunks loaded on
//! first use (a page's code, what only that page calls), after Trunk has built
//! it. Trunk cannot split, so `cargo xtask dist` builds the app with
//! `--emit-relocs` and `--cfg cwmpkit_split` (which turns each page into a
//! `#[lazy]` function, app/src/lib.rs), and then this module:
//!
//! 1. splits the linker's output with `wasm_split_cli_support` (the splitter
//!    cargo-leptos uses) into a main module, the chunks, and a JS module that
//!    loads a chunk when its first function is called;
//! 2. runs wasm-bindgen on the main module, under the name Trunk gave its own
//!    output, so index.html loads it unchanged;
//! 3. runs wasm-opt on every module (Trunk's wasm-opt is off for the app), and
//!    names each chunk and the loader after a hash of their bytes, so a browser
//!    never mixes a new main module with an old chunk.

use crate::process;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Rust flags of the split build. `--emit-relocs` keeps the relocations the
/// splitter needs to move code between modules. `+simd128` lets memchr (quick-xml's
/// and the capture layers' searches) use wasm's SIMD: the decode worker, built with the
/// same flags, decodes the 50 MB capture 5–11 % faster in Chromium (BENCHMARKS.md);
/// every browser of the last few years runs it.
pub const RUSTFLAGS: &str =
    "-Clink-args=--emit-relocs --cfg cwmpkit_split -Ctarget-feature=+simd128";

/// Removes from a module the linker's sections that `--emit-relocs` (in [`RUSTFLAGS`]) leaves:
/// the splitter reads them in the app's wasm, but the same build makes the decode worker's, whose
/// download they would grow by more than a third (`linking`, `reloc.CODE`, `reloc.DATA`:
/// 559 KB of 1.42 MB). Every other section is copied as it is.
pub fn strip_link_sections(path: &Path) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let stripped = without_link_sections(&bytes)
        .map_err(|e| format!("{}: not a wasm module as expected: {e}", path.display()))?;
    write(path, &stripped)
}

fn without_link_sections(bytes: &[u8]) -> Result<Vec<u8>, wasmparser::BinaryReaderError> {
    let mut module = wasm_encoder::Module::new();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        let payload = payload?;
        if let wasmparser::Payload::CustomSection(custom) = &payload
            && (custom.name() == "linking" || custom.name().starts_with("reloc."))
        {
            continue;
        }
        if let Some((id, range)) = payload.as_section() {
            let data = usize::try_from(range.start)
                .ok()
                .zip(usize::try_from(range.end).ok())
                .and_then(|(start, end)| bytes.get(start..end))
                .unwrap_or_default();
            module.section(&wasm_encoder::RawSection { id, data });
        }
    }
    Ok(module.finish())
}

/// The loader's import name inside the main module until its hash is known;
/// as long as the final name `./split-<16 hex>.js`, so the bytes can be patched.
const LOADER_PLACEHOLDER: &str = "./split-________________.js";

/// What the split produced, in `dist/`.
#[derive(Debug)]
pub struct Split {
    /// Per split point (a page), the chunk files it loads, in load order.
    pub chunks_of: BTreeMap<String, Vec<String>>,
}

pub fn split(dist: &Path) -> Result<Split, String> {
    let root = process::root();
    let input = root.join("target/wasm32-unknown-unknown/wasm-release/cwmpkit-app.wasm");
    let stem = trunk_stem(dist)?;
    let work = root.join("target/wasm-split");
    let _ = std::fs::remove_dir_all(&work);
    let chunks_dir = work.join("chunks");
    let bindgen_dir = work.join("bindgen");
    for dir in [&chunks_dir, &bindgen_dir] {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let wasm =
        std::fs::read(&input).map_err(|e| format!("cannot read {}: {e}", input.display()))?;
    let main = work.join("main.wasm");
    let main_module = format!("./{stem}.js");
    let outcome = {
        let mut options = wasm_split_cli_support::Options::new(&wasm);
        options.output_dir = &chunks_dir;
        options.main_out_path = &main;
        options.link_name = LOADER_PLACEHOLDER;
        options.main_module = &main_module;
        wasm_split_cli_support::transform(options).map_err(|e| format!("wasm split: {e:?}"))?
    };

    // Optimise the chunks first: their names are hashes of what ships.
    wasm_opt_each(&outcome.split_modules)?;
    let mut renamed = BTreeMap::new();
    for chunk in &outcome.split_modules {
        let bytes =
            std::fs::read(chunk).map_err(|e| format!("cannot read {}: {e}", chunk.display()))?;
        let old = file_stem(chunk)?;
        let new = format!("{old}-{:016x}", fnv1a(&bytes));
        write(&dist.join(format!("{new}.wasm")), &bytes)?;
        renamed.insert(old, new);
    }

    // The loader names the chunks; rename them there, then name it after its hash.
    let loader_path = chunks_dir.join(LOADER_PLACEHOLDER.trim_start_matches("./"));
    let mut loader = std::fs::read_to_string(&loader_path)
        .map_err(|e| format!("cannot read {}: {e}", loader_path.display()))?;
    for (old, new) in &renamed {
        loader = loader.replace(&format!("\"./{old}.wasm\""), &format!("\"./{new}.wasm\""));
    }
    let loader_name = format!("./split-{:016x}.js", fnv1a(loader.as_bytes()));
    debug_assert_eq!(loader_name.len(), LOADER_PLACEHOLDER.len());
    write(&dist.join(loader_name.trim_start_matches("./")), loader.as_bytes())?;

    let mut main_bytes =
        std::fs::read(&main).map_err(|e| format!("cannot read {}: {e}", main.display()))?;
    let patched =
        replace_all(&mut main_bytes, LOADER_PLACEHOLDER.as_bytes(), loader_name.as_bytes());
    if patched == 0 {
        return Err(format!("the split main module does not import {LOADER_PLACEHOLDER}"));
    }
    write(&main, &main_bytes)?;

    process::run(
        process::command("wasm-bindgen")
            .args(["--target", "web", "--keep-lld-exports", "--no-typescript", "--out-name"])
            .arg(&stem)
            .arg("--out-dir")
            .arg(&bindgen_dir)
            .arg(&main),
    )?;
    let js = bindgen_dir.join(format!("{stem}.js"));
    std::fs::copy(&js, dist.join(format!("{stem}.js")))
        .map_err(|e| format!("cannot copy {}: {e}", js.display()))?;
    wasm_opt(&bindgen_dir.join(format!("{stem}_bg.wasm")), &dist.join(format!("{stem}_bg.wasm")))?;
    if bindgen_dir.join("snippets").exists() {
        return Err("wasm-bindgen wrote snippets; copy them into dist like Trunk does".into());
    }

    let chunks_of: BTreeMap<String, Vec<String>> = outcome
        .prefetch_map
        .into_iter()
        .map(|(split, chunks)| {
            let chunks = chunks
                .into_iter()
                .map(|c| format!("{}.wasm", renamed.get(&c).cloned().unwrap_or(c)))
                .collect();
            (split, chunks)
        })
        .collect();
    let manifest = chunks_of
        .iter()
        .map(|(split, chunks)| {
            let list = chunks.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
            format!("  \"{split}\": [{list}]")
        })
        .collect::<Vec<_>>()
        .join(",\n");
    // For people: which chunks each split point loads.
    write(&work.join("manifest.json"), format!("{{\n{manifest}\n}}\n").as_bytes())?;
    Ok(Split { chunks_of })
}

/// `cwmpkit-app-<hash>`: the name Trunk gave the app's JS and wasm.
fn trunk_stem(dist: &Path) -> Result<String, String> {
    let entries =
        std::fs::read_dir(dist).map_err(|e| format!("cannot list {}: {e}", dist.display()))?;
    entries
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .find_map(|name| {
            name.strip_suffix("_bg.wasm")
                .filter(|stem| stem.starts_with("cwmpkit-app-"))
                .map(str::to_owned)
        })
        .ok_or_else(|| format!("no cwmpkit-app-*_bg.wasm in {}", dist.display()))
}

fn file_stem(path: &Path) -> Result<String, String> {
    path.file_stem()
        .and_then(|s| s.to_str())
        .map(str::to_owned)
        .ok_or_else(|| format!("odd chunk name {}", path.display()))
}

/// Runs wasm-opt on each module in place, one process per core: each run is mostly the start
/// of npm's wasm-opt (node compiling binaryen), and the split makes a few hundred chunks.
fn wasm_opt_each(modules: &[PathBuf]) -> Result<(), String> {
    let workers = std::thread::available_parallelism().map_or(1, usize::from);
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    loop {
                        let at = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(module) = modules.get(at) else { return Ok(()) };
                        wasm_opt(module, module)?;
                    }
                })
            })
            .collect();
        handles.into_iter().try_for_each(|handle| {
            handle.join().unwrap_or_else(|_| Err("a wasm-opt worker panicked".into()))
        })
    })
}

fn wasm_opt(input: &Path, output: &Path) -> Result<(), String> {
    let output: PathBuf = output.to_path_buf();
    process::run(
        process::command(process::wasm_opt_bin_dir().join("wasm-opt"))
            .arg(format!("--output={}", output.display()))
            .arg("-Os")
            .arg(input),
    )
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Replaces every occurrence of `from` by `to` (same length) in place.
fn replace_all(haystack: &mut [u8], from: &[u8], to: &[u8]) -> usize {
    let mut count = 0;
    let mut at = 0;
    while let Some(found) = haystack[at..].windows(from.len()).position(|w| w == from) {
        let start = at + found;
        haystack[start..start + to.len()].copy_from_slice(to);
        at = start + from.len();
        count += 1;
    }
    count
}

/// FNV-1a, 64 bits: a stable content hash for cache-busting names.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    /// A module with a function type, one custom section of each kind given, and a function.
    fn module_with(custom: &[&str]) -> Vec<u8> {
        let mut module = wasm_encoder::Module::new();
        let mut types = wasm_encoder::TypeSection::new();
        types.ty().function([], []);
        module.section(&types);
        for name in custom {
            let data = format!("{name} payload");
            module.section(&wasm_encoder::CustomSection {
                name: Cow::Borrowed(name),
                data: Cow::Owned(data.into_bytes()),
            });
        }
        let mut functions = wasm_encoder::FunctionSection::new();
        functions.function(0);
        module.section(&functions);
        let mut code = wasm_encoder::CodeSection::new();
        let mut body = wasm_encoder::Function::new([]);
        body.instructions().end();
        code.function(&body);
        module.section(&code);
        module.finish()
    }

    #[test]
    fn the_linkers_sections_go_and_the_rest_stays_byte_for_byte() {
        let linked = module_with(&["producers", "linking", "reloc.CODE", "reloc.DATA", "name"]);
        let stripped = without_link_sections(&linked).unwrap();
        assert_eq!(stripped, module_with(&["producers", "name"]));
        wasmparser::Validator::new().validate_all(&stripped).unwrap();
        // A module without them comes out unchanged.
        assert_eq!(without_link_sections(&stripped).unwrap(), stripped);
    }

    #[test]
    fn bytes_that_are_not_wasm_are_an_error() {
        assert!(without_link_sections(b"\0asm but not really").is_err());
    }

    #[test]
    fn replaces_every_occurrence_in_place() {
        let mut bytes = b"a./split-________________.js b./split-________________.js".to_vec();
        let n =
            replace_all(&mut bytes, LOADER_PLACEHOLDER.as_bytes(), b"./split-0123456789abcdef.js");
        assert_eq!(n, 2);
        assert_eq!(bytes, b"a./split-0123456789abcdef.js b./split-0123456789abcdef.js");
    }

    #[test]
    fn the_placeholder_is_as_long_as_a_hashed_name() {
        assert_eq!(LOADER_PLACEHOLDER.len(), format!("./split-{:016x}.js", fnv1a(b"x")).len());
    }
}
