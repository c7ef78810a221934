//! The auditor: walks the sentences, remembers figures, records checks.

use crate::interval::*;
use crate::model::*;
use crate::text::*;
use juesuan_core::ratio::Ratio;
use std::rc::Rc;

pub(crate) struct Auditor {
    pub(crate) checks: Vec<Check>,
    /// Every amount seen so far, for named denominators and subjects.
    pub(crate) seen: Vec<Amount>,
    /// The latest amount per label (index into `seen`): lookups stay fast on long documents.
    pub(crate) by_label: std::collections::HashMap<String, usize>,
    /// The same for labels with "预算" in them, keyed by the label without it.
    pub(crate) by_bare_label: std::collections::HashMap<String, usize>,
    /// Index in `seen` of the first amount on the current line.
    pub(crate) line_start: usize,
    pub(crate) line: usize,
    /// Figures stated under a specific label in running text, for 前后一致.
    /// (subject, figure, sentence): compared within a subject only.
    /// A figure and its sentence are shared (`Rc`) by the lists below: one copy each, not
    /// one per list (on a long document the copies were most of the memory written).
    pub(crate) stated: Vec<(String, Rc<Amount>, Rc<SentenceRef>)>,
    /// Every labelled figure of running text, for 正文与表格 (table labels are specific).
    pub(crate) text_figures: Vec<(Rc<Amount>, Rc<SentenceRef>)>,
    /// 项 amounts by 类 code, and the 类 totals, for 类与项.
    pub(crate) items: Vec<(String, Vec<Amount>, SentenceRef)>,
    pub(crate) class_totals: Vec<(String, Rc<Amount>, Rc<SentenceRef>)>,
    /// 类 names ("科学技术支出") → codes ("206"), learnt from 项 lines.
    pub(crate) class_names: std::collections::HashMap<String, String>,
    /// Table cells "label | amount": label → (value, half, place) of every row with it.
    pub(crate) table_values: std::collections::HashMap<String, Vec<(Ratio, Ratio, Place)>>,
    /// Scale of table numbers to 万元, from the last "单位：…" line.
    pub(crate) table_unit: Ratio,
    /// Values the tables print with two or more decimals (see `amounts_in`).
    pub(crate) precise: std::collections::HashSet<Ratio>,
    /// The "、" list that ended the previous sentence, for a total opening the next one.
    pub(crate) trailing_list: Option<crate::lists::TrailingList>,
    /// Every figure of running text that is not a change or last year's (budgets included:
    /// in a budget report they are the figures), for 正文与表格 by concept.
    pub(crate) concept_figures: Vec<(Rc<Amount>, Rc<SentenceRef>)>,
}

impl Auditor {
    /// Record a check; `values` is (stated, expected) as printed.
    pub(crate) fn push(
        &mut self,
        s: &Sentence,
        kind: Kind,
        outcome: Outcome,
        values: (String, String),
        mut message: String,
        figures: Vec<Place>,
    ) {
        // A garbled sentence (pattern 8) leaves the figures' relations unknown: what does
        // not add up there is a parse note, not an error.
        let outcome = match (outcome, garbled(&s.text)) {
            (Outcome::Fail, Some(at)) => {
                message = format!(
                    "句子残缺（“{at}”后的括号没有闭合），数字之间的关系无法确定：{message}"
                );
                Outcome::ParseError
            }
            (o, _) => o,
        };
        let mut r = s.reference();
        if !s.breaks.is_empty() {
            // A sentence over a page break: the check stands on the page of its stated
            // figure (the one whose printed text is the stated value), else of its first.
            let chars: Vec<char> = s.text.chars().collect();
            let shown = |p: &Place| -> String {
                let from = p.start.saturating_sub(s.offset).min(chars.len());
                let to = p.end.saturating_sub(s.offset).clamp(from, chars.len());
                chars[from..to].iter().collect()
            };
            let stated = values.0.trim_end_matches('%');
            let at = figures
                .iter()
                .filter(|p| p.line == s.line)
                .find(|p| shown(p) == stated)
                .or_else(|| figures.iter().find(|p| p.line == s.line))
                .map(|p| p.start);
            if let Some(at) = at {
                r.page = s.page_at(at);
            }
        }
        self.push_at(&r, kind, outcome, values, message, figures);
    }

