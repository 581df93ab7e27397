//! The layout keeps its promises: only the composition root imports HTTP handler modules, and no
//! two source files depend on each other, directly or round a longer loop.
//!
//! Read from the source text: every `crate::…`, `super::…` and `self::…` path and every `use` of a
//! child module is an edge from the file that writes it to the file of the module it names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A source file as a module path: `src/mediation/http/sessions.rs` → `mediation::http::sessions`.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts
        .last()
        .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
    {
        parts.pop();
    }
    parts.join("::")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source with comments and string literals blanked out, so that paths in doc comments or
/// messages do not count.
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                let mut escaped = false;
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                    }
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        break;
                    }
                }
                out.push_str("\"\"");
            }
            _ => out.push(c),
        }
    }
    out
}

struct Graph {
    modules: BTreeSet<String>,
    /// module → (module it depends on → the path written)
    edges: BTreeMap<String, BTreeMap<String, String>>,
}

/// The paths a `use` statement names, with its braces flattened: `super::{a, b::c}` →
/// `super::a`, `super::b::c`.
fn use_paths(stmt: &str) -> Vec<String> {
    let stmt = stmt.trim();
    match (stmt.find('{'), stmt.rfind('}')) {
        (Some(open), Some(close)) => {
            let prefix = stmt[..open].trim().trim_end_matches("::");
            let mut out = Vec::new();
            let mut depth = 0;
            let mut item = String::new();
            for c in stmt[open + 1..close].chars().chain(std::iter::once(',')) {
                match c {
                    '{' => {
                        depth += 1;
                        item.push(c);
                    }
                    '}' => {
                        depth -= 1;
                        item.push(c);
                    }
                    ',' if depth == 0 => {
                        let it = item.trim().to_owned();
                        item.clear();
                        if it.is_empty() {
                            continue;
                        }
                        for inner in use_paths(&it) {
                            if inner == "self" {
                                out.push(prefix.to_owned());
                            } else {
                                out.push(format!("{prefix}::{inner}"));
                            }
                        }
                    }
                    _ => item.push(c),
                }
            }
            out
        }
        _ => vec![stmt.split(" as ").next().unwrap().trim().to_owned()],
    }
}

/// Every `a::b` path written in the code.
fn written_paths(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == ':';
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if (i == 0 || !word(chars[i - 1])) && (chars[i].is_alphabetic() || chars[i] == '_') {
            let mut j = i;
            while j < chars.len() && word(chars[j]) {
                j += 1;
            }
            let w: String = chars[i..j].iter().collect();
            if w.contains("::") {
                found.push(w.trim_end_matches(':').to_owned());
            }
            i = j;
        } else {
            i += 1;
        }
    }
    found
}

/// `p` as written in `module`, made absolute (without `crate::`); `None` for other crates.
fn absolute(modules: &BTreeSet<String>, module: &str, p: &str) -> Option<String> {
    let parent = module.rsplit_once("::").map(|(p, _)| p).unwrap_or("");
    let join = |a: &str, b: &str| {
        if a.is_empty() {
            b.to_owned()
        } else {
            format!("{a}::{b}")
        }
    };
    if let Some(rest) = p.strip_prefix("crate::") {
        Some(rest.to_owned())
    } else if let Some(rest) = p.strip_prefix("super::") {
        Some(join(parent, rest))
    } else if let Some(rest) = p.strip_prefix("self::") {
        Some(join(module, rest))
    } else {
        let first = p.split("::").next().unwrap();
        modules
            .contains(&join(module, first))
            .then(|| join(module, p))
    }
}

fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut list = Vec::new();
    files(&src, &mut list);
    let texts: Vec<(String, String)> = list
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            // Unit tests sit at the end of a file; their `use super::*` names the file itself.
            let text = text.split("#[cfg(test)]").next().unwrap_or("");
            (module_of(&src, f), code_only(text))
        })
        .collect();
    let modules: BTreeSet<String> = texts.iter().map(|(m, _)| m.clone()).collect();
    // A re-export (`pub use x::Item`) is an alias, not a dependency: a path through it counts
    // as a path to where the item is defined.
    let mut aliases: BTreeMap<String, String> = BTreeMap::new();
    let mut bodies: Vec<(String, String)> = Vec::new();
    for (module, text) in &texts {
        let mut body = String::new();
        let mut rest = text.as_str();
        while let Some(at) = rest
            .find("pub use ")
            .or_else(|| rest.find("pub(crate) use "))
        {
            body.push_str(&rest[..at]);
            let stmt_start = at + rest[at..].find("use ").unwrap() + 4;
            let end = stmt_start + rest[stmt_start..].find(';').unwrap();
            for p in use_paths(&rest[stmt_start..end]) {
                if let Some(target) = absolute(&modules, module, &p) {
                    let name = p.rsplit("::").next().unwrap().to_owned();
                    aliases.insert(
                        if module.is_empty() {
                            name
                        } else {
                            format!("{module}::{name}")
                        },
                        target,
                    );
                }
            }
            rest = &rest[end + 1..];
        }
        body.push_str(rest);
        bodies.push((module.clone(), body));
    }
    let resolve = |path: &str| -> Option<String> {
        let mut path = path.to_owned();
        for _ in 0..8 {
            let parts: Vec<&str> = path.split("::").collect();
            let n = (1..=parts.len())
                .rev()
                .find(|n| modules.contains(&parts[..*n].join("::")))?;
            let item = parts
                .get(n)
                .map(|item| format!("{}::{item}", parts[..n].join("::")));
            match item.and_then(|i| aliases.get(&i)) {
                Some(target) => {
                    let tail = parts[n + 1..].join("::");
                    path = if tail.is_empty() {
                        target.clone()
                    } else {
                        format!("{target}::{tail}")
                    };
                }
                None => return Some(parts[..n].join("::")),
            }
        }
        None
    };
    let mut edges: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (module, body) in &bodies {
        let mut paths = written_paths(body);
        // `use` as a word: not the end of an identifier such as `NoPause`.
        let starts = body.match_indices("use ").map(|(i, _)| i).filter(|&i| {
            !body[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
        });
        for at in starts {
            let stmt = &body[at + 4..];
            paths.extend(use_paths(stmt.split(';').next().unwrap_or("")));
        }
        for p in paths {
            let Some(abs) = absolute(&modules, module, p.trim_start_matches("::")) else {
                continue;
            };
            if let Some(target) = resolve(&abs)
                && &target != module
                && !target.is_empty()
            {
                edges
                    .entry(module.clone())
                    .or_default()
                    .entry(target)
                    .or_insert(p);
            }
        }
    }
    Graph { modules, edges }
}

