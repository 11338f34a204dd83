//! The shape of the source tree, read from the files themselves: each layer imports only
//! the layers below it, no two files import each other round a cycle, `domain/` uses no
//! framework, and only `store/` speaks Redis. Test-only modules are left out: a test may
//! reach wherever it needs to.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each layer and the layers it may import, top down (see `src/lib.rs`).
const LAYERS: &[(&str, &[&str])] = &[
    ("app", &["app", "http", "service", "infra", "store", "domain", "credentials"]),
    ("http", &["http", "service", "infra", "store", "domain", "credentials"]),
    ("service", &["service", "infra", "store", "domain", "credentials"]),
    ("infra", &["infra", "store", "domain", "credentials"]),
    ("store", &["store", "domain", "credentials"]),
    ("domain", &["domain"]),
    ("credentials", &["credentials"]),
];

/// Known breaches still to be removed, each with its reason. Keep this list short.
const PENDING: &[(&str, &str)] = &[];

/// Crates that carry I/O or a framework: none of them belongs in the pure domain.
const FRAMEWORKS: &[&str] =
    &["actix_web", "redis", "reqwest", "tokio", "clap", "utoipa", "prometheus"];

type Module = Vec<String>;

struct Source {
    path: PathBuf,
    module: Module,
    /// The file without its `#[cfg(test)]` module and without comments.
    code: String,
}

fn sources() -> Vec<Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    walk(&root, &root, &mut found);
    found
}

fn walk(root: &Path, dir: &Path, found: &mut Vec<Source>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).expect("src is readable").flatten().collect();
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            walk(root, &path, found);
        } else if path.extension().is_some_and(|e| e == "rs") && !is_test_file(&path) {
            let relative = path.strip_prefix(root).expect("below src").with_extension("");
            let mut module: Module =
                relative.iter().map(|part| part.to_string_lossy().into_owned()).collect();
            if module.last().is_some_and(|last| last == "mod") {
                module.pop();
            }
            let text = std::fs::read_to_string(&path).expect("a readable source file");
            found.push(Source { path, module, code: without_tests(&text) });
        }
    }
}

/// Test modules in files of their own (`tests.rs`, `metadata_tests.rs`): tests may reach
/// wherever they need to.
fn is_test_file(path: &Path) -> bool {
    path.file_stem().and_then(|s| s.to_str()).is_some_and(|s| s == "tests" || s.ends_with("_tests"))
}

/// The text before the file's test module, with line comments dropped.
fn without_tests(text: &str) -> String {
    let mut kept = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]")
            && lines.peek().is_some_and(|next| next.trim_start().starts_with("mod "))
        {
            // A test module at the end of the file (the house style); a one-line
            // `mod tests;` declaration just skips its file.
            if lines.peek().is_some_and(|next| next.trim_end().ends_with(';')) {
                lines.next();
                continue;
            }
            break;
        }
        let code = trimmed.split("//").next().unwrap_or_default();
        kept.push_str(code);
        kept.push('\n');
    }
    kept
}

/// Every `crate::a::b` and `super::a` path the code names, as module-relative segments.
fn referenced_paths(source: &Source) -> Vec<Module> {
    let mut paths = Vec::new();
    for (anchor, base) in
        [("crate::", Vec::new()), ("super::", parent(&source.module, &source.path))]
    {
        let mut rest = source.code.as_str();
        while let Some(at) = rest.find(anchor) {
            let preceded_by_path = rest[..at].ends_with(':')
                || rest[..at].chars().last().is_some_and(|c| c.is_alphanumeric() || c == '_');
            rest = &rest[at + anchor.len()..];
            if preceded_by_path {
                continue;
            }
            for tail in expand(rest) {
                let mut path = base.clone();
                path.extend(tail);
                paths.push(path);
            }
        }
    }
    paths
}

/// `super` of a file's module: `mod.rs` files are their folder's module.
fn parent(module: &Module, _path: &Path) -> Module {
    module[..module.len().saturating_sub(1)].to_vec()
}

/// The paths a use tree starting at `text` names: `a::b`, `a::{b, c::d}`, `{a, b}`.
fn expand(text: &str) -> Vec<Module> {
    let mut head = Vec::new();
    let mut rest = text;
    loop {
        if let Some(group) = rest.strip_prefix('{') {
            let end = closing_brace(group);
            let mut found = Vec::new();
            for item in split_top_level(&group[..end]) {
                for tail in expand(item.trim()) {
                    let mut path = head.clone();
                    path.extend(tail);
                    found.push(path);
                }
            }
            return found;
        }
        let ident: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        if ident.is_empty() {
            return vec![head];
        }
        rest = &rest[ident.len()..];
        if ident != "self" {
            head.push(ident);
        }
        match rest.strip_prefix("::") {
            Some(next) => rest = next,
            None => return vec![head],
        }
    }
}

fn closing_brace(text: &str) -> usize {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return i,
            '}' => depth -= 1,
            _ => {}
        }
    }
    text.len()
}

fn split_top_level(text: &str) -> Vec<&str> {
    let (mut depth, mut start, mut items) = (0, 0, Vec::new());
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&text[start..]);
    items
}

/// The file a path lands in: its longest prefix that is a module of the tree.
fn resolve<'a>(modules: &'a BTreeSet<Module>, path: &Module) -> Option<&'a Module> {
    (1..=path.len()).rev().find_map(|n| modules.get(&path[..n].to_vec()))
}

