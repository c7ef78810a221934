//! juesuan-eval: measures the auditor on real published reports (真实公开报告) against hand
//! labels (人工标注), and on copies of them with one planted error each (植入错误).
//!
//! The documents stay outside the project (`../shared/corpus/`); only their labels — facts
//! and figures, no text — are committed under `eval/corpus/`. A 错误 finding is a true
//! positive when a labelled error of the same scope stands on the same page with the same
//! stated figure (normalised); every other 错误 finding is a false one. A labelled error is
//! recalled when some 错误 finding matches it.

use juesuan_audit::{Audit, Check, Kind, Outcome};
use serde::Deserialize;

/// One label file: the hand-found errors of one document.
#[derive(Debug, Clone, Deserialize)]
pub struct Labels {
    /// The document's path under the corpus directory.
    pub document: String,
    /// narrative | tables | narrative+tables
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub error: Vec<LabelledError>,
    #[serde(default)]
    pub tail_adjustment: Vec<TailAdjustment>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LabelledError {
    /// narrative | text-vs-table | table
    pub scope: String,
    pub page: usize,
    pub kind: String,
    #[serde(default)]
    pub subject: String,
    /// The figure as printed ("12.34%", "48.20万元"), or the printed words for template
    /// residue, where "…" stands for any text.
    pub stated: String,
    #[serde(default)]
    pub expected: String,
}

/// 尾差调整: a share forced so that a list adds to 100%. Reported as 尾差提示 it is right;
/// as 错误 it is a false finding.
#[derive(Debug, Clone, Deserialize)]
pub struct TailAdjustment {
    pub page: usize,
    pub stated: String,
}

/// Which part of a report a finding or a label is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// 文字说明 (issue #11)
    Narrative,
    /// 正文与表格
    TextVsTable,
    /// 表内计算
    Table,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Narrative, Scope::TextVsTable, Scope::Table];

    pub fn parse(s: &str) -> Scope {
        match s.trim() {
            "text-vs-table" => Scope::TextVsTable,
            "table" | "tables" => Scope::Table,
            _ => Scope::Narrative,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Scope::Narrative => "narrative",
            Scope::TextVsTable => "text-vs-table",
            Scope::Table => "table",
        }
    }

    /// The scope of a finding: a comparison with a table, a table row (cells kept
    /// tab-separated by the readers), or the narrative.
    pub fn of(c: &Check) -> Scope {
        if c.kind == Kind::TextAgainstTable {
            Scope::TextVsTable
        } else if is_table_check(c)
            || c.kind == Kind::TableRule
            || c.quote.contains('\t')
            || c.quote.trim_start().starts_with('|')
        {
            Scope::Table
        } else {
            Scope::Narrative
        }
    }
}

/// A printed figure reduced to what identifies it: no spaces, no thousands separators,
/// half-width, and no money unit ("10,528.33万元" and "10528.33" are the same figure; a
/// percent keeps its "%").
pub fn normalise(stated: &str) -> String {
    let s: String = juesuan_audit::normalize(stated)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, ',' | '，'))
        .collect();
    for unit in ["亿元", "万元", "元"] {
        if let Some(n) = s.strip_suffix(unit) {
            if is_figure(n) {
                return n.to_string();
            }
        }
    }
    s
}

fn is_figure(s: &str) -> bool {
    let s = s.strip_suffix('%').unwrap_or(s);
    let s = s.strip_prefix('-').unwrap_or(s);
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// Whether a finding's stated value names the labelled one. Figures compare equal after
/// normalising; printed words (template residue) match when the finding's words hold every
/// piece of the label between its "…", in order, or the label holds the finding's words.
pub fn stated_matches(label: &str, finding: &str) -> bool {
    let (l, f) = (normalise(label), normalise(finding));
    if l.is_empty() || f.is_empty() {
        return false;
    }
    if is_figure(&l) || is_figure(&f) {
        return l == f;
    }
    if l.contains(&f) {
        return true;
    }
    let mut rest = f.as_str();
    for piece in l.split('…').filter(|p| !p.is_empty()) {
        match rest.find(piece) {
            Some(i) => rest = &rest[i + piece.len()..],
            None => return false,
        }
    }
    true
}

/// Counts for one scope of one document (or of all).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// 错误 findings that match a labelled error.
    pub true_pos: usize,
    /// 错误 findings that match none.
    pub false_pos: usize,
    /// Labelled errors some finding matches.
    pub recalled: usize,
    /// Labelled errors.
    pub labelled: usize,
}

