//! Size limits of an input file (输入规模上限, E006), checked before the input is read so
//! that one file cannot make a reader, a report or a PDF take unbounded memory or time.
//! Every front end (CLI, `juesuan db import`, the web app) reads inputs through
//! [`crate::input::parse_input`], which applies these limits first. Documented in
//! docs/input-format.md §9; each limit is far above a real unit's file (the example is
//! 105 KB, 2,196 lines, its longest text 712 characters).

use crate::error::{ErrorCode, InputError};
use crate::facts::Location;
use crate::input::location_of;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// The limits (上限) of one input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputLimits {
    /// Bytes of the whole file (文件大小).
    pub max_bytes: usize,
    /// Lines of the file (行数).
    pub max_lines: usize,
    /// Characters of one text value (单个文字字段).
    pub max_text_chars: usize,
    /// Characters of all text values together (全部文字).
    pub max_total_text_chars: usize,
    /// Keys of one table or elements of one array (一节的行数).
    pub max_entries: usize,
    /// Values in the whole file (单元格总数).
    pub max_values: usize,
    /// Tables, including each `[[…]]` entry (节数).
    pub max_sections: usize,
    /// Nesting of tables and arrays (嵌套层数).
    pub max_depth: usize,
}

/// The limits every front end applies.
pub const LIMITS: InputLimits = InputLimits {
    max_bytes: 4 * 1024 * 1024,
    max_lines: 50_000,
    max_text_chars: 20_000,
    max_total_text_chars: 300_000,
    max_entries: 20_000,
    max_values: 200_000,
    max_sections: 10_000,
    max_depth: 8,
};

const HINT: &str = "输入文件超出规模上限（见 docs/input-format.md 第9节）：请删去多余内容；文字请精简到情况说明所需，过长的材料不宜放进决算公开。";

/// The parsed document [`check_parsed`] walks (the one parse of an input, shared with the
/// reader).
pub type Document<'i> = Spanned<DeTable<'i>>;

/// E006 for each limit the text exceeds (one error per limit, naming the first place and how
/// many more exceed it); empty when within every limit or when the text is not TOML (the
/// strict parse reports that).
pub fn check_limits(text: &str, origin: &str, limits: &InputLimits) -> Vec<InputError> {
    let raw = check_raw(text, origin, limits);
    if !raw.is_empty() {
        return raw;
    }
    match DeTable::parse(text) {
        Ok(doc) => check_parsed(&doc, text, origin, limits),
        Err(_) => Vec::new(),
    }
}

fn too_large(origin: &str, location: Option<Location>, message: String) -> InputError {
    InputError {
        code: ErrorCode::InputTooLarge,
        file: origin.to_string(),
        location,
        message,
        hint: HINT.to_string(),
    }
}

/// The limits on the raw text (bytes, lines), checked before it is parsed at all.
pub fn check_raw(text: &str, origin: &str, limits: &InputLimits) -> Vec<InputError> {
    if text.len() > limits.max_bytes {
        return vec![too_large(
            origin,
            None,
            format!(
                "文件有{}字节，超过上限{}字节（{} MB）",
                text.len(),
                limits.max_bytes,
                limits.max_bytes / (1024 * 1024)
            ),
        )];
    }
    let lines = text.lines().count();
    if lines > limits.max_lines {
        return vec![too_large(
            origin,
            None,
            format!("文件有{lines}行，超过上限{}行", limits.max_lines),
        )];
    }
    Vec::new()
}

