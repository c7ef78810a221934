//! The `[evaluation]` part of a unit's input file (绩效评价输入): the department's inputs to
//! its indicator system, and each project's indicator list — the plain data the unit-year
//! holds ([`EvaluationSection`] in [`UnitYear::evaluation`](crate::model::UnitYear)).
//! Read once, by [`parse_input`](crate::input::parse_input), from the same TOML text as the
//! rest of the input, exactly (numbers re-read from the source), with located errors.
//! Scoring these inputs is juesuan-score's.

use crate::error::{ErrorCode, InputError};
use crate::expr::Value;
use crate::input::{location_of, LineIndex};
use crate::ratio::Ratio;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use toml::Spanned;

/// The value of one input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum InputValue {
    Num(Ratio),
    Bool(bool),
    /// Items of a list input, each with named fields.
    List(Vec<ListItem>),
}

/// One item of a list input: its name (for traces) and its fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ListItem {
    pub label: String,
    pub fields: BTreeMap<String, Value>,
}

/// An input with where it came from (provenance).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Input {
    pub value: InputValue,
    /// "input.toml:312" or "由决算数据计算：…"
    pub source: String,
}

/// Points an evaluator gave to a judgement indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Judged {
    /// Points per sub-item, in the order of the system's items.
    pub points: Vec<Ratio>,
    /// 评分依据; required below full points.
    pub justification: String,
    pub source: String,
}

/// Everything a scoring run reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Inputs {
    pub values: BTreeMap<String, Input>,
    /// Judgement points per indicator id.
    pub judged: BTreeMap<String, Judged>,
    /// Scores the unit claims (自评得分), per indicator id, with their source.
    pub claimed: BTreeMap<String, (Ratio, String)>,
}

type Num = Spanned<toml::Value>;