impl Tally {
    pub fn add(&mut self, o: &Tally) {
        self.true_pos += o.true_pos;
        self.false_pos += o.false_pos;
        self.recalled += o.recalled;
        self.labelled += o.labelled;
    }

    /// Precision as (numerator, denominator); no finding at all is a precision of 1.
    pub fn precision(&self) -> (usize, usize) {
        match self.true_pos + self.false_pos {
            0 => (1, 1),
            n => (self.true_pos, n),
        }
    }

    /// Recall as (numerator, denominator); nothing labelled is a recall of 1.
    pub fn recall(&self) -> (usize, usize) {
        match self.labelled {
            0 => (1, 1),
            n => (self.recalled, n),
        }
    }
}

/// One document's result.
#[derive(Debug, Clone)]
pub struct DocResult {
    pub document: String,
    pub tallies: [Tally; 3],
    /// Tail adjustments reported as 尾差提示 / of those labelled.
    pub tails_noted: usize,
    pub tails: usize,
    /// False 错误 findings, for reading (page, kind, stated).
    pub false_findings: Vec<(Option<usize>, Kind, String)>,
    /// Labelled errors nothing matched (page, kind, stated).
    pub missed: Vec<(usize, String, String)>,
    pub verdict: String,
    /// Table checks (表内、表间): passed and failed; tables recognised and rows read.
    pub table_checks: (usize, usize),
    /// Of those, the checks between tables: the same amount (表间相等) and the same code and
    /// name (编码与名称), passed and failed.
    pub equal_checks: (usize, usize),
    pub name_checks: (usize, usize),
    pub tables: usize,
    pub table_rows: usize,
    /// Titles followed by a unit or header under which no row could be read.
    pub unread_tables: usize,
    /// The template set the tables were mapped onto, and each mapped table (printed title,
    /// template title); titles of no template.
    pub template_set: Option<String>,
    pub matched: Vec<(String, String)>,
    pub unmatched: Vec<String>,
    /// Rule checks (审核公式) at cells, of those failed, and rules that could not run.
    pub rules: (usize, usize, usize),
}

/// Whether a check is one of the table checks (src/tables of the auditor).
pub fn is_table_check(c: &Check) -> bool {
    c.kind.is_table_structure()
}

/// Passed and failed checks of one kind.
fn tally(audit: &Audit, kind: Kind) -> (usize, usize) {
    let n = |o: Outcome| {
        audit
            .checks
            .iter()
            .filter(|c| c.kind == kind && c.outcome == o)
            .count()
    };
    (n(Outcome::Pass), n(Outcome::Fail))
}

/// The figures a check read, as printed in the audited text.
fn figures_read(c: &Check, lines: &[&str]) -> Vec<String> {
    c.figures
        .iter()
        .filter_map(|p| {
            let line = lines.get(p.line.checked_sub(1)?)?;
            Some(
                line.chars()
                    .skip(p.start)
                    .take(p.end.saturating_sub(p.start))
                    .collect(),
            )
        })
        .collect()
}