    /// Record a check quoting a sentence kept for a document-wide check.
    pub(crate) fn push_at(
        &mut self,
        r: &SentenceRef,
        kind: Kind,
        outcome: Outcome,
        values: (String, String),
        message: String,
        figures: Vec<Place>,
    ) {
        self.checks.push(Check {
            kind,
            outcome,
            line: r.line,
            page: r.page,
            section: r.section.clone(),
            quote: r.quote.clone(),
            stated: values.0,
            expected: values.1,
            message,
            figures,
        });
    }

    pub(crate) fn lookup(&self, label: &str) -> Option<&Amount> {
        let want = normalize_label(label);
        if want.is_empty() {
            return None;
        }
        // The latest amount whose label is the name or ends with it ("…政府采购支出总额").
        let found = self
            .by_label
            .iter()
            .filter(|(label, _)| **label == want || label.ends_with(&want))
            .map(|(_, &i)| i)
            .max();
        // A budget names its figures with or without "预算": "占本年支出合计的99.94%" is of
        // "某单位本年支出预算合计". Only a name that is still specific without it.
        let bare = want.replace("预算", "");
        let found = found.or_else(|| {
            (bare.chars().count() >= 4)
                .then(|| {
                    self.by_bare_label
                        .iter()
                        .filter(|(label, _)| label.ends_with(&bare))
                        .map(|(_, &i)| i)
                        .max()
                })
                .flatten()
        });
        found.map(|i| &self.seen[i])
    }

    /// Audit one sentence; returns whether it states an amount.
    pub(crate) fn sentence(&mut self, s: &Sentence) -> bool {
        let all = amounts_in(s, &self.precise);
        let any = !all.is_empty();
        // Parts broken down in a parenthesis right after their whole ("支出决算为186.42万元
        // （其中：基本支出180.12万元、项目支出6.30万元）") are read by 合计与分项 only; every
        // other check reads the whole (the item's actual, its completion rate, 类与项).
        let amounts: Vec<Amount> = all
            .iter()
            .filter(|a| !in_breakdown(&s.text, a.at))
            .cloned()
            .collect();
        if s.has(mark::SLASH) && (s.text.contains("增加/减少") || s.text.contains("增长/下降"))
        {
            self.push(
                s,
                Kind::Direction,
                Outcome::ParseError,
                (String::new(), String::new()),
                "句中保留了“增加/减少”等未选定的模板文字，无法判断".into(),
                Vec::new(),
            );
        } else {
            self.changes(s, &amounts);
        }
        self.template_residue(s);
        self.completions(s, &amounts);
        self.bare_rates(s, &amounts);
        self.parallel_rates(s, &amounts);
        self.point_changes(s);
        self.label_shares(s, &amounts);
        self.parts(s, &all);
        self.counts(s);
        self.list_totals(s, &amounts);
        self.count_list_totals(s);
        self.arithmetic(s);
        self.unit_cost(s);
        self.comparisons(s, &amounts);
        self.remember(s, &amounts);
        if s.line != self.line {
            self.line = s.line;
            self.line_start = self.seen.len();
        }
        for a in amounts {
            if a.label.contains("预算") {
                self.by_bare_label
                    .insert(a.label.replace("预算", ""), self.seen.len());
            }
            self.by_label.insert(a.label.clone(), self.seen.len());
            self.seen.push(a);
        }
        any
    }

