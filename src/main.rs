//! The `pgtls` binary: parse arguments, run, map errors to exit status 3.

mod cli;

use clap::Parser;

fn main() {
    let args = match cli::Cli::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            std::process::exit(if e.use_stderr() { cli::EXIT_TOOL_FAILURE } else { 0 });
        }
    };
    let lang = cli::lang(&args);
    match cli::run(args) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("{}", pgtls::report::error_line(&said(&e, lang), lang));
            std::process::exit(cli::EXIT_TOOL_FAILURE);
        }
    }
}

/// The error in `lang`: a library error (`RunError`) as it says itself, its causes that it
/// does not already quote after it (as [`chain`]); anything else as [`chain`] writes it. In
/// English this is exactly [`chain`]'s text (`RunError`'s English is its `Display`).
fn said(e: &anyhow::Error, lang: pgtls::findings::Lang) -> String {
    let Some(r) = e.downcast_ref::<pgtls::run::RunError>().filter(|r| r.to_string() == e.to_string()) else { return chain(e) };
    let (mut english, mut out) = (r.to_string(), r.said().sentence(lang));
    for cause in e.chain().skip(1) {
        let c = cause.to_string();
        if !english.contains(&c) {
            for s in [&mut english, &mut out] {
                s.push_str(": ");
                s.push_str(&c);
            }
        }
    }
    out
}

/// The error and its causes, each cause once: library errors already quote their source in
/// their own message ("reading x: No such file or directory (os error 2)"), so a cause whose
/// text is already there is not repeated.
fn chain(e: &anyhow::Error) -> String {
    let mut out = e.to_string();
    for cause in e.chain().skip(1) {
        let c = cause.to_string();
        if !out.contains(&c) {
            out.push_str(": ");
            out.push_str(&c);
        }
    }
    out
}