/// The limits on the parsed document: each text, each table's or array's entries, nesting,
/// and the totals of values, tables and text.
pub fn check_parsed(
    doc: &Document<'_>,
    text: &str,
    origin: &str,
    limits: &InputLimits,
) -> Vec<InputError> {
    let mut walk = Walk {
        limits,
        found: Default::default(),
        values: 0,
        sections: 0,
        text_chars: 0,
        path: Vec::new(),
    };
    walk.table(doc.get_ref(), 0, Some(doc.span()));
    let mut out = Vec::new();
    for hit in walk.found.iter().flatten() {
        let location = hit.span.clone().map(|s| location_of(text, s.start));
        let more = if hit.count > 1 {
            format!("（另有{}处超过同一上限）", hit.count - 1)
        } else {
            String::new()
        };
        out.push(too_large(
            origin,
            location,
            format!("{}{more}", hit.message),
        ));
    }
    if walk.values > limits.max_values {
        out.push(too_large(
            origin,
            None,
            format!(
                "文件共有{}个值，超过上限{}个",
                walk.values, limits.max_values
            ),
        ));
    }
    if walk.sections > limits.max_sections {
        out.push(too_large(
            origin,
            None,
            format!(
                "文件共有{}节（表），超过上限{}节",
                walk.sections, limits.max_sections
            ),
        ));
    }
    if walk.text_chars > limits.max_total_text_chars {
        out.push(too_large(
            origin,
            None,
            format!(
                "全部文字共{}个字符，超过上限{}个字符",
                walk.text_chars, limits.max_total_text_chars
            ),
        ));
    }
    out
}

/// The first place one limit is exceeded, and how many places exceed it.
struct Hit {
    span: Option<std::ops::Range<usize>>,
    message: String,
    count: usize,
}

/// Kinds of per-place limits, the index into `Walk::found`.
const TEXT: usize = 0;
const ENTRIES: usize = 1;
const DEPTH: usize = 2;

/// One step of the path to a value: a key, or the 1-based position in an array.
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

struct Walk<'l, 'a> {
    limits: &'l InputLimits,
    found: [Option<Hit>; 3],
    values: usize,
    sections: usize,
    text_chars: usize,
    /// Where the walk is; written out only for a message (most files have none).
    path: Vec<Step<'a>>,
}