    /// Template words left unfilled: both alternatives of a direction ("增加（减少）0万元，
    /// 增长（减少）0%": one finding per alternative pair with its figure; a rate pair right
    /// after an amount pair is the same statement) and fill-in instructions left in the text
    /// ("（按…表…填写）").
    pub(crate) fn template_residue(&mut self, s: &Sentence) {
        let pair = lazy_regex!(
            r"(?:增加|减少|增长|下降|降低|上升)[（(](?:增加|减少|增长|下降|降低|上升)[）)](?:了)?(?:-?\d+(?:\.\d+)?(?:亿元|万元|元|%)?)?"
        );
        let mut last_end = None;
        // Each pattern below needs a literal that most sentences lack; test it first.
        let pairs = s
            .has(mark::PAREN | mark::DIRECTION)
            .then(|| pair.find_iter(&s.text));
        for m in pairs.into_iter().flatten() {
            let joined = last_end.is_some_and(|e: usize| {
                s.text[e..m.start()].chars().count() <= 2 && m.as_str().ends_with('%')
            });
            last_end = Some(m.end());
            if joined {
                continue;
            }
            self.push(
                s,
                Kind::TemplateResidue,
                Outcome::Fail,
                (m.as_str().to_string(), "增加或减少（选定其一）".into()),
                format!("“{}”保留了模板中的两种写法，未按实际选定", m.as_str()),
                vec![place_of(s, m)],
            );
        }
        // A rate whose "%" was left out ("减少100.00万元，减少9.52，"): the figure is there,
        // its unit is not.
        let bare_rate = lazy_regex!(
            r"(?:增长|下降|减少|增加|降低|上升|增幅|降幅)(?:了|为)?(\d+\.\d+)(?:[，,。；;]|$)"
        );
        let bare = s.has(mark::DOT | mark::DIRECTION);
        for c in bare
            .then(|| bare_rate.captures_iter(&s.text))
            .into_iter()
            .flatten()
        {
            let m = c.get(1).expect("group");
            self.push(
                s,
                Kind::TemplateResidue,
                Outcome::Fail,
                (m.as_str().to_string(), format!("{}%", m.as_str())),
                format!("增减率“{}”缺少“%”", m.as_str()),
                vec![place_of(s, m)],
            );
        }
        // An amount left blank before its unit ("预算支出万元。"): the template's blank was
        // never filled. "单位为万元" names a unit, not an amount.
        let blank = lazy_regex!(
            r"(?:支出|收入|为|合计|总计|安排|预算|决算|拨款|经费)(亿元|万元|元)(?:[，,。；;]|$)"
        );
        let units = unit_after_word(&s.text).then(|| blank.captures_iter(&s.text));
        for c in units.into_iter().flatten() {
            let whole = c.get(0).expect("match");
            let head = &s.text[..whole.start()];
            if head.ends_with("单位") || head.ends_with("金额") {
                continue;
            }
            let unit = c.get(1).expect("group");
            self.push(
                s,
                Kind::TemplateResidue,
                Outcome::Fail,
                (
                    unit.as_str().to_string(),
                    format!("X{}（填写金额）", unit.as_str()),
                ),
                format!("“{}”前没有金额，模板中的空白未填写", unit.as_str()),
                vec![place_of(s, unit)],
            );
        }
        let instruction = lazy_regex!(r"[（(](?:按|根据|依据)[^（）()]{0,80}?(?:填写|填列)[）)]");
        let fill = s.has(mark::TIAN).then(|| instruction.find_iter(&s.text));
        for m in fill.into_iter().flatten() {
            self.push(
                s,
                Kind::TemplateResidue,
                Outcome::Fail,
                (m.as_str().to_string(), "（删去填写说明）".into()),
                format!("“{}”是模板的填写说明，未删去", m.as_str()),
                vec![place_of(s, m)],
            );
        }
    }

    /// Keep what document-wide checks need: labelled figures of running text, 项 lines and
    /// 类 totals. Table cells (lines starting with a tab) are left out: a table's target
    /// and actual columns share labels.
    pub(crate) fn remember(&mut self, s: &Sentence, amounts: &[Amount]) {
        // Table rows (tab-separated cells, Markdown "| … |") compare columns, not
        // restatements; their "label | amount" pairs are kept for 正文与表格.
        // A table's unit: on a line of its own, or at the right end of its header line
        // ("编制部门：某单位          单位：元", read as cells).
        let named_unit =
            s.has(mark::DAN) && (s.text.contains("单位：") || s.text.contains("单位:"));
        let unit = named_unit.then(|| lazy_regex!(r"单位[：:]\s*(亿元|万元|元)"));
        if let Some(c) = unit.and_then(|u| u.captures(&s.text)) {
            self.table_unit = match &c[1] {
                "亿元" => Ratio::from_int(10_000),
                "万元" => Ratio::ONE,
                _ => Ratio::new(1, 10_000).expect("nonzero"),
            };
        }
        if is_table_row(s) {
            self.table_row(s);
            return;
        }

        let item = lazy_regex!(
            r"^\s*(?:[（(]?\d+[）)]?\s*[.、．]?\s*)?([^（(\d]+?)（(?:(\d{3})类|类)）[^：:]*（(?:\d{2})?项）\s*[:：]"
        );
        let item_line = s.has(mark::XIANG | mark::LEI) && s.text.contains("项）");
        if let Some(c) = (item_line && s.text.contains("类）"))
            .then(|| item.captures(&s.text))
            .flatten()
        {
            let name = c[1].trim().replace("（类）", "");
            // Lines without codes ("一般公共服务支出（类）人大事务（款）行政运行（项）：") are
            // grouped by the 类 name.
            let code = c
                .get(2)
                .map_or_else(|| name.clone(), |m| m.as_str().to_string());
            self.class_names.insert(name, code.clone());
            // The item's own figures: before its completion rate, reasons and comparisons.
            let stop = ["完成", "原因", "为预算", "为年初预算", "比上年", "较上年"]
                .iter()
                .filter_map(|w| s.text.find(w).map(|b| char_at(&s.text, b)))
                .min()
                .unwrap_or(usize::MAX);
            let own: Vec<Amount> = amounts
                .iter()
                .filter(|a| a.end <= stop && !is_other(&a.label))
                .cloned()
                .collect();
            if !own.is_empty() {
                self.items.push((code, own, s.reference()));
            }
            return;
        }
        let class = lazy_regex!(r"（(\d{3})类）$");
        let mut reference: Option<Rc<SentenceRef>> = None;
        for a in amounts {
            if !is_prior_or_change(&a.label) {
                let r = reference
                    .get_or_insert_with(|| Rc::new(s.reference()))
                    .clone();
                self.concept_figures.push((Rc::new(a.clone()), r));
            }
            // Budgets and last year's figures ("与2020年629.95万元相比") are other quantities.
            if is_other(&a.label) {
                continue;
            }
            let code = a
                .label
                .ends_with("类）")
                .then(|| class.captures(&a.label).map(|c| c[1].to_string()))
                .flatten();
            let r = reference
                .get_or_insert_with(|| Rc::new(s.reference()))
                .clone();
            let shared = Rc::new(a.clone());
            self.class_totals
                .push((code.unwrap_or_default(), shared.clone(), r.clone()));
            self.text_figures.push((shared.clone(), r.clone()));
            if a.label.chars().count() >= 6 && !a.label.starts_with("支出决算") {
                self.stated.push((subject_of(s, a), shared, r));
            }
        }
    }