/// Match an audit's 错误 findings to a document's labels. Each finding matches at most one
/// label and each label at most one finding, so two equal figures on a page need two finds.
/// A finding matches a label on its stated figure; failing that, on a figure it read and
/// names in its message (a rate that fails because the change amount before it is wrong
/// points at that amount: "增减392.92万元，上年…，增减率应为…").
pub fn evaluate(labels: &Labels, audit: &Audit, text: &str) -> DocResult {
    let normalised = juesuan_audit::normalize(text);
    let lines: Vec<&str> = normalised.lines().collect();
    let mut tallies = [Tally::default(); 3];
    let mut used = vec![false; labels.error.len()];
    let mut false_findings = Vec::new();
    for c in audit.failures() {
        let scope = Scope::of(c);
        let slot = &mut tallies[scope as usize];
        let candidate = |i: usize, l: &LabelledError| {
            !used[i] && Scope::parse(&l.scope) == scope && Some(l.page) == c.page
        };
        let read = figures_read(c, &lines);
        let hit = labels
            .error
            .iter()
            .enumerate()
            .position(|(i, l)| candidate(i, l) && stated_matches(&l.stated, &c.stated))
            .or_else(|| {
                labels.error.iter().enumerate().position(|(i, l)| {
                    candidate(i, l)
                        && is_figure(&normalise(&l.stated))
                        && read.iter().any(|f| stated_matches(&l.stated, f))
                        && c.message.contains(&normalise(&l.stated))
                })
            });
        match hit {
            Some(i) => {
                used[i] = true;
                slot.true_pos += 1;
            }
            None => {
                slot.false_pos += 1;
                false_findings.push((c.page, c.kind, c.stated.clone()));
            }
        }
    }
    let mut missed = Vec::new();
    for (l, u) in labels.error.iter().zip(&used) {
        let slot = &mut tallies[Scope::parse(&l.scope) as usize];
        slot.labelled += 1;
        if *u {
            slot.recalled += 1;
        } else {
            missed.push((l.page, l.kind.clone(), l.stated.clone()));
        }
    }
    let tails_noted = labels
        .tail_adjustment
        .iter()
        .filter(|t| {
            audit.checks.iter().any(|c| {
                c.outcome == Outcome::RoundingNote
                    && c.page == Some(t.page)
                    && stated_matches(&t.stated, &c.stated)
            })
        })
        .count();
    DocResult {
        document: labels.document.clone(),
        tallies,
        tails_noted,
        tails: labels.tail_adjustment.len(),
        false_findings,
        missed,
        verdict: juesuan_audit::verdict(audit).to_string(),
        table_checks: (
            audit
                .checks
                .iter()
                .filter(|c| is_table_check(c) && c.outcome == Outcome::Pass)
                .count(),
            audit
                .checks
                .iter()
                .filter(|c| is_table_check(c) && c.outcome == Outcome::Fail)
                .count(),
        ),
        equal_checks: tally(audit, Kind::TableEqual),
        name_checks: tally(audit, Kind::TableCodeName),
        tables: audit.coverage.tables.tables,
        table_rows: audit.coverage.tables.rows,
        unread_tables: audit.coverage.tables.unrecognised.len(),
        template_set: audit.coverage.tables.template_set.clone(),
        matched: audit.coverage.tables.matched.clone(),
        unmatched: audit.coverage.tables.unmatched.clone(),
        rules: (
            audit.coverage.tables.rule_checks,
            audit.coverage.tables.rule_failures,
            audit.coverage.tables.rules_unevaluated,
        ),
    }
}

/// A threshold read from eval/goals.toml as a decimal string ("0.95"), compared exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Threshold {
    num: u64,
    den: u64,
}

impl Threshold {
    pub fn parse(s: &str) -> Option<Threshold> {
        let s = s.trim();
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        if int.is_empty() && frac.is_empty()
            || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit())
            || frac.len() > 9
        {
            return None;
        }
        let den = 10u64.pow(frac.len() as u32);
        let num = format!("{int}{frac}").parse::<u64>().ok()?;
        (num <= den).then_some(Threshold { num, den })
    }

    /// Whether n/d ≥ this threshold, in integers.
    pub fn met_by(self, (n, d): (usize, usize)) -> bool {
        (n as u128) * (self.den as u128) >= (self.num as u128) * (d as u128)
    }
}

impl std::fmt::Display for Threshold {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}%", percent(self.num as usize, self.den as usize))
    }
}

