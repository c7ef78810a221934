//! 目录所列的表 (issue #12, structure checks): every table a document's contents names is
//! printed in it. A table counts as printed when its title stands on a line of its own
//! outside the contents, whether or not its rows could be read; a document that prints none
//! of the tables it lists publishes them elsewhere (a separate 公开表 file), which is said,
//! not reported as so many missing tables.

use super::recognise::title_of;
use crate::model::{Check, Kind, Outcome};

/// The table titles a contents line names: "一、收支预算总表", several glued by the reader
/// ("十一、…支出预算表十二、政府采购支出预算表"), dot leaders and page numbers aside.
/// `None` when the line is anything else.
fn entries(line: &str) -> Option<Vec<String>> {
    // A contents line opens with an enumerator and ends with a title or a page number:
    // most lines do neither, and are passed over before any allocation.
    let trimmed = line.trim_matches(|c: char| c.is_whitespace() || c == '\u{c}');
    let opens = trimmed.starts_with(|c: char| {
        c.is_ascii_digit() || c == '（' || "一二三四五六七八九十".contains(c)
    });
    let ends =
        trimmed.ends_with(|c: char| c == '表' || c == '）' || c == ')' || c.is_ascii_digit());
    if !opens || !ends {
        return None;
    }
    let t: String = line
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{c}')
        .collect();
    let t = lazy_regex!(r"[.…·．]*\d*$").replace(&t, "");
    let enumerator =
        lazy_regex!(r"(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十\d]+）|\d+[.、．])");
    let starts: Vec<usize> = enumerator.find_iter(&t).map(|m| m.start()).collect();
    if starts.first() != Some(&0) {
        return None;
    }
    let mut out = Vec::new();
    for (k, &s) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(t.len());
        let entry = enumerator.replace(&t[s..end], "");
        let title = title_of(&entry)?;
        // The whole entry is the title: not a heading that merely ends in one.
        if title != entry.as_ref() {
            return None;
        }
        out.push(title);
    }
    (!out.is_empty()).then_some(out)
}

/// A title printed above a table: as the table reader reads titles, or a longer one
/// ("十一、2017年某单位部门一般公共预算“三公”经费、会议费、培训费支出预算表单位：万元").
fn printed_title(line: &str) -> Option<String> {
    title_of(line).or_else(|| {
        let t: String = line
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '\u{c}')
            .collect();
        let t = t.split("单位：").next().unwrap_or(&t);
        let t =
            lazy_regex!(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十\d]+）|\d+[.、．])")
                .replace(t, "");
        let fits = t.chars().count() <= 60 && !t.contains(['。', '，', '；', ',']);
        (fits && lazy_regex!(r"表(?:[（(][^（）()]{1,12}[）)])?$").is_match(&t))
            .then(|| t.into_owned())
    })
}

/// A title as compared: without its year and unit name (up to "部门"), "部门", "预算"/"决算", "支出", quotes and a
/// trailing note ("（经济科目）") — contents and body word one table differently
/// ("政府采购支出预算表" and "…部门政府采购预算表").
fn key(title: &str) -> String {
    // "2017年度某单位部门支出预算总表": the year and the unit's name go with "部门".
    let t = title.split_once("部门").map_or(title, |(_, rest)| rest);
    let t = lazy_regex!(r"^\d{4}年度?").replace(t, "");
    let t = lazy_regex!(r"[（(][^（）()]*[）)]$").replace(&t, "");
    t.replace("部门", "")
        .replace("预算", "")
        .replace("决算", "")
        .replace("支出", "")
        .chars()
        .filter(|c| !matches!(c, '“' | '”' | '"' | '‘' | '’'))
        .collect()
}

/// Runs of at least three contents lines (blank lines between them allowed): (first line
/// index, last line index).
fn contents_runs(lines: &[&str]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut run: Option<(usize, usize, usize)> = None; // first, last, lines with entries
    for (i, l) in lines.iter().enumerate() {
        if l.trim().is_empty() {
            continue;
        }
        if entries(l).is_some() {
            run = Some(match run {
                Some((f, _, n)) => (f, i, n + 1),
                None => (i, i, 1),
            });
        } else if let Some((f, last, n)) = run.take() {
            if n >= 3 {
                runs.push((f, last));
            }
        }
    }
    if let Some((f, last, n)) = run {
        if n >= 3 {
            runs.push((f, last));
        }
    }
    runs
}

/// What the document prints outside its contents: the keys of its table titles (one per
/// table) and its lines as printed, for finding a listed title.
struct Body {
    titles: Vec<String>,
    /// Lines without spaces, cut before a "单位：" (a header row the reader glued before a
    /// title still ends with the title: "…动用上年结转和结余资金支出预算总表").
    ends: Vec<String>,
}

impl Body {
    fn read(lines: &[&str], inside: &dyn Fn(usize) -> bool) -> Body {
        let outside = || lines.iter().enumerate().filter(|(i, _)| !inside(*i));
        let mut titles: Vec<String> = outside()
            .filter_map(|(_, l)| printed_title(l).map(|t| key(&t)))
            .collect();
        // A title repeated over the pages of one table is one table.
        titles.sort();
        titles.dedup();
        let ends = outside()
            .map(|(_, l)| {
                let t: String = l
                    .chars()
                    .filter(|c| !c.is_whitespace() && *c != '\u{c}')
                    .collect();
                t.split("单位：").next().unwrap_or("").to_string()
            })
            .collect();
        Body { titles, ends }
    }