/// The binary only parses, calls the library and renders: it builds no JSON, creates no
/// finding and runs no check (checked on its source, comments and tests left out).
#[cfg(test)]
mod architecture {
    #[test]
    fn each_cause_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory (os error 2)");
        let e = anyhow::Error::new(io).context("reading x.toml: No such file or directory (os error 2)");
        assert_eq!(super::chain(&e), "reading x.toml: No such file or directory (os error 2)");
        let e = anyhow::anyhow!("inner").context("outer");
        assert_eq!(super::chain(&e), "outer: inner");
    }

    use std::path::{Path, PathBuf};

    /// The Rust files under `dir` of the workspace (the `tests.rs` beside a module left out).
    fn sources(dir: &str) -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") && p.file_name().is_some_and(|n| n != "tests.rs") {
                    out.push(p);
                }
            }
        }
        let mut out = Vec::new();
        walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir), &mut out);
        assert!(!out.is_empty(), "no sources under {dir}");
        out
    }

    /// A file's production lines: before its test module, comments left out.
    fn production(p: &Path) -> Vec<String> {
        let text = std::fs::read_to_string(p).unwrap();
        let prod = text.split("#[cfg(test)]").next().unwrap_or("");
        prod.lines().filter(|l| !l.trim_start().starts_with("//")).map(str::to_string).collect()
    }

    #[test]
    fn cli_only_parses_calls_and_renders() {
        for f in sources("src/cli") {
            let prod = production(&f).join("\n");
            for banned in ["json!", "Finding::new", "checks::run", "serde_json::"] {
                assert!(!prod.contains(banned), "{} uses {banned}", f.display());
            }
        }
    }


    /// The library crates' source directories.
    const LIBRARIES: [&str; 4] = ["crates/core/src", "crates/text/src", "crates/gather/src", "crates/pgtls/src"];

    /// Fails with the path of the first import cycle in `deps` (module → modules it imports).
    fn assert_acyclic(deps: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>, what: &str) {
        // Depth-first search from each module for a path back to it.
        for start in deps.keys() {
            let (mut todo, mut seen) = (vec![vec![start.clone()]], std::collections::BTreeSet::new());
            while let Some(path) = todo.pop() {
                for next in deps.get(path.last().unwrap()).into_iter().flatten() {
                    assert!(next != start, "import cycle {what}: {} → {start}", path.join(" → "));
                    if seen.insert(next.clone()) {
                        let mut p = path.clone();
                        p.push(next.clone());
                        todo.push(p);
                    }
                }
            }
        }
    }

    /// Within each library crate, the top-level modules import one way: no import cycle between
    /// them (checked on `crate::` paths in production code; the crates among themselves are
    /// `crate_graph_runs_one_way`'s business).
    #[test]
    fn module_graph_has_no_cycles() {
        for lib in LIBRARIES {
            let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(lib);
            let mut deps: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> = std::collections::BTreeMap::new();
            let top: Vec<String> = std::fs::read_dir(&src)
                .unwrap()
                .flatten()
                .map(|e| e.file_name().to_string_lossy().trim_end_matches(".rs").to_string())
                .filter(|m| !["lib", "main", "cli"].contains(&m.as_str()))
                .collect();
            for m in &top {
                let fs = if src.join(m).is_dir() { sources(&format!("{lib}/{m}")) } else { vec![src.join(format!("{m}.rs"))] };
                for f in fs {
                    let text = production(&f).join("\n");
                    for part in text.split("crate::").skip(1) {
                        let name: String = part.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                        if top.contains(&name) && name != *m {
                            deps.entry(m.clone()).or_default().insert(name);
                        }
                    }
                }
            }
            assert_acyclic(&deps, &format!("in {lib}"));
        }
    }

    /// Sibling modules (the files and module directories of one directory) import one way too:
    /// a cycle between two files of one module (the scanner's codec and suites once had one)
    /// is invisible to the crate-level test. Read from `super::NAME`, `super::{NAME, …}` and
    /// `crate::PATH::NAME` in production code.
    #[test]
    fn sibling_modules_have_no_cycles() {
        use std::collections::{BTreeMap, BTreeSet};
        fn dirs(d: &Path, out: &mut Vec<PathBuf>) {
            out.push(d.to_path_buf());
            for e in std::fs::read_dir(d).unwrap().flatten() {
                if e.path().is_dir() {
                    dirs(&e.path(), out);
                }
            }
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut checked = 0;
        for lib in LIBRARIES {
            let src = root.join(lib);
            let mut all = Vec::new();
            dirs(&src, &mut all);
            for d in all {
                let rel = d.strip_prefix(&src).unwrap();
                let qualified = std::iter::once("crate".to_string())
                    .chain(rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()))
                    .collect::<Vec<_>>()
                    .join("::");
                // Siblings: `name.rs` and `name/` (a module directory), but not mod.rs, lib.rs or tests.
                let mut siblings: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
                for e in std::fs::read_dir(&d).unwrap().flatten() {
                    let p = e.path();
                    let name = p.file_stem().unwrap().to_string_lossy().into_owned();
                    if ["mod", "lib", "main", "tests"].contains(&name.as_str()) {
                        continue;
                    }
                    if p.is_dir() {
                        let mut fs = Vec::new();
                        let mut sub = Vec::new();
                        dirs(&p, &mut sub);
                        for s in sub {
                            fs.extend(
                                std::fs::read_dir(s)
                                    .unwrap()
                                    .flatten()
                                    .map(|e| e.path())
                                    .filter(|f| f.extension().is_some_and(|x| x == "rs") && f.file_name().is_some_and(|n| n != "tests.rs")),
                            );
                        }
                        siblings.entry(name).or_default().extend(fs);
                    } else if p.extension().is_some_and(|x| x == "rs") {
                        siblings.entry(name).or_default().push(p);
                    }
                }
                let names: BTreeSet<String> = siblings.keys().cloned().collect();
                let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
                for (m, files) in &siblings {
                    for f in files {
                        let direct = f.parent() == Some(d.as_path());
                        let text = production(f).join("\n");
                        let mut refs = Vec::new();
                        let mut prefixes = vec![format!("{qualified}::")];
                        if direct {
                            prefixes.push("super::".to_string());
                        }
                        for prefix in &prefixes {
                            for part in text.split(prefix.as_str()).skip(1) {
                                if let Some(list) = part.strip_prefix('{') {
                                    let list = list.split('}').next().unwrap_or("");
                                    refs.extend(list.split(',').map(|x| x.trim().split("::").next().unwrap_or("").to_string()));
                                } else {
                                    refs.push(part.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect());
                                }
                            }
                        }
                        for r in refs {
                            if names.contains(&r) && r != *m {
                                edges.entry(m.clone()).or_default().insert(r);
                            }
                        }
                    }
                }
                checked += names.len();
                assert_acyclic(&edges, &format!("between sibling modules of {}", d.display()));
            }
        }
        assert!(checked > 100, "only {checked} sibling modules found");
    }

    #[test]
    fn only_x509_parses_certificates() {
        let x509 = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/core/src/x509");
        let fs: Vec<PathBuf> = LIBRARIES.iter().flat_map(|l| sources(l)).collect();
        for f in fs.iter().filter(|f| !f.starts_with(&x509)) {
            assert!(!production(f).join("\n").contains("X509Certificate::from_der"), "{} parses certificates itself", f.display());
        }
    }

    /// Every file pgtls audits is opened by `files` (read-only, access time untouched); only
    /// a few system files (/proc, /etc/passwd, /dev/urandom) are read directly.
    #[test]
    fn only_files_opens_files() {
        let fs: Vec<PathBuf> = LIBRARIES.iter().flat_map(|l| sources(l)).collect();
        let allowed = ["\"/proc/self/status\"", "\"/etc/passwd\"", "\"/dev/urandom\""];
        for f in fs.iter().filter(|f| !f.ends_with("files.rs")) {
            for line in production(f).iter() {
                let opens = ["fs::read(", "fs::read_to_string(", "File::open(", "OpenOptions::new()"].iter().any(|p| line.contains(p));
                assert!(!opens || allowed.iter().any(|a| line.contains(a)), "{} opens a file itself: {}", f.display(), line.trim());
            }
        }
    }

    /// One name, one concept: no public type name is defined twice across the workspace's
    /// crates (a reader who meets `Verdict` or `ScanOptions` knows which one it is).
    #[test]
    fn no_public_type_name_twice() {
        use std::collections::BTreeMap;
        let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for dir in ["src", "crates/core/src", "crates/text/src", "crates/gather/src", "crates/pgtls/src", "lab/src"] {
            for f in sources(dir) {
                for line in production(&f) {
                    let t = line.trim_start();
                    for kw in ["pub struct ", "pub enum ", "pub type ", "pub trait "] {
                        if let Some(rest) = t.strip_prefix(kw) {
                            let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                            seen.entry(name).or_default().push(f.display().to_string());
                        }
                    }
                }
            }
        }
        let doubled: Vec<String> = seen.iter().filter(|(_, at)| at.len() > 1).map(|(n, at)| format!("{n}: {}", at.join(", "))).collect();
        assert!(seen.len() > 100, "only {} public types found", seen.len());
        assert!(doubled.is_empty(), "public type names defined twice:\n{}", doubled.join("\n"));
    }

    /// The core and the text crate read nothing from the world in their production code (tests
    /// may make their own files): no file opened, no environment, clock or socket. The core
    /// does not even look at a file's metadata; the text crate reads the handles it is given.
    /// Judging is the core's — the facts, the verdict models and the checks — so it decides
    /// from what gathering handed it: the time, the loaded trust stores and the files' contents
    /// arrive in the facts, and `--from-facts` replays exactly.
    #[test]
    fn core_and_text_do_no_io() {
        let common = ["std::env", "env::var", "now_utc", "SystemTime::now", "Instant::now", "TcpStream", "UdpSocket", "std::net::Tcp", "File::open", "OpenOptions", "fs::read", "read_dir"];
        let core_too = ["std::fs", ".is_dir()", ".exists()", "metadata("];
        for (dir, extra) in [("crates/core/src", &core_too[..]), ("crates/text/src", &[][..])] {
            for f in sources(dir) {
                for line in production(&f) {
                    for b in common.iter().chain(extra) {
                        assert!(!line.contains(b), "{} does I/O ({b}): {}", f.display(), line.trim());
                    }
                }
            }
        }
    }

    /// The workspace's crates depend one way: cli → pgtls → gather → text → core (each may skip
    /// a floor: pgtls and gather use the core directly), the lab beside them
    /// (a test dependency, and the binary's optional `demo`). Read from Cargo's own metadata,
    /// so an arrow back — or a crate that links what its layer must not — fails here, not in
    /// review.
    #[test]
    fn crate_graph_runs_one_way() {
        use std::collections::{BTreeMap, BTreeSet};
        // This platform's packages only (a full resolve would fetch Windows-only crates).
        let rustc = std::process::Command::new("rustc").arg("-vV").output().expect("rustc runs");
        let host = String::from_utf8_lossy(&rustc.stdout).lines().find_map(|l| l.strip_prefix("host: ").map(str::to_string)).expect("rustc -vV names the host");
        let out = std::process::Command::new(env!("CARGO"))
            .args(["metadata", "--format-version", "1", "--offline", "--filter-platform", &host])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("cargo metadata runs");
        assert!(out.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&out.stderr));
        let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let members: BTreeSet<String> = meta["workspace_members"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
        let packages = meta["packages"].as_array().unwrap();
        let name_of: BTreeMap<&str, &str> = packages.iter().map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap())).collect();
        // Each workspace crate's normal dependencies, from its manifest: (name, optional).
        let mut normal: BTreeMap<String, Vec<(String, bool)>> = BTreeMap::new();
        for p in packages.iter().filter(|p| members.contains(p["id"].as_str().unwrap())) {
            let deps = p["dependencies"].as_array().unwrap().iter().filter(|d| d["kind"].is_null());
            normal.insert(p["name"].as_str().unwrap().into(), deps.map(|d| (d["name"].as_str().unwrap().to_string(), d["optional"].as_bool().unwrap_or(false))).collect());
        }
        let ours = ["pgtls-cli", "pgtls", "pgtls-gather", "pgtls-text", "pgtls-core", "pgtls-lab"];
        for c in ours {
            assert!(normal.contains_key(c), "{c} is not a workspace member any more: update this test and README's Layout");
        }
        // Which of our crates each may depend on (optional: only behind a feature).
        let allowed: BTreeMap<&str, &[&str]> = BTreeMap::from([
            ("pgtls-cli", &["pgtls", "pgtls-lab"][..]),
            ("pgtls", &["pgtls-core", "pgtls-text", "pgtls-gather"][..]),
            ("pgtls-gather", &["pgtls-core"][..]),
            ("pgtls-text", &["pgtls-core"][..]),
            ("pgtls-core", &["pgtls-lab"][..]),
            ("pgtls-lab", &[][..]),
        ]);
        for (krate, deps) in &normal {
            for (d, optional) in deps.iter().filter(|(d, _)| ours.contains(&d.as_str())) {
                assert!(allowed[krate.as_str()].contains(&d.as_str()), "{krate} depends on {d}: the crates depend one way (README, Layout)");
                if krate == "pgtls-core" {
                    assert!(*optional, "the core may use the lab only behind its `lab` feature");
                }
            }
        }
        // What only the binary may link, and what the core and the text crate must not pull in
        // at all (walked through the resolved graph, the core's optional lab left out).
        for (krate, deps) in &normal {
            for banned in ["clap", "clap_complete", "clap_mangen", "axum", "hyper", "hyper-util", "indicatif", "rpassword"] {
                assert!(krate == "pgtls-cli" || !deps.iter().any(|(d, _)| d == banned), "{krate} depends on {banned}: only the binary's crate parses arguments, serves HTTP or prompts");
            }
        }
        let nodes: BTreeMap<&str, Vec<(&str, bool)>> = meta["resolve"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                let deps = n["deps"].as_array().unwrap().iter().map(|d| {
                    let normal = d["dep_kinds"].as_array().unwrap().iter().any(|k| k["kind"].is_null());
                    (d["pkg"].as_str().unwrap(), normal)
                });
                (n["id"].as_str().unwrap(), deps.collect())
            })
            .collect();
        let closure = |root: &str| -> BTreeSet<String> {
            let start = name_of.iter().find(|(_, n)| **n == root).map(|(id, _)| *id).unwrap();
            // Our crates' optional dependencies are left out (the workspace's resolve turns the
            // core's `lab` on for the test builds that ask for it).
            let optional = |krate: &str, dep: &str| normal.get(krate).is_some_and(|ds| ds.iter().any(|(d, o)| *o && d == dep));
            let (mut seen, mut todo) = (BTreeSet::new(), vec![start]);
            while let Some(id) = todo.pop() {
                for (dep, is_normal) in &nodes[id] {
                    let name = name_of[dep];
                    if *is_normal && !optional(name_of[id], name) && seen.insert(name.to_string()) {
                        todo.push(dep);
                    }
                }
            }
            seen
        };
        let io = ["tokio", "mio", "socket2", "clap", "axum", "hyper", "hyper-util", "csv", "indicatif", "rpassword", "rcgen", "pgtls-lab", "tempfile", "rustls", "tokio-postgres"];
        for (krate, extra) in [("pgtls-core", &["flate2", "pgtls-text"][..]), ("pgtls-text", &[][..])] {
            let linked = closure(krate);
            let bad: Vec<&&str> = io.iter().chain(extra).filter(|b| linked.contains(**b)).collect();
            assert!(bad.is_empty(), "{krate} links {bad:?}: it must not touch the network, the terminal or the lab");
        }
    }
}