    /// A 类 named as in the structure sentence: "科学技术（类）支出", "卫生健康支出".
    pub(crate) fn class_code(&self, label: &str) -> Option<String> {
        let name = label.replace("（类）", "");
        self.class_names.get(&name).cloned()
    }

    /// Check a stated percentage against num ÷ den × 100 over the rounding intervals of all
    /// three; `message(expected)` explains the relation. A zero denominator is stated, not
    /// divided.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn percent(
        &mut self,
        s: &Sentence,
        kind: Kind,
        rate: regex::Match,
        num: (Ratio, Ratio),
        den: (Ratio, Ratio),
        mut figures: Vec<Place>,
        message: &dyn Fn(&str) -> String,
        zero_den: &str,
    ) {
        let Some((r, d)) = number(rate.as_str()) else {
            return;
        };
        figures.push(place_of(s, rate));
        let stated = format!("{}%", rate.as_str());
        let Some((lo, hi)) = ratio_range(num.0, num.1, den.0, den.1) else {
            let outcome = if r.is_zero() {
                Outcome::Pass
            } else {
                Outcome::NotApplicable
            };
            self.push(
                s,
                kind,
                outcome,
                (stated, String::new()),
                zero_den.into(),
                figures,
            );
            return;
        };
        let point = num
            .0
            .checked_div(den.0)
            .and_then(|q| q.checked_mul(Ratio::from_int(100)))
            .unwrap_or_else(|_| mid(lo, hi));
        let expected = format!("{}%", point.to_fixed(2));
        let outcome = if miss(r, half_unit(d, 0), lo, hi).is_zero() {
            Outcome::Pass
        } else {
            Outcome::Fail
        };
        let msg = message(&expected);
        self.push(s, kind, outcome, (stated, expected), msg, figures);
    }
}

