//! Guard for issue #13: no function outside tests is longer than [`LIMIT`] lines.
//!
//! Scans every `crates/*/src/**/*.rs`, skips items marked `#[cfg(test)]`, and measures each
//! `fn` from the line of its `fn` keyword to the line of its closing brace, matching braces
//! outside string and character literals and comments. Functions still over the limit are
//! listed in `scripts/long-functions.allow` (`<file> <function>` per line); the list may only
//! shrink: a listed function that is now short enough fails the test until it is removed.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The longest a function may be, in lines, signature and closing brace included.
const LIMIT: usize = 120;

/// A function found by the scan: its file (relative to the workspace), name and length.
#[derive(Debug)]
struct Function {
    file: String,
    name: String,
    lines: usize,
}

#[test]
fn no_function_outside_tests_exceeds_the_limit() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let allow_path = root.join("scripts/long-functions.allow");
    let allow_text = fs::read_to_string(&allow_path).expect("scripts/long-functions.allow");
    let allowed = parse_allow_list(&allow_text);

    let mut long: BTreeMap<(String, String), usize> = BTreeMap::new();
    for file in source_files(&root.join("crates")) {
        let text = fs::read_to_string(&file).expect("read source file");
        let relative = file
            .strip_prefix(&root)
            .expect("file under the workspace")
            .to_string_lossy()
            .replace('\\', "/");
        for function in functions(&relative, &text) {
            if function.lines > LIMIT {
                let key = (function.file, function.name);
                let entry = long.entry(key).or_default();
                *entry = (*entry).max(function.lines);
            }
        }
    }

    let mut problems = Vec::new();
    for ((file, name), lines) in &long {
        if !allowed.contains(&(file.clone(), name.clone())) {
            problems.push(format!(
                "{file} {name}: {lines} lines (limit {LIMIT}); split it by concern"
            ));
        }
    }
    for (file, name) in &allowed {
        if !long.contains_key(&(file.clone(), name.clone())) {
            problems.push(format!(
                "{file} {name}: listed in scripts/long-functions.allow but no longer over \
                 {LIMIT} lines (or gone); remove it from the list"
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

/// Reads `<file> <function>` pairs, ignoring blank lines and `#` comments.
fn parse_allow_list(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter(|line| !line.is_empty())
        .map(|line| {
            let mut words = line.split_whitespace();
            let file = words.next().expect("file").to_string();
            let name = words
                .next()
                .expect("function name after the file")
                .to_string();
            (file, name)
        })
        .collect()
}

/// Every `.rs` file under `crates/*/src`, in a stable order.
fn source_files(crates: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut crate_dirs: Vec<PathBuf> = fs::read_dir(crates)
        .expect("crates/")
        .map(|entry| entry.expect("crate entry").path())
        .collect();
    crate_dirs.sort();
    for dir in crate_dirs {
        collect_rs(&dir.join("src"), &mut files);
    }
    files.sort();
    files
}

/// Adds the `.rs` files under `dir` (recursively) to `files`; a missing `dir` adds nothing.
fn collect_rs(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            collect_rs(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
}

/// The functions of one file outside `#[cfg(test)]` items, with their lengths.
fn functions(file: &str, text: &str) -> Vec<Function> {
    let code = blank_literals_and_comments(text);
    let bytes = code.as_bytes();
    let line_of = |at: usize| bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
    let mut found = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if code[at..].starts_with("#[cfg(test)]") {
            at = skip_item(bytes, at + "#[cfg(test)]".len());
            continue;
        }
        if is_word_at(bytes, at, b"fn") {
            let mut name_start = at + 2;
            while name_start < bytes.len() && bytes[name_start].is_ascii_whitespace() {
                name_start += 1;
            }
            let mut name_end = name_start;
            while name_end < bytes.len() && is_ident(bytes[name_end]) {
                name_end += 1;
            }
            // `fn(` is a function pointer type, not a definition.
            if name_end > name_start && name_end > at + 2 && name_start > at + 2 {
                if let Some(close) = body_end(bytes, name_end) {
                    found.push(Function {
                        file: file.to_string(),
                        name: code[name_start..name_end].to_string(),
                        lines: line_of(close) - line_of(at) + 1,
                    });
                }
            }
            at = name_end.max(at + 2);
            continue;
        }
        at += 1;
    }
    found
}

/// Whether the identifier `word` stands alone at `at`.
fn is_word_at(bytes: &[u8], at: usize, word: &[u8]) -> bool {
    bytes[at..].starts_with(word)
        && (at == 0 || !is_ident(bytes[at - 1]))
        && bytes.get(at + word.len()).is_none_or(|&b| !is_ident(b))
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The closing brace of the body of a function whose signature starts at `from`, or `None`
/// for a declaration without a body (`fn f();` in a trait). A `;` inside `()` or `[]`
/// (an array type) does not end the signature.
fn body_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (offset, &b) in bytes[from..].iter().enumerate() {
        match b {
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth = depth.saturating_sub(1),
            b';' if depth == 0 => return None,
            b'{' if depth == 0 => return Some(matching_brace(bytes, from + offset)),
            _ => {}
        }
    }
    None
}

/// The index of the brace closing the one at `open` (the end of the text if unbalanced).
fn matching_brace(bytes: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    for (offset, &b) in bytes[open..].iter().enumerate() {
        match b {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return open + offset;
                }
            }
            _ => {}
        }
    }
    bytes.len() - 1
}

/// The position after the item following an attribute at `from`: after its braced body, or
/// after its `;` when it has none (`#[cfg(test)] use …;`).
fn skip_item(bytes: &[u8], from: usize) -> usize {
    let mut depth = 0usize;
    for (offset, &b) in bytes[from..].iter().enumerate() {
        match b {
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth = depth.saturating_sub(1),
            b';' if depth == 0 => return from + offset + 1,
            b'{' if depth == 0 => return matching_brace(bytes, from + offset) + 1,
            _ => {}
        }
    }
    bytes.len()
}

/// The text with the insides of comments and of string, byte-string, raw-string and
/// character literals replaced by spaces (newlines kept), so that braces in them are not
/// counted. Lifetimes (`'a`) are left alone.
fn blank_literals_and_comments(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if let Some(hashes) = raw_string_start(&chars, i) {
            // r"…", r#"…"#, br#"…"#: no escapes; ends at `"` followed by the same hashes.
            let open = i + usize::from(c == 'b') + 1 + hashes + 1;
            out.extend(std::iter::repeat_n(' ', open - i));
            i = open;
            while i < chars.len() {
                if chars[i] == '"' && (1..=hashes).all(|k| chars.get(i + k) == Some(&'#')) {
                    out.extend(std::iter::repeat_n(' ', hashes + 1));
                    i += hashes + 1;
                    break;
                }
                out.push(blank(chars[i]));
                i += 1;
            }
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < chars.len() {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' && char_literal_len(&chars, i).is_some() {
            let len = char_literal_len(&chars, i).unwrap_or(1);
            out.extend(std::iter::repeat_n(' ', len));
            i += len;
        } else {
            // Identifiers ending in `r` or `b` (`for`, `sub`) must not start a raw string.
            if is_ident_char(c) {
                while i < chars.len() && is_ident_char(chars[i]) {
                    out.push(chars[i]);
                    i += 1;
                }
                continue;
            }
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The number of `#` of a raw string literal starting at `i` (`r"`, `r#"`, `br#"`).
fn raw_string_start(chars: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    if chars.get(j) == Some(&'b') {
        j += 1;
    }
    if chars.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let mut hashes = 0;
    while chars.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    (chars.get(j) == Some(&'"')).then_some(hashes)
}

/// The length of a character literal at `i` (`'x'`, `'\n'`, `'\u{4e00}'`), or `None` when
/// the quote starts a lifetime or label.
fn char_literal_len(chars: &[char], i: usize) -> Option<usize> {
    match chars.get(i + 1)? {
        '\\' => {
            let close = (i + 3..chars.len().min(i + 14)).find(|&j| chars[j] == '\'')?;
            Some(close - i + 1)
        }
        _ => (chars.get(i + 2) == Some(&'\'')).then_some(3),
    }
}

#[test]
fn the_scanner_skips_literals_comments_and_tests() {
    let text = "fn a() {\n    let s = \"}\";\n    let c = '}';\n    // }\n    /* } */\n    let r = r#\"}\"#;\n}\n\
                fn b<'x>(v: &'x [u8; 2]) -> usize {\n    v.len()\n}\n\
                #[cfg(test)]\nmod tests {\n    fn hidden() {}\n}\n\
                trait T { fn declared(); }\n";
    let found = functions("f.rs", text);
    let summary: Vec<(&str, usize)> = found.iter().map(|f| (f.name.as_str(), f.lines)).collect();
    assert_eq!(summary, vec![("a", 7), ("b", 3)]);
}
