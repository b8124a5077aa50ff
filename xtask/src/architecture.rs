//! ARCHITECTURE.md is the code map: a test holds it to naming every module of the workspace.

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// A file is named by its file name (`tcp.rs`), a directory module by its directory (`base/`).
    fn name_in_the_map(file: &Path) -> String {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        match name.as_str() {
            "mod.rs" => {
                format!("{}/", file.parent().unwrap().file_name().unwrap().to_string_lossy())
            }
            _ => name,
        }
    }

    #[test]
    fn the_code_map_names_every_module() {
        let root = crate::process::root();
        let map = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
        let mut files = Vec::new();
        for crate_dir in
            ["core/src", "relay/src", "app/src", "app/worker/src", "xtask/src", "tests/src"]
        {
            rust_files(&root.join(crate_dir), &mut files);
        }
        let unnamed: Vec<String> = files
            .iter()
            .filter(|file| !map.contains(&name_in_the_map(file)))
            .map(|file| file.strip_prefix(&root).unwrap().display().to_string())
            .collect();
        assert!(unnamed.is_empty(), "ARCHITECTURE.md does not name: {unnamed:?}");
    }
}
