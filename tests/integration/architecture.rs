//! The shape of the source tree, read from its text: no import cycles between files, no file
//! over 800 lines, no function over 120 lines without a reason written above it
//! (ARCHITECTURE.md, "Invariants").
//!
//! File X depends on file Y when X names a path that resolves into Y: `use crate::a::b::{..}`,
//! `super::b::Item`, an inline `crate::a::b::f(..)`, or, in the binary's files,
//! `blastradius::a::b`. A path resolves to the longest prefix that is a module file. Edges
//! between a module and its own descendants (a `mod.rs` and the files below it, `lib.rs` and
//! everything) do not count: a parent declares its children and they may use its types.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::util::root;

const MAX_FILE_LINES: usize = 800;
const MAX_FUNCTION_LINES: usize = 120;
/// Written in a comment right above a longer function, with the reason.
const LONG_MARK: &str = "// Long:";

/// Which crate a file belongs to: the library or the binary (`main.rs` and `cli/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Crate {
    Lib,
    Bin,
}

/// A module's place: its crate and its path from that crate's root.
type ModulePath = (Crate, Vec<String>);

struct SourceFile {
    path: PathBuf,
    module: ModulePath,
    text: String,
}

fn source_files() -> Vec<SourceFile> {
    let src = root().join("src");
    let mut paths = Vec::new();
    collect_rs(&src, &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let relative = path.strip_prefix(&src).unwrap().to_path_buf();
            let text = std::fs::read_to_string(&path).unwrap();
            SourceFile {
                module: module_of(&relative),
                path: relative,
                text,
            }
        })
        .collect()
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_rs(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `load/model/mod.rs` → (Lib, [load, model]); `cli/args.rs` → (Bin, [cli, args]).
fn module_of(relative: &Path) -> ModulePath {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if !matches!(stem, "mod" | "lib" | "main") {
        parts.push(stem.to_string());
    }
    let krate = if stem == "main" && parts.is_empty() || parts.first().is_some_and(|p| p == "cli") {
        Crate::Bin
    } else {
        Crate::Lib
    };
    (krate, parts)
}

/// The text with comments, string and character literals blanked (newlines kept), so braces
/// and paths are only those of the code.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let blank = |out: &mut Vec<u8>, c: u8| out.push(if c == b'\n' { b'\n' } else { b' ' });
    while i < b.len() {
        let c = b[i];
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                out.push(b' ');
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    out.extend(b"  ");
                    i += 2;
                } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    out.extend(b"  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, b[i]);
                    i += 1;
                }
            }
        } else if c == b'r' && matches!(b.get(i + 1), Some(b'#') | Some(b'"')) && !ident_byte(b, i)
        {
            // Raw string: r"..." or r#"..."#.
            let mut hashes = 0;
            let mut j = i + 1;
            while b.get(j) == Some(&b'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&b'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let close: Vec<u8> = std::iter::once(b'"')
                .chain(std::iter::repeat_n(b'#', hashes))
                .collect();
            out.extend(std::iter::repeat_n(b' ', j + 1 - i));
            i = j + 1;
            while i < b.len() && !b[i..].starts_with(&close) {
                blank(&mut out, b[i]);
                i += 1;
            }
            out.extend(std::iter::repeat_n(b' ', close.len().min(b.len() - i)));
            i += close.len();
        } else if c == b'"' {
            out.push(b' ');
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    blank(&mut out, b[i]);
                    i += 1;
                }
                if i < b.len() {
                    blank(&mut out, b[i]);
                    i += 1;
                }
            }
            out.push(b' ');
            i += 1;
        } else if c == b'\'' && is_char_literal(b, i) {
            let end = char_literal_end(b, i);
            out.extend(std::iter::repeat_n(b' ', end - i));
            i = end;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out.truncate(b.len());
    String::from_utf8_lossy(&out).into_owned()
}

fn ident_byte(b: &[u8], i: usize) -> bool {
    i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')
}

/// `'x'`, `'\n'`, `'\u{1F600}'`, `'{'`, but not a lifetime (`'a`).
fn is_char_literal(b: &[u8], i: usize) -> bool {
    match b.get(i + 1) {
        Some(b'\\') => true,
        Some(_) => {
            // One character (UTF-8 may take several bytes) then a closing quote.
            let mut j = i + 2;
            while j < b.len() && (b[j] & 0xC0) == 0x80 {
                j += 1;
            }
            b.get(j) == Some(&b'\'')
        }
        None => false,
    }
}