#[derive(Deserialize)]
struct Root {
    #[serde(default)]
    evaluation: Option<EvaluationIn>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EvaluationIn {
    #[serde(default)]
    department: Option<DepartmentIn>,
    #[serde(default)]
    projects: Vec<ProjectIn>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DepartmentIn {
    system: Spanned<String>,
    #[serde(default)]
    values: BTreeMap<Spanned<String>, Num>,
    #[serde(default)]
    lists: BTreeMap<Spanned<String>, Vec<BTreeMap<String, Num>>>,
    #[serde(default)]
    judged: BTreeMap<Spanned<String>, JudgedIn>,
    #[serde(default)]
    claimed: BTreeMap<Spanned<String>, Num>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JudgedIn {
    points: Vec<Num>,
    #[serde(default)]
    justification: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectIn {
    name: Spanned<String>,
    #[serde(default)]
    department: String,
    #[serde(default)]
    rules: Option<String>,
    budget: Num,
    executed: Num,
    #[serde(default)]
    goal: String,
    #[serde(default)]
    achieved: String,
    #[serde(default)]
    claimed_total: Option<Num>,
    #[serde(default)]
    indicators: Vec<Spanned<IndicatorIn>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorIn {
    level1: String,
    #[serde(default)]
    level2: String,
    name: String,
    operator: Spanned<String>,
    #[serde(default)]
    target: Option<Num>,
    #[serde(default)]
    actual: Option<Num>,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    target_text: String,
    #[serde(default)]
    actual_text: String,
    #[serde(default)]
    achievement: Option<Num>,
    #[serde(default)]
    weight: Option<Num>,
    #[serde(default)]
    deviation_reason: String,
    #[serde(default)]
    claimed: Option<Num>,
}

/// The department's evaluation input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DepartmentInput {
    /// Indicator system name (data/indicators/<name>-<year>.toml).
    pub system: String,
    pub system_line: usize,
    pub inputs: Inputs,
}

/// One indicator of a project's self-evaluation table (项目支出绩效目标自评表).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProjectIndicator {
    /// 一级指标 as written (产出指标 / 项目完成指标 …)
    pub level1: String,
    /// 二级指标 (数量指标 …)
    pub level2: String,
    /// 三级指标
    pub name: String,
    /// ≥ > = ≤ < 约 左右 定性 …
    pub operator: String,
    pub target: Option<Ratio>,
    pub actual: Option<Ratio>,
    pub unit: String,
    /// 预期指标值 as published (text)
    pub target_text: String,
    /// 实际完成指标值 as published (text)
    pub actual_text: String,
    /// Qualitative indicators: the achieved share of the weight (0–1) the evaluator judged.
    pub achievement: Option<Ratio>,
    pub weight: Option<Ratio>,
    /// 偏差原因
    pub deviation_reason: String,
    pub claimed: Option<Ratio>,
    pub line: usize,
}

/// One project's self-evaluation input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectInput {
    pub name: String,
    pub department: String,
    /// Project rules name (data/project-rules/<name>-<year>.toml), default "national".
    pub rules: String,
    /// 全年预算数
    pub budget: Ratio,
    /// 全年执行数
    pub executed: Ratio,
    pub goal: String,
    pub achieved: String,
    pub claimed_total: Option<Ratio>,
    pub indicators: Vec<ProjectIndicator>,
    pub line: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EvaluationInput {
    pub department: Option<DepartmentInput>,
    pub projects: Vec<ProjectInput>,
}

struct Reader<'a> {
    text: &'a str,
    lines: LineIndex<'a>,
    origin: &'a str,
    errors: Vec<InputError>,
}

impl Reader<'_> {
    /// The department's inputs, lists, judged points and claimed scores.
    fn department(&mut self, d: &DepartmentIn) -> DepartmentInput {
        let mut inputs = Inputs::default();
        for (name, v) in &d.values {
            if let Some(value) = self.value(v, &format!("评价依据“{}”", name.get_ref())) {
                inputs.values.insert(
                    name.get_ref().clone(),
                    Input {
                        value,
                        source: self.source(v.span().start),
                    },
                );
            }
        }
        for (name, items) in &d.lists {
            let list = self.list_items(name.get_ref(), items);
            inputs.values.insert(
                name.get_ref().clone(),
                Input {
                    value: InputValue::List(list),
                    source: self.source(name.span().start),
                },
            );
        }
        for (id, j) in &d.judged {
            let points = j
                .points
                .iter()
                .filter_map(|p| self.number(p, &format!("“{}”的评分", id.get_ref())))
                .collect();
            inputs.judged.insert(
                id.get_ref().clone(),
                Judged {
                    points,
                    justification: j.justification.clone(),
                    source: self.source(id.span().start),
                },
            );
        }
        for (id, v) in &d.claimed {
            if let Some(n) = self.number(v, &format!("“{}”的自评得分", id.get_ref())) {
                inputs
                    .claimed
                    .insert(id.get_ref().clone(), (n, self.source(v.span().start)));
            }
        }
        DepartmentInput {
            system: d.system.get_ref().clone(),
            system_line: self.line(d.system.span().start),
            inputs,
        }
    }

    /// The items of one list input: text fields label an item, numbers and booleans are data.
    fn list_items(&mut self, name: &str, items: &[BTreeMap<String, Num>]) -> Vec<ListItem> {
        let mut list = Vec::new();
        for item in items {
            let mut fields = BTreeMap::new();
            let mut label = String::new();
            for (k, v) in item {
                // Text fields (names, notes) label the item; numbers and booleans are data.
                if let toml::Value::String(s) = v.get_ref() {
                    if Ratio::parse(s).is_err() {
                        if k == "name" {
                            label = s.clone();
                        }
                        continue;
                    }
                }
                if let Some(value) = self.value(v, &format!("“{}”的“{k}”", name)) {
                    fields.insert(
                        k.clone(),
                        match value {
                            InputValue::Num(n) => Value::Num(n),
                            InputValue::Bool(b) => Value::Bool(b),
                            InputValue::List(_) => unreachable!(),
                        },
                    );
                }
            }
            list.push(ListItem { label, fields });
        }
        list
    }

    /// One project with its indicators; `None` when its budget or execution is unreadable
    /// (the error is recorded).
    fn project(&mut self, p: &ProjectIn) -> Option<ProjectInput> {
        let name = p.name.get_ref().clone();
        let budget = self.number(&p.budget, &format!("项目“{name}”的全年预算数"));
        let executed = self.number(&p.executed, &format!("项目“{name}”的全年执行数"));
        let claimed_total = p
            .claimed_total
            .as_ref()
            .and_then(|c| self.number(c, &format!("项目“{name}”的自评总分")));
        let mut indicators = Vec::new();
        for ind in &p.indicators {
            let at = ind.span().start;
            let i = ind.get_ref();
            let what = |f: &str| format!("项目“{name}”指标“{}”的{f}", i.name);
            let mut num =
                |v: &Option<Num>, f: &str| v.as_ref().and_then(|v| self.number(v, &what(f)));
            let target = num(&i.target, "预期值");
            let actual = num(&i.actual, "实际值");
            let achievement = num(&i.achievement, "达成程度");
            let weight = num(&i.weight, "权重");
            let claimed = num(&i.claimed, "自评得分");
            indicators.push(ProjectIndicator {
                level1: i.level1.clone(),
                level2: i.level2.clone(),
                name: i.name.clone(),
                operator: i.operator.get_ref().trim().to_string(),
                target,
                actual,
                unit: i.unit.clone(),
                target_text: i.target_text.clone(),
                actual_text: i.actual_text.clone(),
                achievement,
                weight,
                deviation_reason: i.deviation_reason.clone(),
                claimed,
                line: self.line(at),
            });
        }
        let (budget, executed) = (budget?, executed?);
        Some(ProjectInput {
            name,
            department: p.department.clone(),
            rules: p.rules.clone().unwrap_or_else(|| "national".into()),
            budget,
            executed,
            goal: p.goal.clone(),
            achieved: p.achieved.clone(),
            claimed_total,
            indicators,
            line: self.line(p.name.span().start),
        })
    }

    fn line(&self, offset: usize) -> usize {
        self.lines.location(offset).line
    }

    fn source(&self, offset: usize) -> String {
        format!("{}:{}", self.origin, self.line(offset))
    }

    fn err(&mut self, code: ErrorCode, offset: usize, message: String, hint: &str) {
        self.errors.push(InputError {
            code,
            file: self.origin.to_string(),
            location: Some(self.lines.location(offset)),
            message,
            hint: hint.to_string(),
        });
    }

    /// An exact number: integers, numeric strings ("0.5", "67.5%"), or floats re-read
    /// from their source text (never through f64).
    fn number(&mut self, v: &Num, what: &str) -> Option<Ratio> {
        let span = v.span();
        let parsed = match v.get_ref() {
            toml::Value::Integer(i) => Ok(Ratio::from_int(*i)),
            toml::Value::String(s) => Ratio::parse(s),
            toml::Value::Float(_) => Ratio::parse(self.text[span.clone()].trim()),
            _ => {
                self.err(
                    ErrorCode::EvaluationValue,
                    span.start,
                    format!("{what}应为数值"),
                    "请填写数字，如 8、0.5 或 \"67.5%\"。",
                );
                return None;
            }
        };
        match parsed {
            Ok(r) => Some(r),
            Err(e) => {
                self.err(
                    ErrorCode::EvaluationValue,
                    span.start,
                    format!("{what}不是有效数值（{e}）"),
                    "请填写数字，如 8、0.5 或 \"67.5%\"。",
                );
                None
            }
        }
    }

    fn value(&mut self, v: &Num, what: &str) -> Option<InputValue> {
        match v.get_ref() {
            toml::Value::Boolean(b) => Some(InputValue::Bool(*b)),
            _ => self.number(v, what).map(InputValue::Num),
        }
    }
}

/// Read the `[evaluation]` part of an input text. `Ok(None)` when there is none.
pub fn parse_evaluation(
    text: &str,
    origin: &str,
) -> Result<Option<EvaluationInput>, Vec<InputError>> {
    let doc = toml::de::DeTable::parse(text).map_err(|e| vec![syntax_error(&e, text, origin)])?;
    parse_evaluation_in(doc, text, origin)
}

fn syntax_error(e: &toml::de::Error, text: &str, origin: &str) -> InputError {
    InputError {
        code: ErrorCode::EvaluationValue,
        file: origin.to_string(),
        location: e.span().map(|s| location_of(text, s.start)),
        message: format!("[evaluation] 格式错误：{}", e.message()),
        hint: "请按 docs/evaluation.md 填写绩效评价输入。".into(),
    }
}

/// [`parse_evaluation`] of a text already parsed (`doc` is `text`'s document).
fn parse_evaluation_in(
    doc: crate::limits::Document<'_>,
    text: &str,
    origin: &str,
) -> Result<Option<EvaluationInput>, Vec<InputError>> {
    let root = Root::deserialize(toml::de::Deserializer::from(doc))
        .map_err(|e| vec![syntax_error(&e, text, origin)])?;
    let Some(ev) = root.evaluation else {
        return Ok(None);
    };
    let mut r = Reader {
        text,
        lines: LineIndex::new(text),
        origin,
        errors: Vec::new(),
    };
    let mut out = EvaluationInput::default();
    if let Some(d) = &ev.department {
        out.department = Some(r.department(d));
    }
    for p in &ev.projects {
        if let Some(project) = r.project(p) {
            out.projects.push(project);
        }
    }
    if r.errors.is_empty() {
        Ok(Some(out))
    } else {
        Err(r.errors)
    }
}

/// The `[evaluation]` section of a unit-year: as written, and as read.
///
/// `text` is the section cut out of the input file with its comments and number literals
/// (every `[evaluation…]` table, nothing else), so that whoever writes the unit-year back as
/// an input file — the importers, the store's consolidation and export — writes the section
/// unchanged. `input` is what [`parse_evaluation`] read from the whole file: the inputs, or
/// the located errors in them (E050), which do not stop the rest of the unit-year from being
/// read — the report is then built without scores, and `juesuan score` reports them.
#[derive(Debug, Clone)]
pub struct EvaluationSection {
    /// The section as TOML text ([`EvaluationSection::text`]): cut out of `source` when first
    /// asked for, since only writers need it and cutting it means parsing the whole file
    /// again with its comments (the dearest step of reading an input).
    text: OnceLock<String>,
    /// The input text the section is in.
    source: Arc<str>,
    /// The input file's name, for the locations of errors found while scoring (E051).
    pub origin: String,
    /// The parsed inputs, or the located errors in the section.
    pub input: Result<EvaluationInput, Vec<InputError>>,
}

/// Two sections are equal when they read alike and their texts are the same.
impl PartialEq for EvaluationSection {
    fn eq(&self, other: &Self) -> bool {
        self.origin == other.origin && self.input == other.input && self.text() == other.text()
    }
}

impl Eq for EvaluationSection {}

impl EvaluationSection {
    /// The section of an input text, `None` when it has none. `text` must be valid TOML
    /// (the caller has parsed it).
    pub fn read(text: &str, origin: &str) -> Option<EvaluationSection> {
        let doc = toml::de::DeTable::parse(text).ok()?;
        EvaluationSection::read_parsed(doc, text, origin)
    }