/// Audit a disclosure given as text.
pub fn audit(text: &str) -> Audit {
    let text = normalize(text);
    let mut a = Auditor {
        checks: Vec::new(),
        seen: Vec::new(),
        by_label: std::collections::HashMap::new(),
        by_bare_label: std::collections::HashMap::new(),
        line_start: 0,
        line: 0,
        stated: Vec::new(),
        text_figures: Vec::new(),
        items: Vec::new(),
        class_totals: Vec::new(),
        class_names: std::collections::HashMap::new(),
        table_values: std::collections::HashMap::new(),
        table_unit: Ratio::ONE,
        precise: std::collections::HashSet::new(),
        trailing_list: None,
        concept_figures: Vec::new(),
    };
    let sentences = sentences(&text);
    let cell = lazy_regex!(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)\.\d{2,}$");
    for s in sentences.iter().filter(|s| is_table_row(s)) {
        for c in s.text.split(['\t', '|']).map(str::trim) {
            if c.contains('.') && cell.is_match(c) {
                if let Some((v, _)) = number(c) {
                    a.precise.insert(v);
                }
            }
        }
    }
    let mut with_figures = Vec::new();
    let percent = lazy_regex!(r"\d%");
    for (i, s) in sentences.iter().enumerate() {
        let amounts = a.sentence(s);
        // Table cells are bare numbers: a table row with a digit holds figures.
        if amounts
            || (s.has(mark::PERCENT) && percent.is_match(&s.text))
            || (is_table_row(s) && s.text.contains(|c: char| c.is_ascii_digit()))
        {
            with_figures.push(i);
        }
    }
    a.stale_years(&sentences);
    // The tables as tables (src/tables): their own sums, and relations between them.
    let (table_checks, table_coverage, tables) = crate::tables::audit_tables(&text);
    // The narrative against them: by concept first, then by the label of a table row.
    let by_concept = a.narrative_by_concept(&tables);
    a.narrative_against_tables(&by_concept);
    a.same_figures();
    a.classes_of_items();
    a.checks.extend(table_checks);
    let mut coverage = coverage(&text, &sentences, &with_figures, &a.checks);
    coverage.tables = table_coverage;
    Audit {
        figures: a.seen.len(),
        checks: a.checks,
        coverage,
    }
}

impl Auditor {
    /// A year left from last year's template: the document names its own 部门预算/部门决算
    /// with one year ("2019年度部门预算"), and once with another that is not a comparison
    /// ("纳入本部门2018年部门汇总预算编制范围…" in a 2019 document).
    fn stale_years(&mut self, sentences: &[Sentence]) {
        let own = lazy_regex!(r"(\d{4})年(?:度)?部门(?:汇总)?(?:预算|决算)");
        let mut years: std::collections::BTreeMap<&str, usize> = Default::default();
        for s in sentences.iter().filter(|s| !is_table_row(s)) {
            if !s.has(mark::BU) || !s.text.contains("部门") {
                continue;
            }
            for c in own.captures_iter(&s.text) {
                *years.entry(c.get(1).expect("group").as_str()).or_default() += 1;
            }
        }
        let total: usize = years.values().sum();
        // The document's year: named at least twice, and by most of the mentions.
        let Some((year, n)) = years.iter().max_by_key(|(_, n)| **n) else {
            return;
        };
        if *n < 2 || n * 2 <= total {
            return;
        }
        let year = year.to_string();
        for s in sentences.iter().filter(|s| !is_table_row(s)) {
            if !s.has(mark::BU) || !s.text.contains("部门") {
                continue;
            }
            for c in own.captures_iter(&s.text) {
                let m = c.get(1).expect("group");
                if m.as_str() == year {
                    continue;
                }
                // "与2018年部门预算相比", "比上年…": another year on purpose.
                let clause = s.text[..m.start()]
                    .rsplit(['，', ',', '；', ';', '：', ':'])
                    .next()
                    .unwrap_or("");
                if ["与", "比", "较", "上年", "以前", "截至", "至"]
                    .iter()
                    .any(|w| clause.contains(w))
                {
                    continue;
                }
                let mut place = place_of(s, m);
                place.end += 1;
                self.push(
                    s,
                    Kind::TemplateResidue,
                    Outcome::Fail,
                    (format!("{}年", m.as_str()), format!("{year}年")),
                    format!(
                        "本报告为{year}年度，此处写作{}年，可能是沿用往年模板未改",
                        m.as_str()
                    ),
                    vec![place],
                );
            }
        }
    }
}