fn char_literal_end(b: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    if b[j] == b'\\' {
        j += 2;
    } else {
        j += 1;
    }
    while j < b.len() && b[j] != b'\'' {
        j += 1;
    }
    (j + 1).min(b.len())
}

/// Every path a file names: `use` trees expanded, plus inline `crate::`/`super::`/
/// `blastradius::` paths. Each is (first segment, the rest).
fn named_paths(code: &str) -> Vec<Vec<String>> {
    let tokens = tokenize(code);
    let mut paths = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i] == "use" {
            let end = tokens[i..].iter().position(|t| t == ";").map(|p| i + p);
            if let Some(end) = end {
                let mut pos = i + 1;
                expand_use(&tokens[..end], &mut pos, &mut Vec::new(), &mut paths);
                i = end + 1;
                continue;
            }
        }
        if matches!(tokens[i].as_str(), "crate" | "super" | "blastradius")
            && tokens.get(i + 1).is_some_and(|t| t == "::")
            && (i == 0 || tokens[i - 1] != "::")
        {
            let mut path = vec![tokens[i].clone()];
            let mut j = i + 1;
            while tokens.get(j).is_some_and(|t| t == "::")
                && tokens.get(j + 1).is_some_and(|t| is_ident(t))
            {
                path.push(tokens[j + 1].clone());
                j += 2;
            }
            paths.push(path);
            i = j;
            continue;
        }
        i += 1;
    }
    paths
}

fn is_ident(t: &str) -> bool {
    t.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

fn tokenize(code: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push(chars[start..i].iter().collect());
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            tokens.push("::".into());
            i += 2;
        } else if c.is_whitespace() {
            i += 1;
        } else {
            tokens.push(c.to_string());
            i += 1;
        }
    }
    tokens
}

/// Expands one use tree starting at `tokens[*pos]` under `prefix`.
fn expand_use(
    tokens: &[String],
    pos: &mut usize,
    prefix: &mut Vec<String>,
    out: &mut Vec<Vec<String>>,
) {
    let depth = prefix.len();
    loop {
        match tokens.get(*pos).map(String::as_str) {
            Some("{") => {
                *pos += 1;
                loop {
                    expand_use(tokens, pos, prefix, out);
                    match tokens.get(*pos).map(String::as_str) {
                        Some(",") => {
                            *pos += 1;
                            if tokens.get(*pos).is_some_and(|t| t == "}") {
                                *pos += 1;
                                break;
                            }
                        }
                        Some("}") => {
                            *pos += 1;
                            break;
                        }
                        _ => break,
                    }
                }
                break;
            }
            Some("*") => {
                *pos += 1;
                out.push(prefix.clone());
                break;
            }
            Some(t) if is_ident(t) => {
                prefix.push(t.to_string());
                *pos += 1;
                if tokens.get(*pos).is_some_and(|t| t == "::") {
                    *pos += 1;
                    continue;
                }
                if tokens.get(*pos).is_some_and(|t| t == "as") {
                    *pos += 2;
                }
                out.push(prefix.clone());
                break;
            }
            _ => break,
        }
    }
    prefix.truncate(depth);
}

/// The module files, by module path.
fn module_index(files: &[SourceFile]) -> BTreeMap<ModulePath, usize> {
    files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.module.clone(), i))
        .collect()
}

/// The file a path named in `from` resolves into, if it is one of ours.
fn resolve(
    from: &ModulePath,
    is_mod_file: bool,
    path: &[String],
    index: &BTreeMap<ModulePath, usize>,
) -> Option<usize> {
    let (krate, here) = from;
    let (krate, mut absolute) = match path[0].as_str() {
        "crate" => (*krate, Vec::new()),
        "blastradius" => (Crate::Lib, Vec::new()),
        "super" => {
            // `super` in a.rs (module [.., a]) is [..]; in a/mod.rs (module [.., a]) also its
            // parent.
            let _ = is_mod_file;
            let mut m = here.clone();
            m.pop();
            (*krate, m)
        }
        _ => return None,
    };
    let mut rest = &path[1..];
    while rest.first().is_some_and(|s| s == "super") {
        absolute.pop();
        rest = &rest[1..];
    }
    absolute.extend(rest.iter().cloned());
    (0..=absolute.len())
        .rev()
        .find_map(|n| index.get(&(krate, absolute[..n].to_vec())).copied())
}