    /// [`EvaluationSection::read`] of a text already parsed (`doc` is `text`'s document, as
    /// `parse_input` has it).
    pub fn read_parsed(
        doc: crate::limits::Document<'_>,
        text: &str,
        origin: &str,
    ) -> Option<EvaluationSection> {
        let cut = OnceLock::new();
        let input = match parse_evaluation_in(doc, text, origin) {
            Ok(None) => return None,
            // Read: `evaluation` is a table, which `section_text` can always cut out.
            Ok(Some(input)) => Ok(input),
            Err(errors) => {
                // Perhaps not even a table: then there is no section to keep.
                let _ = cut.set(section_text(text)?);
                Err(errors)
            }
        };
        Some(EvaluationSection {
            text: cut,
            source: Arc::from(text),
            origin: origin.to_string(),
            input,
        })
    }

    /// The section as TOML text: every `[evaluation…]` table, starting with a table header,
    /// comments and number literals as written.
    pub fn text(&self) -> &str {
        self.text
            .get_or_init(|| section_text(&self.source).unwrap_or_default())
    }

    /// What the section holds, in words: "部门整体评价（指标体系“…”）、12个项目".
    pub fn summary(&self) -> String {
        match &self.input {
            Ok(ev) => {
                let mut parts = Vec::new();
                if let Some(d) = &ev.department {
                    parts.push(format!("部门整体评价（指标体系“{}”）", d.system));
                }
                parts.push(format!("{}个项目", ev.projects.len()));
                parts.join("、")
            }
            Err(errors) => format!("有{}处错误，未能读取", errors.len()),
        }
    }