/// What makes a sentence garbled, for the message; `None` when it reads whole.
/// - A bare number (no unit) right before a bracket that never closes: "运行经费支出50.00
///   （30.00万元，比上年增加20.00万元" lost words between the two figures.
/// - A sentence that opens on a unit ("元*2个=4万元、…"): its first figure was cut off (a
///   table's columns interleaved by the PDF's layout), so its list and figures are partial.
pub(crate) fn garbled(text: &str) -> Option<String> {
    let t = text.trim_start();
    if let Some(unit) = ["亿元", "万元", "元"]
        .into_iter()
        .find(|u| t.starts_with(u))
    {
        return Some(format!("句首的“{unit}”前缺少数字"));
    }
    if !text.contains(['（', '(']) {
        return None;
    }
    let re = lazy_regex!(r"\d(?:\.\d+)?[（(][^（）()]*$");
    let m = re.find(text)?;
    // Back to the whole number.
    let start = text[..m.start()]
        .rfind(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .map_or(0, |i| {
            i + text[i..].chars().next().map_or(1, char::len_utf8)
        });
    let open = m.as_str().find(['（', '(']).map(|i| m.start() + i)?;
    let bracket_end = open + text[open..].chars().next().map_or(1, char::len_utf8);
    Some(format!("“{}”后的括号没有闭合", &text[start..bracket_end]))
}

/// Whether some 元/万元/亿元 stands right after a word of the blank-amount pattern of
/// `template_residue` ("预算支出万元"): a test without the regex, which then confirms.
fn unit_after_word(text: &str) -> bool {
    const WORDS: [&str; 10] = [
        "支出", "收入", "为", "合计", "总计", "安排", "预算", "决算", "拨款", "经费",
    ];
    text.match_indices('元').any(|(i, _)| {
        let head = &text[..i];
        let bare = head.strip_suffix(['万', '亿']);
        // Almost always a digit stands there: test the words' last characters first.
        let last = bare.unwrap_or(head).chars().next_back();
        matches!(
            last,
            Some('出' | '入' | '为' | '计' | '排' | '算' | '款' | '费')
        ) && WORDS
            .iter()
            .any(|w| head.ends_with(w) || bare.is_some_and(|h| h.ends_with(w)))
    })
}

/// A table row (tab-separated cells, Markdown "| … |") rather than running text; decided
/// once per sentence by [`table_row_text`] (it is asked several times per sentence).
pub(crate) fn is_table_row(s: &Sentence) -> bool {
    s.table
}

/// Whether a sentence's text is a table row (see [`is_table_row`]).
pub(crate) fn table_row_text(text: &str) -> bool {
    // Two non-empty cells are enough to tell: stop counting there.
    let tab_cells = text.split('\t').filter(|c| !c.trim().is_empty()).nth(1);
    text.starts_with('\t') || tab_cells.is_some() || text.trim_start().starts_with('|')
}

/// How many examples of sentences no check understood a report lists.
const EXAMPLES: usize = 5;

/// Which sentences with figures some check read: one of its figures stands in the sentence,
/// or a check quotes it.
fn coverage(
    text: &str,
    sentences: &[Sentence],
    with_figures: &[usize],
    checks: &[Check],
) -> Coverage {
    use std::collections::{HashMap, HashSet};
    let mut places: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut quoted: HashSet<(usize, &str)> = HashSet::new();
    for c in checks {
        quoted.insert((c.line, c.quote.as_str()));
        for p in &c.figures {
            places.entry(p.line).or_default().push(p.start);
        }
    }
    let breaks = text.matches('\u{c}').count();
    let tail = text
        .rsplit('\u{c}')
        .next()
        .is_some_and(|t| !t.trim().is_empty());
    let mut cov = Coverage {
        pages: (breaks > 0).then_some(breaks + usize::from(tail)),
        has_text: text.chars().any(|c| !c.is_whitespace()),
        ..Coverage::default()
    };
    for &i in with_figures {
        let s = &sentences[i];
        if is_table_row(s) {
            cov.table_rows += 1;
            continue;
        }
        cov.sentences_with_figures += 1;
        let len = s.text.chars().count();
        let read = places
            .get(&s.line)
            .is_some_and(|v| v.iter().any(|&p| p >= s.offset && p < s.offset + len))
            || quoted.contains(&(s.line, s.text.trim()));
        if read {
            cov.understood += 1;
        } else {
            cov.not_understood += 1;
            if cov.examples.len() < EXAMPLES {
                cov.examples.push(Unread {
                    line: s.line,
                    page: s.page,
                    quote: s.text.trim().to_string(),
                });
            }
        }
    }
    cov
}

/// Whether the figure at character `at` lies in a parenthesised breakdown of the figure right
/// before the parenthesis: "186.42万元（其中：基本支出180.12万元、…）".
pub(crate) fn in_breakdown(text: &str, at: usize) -> bool {
    let before: Vec<char> = text.chars().take(at).collect();
    let Some(open) = before.iter().rposition(|c| matches!(c, '（' | '(')) else {
        return false;
    };
    if before[open..].iter().any(|c| matches!(c, '）' | ')')) {
        return false;
    }
    let lead: String = before[..open].iter().collect();
    let inside: String = before[open + 1..].iter().collect();
    lead.trim_end().ends_with('元') && inside.trim_start().starts_with("其中")
}