/// Handler modules: a module named `http`, or any module inside one.
fn is_http_module(m: &str) -> bool {
    m.split("::").any(|p| p == "http") && m != "http" && !m.starts_with("http::")
}

#[test]
fn only_the_composition_root_imports_http_handler_modules() {
    let g = graph();
    let allowed = ["startup", "openapi"];
    let mut offenders = Vec::new();
    for (from, tos) in &g.edges {
        if allowed.contains(&from.as_str()) || is_http_module(from) {
            continue;
        }
        for (to, written) in tos {
            if is_http_module(to) {
                offenders.push(format!("{from} imports {to} ({written})"));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "HTTP handler modules imported outside startup.rs:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn no_module_depends_on_itself_through_others() {
    let g = graph();
    // Tarjan's strongly connected components; any component of two or more is a cycle.
    struct State<'a> {
        g: &'a Graph,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        cycles: Vec<Vec<&'a str>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        if let Some(tos) = s.g.edges.get(v) {
            for w in tos.keys() {
                let w = w.as_str();
                if !s.index.contains_key(w) {
                    visit(s, w);
                    let lw = s.low[w];
                    let lv = s.low[v];
                    s.low.insert(v, lv.min(lw));
                } else if s.on_stack.contains(w) {
                    let iw = s.index[w];
                    let lv = s.low[v];
                    s.low.insert(v, lv.min(iw));
                }
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w);
                if w == v {
                    break;
                }
            }
            // Tables related both ways (a business and its enrolment) name each other in their
            // sea-orm relations; that is the schema, not a layering fault.
            if component.len() > 1 && !component.iter().all(|m| m.starts_with("entities::")) {
                s.cycles.push(component);
            }
        }
    }
    let mut s = State {
        g: &g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        cycles: Vec::new(),
    };
    for m in &g.modules {
        if !s.index.contains_key(m.as_str()) {
            visit(&mut s, m);
        }
    }
    let report: Vec<String> = s
        .cycles
        .iter()
        .map(|c| {
            let set: BTreeSet<&str> = c.iter().copied().collect();
            let inner: Vec<String> = c
                .iter()
                .flat_map(|from| {
                    g.edges
                        .get(*from)
                        .into_iter()
                        .flatten()
                        .filter(|(to, _)| set.contains(to.as_str()))
                        .map(move |(to, w)| format!("    {from} → {to} ({w})"))
                })
                .collect();
            format!("cycle of {} modules:\n{}", c.len(), inner.join("\n"))
        })
        .collect();
    assert!(
        report.is_empty(),
        "{} module cycles:\n{}",
        report.len(),
        report.join("\n")
    );
}

fn sources() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut list = Vec::new();
    files(&src, &mut list);
    list.iter()
        .map(|f| (module_of(&src, f), std::fs::read_to_string(f).unwrap()))
        .collect()
}

#[test]
fn every_endpoint_lives_in_an_http_module() {
    let outside: Vec<String> = sources()
        .into_iter()
        .filter(|(m, text)| {
            !(m.split("::").any(|p| p == "http") || m.starts_with("web"))
                && ["#[get(", "#[post(", "#[put(", "#[delete(", "#[patch("]
                    .iter()
                    .any(|attr| text.contains(attr))
        })
        .map(|(m, _)| m)
        .collect();
    assert!(
        outside.is_empty(),
        "handlers outside http modules: {outside:?}"
    );
}

#[test]
fn no_source_file_is_over_600_lines_of_code() {
    let long: Vec<String> = sources()
        .into_iter()
        .filter_map(|(m, text)| {
            let code = text
                .split("#[cfg(test)]")
                .next()
                .unwrap_or("")
                .lines()
                .count();
            (code > 600).then(|| format!("{m}: {code} lines"))
        })
        .collect();
    assert!(long.is_empty(), "split these by what they do: {long:?}");
}