    /// Whether two sections hold the same data: their TOML values compared, so comments,
    /// layout and the order of tables do not count.
    pub fn same_content(&self, other: &EvaluationSection) -> bool {
        let value = |s: &EvaluationSection| s.text().parse::<toml::Table>().ok();
        match (value(self), value(other)) {
            (Some(a), Some(b)) => a == b,
            _ => self.text() == other.text(),
        }
    }
}

/// The `[evaluation…]` tables of an input text, cut out with their comments and number
/// literals as written. An `evaluation` given as an inline table or as dotted keys at the top
/// level is written as a table, so that the text can follow any other table of a file.
pub fn section_text(text: &str) -> Option<String> {
    let mut doc: toml_edit::DocumentMut = text.parse().ok()?;
    let mut item = doc.as_table_mut().remove("evaluation")?;
    if let toml_edit::Item::Value(toml_edit::Value::InlineTable(t)) = item {
        item = toml_edit::Item::Table(t.into_table());
    }
    if let toml_edit::Item::Table(t) = &mut item {
        t.set_dotted(false);
    } else {
        return None;
    }
    let mut out = toml_edit::DocumentMut::new();
    out.as_table_mut().insert("evaluation", item);
    let s = out.to_string();
    let s = s.trim_start_matches(['\n', '\r']);
    Some(if s.ends_with('\n') {
        s.to_string()
    } else {
        format!("{s}\n")
    })
}

/// Serialized as its text (and origin); read back by parsing the text again.
impl Serialize for EvaluationSection {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("EvaluationSection", 4)?;
        st.serialize_field("origin", &self.origin)?;
        st.serialize_field("text", self.text())?;
        st.serialize_field("input", &self.input.as_ref().ok())?;
        st.serialize_field(
            "errors",
            self.input.as_ref().err().map_or(&[][..], |e| &e[..]),
        )?;
        st.end()
    }
}