impl<'a> Walk<'_, 'a> {
    /// The path as the messages name it: `unit.intro`, `evaluation.projects[2]`.
    fn path(&self) -> String {
        let mut out = String::new();
        for step in &self.path {
            match step {
                Step::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Step::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }

    fn hit(
        &mut self,
        kind: usize,
        span: Option<std::ops::Range<usize>>,
        message: impl FnOnce(&Self) -> String,
    ) {
        match &mut self.found[kind] {
            Some(h) => h.count += 1,
            None => {
                let message = message(self);
                self.found[kind] = Some(Hit {
                    span,
                    message,
                    count: 1,
                })
            }
        }
    }

    /// Depth beyond the limit is reported once for that branch, which is not walked further.
    fn deeper(&mut self, depth: usize, span: Option<std::ops::Range<usize>>) -> bool {
        if depth > self.limits.max_depth {
            let max = self.limits.max_depth;
            self.hit(DEPTH, span, |w| {
                format!("“{}”嵌套{depth}层，超过上限{max}层", w.path())
            });
            return false;
        }
        true
    }

    fn entries(&mut self, n: usize, span: Option<std::ops::Range<usize>>) {
        if n > self.limits.max_entries {
            let max = self.limits.max_entries;
            self.hit(ENTRIES, span, |w| {
                let path = w.path();
                let name = if path.is_empty() {
                    "文件顶层".to_string()
                } else {
                    path
                };
                format!("“{name}”有{n}项，超过一节的上限{max}项")
            });
        }
    }

    fn table(&mut self, t: &'a DeTable<'a>, depth: usize, span: Option<std::ops::Range<usize>>) {
        self.sections += 1;
        if !self.deeper(depth, span.clone()) {
            return;
        }
        self.entries(t.len(), span);
        for (key, v) in t.iter() {
            self.path.push(Step::Key(key.get_ref()));
            self.value(v, depth + 1, Some(key.span()));
            self.path.pop();
        }
    }

    /// A value; `at` is where its key is, for values without a span of their own.
    fn value(
        &mut self,
        v: &'a Spanned<DeValue<'a>>,
        depth: usize,
        at: Option<std::ops::Range<usize>>,
    ) {
        let span = Some(v.span()).filter(|s| !s.is_empty()).or(at);
        match v.get_ref() {
            // A table (a [section], a [[…]] entry or an inline table) is a section, not a value.
            DeValue::Table(t) => self.table(t, depth, span),
            DeValue::Array(a) => {
                // An array of tables ([[…]]) is a list of sections, not a value itself.
                let of_tables =
                    !a.is_empty() && a.iter().all(|x| matches!(x.get_ref(), DeValue::Table(_)));
                if of_tables {
                    self.entries(a.len(), span.clone());
                } else {
                    self.values += 1;
                    if !self.deeper(depth, span.clone()) {
                        return;
                    }
                    self.entries(a.len(), span.clone());
                }
                for (i, x) in a.iter().enumerate() {
                    self.path.push(Step::Index(i + 1));
                    self.value(x, depth + 1, span.clone());
                    self.path.pop();
                }
            }
            DeValue::String(s) => {
                self.values += 1;
                let n = s.chars().count();
                self.text_chars += n;
                if n > self.limits.max_text_chars {
                    let max = self.limits.max_text_chars;
                    self.hit(TEXT, span, |w| {
                        format!(
                            "文字“{}”有{n}个字符，超过单个字段的上限{max}个字符",
                            w.path()
                        )
                    });
                }
            }
            _ => self.values += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../../../examples/liangshan-kexie-2021/input.toml");

    #[test]
    fn the_example_is_far_within_every_limit() {
        assert!(check_limits(EXAMPLE, "input.toml", &LIMITS).is_empty());
        // …and within limits a tenth as large.
        let tenth = InputLimits {
            max_bytes: LIMITS.max_bytes / 10,
            max_lines: LIMITS.max_lines / 10,
            max_text_chars: LIMITS.max_text_chars / 10,
            max_total_text_chars: LIMITS.max_total_text_chars / 10,
            max_entries: LIMITS.max_entries / 10,
            max_values: LIMITS.max_values / 10,
            max_sections: LIMITS.max_sections / 10,
            max_depth: LIMITS.max_depth,
        };
        assert!(check_limits(EXAMPLE, "input.toml", &tenth).is_empty());
    }

    #[test]
    fn a_long_text_field_is_refused_at_its_line() {
        let long = "长".repeat(LIMITS.max_text_chars + 1);
        let text =
            format!("year = 2021\n[unit]\nname = \"x\"\nintro = \"{long}\"\nother = \"{long}\"\n");
        let e = check_limits(&text, "a.toml", &LIMITS);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].code.code(), "E006");
        assert_eq!(e[0].location.map(|l| l.line), Some(4));
        assert!(e[0].message.contains("unit.intro"), "{}", e[0].message);
        assert!(e[0].message.contains("另有1处"), "{}", e[0].message);
        // One character fewer passes.
        let ok = "长".repeat(LIMITS.max_text_chars);
        let text = format!("[unit]\nintro = \"{ok}\"\n");
        assert!(check_limits(&text, "a.toml", &LIMITS).is_empty());
    }

    #[test]
    fn bytes_lines_entries_values_sections_and_depth_are_each_limited() {
        let small = InputLimits {
            max_bytes: 1000,
            max_lines: 20,
            max_text_chars: 100,
            max_total_text_chars: 150,
            max_entries: 3,
            max_values: 6,
            max_sections: 3,
            max_depth: 3,
        };
        let first = |t: &str| {
            check_limits(t, "a.toml", &small)
                .into_iter()
                .map(|e| e.message)
                .collect::<Vec<_>>()
        };
        assert!(first(&"#\n".repeat(600))[0].contains("字节"));
        assert!(first(&"#\n".repeat(21))[0].contains("21行"));
        assert!(first("[a]\nx=1\ny=2\nz=3\nw=4\n")[0].contains("“a”有4项"));
        assert!(first("a=[1,2]\nb=[3,4]\nc=5\n")[0].contains("7个值"));
        assert!(first("[a]\n[b]\n[c]\n")[0].contains("4节"));
        assert!(first("a=[[[[1]]]]\n")[0].contains("嵌套4层"));
        let t = format!("a=\"{}\"\nb=\"{}\"\n", "x".repeat(80), "y".repeat(80));
        assert!(first(&t)[0].contains("160个字符"));
        assert!(first("a=[[[1]]]\n[b]\nx=1\n").is_empty());
        // Not TOML: left to the strict parse.
        assert!(first("a = = 1\n").is_empty());
    }
}