fn is_lineage(a: &ModulePath, b: &ModulePath) -> bool {
    a.0 == b.0 && (a.1.starts_with(&b.1) || b.1.starts_with(&a.1))
}

/// File → files it depends on (lineage edges left out).
fn dependencies(files: &[SourceFile]) -> Vec<BTreeSet<usize>> {
    let index = module_index(files);
    files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let is_mod = f.path.ends_with("mod.rs");
            named_paths(&code_only(&f.text))
                .iter()
                .filter_map(|p| resolve(&f.module, is_mod, p, &index))
                .filter(|&j| j != i && !is_lineage(&f.module, &files[j].module))
                .collect()
        })
        .collect()
}

/// Strongly connected components with more than one file (Tarjan, recursive: the tree is small).
fn cycles(deps: &[BTreeSet<usize>]) -> Vec<Vec<usize>> {
    struct State<'a> {
        deps: &'a [BTreeSet<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        found: Vec<Vec<usize>>,
    }
    fn visit(s: &mut State, v: usize) {
        s.index[v] = Some(s.next);
        s.low[v] = s.next;
        s.next += 1;
        s.stack.push(v);
        s.on_stack[v] = true;
        for &w in s.deps[v].iter() {
            match s.index[w] {
                None => {
                    visit(s, w);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(iw) if s.on_stack[w] => s.low[v] = s.low[v].min(iw),
                Some(_) => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            let mut component = Vec::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on_stack[w] = false;
                component.push(w);
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let n = deps.len();
    let mut s = State {
        deps,
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        next: 0,
        found: Vec::new(),
    };
    for v in 0..n {
        if s.index[v].is_none() {
            visit(&mut s, v);
        }
    }
    s.found
}

/// Functions: (name, first line, last line, whether a `// Long:` comment stands above).
fn functions(text: &str) -> Vec<(String, usize, usize, bool)> {
    let code = code_only(text);
    let code_lines: Vec<&str> = code.lines().collect();
    let text_lines: Vec<&str> = text.lines().collect();
    // Byte offset of each line start, to find braces.
    let bytes = code.as_bytes();
    let mut line_of = Vec::with_capacity(bytes.len());
    let mut line = 0;
    for &b in bytes {
        line_of.push(line);
        if b == b'\n' {
            line += 1;
        }
    }
    let fn_name = |l: &str| -> Option<String> {
        let words: Vec<&str> = l
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .collect();
        let at = words.iter().position(|w| *w == "fn")?;
        let before_ok = words[..at].iter().all(|w| {
            matches!(
                *w,
                "pub"
                    | "crate"
                    | "super"
                    | "self"
                    | "in"
                    | "const"
                    | "unsafe"
                    | "async"
                    | "extern"
                    | "C"
            )
        });
        (before_ok && at + 1 < words.len()).then(|| words[at + 1].to_string())
    };
    let mut found = Vec::new();
    let mut offset = 0;
    for (n, l) in code_lines.iter().enumerate() {
        let line_start = offset;
        offset += l.len() + 1;
        let Some(name) = fn_name(l.trim_start()) else {
            continue;
        };
        if !l.trim_start().starts_with(|c: char| c.is_alphabetic()) {
            continue;
        }
        // The body: the first `{` at depth 0 of parentheses after the signature, or none (`;`).
        let mut i = line_start;
        let mut parens = 0i32;
        let mut open = None;
        while i < bytes.len() {
            match bytes[i] {
                b'(' | b'[' => parens += 1,
                b')' | b']' => parens -= 1,
                b';' if parens == 0 => break,
                b'{' if parens == 0 => {
                    open = Some(i);
                    break;
                }
                _ => {}
            }
            i += 1;
        }
        let Some(open) = open else { continue };
        let mut depth = 0i32;
        let mut close = None;
        for (j, &b) in bytes.iter().enumerate().skip(open) {
            if b == b'{' {
                depth += 1;
            } else if b == b'}' {
                depth -= 1;
                if depth == 0 {
                    close = Some(j);
                    break;
                }
            }
        }
        let Some(close) = close else { continue };
        let first = n;
        let last = line_of[close];
        // Look above the signature, past attributes and doc comments, for the mark.
        let mut k = first;
        let mut marked = false;
        while k > 0 {
            k -= 1;
            let above = text_lines[k].trim_start();
            if above.starts_with(LONG_MARK) {
                marked = true;
                break;
            }
            if !(above.starts_with("//") || above.starts_with("#[")) {
                break;
            }
        }
        found.push((name, first + 1, last + 1, marked));
    }
    found
}

#[test]
fn no_two_files_import_each_other() {
    let files = source_files();
    let deps = dependencies(&files);
    let found = cycles(&deps);
    let described: Vec<String> = found
        .iter()
        .map(|c| {
            let names: Vec<String> = c
                .iter()
                .map(|&i| {
                    let shown: Vec<String> = deps[i]
                        .iter()
                        .filter(|j| c.contains(j))
                        .map(|&j| files[j].path.display().to_string())
                        .collect();
                    format!("{} → {}", files[i].path.display(), shown.join(", "))
                })
                .collect();
            names.join("; ")
        })
        .collect();
    assert!(
        found.is_empty(),
        "import cycles between files (move the shared type down):\n{}",
        described.join("\n")
    );
}

#[test]
fn the_checker_sees_cycles_and_skips_lineage() {
    // Two siblings naming each other form a cycle; a mod.rs and its child do not.
    let file = |path: &str, text: &str| SourceFile {
        path: PathBuf::from(path),
        module: module_of(Path::new(path)),
        text: text.to_string(),
    };
    let files = vec![
        file("lib.rs", "pub mod a; pub mod b;"),
        file("a/mod.rs", "mod x; use self::x::Y; pub struct A;"),
        file("a/x.rs", "use super::A; use crate::b::{c::{D, E as F}, G};"),
        file("b/mod.rs", "pub mod c; pub struct G;"),
        file(
            "b/c.rs",
            "pub fn f() { let s = \"crate::a::x\"; crate::a::x::Y::new(); }",
        ),
    ];
    let deps = dependencies(&files);
    assert_eq!(
        deps[2],
        BTreeSet::from([3, 4]),
        "a/x.rs names b and b/c (not its parent a)"
    );
    assert_eq!(
        deps[4],
        BTreeSet::from([2]),
        "the inline path counts, the string does not"
    );
    assert_eq!(cycles(&deps), vec![vec![2, 4]]);
    let mut acyclic = files;
    acyclic[4].text = "pub fn f() {}".into();
    assert!(cycles(&dependencies(&acyclic)).is_empty());
}

#[test]
fn no_source_file_is_over_800_lines() {
    let long: Vec<String> = source_files()
        .iter()
        .filter(|f| f.text.lines().count() > MAX_FILE_LINES)
        .map(|f| format!("{} ({} lines)", f.path.display(), f.text.lines().count()))
        .collect();
    assert!(
        long.is_empty(),
        "files over {MAX_FILE_LINES} lines (each wants to be a folder of smaller ones): {}",
        long.join(", ")
    );
}

#[test]
fn long_functions_say_why() {
    let mut long = Vec::new();
    for f in source_files() {
        for (name, first, last, marked) in functions(&f.text) {
            let lines = last - first + 1;
            if lines > MAX_FUNCTION_LINES && !marked {
                long.push(format!(
                    "{}:{first} `{name}` ({lines} lines)",
                    f.path.display()
                ));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over {MAX_FUNCTION_LINES} lines without a `{LONG_MARK} reason` comment \
         above them (split them into their phases, or say why not):\n{}",
        long.join("\n")
    );
}

#[test]
fn the_function_finder_measures_bodies() {
    let text = "/// Doc.\n// Long: a table.\nfn a() {\n    let s = \"}\";\n    if x { y }\n}\n\
                pub(crate) fn b(x: [u8; 2]) -> u8 { x[0] }\nfn c();\n";
    let found = functions(text);
    assert_eq!(
        found,
        vec![
            ("a".to_string(), 3, 6, true),
            ("b".to_string(), 7, 7, false)
        ]
    );
}
