//! What `cargo xtask dist` adds to the build for the About page and for
//! offline use: the licences of the crates the app is built from
//! (`licenses.json`), the build's id stamped into index.html, and the
//! service worker (`sw.js`, from public/sw.js) that keeps every file of the build.

use crate::process;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Writes `dist/licenses.json`: every crate the browser app depends on (normal
/// dependencies, followed through; proc-macros and what only they use run at
/// build time and are left out), from `cargo metadata` for wasm32.
pub fn write_licences(dist: &Path) -> Result<(), String> {
    let output = process::cargo()
        .args(["metadata", "--format-version", "1", "--filter-platform"])
        .arg("wasm32-unknown-unknown")
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!("cargo metadata: {}", String::from_utf8_lossy(&output.stderr)));
    }
    let metadata: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("cargo metadata printed no JSON: {e}"))?;
    let crates = licences_of(&metadata, "cwmpkit-app")?;
    let text = serde_json::to_string_pretty(&crates).map_err(|e| e.to_string())?;
    std::fs::write(dist.join("licenses.json"), text)
        .map_err(|e| format!("cannot write licenses.json: {e}"))
}

fn licences_of(metadata: &Value, root: &str) -> Result<Vec<Value>, String> {
    let empty = Vec::new();
    let packages: BTreeMap<&str, &Value> = metadata["packages"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .filter_map(|p| Some((p["id"].as_str()?, p)))
        .collect();
    let nodes: BTreeMap<&str, &Value> = metadata["resolve"]["nodes"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .filter_map(|n| Some((n["id"].as_str()?, n)))
        .collect();
    let root_id = packages
        .iter()
        .find(|(_, p)| p["name"] == root)
        .map(|(id, _)| *id)
        .ok_or_else(|| format!("cargo metadata lists no {root}"))?;
    let is_proc_macro = |p: &Value| {
        p["targets"].as_array().is_some_and(|targets| {
            targets
                .iter()
                .any(|t| t["kind"].as_array().is_some_and(|k| k.contains(&json!("proc-macro"))))
        })
    };
    let mut seen = BTreeSet::new();
    let mut stack = vec![root_id];
    while let Some(id) = stack.pop() {
        let Some(node) = nodes.get(id) else { continue };
        for dep in node["deps"].as_array().unwrap_or(&empty) {
            let normal = dep["dep_kinds"]
                .as_array()
                .is_some_and(|kinds| kinds.iter().any(|k| k["kind"].is_null()));
            let Some(dep_id) = dep["pkg"].as_str() else { continue };
            let Some(package) = packages.get(dep_id) else { continue };
            if normal && !is_proc_macro(package) && seen.insert(dep_id) {
                stack.push(dep_id);
            }
        }
    }
    let mut crates: Vec<Value> = seen
        .into_iter()
        .filter_map(|id| packages.get(id))
        .filter(|p| !p["name"].as_str().is_some_and(|n| n.starts_with("cwmpkit")))
        .map(|p| {
            let license = p["license"].as_str().map(str::to_owned).unwrap_or_else(|| {
                p["license_file"]
                    .as_str()
                    .map(|f| format!("see its {f}"))
                    .unwrap_or_else(|| "not declared".to_owned())
            });
            json!({
                "name": p["name"],
                "version": p["version"],
                "license": license,
                "repository": p["repository"].as_str().unwrap_or_default(),
            })
        })
        .collect();
    crates.sort_by(|a, b| {
        (a["name"].as_str(), a["version"].as_str())
            .cmp(&(b["name"].as_str(), b["version"].as_str()))
    });
    Ok(crates)
}

/// Stamps the build into index.html and writes the service worker. The build
/// is a hash of every file of dist (names and bytes), so any change is a new
/// build; sw.js itself is written last, from public/sw.js.
pub fn write_service_worker(dist: &Path, files: &[String]) -> Result<String, String> {
    let mut hash = crate::split::fnv1a(b"cwmpkit");
    let mut assets = Vec::new();
    for name in files.iter().filter(|n| n.as_str() != "sw.js") {
        let bytes =
            std::fs::read(dist.join(name)).map_err(|e| format!("cannot read {name}: {e}"))?;
        hash ^= crate::split::fnv1a(name.as_bytes()).rotate_left(17) ^ crate::split::fnv1a(&bytes);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        assets.push(format!("/{name}"));
    }
    let build = format!("{hash:016x}");

    let index_path = dist.join("index.html");
    let index = std::fs::read_to_string(&index_path)
        .map_err(|e| format!("cannot read {}: {e}", index_path.display()))?;
    let placeholder = r#"<meta name="cwmpkit-build" content="dev" />"#;
    if index.matches(placeholder).count() != 1 {
        return Err(format!(
            "index.html must hold `{placeholder}` once, for the build to be stamped"
        ));
    }
    let stamped =
        index.replace(placeholder, &format!(r#"<meta name="cwmpkit-build" content="{build}" />"#));
    std::fs::write(&index_path, stamped).map_err(|e| format!("cannot write index.html: {e}"))?;

    let template_path = process::root().join("public/sw.js");
    let template = std::fs::read_to_string(&template_path)
        .map_err(|e| format!("cannot read {}: {e}", template_path.display()))?;
    let assets = serde_json::to_string(&assets).map_err(|e| e.to_string())?;
    for needle in ["__CWMPKIT_BUILD__", "__CWMPKIT_ASSETS__"] {
        if !template.contains(needle) {
            return Err(format!("public/sw.js lacks {needle}"));
        }
    }
    let worker =
        template.replace("__CWMPKIT_BUILD__", &build).replace("__CWMPKIT_ASSETS__", &assets);
    std::fs::write(dist.join("sw.js"), worker).map_err(|e| format!("cannot write sw.js: {e}"))?;
    Ok(build)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn licences_follow_normal_dependencies_past_proc_macros() {
        let lib = |kind: &str| json!([{ "kind": [kind] }]);
        let metadata = json!({
            "packages": [
                { "id": "app", "name": "cwmpkit-app", "version": "0.1.0", "license": "MIT", "targets": lib("bin") },
                { "id": "a", "name": "alpha", "version": "1.0.0", "license": "MIT OR Apache-2.0", "repository": "https://example.org/a", "targets": lib("lib") },
                { "id": "b", "name": "beta", "version": "2.0.0", "license": null, "license_file": "LICENSE", "targets": lib("lib") },
                { "id": "m", "name": "macros", "version": "1.0.0", "license": "MIT", "targets": lib("proc-macro") },
                { "id": "s", "name": "syn", "version": "2.0.0", "license": "MIT", "targets": lib("lib") },
                { "id": "t", "name": "tester", "version": "1.0.0", "license": "MIT", "targets": lib("lib") }
            ],
            "resolve": { "nodes": [
                { "id": "app", "deps": [
                    { "pkg": "a", "dep_kinds": [{ "kind": null }] },
                    { "pkg": "m", "dep_kinds": [{ "kind": null }] },
                    { "pkg": "t", "dep_kinds": [{ "kind": "dev" }] }
                ] },
                { "id": "a", "deps": [{ "pkg": "b", "dep_kinds": [{ "kind": null }] }] },
                { "id": "b", "deps": [] },
                { "id": "m", "deps": [{ "pkg": "s", "dep_kinds": [{ "kind": null }] }] },
                { "id": "s", "deps": [] },
                { "id": "t", "deps": [] }
            ] }
        });
        let crates = licences_of(&metadata, "cwmpkit-app").expect("listed");
        let names: Vec<&str> = crates.iter().filter_map(|c| c["name"].as_str()).collect();
        assert_eq!(names, ["alpha", "beta"]);
        assert_eq!(crates[0]["repository"], "https://example.org/a");
        assert_eq!(crates[1]["license"], "see its LICENSE");
    }
}