fn layer(module: &Module) -> &str {
    module.first().map_or("", String::as_str)
}

fn graph(sources: &[Source]) -> BTreeMap<Module, BTreeSet<Module>> {
    let modules: BTreeSet<Module> = sources.iter().map(|s| s.module.clone()).collect();
    let mut edges = BTreeMap::new();
    for source in sources {
        let targets: BTreeSet<Module> = referenced_paths(source)
            .iter()
            .filter_map(|path| resolve(&modules, path))
            .filter(|target| **target != source.module)
            .cloned()
            .collect();
        edges.insert(source.module.clone(), targets);
    }
    edges
}

#[test]
fn each_layer_imports_only_the_layers_below_it() {
    let sources = sources();
    let mut breaches = Vec::new();
    for (module, targets) in graph(&sources) {
        let Some((_, allowed)) = LAYERS.iter().find(|(name, _)| *name == layer(&module)) else {
            continue; // lib.rs, main.rs and the corpus tests sit above every layer
        };
        for target in targets {
            let pending = PENDING.contains(&(module.join("/").as_str(), target.join("/").as_str()));
            if LAYERS.iter().any(|(name, _)| *name == layer(&target))
                && !allowed.contains(&layer(&target))
                && !pending
            {
                breaches.push(format!("{} imports {}", module.join("/"), target.join("/")));
            }
        }
    }
    assert!(breaches.is_empty(), "imports against the layers:\n{}", breaches.join("\n"));
}

#[test]
fn no_files_import_each_other_round_a_cycle() {
    let edges = graph(&sources());
    let cycles = strongly_connected(&edges);
    let shown: Vec<String> = cycles
        .iter()
        .map(|cycle| cycle.iter().map(|m| m.join("/")).collect::<Vec<_>>().join(" <-> "))
        .collect();
    assert!(shown.is_empty(), "import cycles:\n{}", shown.join("\n"));
}

#[test]
fn the_domain_uses_no_framework_and_only_the_store_speaks_redis() {
    let mut breaches = Vec::new();
    for source in sources() {
        let words = crate_paths(&source.code);
        if layer(&source.module) == "domain" {
            for framework in FRAMEWORKS {
                if words.contains(*framework) {
                    breaches.push(format!("{} uses {framework}", source.path.display()));
                }
            }
        }
        if layer(&source.module) != "store" && words.contains("redis") {
            breaches.push(format!("{} speaks Redis outside store/", source.path.display()));
        }
    }
    assert!(breaches.is_empty(), "{}", breaches.join("\n"));
}

#[test]
fn the_checks_see_what_they_are_meant_to() {
    // The parser behind the three checks above, on the forms the tree uses.
    assert_eq!(expand("a::b::C;"), vec![vec!["a", "b", "C"]]);
    assert_eq!(expand("{a::{self, B}, c};"), vec![vec!["a"], vec!["a", "B"], vec!["c"]]);
    let code = "use redis::Script;\nlet x = ::redis::cmd(\"GET\");\nuse crate::store::redis::R;";
    assert!(crate_paths(code).contains("redis"));
    assert!(!crate_paths("use crate::store::redis::RedisConfig;").contains("redis"));
    let edges = BTreeMap::from([
        (vec!["a".to_owned()], BTreeSet::from([vec!["b".to_owned()]])),
        (vec!["b".to_owned()], BTreeSet::from([vec!["a".to_owned()]])),
    ]);
    assert_eq!(strongly_connected(&edges).len(), 1);
}

/// The first segments of paths that name an external crate: `redis::x`, `::redis::x` and
/// `use redis::...`, but not `crate::store::redis::x` or `self.redis`.
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        if starts_word && (bytes[i].is_ascii_alphabetic() || bytes[i] == b'_') {
            let end = (i..bytes.len())
                .find(|&j| !(bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_'))
                .unwrap_or(bytes.len());
            let word = &code[i..end];
            let inside_path = code[..i].ends_with("::")
                && !code[..i].trim_end_matches("::").is_empty()
                && code[..i - 2].chars().last().is_some_and(|c| c.is_alphanumeric() || c == '_');
            if code[end..].starts_with("::") && !inside_path {
                found.insert(word.to_owned());
            }
            i = end;
        } else {
            i += 1;
        }
    }
    found
}

/// Tarjan's algorithm: the groups of two or more files that reach each other.
fn strongly_connected(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    struct Walk<'a> {
        edges: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<&'a Module, (usize, usize)>,
        stack: Vec<&'a Module>,
        on_stack: BTreeSet<&'a Module>,
        next: usize,
        found: Vec<Vec<Module>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, v: &'a Module) {
            self.index.insert(v, (self.next, self.next));
            self.next += 1;
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.edges.get(v).into_iter().flatten() {
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.index[w].1.min(self.index[v].1);
                    self.index.get_mut(v).expect("visited").1 = low;
                } else if self.on_stack.contains(w) {
                    let low = self.index[w].0.min(self.index[v].1);
                    self.index.get_mut(v).expect("visited").1 = low;
                }
            }
            let (index, low) = self.index[v];
            if index == low {
                let mut group = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    group.push(w.clone());
                    if w == v {
                        break;
                    }
                }
                if group.len() > 1 {
                    group.sort();
                    self.found.push(group);
                }
            }
        }
    }
    let mut walk = Walk {
        edges,
        index: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !walk.index.contains_key(v) {
            walk.visit(v);
        }
    }
    walk.found
}