/// n/d as a percentage with one decimal, rounded half up, in integers.
pub fn percent(n: usize, d: usize) -> String {
    if d == 0 {
        return "—".into();
    }
    let tenths = (n as u128 * 2000 + d as u128) / (2 * d as u128);
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// One planted error: a digit of a figure some passing check read, changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plant {
    pub line: usize,
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// Plant one error per figure that a passing check of the clean text reads (so the text's
/// own arithmetic can reveal it): the figure's first significant digit goes up by one (9 → 8),
/// keeping its length so every other place stays put. Returns the changed copies.
pub fn plants(text: &str, clean: &Audit) -> Vec<Plant> {
    let normalised = juesuan_audit::normalize(text);
    let lines: Vec<&str> = normalised.lines().collect();
    let mut places: Vec<(usize, usize, usize)> = clean
        .checks
        .iter()
        .filter(|c| c.outcome == Outcome::Pass)
        .flat_map(|c| c.figures.iter().map(|p| (p.line, p.start, p.end)))
        .collect();
    places.sort_unstable();
    places.dedup();
    let mut out = Vec::new();
    for (line, start, end) in places {
        let Some(l) = line.checked_sub(1).and_then(|i| lines.get(i)) else {
            continue;
        };
        let chars: Vec<char> = l.chars().collect();
        if end > chars.len() || start >= end {
            continue;
        }
        let Some(k) = (start..end).find(|&i| matches!(chars[i], '1'..='9')) else {
            continue;
        };
        let mut changed = chars.clone();
        changed[k] = if chars[k] == '9' {
            '8'
        } else {
            char::from(chars[k] as u8 + 1)
        };
        let mut copy: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
        copy[line - 1] = changed.into_iter().collect();
        out.push(Plant {
            line,
            start,
            end,
            text: copy.join("\n"),
        });
    }
    out
}

/// Whether an audit of a planted copy names the planted figure in a 错误 finding.
pub fn caught(p: &Plant, audit: &Audit) -> bool {
    audit.failures().any(|c| {
        c.figures
            .iter()
            .any(|f| f.line == p.line && f.start < p.end && p.start < f.end)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_normalise_across_units_separators_and_spaces() {
        assert_eq!(normalise("10,528.33万元"), "10528.33");
        assert_eq!(normalise(" 48.20 万元"), "48.20");
        assert_eq!(normalise("８.７５％"), "8.75%");
        assert!(stated_matches("10528.33万元", "10,528.33"));
        assert!(!stated_matches("8.75%", "8.76%"));
        // A percent and an amount with the same digits are different figures.
        assert!(!stated_matches("8.75%", "8.75"));
    }

    #[test]
    fn printed_words_match_by_their_pieces() {
        assert!(stated_matches(
            "增加（减少）0万元，增长（减少）0%",
            "增加（减少）"
        ));
        assert!(stated_matches(
            "（按…06表…填写）",
            "（按某某06表中事项填写）"
        ));
        assert!(!stated_matches(
            "（按…06表…填写）",
            "（按某某08表中事项填写）"
        ));
        assert!(!stated_matches("增加（减少）0万元", ""));
    }

    #[test]
    fn thresholds_compare_exactly() {
        let t = Threshold::parse("0.95").unwrap();
        assert!(t.met_by((19, 20)));
        assert!(!t.met_by((18, 20)));
        assert!(Threshold::parse("1").unwrap().met_by((3, 3)));
        assert!(Threshold::parse("1.5").is_none());
        assert!(Threshold::parse("x").is_none());
        assert_eq!(percent(1, 3), "33.3");
        assert_eq!(percent(2, 3), "66.7");
    }

    fn labels(errors: &[(&str, usize, &str)]) -> Labels {
        Labels {
            document: "d.pdf".into(),
            content: "narrative".into(),
            error: errors
                .iter()
                .map(|(scope, page, stated)| LabelledError {
                    scope: scope.to_string(),
                    page: *page,
                    kind: "share".into(),
                    subject: String::new(),
                    stated: stated.to_string(),
                    expected: String::new(),
                })
                .collect(),
            tail_adjustment: Vec::new(),
        }
    }

    #[test]
    fn findings_match_labels_one_to_one_by_page_scope_and_figure() {
        // Page 1: 5.00 of 40.00 is 12.50%, printed 13.50%; page 2 has a correct share.
        let text = "甲项10.00万元，其中：乙5.00万元，占13.50%。\n\u{c}丙项20.00万元，其中：丁4.00万元，占20.00%。\n";
        let audit = juesuan_audit::audit(text);
        assert_eq!(audit.failures().count(), 1, "{:?}", audit.checks);
        let r = evaluate(&labels(&[("narrative", 1, "13.50%")]), &audit, text);
        assert_eq!(
            r.tallies[0],
            Tally {
                true_pos: 1,
                false_pos: 0,
                recalled: 1,
                labelled: 1
            }
        );
        // The same figure labelled on another page, or in another scope, is not matched.
        for l in [("narrative", 2, "13.50%"), ("table", 1, "13.50%")] {
            let r = evaluate(&labels(&[l]), &audit, text);
            assert_eq!(r.tallies[0].false_pos, 1);
            assert_eq!(r.missed.len(), 1);
        }
    }

    #[test]
    fn a_planted_digit_keeps_the_length_and_is_caught() {
        let text = "甲项10.00万元，其中：乙5.00万元，占50.00%。\n";
        let clean = juesuan_audit::audit(text);
        assert_eq!(clean.failures().count(), 0);
        let ps = plants(text, &clean);
        assert!(!ps.is_empty());
        for p in &ps {
            assert_eq!(p.text.chars().count(), text.trim_end().chars().count());
            assert!(caught(p, &juesuan_audit::audit(&p.text)), "{}", p.text);
        }
    }
}