    fn prints(&self, title: &str) -> bool {
        if title.chars().count() >= 5 && self.ends.iter().any(|l| l.ends_with(title)) {
            return true;
        }
        let title = key(title);
        self.titles.iter().any(|p| {
            // A short key ("总表" of 支出总表) only as a whole: "收支总表" ends with it too.
            *p == title
                || (title.chars().count() >= 4 && p.ends_with(&title))
                || (p.chars().count() >= 6 && title.ends_with(p.as_str()))
        })
    }
}

/// The titles the contents lists (lines `first..=last`), each once, with its line.
fn listed_in(lines: &[&str], first: usize, last: usize) -> Vec<(usize, String)> {
    let mut listed: Vec<(usize, String)> = Vec::new();
    for (i, l) in lines.iter().enumerate().take(last + 1).skip(first) {
        for title in entries(l).unwrap_or_default() {
            if !listed.iter().any(|(_, t)| *t == title) {
                listed.push((i, title));
            }
        }
    }
    listed
}

/// Outcome, expected value and message of one listed table. `fewer`: the document prints
/// fewer tables than it lists — only then is an unmatched entry a missing table; otherwise
/// it is a title worded differently.
fn verdict(title: &str, printed: bool, fewer: bool) -> (Outcome, String, String) {
    if printed {
        (
            Outcome::Pass,
            title.to_string(),
            "目录所列的表在文中".into(),
        )
    } else if !fewer {
        (
            Outcome::NotApplicable,
            String::new(),
            format!(
                "目录列有“{title}”，文中没有同名的标题；文中的表不少于目录所列，应是名称写法不同"
            ),
        )
    } else {
        (
            Outcome::Fail,
            "（缺表）".into(),
            format!("目录列有“{title}”，文中没有这张表（也没有它的标题）；空表也应列出并说明"),
        )
    }
}

/// One check per table the contents lists: printed (pass) or not (fail); or, when none is
/// printed, one note that the tables are published elsewhere.
pub(crate) fn listed_tables(text: &str) -> Vec<Check> {
    let lines: Vec<&str> = text.lines().collect();
    let runs = contents_runs(&lines);
    let Some(&(first, last)) = runs.first() else {
        return Vec::new();
    };
    let body = Body::read(&lines, &|i| runs.iter().any(|&(f, l)| f <= i && i <= l));
    let listed = listed_in(&lines, first, last);
    let check = |i: usize, outcome: Outcome, stated: String, expected: String, message: String| {
        let page = text.contains('\u{c}').then(|| {
            1 + lines[..=i]
                .iter()
                .map(|l| l.matches('\u{c}').count())
                .sum::<usize>()
        });
        Check {
            kind: Kind::TableListed,
            outcome,
            line: i + 1,
            page,
            section: "目录".into(),
            quote: lines[i].trim().to_string(),
            stated,
            expected,
            message,
            figures: Vec::new(),
        }
    };
    if !listed.iter().any(|(_, t)| body.prints(t)) {
        let n = listed.len();
        return vec![check(
            listed[0].0,
            Outcome::NotApplicable,
            format!("目录列出{n}张表"),
            String::new(),
            format!(
                "目录列出{n}张表，本文件中一张也没有：表格应是另行公开的，请把公开表文件一并核对"
            ),
        )];
    }
    let fewer = body.titles.len() < listed.len();
    listed
        .into_iter()
        .map(|(i, title)| {
            let (outcome, expected, message) = verdict(&title, body.prints(&title), fewer);
            check(i, outcome, title, expected, message)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONTENTS: &str = "目录\n一、收支预算总表\n二、收入预算总表\n三、支出预算总表\n四、财政拨款收支预算总表十一、政府采购支出预算表\n\n";

    #[test]
    fn every_listed_table_printed_passes_and_a_missing_one_fails() {
        let body = "\n收支预算总表\n单位：万元\n项目\t金额\n\n收入预算总表\n\n支出预算总表\n\n财政拨款收支预算总表\n";
        let found = listed_tables(&format!("{CONTENTS}{body}"));
        let fails: Vec<&str> = found
            .iter()
            .filter(|c| c.outcome == Outcome::Fail)
            .map(|c| c.stated.as_str())
            .collect();
        assert_eq!(fails, vec!["政府采购支出预算表"]);
        assert_eq!(
            found.iter().filter(|c| c.outcome == Outcome::Pass).count(),
            4
        );
    }

    #[test]
    fn a_document_without_any_of_its_tables_says_they_are_elsewhere() {
        let found = listed_tables(&format!(
            "{CONTENTS}第三部分 情况说明\n一、收支预算总表情况说明\n本年收入预算合计100万元。\n"
        ));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].outcome, Outcome::NotApplicable);
    }

    #[test]
    fn printed_titles_alone_are_not_a_clean_calculation() {
        // Every listed table's title is printed, but no figure is: nothing was calculated.
        let text = format!("{CONTENTS}\n收支预算总表\n\n收入预算总表\n\n支出预算总表\n\n财政拨款收支预算总表\n\n政府采购支出预算表\n");
        let a = crate::audit(&text);
        assert!(a
            .checks
            .iter()
            .any(|c| c.kind == Kind::TableListed && c.outcome == Outcome::Pass));
        assert_eq!(a.verdict(), crate::Verdict::Unchecked);
    }

    #[test]
    fn headings_and_prose_are_not_contents() {
        assert!(entries("一、收支预算总表情况说明").is_none());
        assert!(entries("本表反映部门收支预算总表。").is_none());
        assert_eq!(
            entries("十、一般公共预算机关运行经费支出预算表……………12").unwrap(),
            vec!["一般公共预算机关运行经费支出预算表".to_string()]
        );
    }
}