impl<'de> Deserialize<'de> for EvaluationSection {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Repr {
            origin: String,
            text: String,
        }
        let r = Repr::deserialize(d)?;
        EvaluationSection::read(&r.text, &r.origin)
            .ok_or_else(|| serde::de::Error::custom("[evaluation] 文本无效或缺失"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{Catalogue, Catalogues};
    use crate::input::parse_input;
    use crate::write::write_input;

    fn catalogues() -> Catalogues {
        Catalogues {
            function: Catalogue::from_toml(
                "kind = \"function\"\nyear = 2021\n[codes]\n\"201\" = \"一般公共服务支出\"\n\"20101\" = \"人大事务\"\n\"2010101\" = \"行政运行\"\n",
                "f",
            )
            .unwrap(),
            economic: Catalogue::from_toml(
                "kind = \"economic\"\nyear = 2021\n[codes]\n\"301\" = \"工资福利支出\"\n\"30101\" = \"基本工资\"\n[groups]\npublic = [\"302\"]\n",
                "e",
            )
            .unwrap(),
        }
    }

    const BASE: &str = r#"year = 2021
amount_unit = "万元"
[unit]
name = "测试单位"
kind = "事业"
[prior]
grand_total = 0
fiscal_grand_total = 0
general_budget_expenditure = 0
[income.general_budget]
"2010101" = 0.1
[expenditure.basic.general_budget]
"2010101" = 0.1
[basic_economic.general_budget]
"30101" = 0.1
"#;

    const EVALUATION: &str = r#"
# 绩效自评（注释随文保留）
[evaluation.department]
system = "national-department"

[evaluation.department.values]
budget_adjusted = 150000.10   # 元，按原文数字
on_time = true

[[evaluation.projects]]
name = "科普经费"
budget = 12.5
executed = "12.40"
claimed_total = 96.5

[[evaluation.projects.indicators]]
level1 = "产出指标"
name = "举办活动次数"
operator = "≥"
target = 10
actual = 12
"#;

    fn with_evaluation() -> String {
        format!("{BASE}{EVALUATION}")
    }

    #[test]
    fn the_unit_year_holds_the_parsed_evaluation() {
        let text = with_evaluation();
        let uy = parse_input(&text, "t.toml", &catalogues()).unwrap();
        let ev = uy.evaluation.as_ref().expect("[evaluation] read");
        assert_eq!(ev.origin, "t.toml");
        let input = ev.input.as_ref().unwrap();
        let dept = input.department.as_ref().unwrap();
        assert_eq!(dept.system, "national-department");
        // Exact, from the source text: 150000.10 is not a binary float.
        assert_eq!(
            dept.inputs.values["budget_adjusted"].value,
            InputValue::Num(Ratio::parse("150000.1").unwrap())
        );
        assert_eq!(dept.inputs.values["budget_adjusted"].source, "t.toml:22");
        assert_eq!(input.projects.len(), 1);
        assert_eq!(input.projects[0].executed, Ratio::parse("12.4").unwrap());
        assert_eq!(input.projects[0].indicators[0].line, 31);
        assert_eq!(
            ev.summary(),
            "部门整体评价（指标体系“national-department”）、1个项目"
        );
        // Without the section there is none.
        let plain = parse_input(BASE, "t.toml", &catalogues()).unwrap();
        assert!(plain.evaluation.is_none());
    }

    #[test]
    fn the_section_text_keeps_comments_and_literals_and_nothing_else() {
        let text = with_evaluation();
        let section = section_text(&text).unwrap();
        assert!(section.contains("# 绩效自评（注释随文保留）"), "{section}");
        assert!(section.contains("budget_adjusted = 150000.10"), "{section}");
        assert!(section.contains("executed = \"12.40\""), "{section}");
        assert!(
            !section.contains("[unit]") && !section.contains("[prior]"),
            "{section}"
        );
        let table: toml::Table = section.parse().unwrap();
        let whole: toml::Table = text.parse().unwrap();
        assert_eq!(table.keys().collect::<Vec<_>>(), ["evaluation"]);
        assert_eq!(table["evaluation"], whole["evaluation"]);
    }

    #[test]
    fn written_back_the_evaluation_reads_the_same() {
        let cats = catalogues();
        let uy = parse_input(&with_evaluation(), "t.toml", &cats).unwrap();
        let written = write_input(&uy, &cats);
        let again = parse_input(&written, "w.toml", &cats).unwrap();
        let (a, b) = (
            uy.evaluation.as_ref().unwrap(),
            again.evaluation.as_ref().unwrap(),
        );
        assert!(a.same_content(b));
        let (ia, ib) = (a.input.as_ref().unwrap(), b.input.as_ref().unwrap());
        assert_eq!(ia.projects[0].budget, ib.projects[0].budget);
        assert_eq!(ia.department.as_ref().unwrap().inputs.values.len(), 2);
        assert_eq!(
            ia.department.as_ref().unwrap().inputs.values["budget_adjusted"].value,
            ib.department.as_ref().unwrap().inputs.values["budget_adjusted"].value
        );
        // A changed figure is a different content; a changed comment is not.
        let with_text = |t: String| EvaluationSection {
            text: OnceLock::from(t),
            ..a.clone()
        };
        let changed = with_text(a.text().replace("12.5", "13"));
        assert!(!a.same_content(&changed));
        let recommented = with_text(a.text().replace("注释随文保留", "另一条注释"));
        assert!(a.same_content(&recommented));
    }

    #[test]
    fn an_inline_or_dotted_evaluation_is_written_as_a_table() {
        for top in [
            "evaluation = { projects = [{ name = \"甲\", budget = 1, executed = 1 }] }\n",
            "evaluation.projects = [{ name = \"甲\", budget = 1, executed = 1 }]\n",
        ] {
            let text = format!("{top}{BASE}");
            let cats = catalogues();
            let uy = parse_input(&text, "t.toml", &cats).unwrap();
            let ev = uy.evaluation.as_ref().expect(top);
            assert_eq!(ev.input.as_ref().unwrap().projects.len(), 1, "{top}");
            // Written after the other tables, it still is the evaluation.
            let again = parse_input(&write_input(&uy, &cats), "w.toml", &cats).unwrap();
            assert!(again.evaluation.unwrap().same_content(ev), "{top}");
        }
    }

    #[test]
    fn errors_in_the_evaluation_stay_in_the_section() {
        let text = with_evaluation().replace("executed = \"12.40\"", "executed = \"十二\"");
        let uy = parse_input(&text, "t.toml", &catalogues()).unwrap();
        let errors = uy.evaluation.unwrap().input.unwrap_err();
        assert_eq!(errors[0].code, ErrorCode::EvaluationValue);
        assert_eq!(errors[0].location.unwrap().line, 28);
        // A type error in the section is E050 too, and the rest of the file still reads.
        let text = with_evaluation().replace("name = \"科普经费\"", "name = 3");
        let uy = parse_input(&text, "t.toml", &catalogues()).unwrap();
        let errors = uy.evaluation.unwrap().input.unwrap_err();
        assert_eq!(errors[0].code, ErrorCode::EvaluationValue);
        assert!(errors[0].message.starts_with("[evaluation] 格式错误"));
    }

    #[test]
    fn a_lost_or_changed_evaluation_is_a_section_change() {
        let cats = catalogues();
        let with = parse_input(&with_evaluation(), "a.toml", &cats).unwrap();
        let without = parse_input(BASE, "b.toml", &cats).unwrap();
        // Written back and read again (other lines, other origin): the same content.
        let again = parse_input(&write_input(&with, &cats), "c.toml", &cats).unwrap();
        assert_eq!(crate::model::section_changes(&with, &again), []);
        let lost = crate::model::section_changes(&with, &without);
        assert_eq!(lost.len(), 1, "{lost:?}");
        assert_eq!(lost[0].section, "[evaluation]");
        assert_eq!(
            lost[0].what,
            "部门整体评价（指标体系“national-department”）、1个项目 → （无）"
        );
        let edited = with_evaluation()
            .replace("actual = 12", "actual = 9")
            .replace("kind = \"事业\"", "kind = \"事业\"\nfunctions = \"科普\"");
        let edited = parse_input(&edited, "d.toml", &cats).unwrap();
        let changes = crate::model::section_changes(&with, &edited);
        let sections: Vec<&str> = changes.iter().map(|c| c.section).collect();
        assert_eq!(sections, ["[unit]", "[evaluation]"], "{changes:?}");
        assert_eq!(changes[0].what, "不同的项：functions");
        assert!(changes[1].what.starts_with("内容不同"), "{changes:?}");
    }

    #[test]
    fn serialized_the_section_reads_back() {
        let uy = parse_input(&with_evaluation(), "t.toml", &catalogues()).unwrap();
        let ev = uy.evaluation.unwrap();
        let json = serde_json_free(&ev);
        assert!(json.contains("national-department"));
    }

    /// A serializer-free check that the Serialize impl runs (core has no serde_json).
    fn serde_json_free(ev: &EvaluationSection) -> String {
        let v = toml::Value::try_from(ev).unwrap();
        let back: EvaluationSection = v.clone().try_into().unwrap();
        assert!(back.same_content(ev));
        v.to_string()
    }
}
