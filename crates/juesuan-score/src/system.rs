//! Indicator systems (指标体系) as data: a tree of 一级/二级/三级 indicators with maximum
//! points and, on each leaf, a scoring rule. Loaded from TOML and validated at load: every
//! problem is reported with the file, line and column of the indicator it concerns.

use crate::expr::Expr;
use crate::ratio::Ratio;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use toml::Spanned;

/// What a system evaluates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SystemKind {
    /// 部门整体支出绩效评价
    Department,
    /// 项目支出绩效自评
    Project,
}

/// What grades are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GradeBasis {
    /// The total score as is.
    Raw,
    /// total / self-evaluation maximum × 100 (when reviewer-only indicators lower the maximum).
    ShareOfSelfMax,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeBand {
    /// "优", "良", "中", "差"
    pub grade: String,
    /// Lowest score (inclusive) of this grade.
    pub min: Ratio,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grades {
    pub basis: GradeBasis,
    /// From the highest grade down; the last one's `min` must be 0.
    pub bands: Vec<GradeBand>,
}

/// What an input is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    #[default]
    Number,
    Bool,
    /// A list of items, each with the fields named in `fields` (for count-pass rules).
    List,
}

/// A declared input (评价依据).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputDecl {
    /// Chinese label, e.g. "全年预算调剂金额".
    pub label: String,
    #[serde(default)]
    pub kind: InputKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// For lists: the fields of each item (read as `item.<field>` in the pass condition).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// A figure juesuan computes from the unit's final accounts (see `derive::QUANTITIES`),
    /// used when the evaluation input does not state this input itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derive: Option<String>,
}

/// A band of a `bands` rule. Bounds are explicit about inclusion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// Lower bound; none = −∞.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Ratio>,
    #[serde(default)]
    pub include_from: bool,
    /// Upper bound; none = +∞.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Ratio>,
    #[serde(default)]
    pub include_to: bool,
    pub points: Ratio,
}

impl Band {
    pub fn contains(&self, v: Ratio) -> bool {
        let above = match self.from {
            None => true,
            Some(f) if self.include_from => v >= f,
            Some(f) => v > f,
        };
        let below = match self.to {
            None => true,
            Some(t) if self.include_to => v <= t,
            Some(t) => v < t,
        };
        above && below
    }

    /// "10%<x≤20%" style description for traces.
    pub fn describe(&self) -> String {
        let lo = self.from.map(|f| {
            format!(
                "{}{}",
                f.display_exact(),
                if self.include_from { "≤" } else { "<" }
            )
        });
        let hi = self.to.map(|t| {
            format!(
                "{}{}",
                if self.include_to { "≤" } else { "<" },
                t.display_exact()
            )
        });
        format!("{}x{}", lo.unwrap_or_default(), hi.unwrap_or_default())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub when: Expr,
    pub expr: Expr,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// "6月"
    pub label: String,
    /// The achieved value (e.g. execution rate by the end of June).
    pub actual: Expr,
    /// The target (e.g. "40%").
    pub target: Ratio,
    pub points: Ratio,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JudgementItem {
    pub name: String,
    pub max: Ratio,
}

/// How a leaf indicator is scored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// score = expression; `bind` renames the expression's names to inputs (so one operator
    /// formula such as "if(actual >= target, weight, …)" serves every indicator)
    Formula {
        expr: Expr,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        bind: BTreeMap<String, String>,
    },
    /// first case whose condition holds, else `otherwise`
    Cases { cases: Vec<Case>, otherwise: Expr },
    /// points of the band the value falls in
    Bands { value: Expr, bands: Vec<Band> },
    /// Σ points × min(actual / target, 1)
    Checkpoints { checkpoints: Vec<Checkpoint> },
    /// max × (items meeting `pass`) / (all items)
    CountPass { items: String, pass: Expr },
    /// max − count × per_item
    DeductPerItem { count: Expr, per_item: Ratio },
    /// max if the condition holds, else 0
    Binary { condition: Expr },
    /// points given by the evaluator per sub-item, with a justification below full points
    Judgement { items: Vec<JudgementItem> },
    /// scored only by the reviewing group; lowers the self-evaluation maximum
    ReviewerOnly { rule: Option<Box<Rule>> },
    /// a score computed elsewhere (e.g. the department's own special-fund scoring)
    Imported { input: String },
}

impl Rule {
    pub fn kind_label(&self) -> &'static str {
        match self {
            Rule::Formula { .. } => "公式",
            Rule::Cases { .. } => "分情形公式",
            Rule::Bands { .. } => "区间计分",
            Rule::Checkpoints { .. } => "节点进度",
            Rule::CountPass { .. } => "达标个数占比",
            Rule::DeductPerItem { .. } => "逐项扣分",
            Rule::Binary { .. } => "是否达到",
            Rule::Judgement { .. } => "评价人打分",
            Rule::ReviewerOnly { .. } => "评价组评分",
            Rule::Imported { .. } => "引用得分",
        }
    }

    /// Names of the inputs the rule reads (list items' fields excluded).
    pub fn input_names(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        match self {
            Rule::Formula { expr, bind } => out.extend(
                expr.names()
                    .into_iter()
                    .map(|n| bind.get(&n).cloned().unwrap_or(n)),
            ),
            Rule::Cases { cases, otherwise } => {
                for c in cases {
                    out.extend(c.when.names());
                    out.extend(c.expr.names());
                }
                out.extend(otherwise.names());
            }
            Rule::Bands { value, .. } => out.extend(value.names()),
            Rule::Checkpoints { checkpoints } => {
                for c in checkpoints {
                    out.extend(c.actual.names());
                }
            }
            Rule::CountPass { items, pass } => {
                out.insert(items.clone());
                out.extend(pass.names().into_iter().filter(|n| !n.starts_with("item.")));
            }
            Rule::DeductPerItem { count, .. } => out.extend(count.names()),
            Rule::Binary { condition } => out.extend(condition.names()),
            Rule::Judgement { .. } => {}
            Rule::ReviewerOnly { rule } => {
                if let Some(r) = rule {
                    out.extend(r.input_names());
                }
            }
            Rule::Imported { input } => {
                out.insert(input.clone());
            }
        }
        out
    }
}

/// One indicator of the tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub name: String,
    pub max: Ratio,
    /// 指标解释
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub explanation: String,
    /// 计分标准, verbatim from the official system
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub standard: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<Rule>,
}

/// A validated indicator system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndicatorSystem {
    pub name: String,
    pub title: String,
    pub year: i32,
    pub kind: SystemKind,
    pub max: Ratio,
    pub grades: Grades,
    pub inputs: BTreeMap<String, InputDecl>,
    /// In file order (parents before children is not required in the file; see `children`).
    pub indicators: Vec<Indicator>,
}

/// Stable codes of indicator-system and project-rule file errors (docs/evaluation.md §5.1).
/// All are errors: a system with any of them is not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SystemCode {
    /// S001 指标体系文件格式错误
    Format,
    /// S002 指标 id 重复
    DuplicateId,
    /// S003 上级指标不存在
    UnknownParent,
    /// S004 上级关系成环
    ParentCycle,
    /// S005 分值不对
    Points,
    /// S006 使用了未声明的输入
    UnknownInput,
    /// S007 等级或区间划分不对
    Grades,
    /// S008 计分规则位置不对
    RulePlacement,
    /// S009 分项分值之和不等于满分
    PartsSum,
    /// S010 基础体系不存在或嵌套过深
    Extends,
}

impl SystemCode {
    pub const ALL: [SystemCode; 10] = [
        SystemCode::Format,
        SystemCode::DuplicateId,
        SystemCode::UnknownParent,
        SystemCode::ParentCycle,
        SystemCode::Points,
        SystemCode::UnknownInput,
        SystemCode::Grades,
        SystemCode::RulePlacement,
        SystemCode::PartsSum,
        SystemCode::Extends,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SystemCode::Format => "S001",
            SystemCode::DuplicateId => "S002",
            SystemCode::UnknownParent => "S003",
            SystemCode::ParentCycle => "S004",
            SystemCode::Points => "S005",
            SystemCode::UnknownInput => "S006",
            SystemCode::Grades => "S007",
            SystemCode::RulePlacement => "S008",
            SystemCode::PartsSum => "S009",
            SystemCode::Extends => "S010",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            SystemCode::Format => "指标体系文件格式错误",
            SystemCode::DuplicateId => "指标 id 重复",
            SystemCode::UnknownParent => "上级指标不存在",
            SystemCode::ParentCycle => "上级关系成环",
            SystemCode::Points => "分值不对",
            SystemCode::UnknownInput => "使用了未声明的输入",
            SystemCode::Grades => "等级或区间划分不对",
            SystemCode::RulePlacement => "计分规则位置不对",
            SystemCode::PartsSum => "分项分值之和不等于满分",
            SystemCode::Extends => "基础体系不存在或嵌套过深",
        }
    }
}

impl juesuan_core::Coded for SystemCode {
    const FAMILY: juesuan_core::Family = juesuan_core::Family::System;
    const ALL: &'static [Self] = &SystemCode::ALL;

    fn code(self) -> &'static str {
        SystemCode::code(self)
    }

    /// A system with any of these problems is not used: all are errors.
    fn severity(self) -> juesuan_core::Severity {
        juesuan_core::Severity::Error
    }

    fn title(self) -> &'static str {
        SystemCode::title(self)
    }
}

impl fmt::Display for SystemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A problem in a system file, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemError {
    pub code: SystemCode,
    pub origin: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for SystemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{l}:{c}: ", self.origin)?,
            _ => write!(f, "{}: ", self.origin)?,
        }
        write!(f, "错误[{}]：{}", self.code, self.message)
    }
}

impl std::error::Error for SystemError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SystemFile {
    name: String,
    title: String,
    year: i32,
    kind: Option<SystemKind>,
    /// A variant: the base system's name; this file's indicators replace or add by id.
    #[serde(default)]
    extends: Option<String>,
    max: Option<Ratio>,
    grades: Option<Grades>,
    #[serde(default)]
    inputs: BTreeMap<String, InputDecl>,
    #[serde(default, rename = "indicator")]
    indicators: Vec<Spanned<toml::Table>>,
}

/// Turns a byte offset of one system file into a located [`SystemError`].
struct Locator<'a> {
    text: &'a str,
    origin: &'a str,
}

impl Locator<'_> {
    fn error(&self, code: SystemCode, offset: Option<usize>, message: String) -> SystemError {
        let at = offset.map(|o| juesuan_core::input::location_of(self.text, o));
        SystemError {
            code,
            origin: self.origin.to_string(),
            line: at.map(|l| l.line),
            column: at.map(|l| l.column),
            message,
        }
    }
}

impl IndicatorSystem {
    /// Load a system file. `resolve(name)` returns (origin, text) of another system file, for
    /// variants that `extends` a base system.
    pub fn from_toml(
        text: &str,
        origin: &str,
        resolve: &dyn Fn(&str) -> Option<(String, String)>,
    ) -> Result<IndicatorSystem, Vec<SystemError>> {
        Self::load(text, origin, resolve, 0)
    }

    fn load(
        text: &str,
        origin: &str,
        resolve: &dyn Fn(&str) -> Option<(String, String)>,
        depth: usize,
    ) -> Result<IndicatorSystem, Vec<SystemError>> {
        let loc = Locator { text, origin };
        let file: SystemFile = toml::from_str(text).map_err(|e| {
            vec![loc.error(
                SystemCode::Format,
                e.span().map(|s| s.start),
                format!("指标体系文件格式错误：{}", e.message()),
            )]
        })?;
        let mut errors = Vec::new();
        // Each indicator table, typed, keeping where it stands in the file.
        let mut own: Vec<(usize, Indicator)> = Vec::new();
        let mut partial: Vec<(usize, toml::Table)> = Vec::new();
        for t in &file.indicators {
            let at = t.span().start;
            if file.extends.is_some() {
                partial.push((at, t.get_ref().clone()));
                continue;
            }
            match t.get_ref().clone().try_into::<Indicator>() {
                Ok(i) => own.push((at, i)),
                Err(e) => errors.push(loc.error(
                    SystemCode::Format,
                    Some(at),
                    format!("指标定义错误：{}", e.message().trim()),
                )),
            }
        }
        let mut system = match &file.extends {
            None => {
                let (Some(kind), Some(max), Some(grades)) =
                    (file.kind, file.max, file.grades.clone())
                else {
                    errors.push(loc.error(
                        SystemCode::Format,
                        Some(0),
                        "缺少 kind、max 或 [grades]".into(),
                    ));
                    return Err(errors);
                };
                IndicatorSystem {
                    name: file.name.clone(),
                    title: file.title.clone(),
                    year: file.year,
                    kind,
                    max,
                    grades,
                    inputs: file.inputs.clone(),
                    indicators: own.iter().map(|(_, i)| i.clone()).collect(),
                }
            }
            Some(base_name) => {
                let mut base = Self::load_base(&loc, base_name, resolve, depth)?;
                base.override_with(&file, partial, &loc, &mut own, &mut errors);
                base
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        // Where each indicator is defined (this file's table, else the file start).
        let at = |id: &str| {
            own.iter()
                .find(|(_, i)| i.id == id)
                .map(|(a, _)| *a)
                .or(Some(0))
        };
        // Problems of the whole system (total, grades) point at its top-level `max` / [grades].
        let top = |code: SystemCode| {
            let key = if code == SystemCode::Grades {
                "\n[grades]"
            } else {
                "\nmax"
            };
            Some(text.find(key).map_or(0, |i| i + 1))
        };
        system.validate(&mut |code, id: Option<&str>, msg| {
            let offset = match id {
                Some(id) => at(id),
                None => top(code),
            };
            errors.push(loc.error(code, offset, msg));
        });
        if errors.is_empty() {
            Ok(system)
        } else {
            Err(errors)
        }
    }

    /// The system a variant `extends`, loaded through `resolve`.
    fn load_base(
        loc: &Locator<'_>,
        base_name: &str,
        resolve: &dyn Fn(&str) -> Option<(String, String)>,
        depth: usize,
    ) -> Result<IndicatorSystem, Vec<SystemError>> {
        if depth > 8 {
            return Err(vec![loc.error(
                SystemCode::Extends,
                Some(0),
                "extends 嵌套过深（是否互相引用？）".into(),
            )]);
        }
        let Some((base_origin, base_text)) = resolve(base_name) else {
            return Err(vec![loc.error(
                SystemCode::Extends,
                Some(0),
                format!("extends 引用的指标体系“{base_name}”不存在"),
            )]);
        };
        Self::load(&base_text, &base_origin, resolve, depth + 1)
    }

    /// A variant's header and indicators over its base: fields given replace the base
    /// indicator's; a new id is added.
    fn override_with(
        &mut self,
        file: &SystemFile,
        partial: Vec<(usize, toml::Table)>,
        loc: &Locator<'_>,
        own: &mut Vec<(usize, Indicator)>,
        errors: &mut Vec<SystemError>,
    ) {
        self.name.clone_from(&file.name);
        self.title.clone_from(&file.title);
        self.year = file.year;
        if let Some(m) = file.max {
            self.max = m;
        }
        if let Some(g) = file.grades.clone() {
            self.grades = g;
        }
        if let Some(k) = file.kind {
            self.kind = k;
        }
        self.inputs.extend(file.inputs.clone());
        for (at, table) in partial {
            let id = table.get("id").and_then(|v| v.as_str()).map(str::to_owned);
            let Some(id) = id else {
                errors.push(loc.error(SystemCode::Format, Some(at), "指标缺少 id".into()));
                continue;
            };
            let merged = match self.indicators.iter().find(|i| i.id == id) {
                Some(existing) => {
                    let mut t = toml::Table::try_from(existing).expect("serializable");
                    if table.contains_key("rule") {
                        t.remove("rule");
                    }
                    t.extend(table);
                    t
                }
                None => table,
            };
            match merged.try_into::<Indicator>() {
                Ok(ind) => {
                    own.push((at, ind.clone()));
                    match self.indicators.iter_mut().find(|i| i.id == id) {
                        Some(slot) => *slot = ind,
                        None => self.indicators.push(ind),
                    }
                }
                Err(e) => errors.push(loc.error(
                    SystemCode::Format,
                    Some(at),
                    format!("指标“{id}”定义错误：{}", e.message().trim()),
                )),
            }
        }
    }

    fn validate(&mut self, report: &mut dyn FnMut(SystemCode, Option<&str>, String)) {
        self.validate_tree(report);
        self.validate_points(report);
        for (name, decl) in &self.inputs {
            if let Some(d) = &decl.derive {
                if !crate::derive::QUANTITIES.iter().any(|(k, _)| k == d) {
                    report(
                        SystemCode::UnknownInput,
                        None,
                        format!(
                            "输入“{name}”的 derive = \"{d}\" 不是可由决算数据计算的量；可用：{}",
                            crate::derive::QUANTITIES
                                .iter()
                                .map(|(k, _)| *k)
                                .collect::<Vec<_>>()
                                .join("、")
                        ),
                    );
                }
            }
        }
        // Rules: inputs declared, bands without gaps, sub-points adding up.
        for i in &self.indicators {
            let Some(rule) = &i.rule else { continue };
            for name in rule.input_names() {
                if !self.inputs.contains_key(&name) {
                    report(
                        SystemCode::UnknownInput,
                        Some(&i.id),
                        format!(
                            "指标“{}”的规则引用了未声明的输入“{name}”（请在 [inputs] 中声明）",
                            i.id
                        ),
                    );
                }
            }
            self.validate_rule(i, rule, report);
        }
        // Grades: descending, ending at 0.
        let bands = &self.grades.bands;
        if bands.is_empty() || bands.last().is_some_and(|b| !b.min.is_zero()) {
            report(
                SystemCode::Grades,
                None,
                "等级划分须从高到低排列，最后一档下限为0".into(),
            );
        }
        if bands.windows(2).any(|w| w[0].min <= w[1].min) {
            report(
                SystemCode::Grades,
                None,
                "等级划分的下限须从高到低严格递减".into(),
            );
        }
    }

    /// Ids unique, parents known, no parent cycles.
    fn validate_tree(&self, report: &mut dyn FnMut(SystemCode, Option<&str>, String)) {
        let mut ids = BTreeSet::new();
        for i in &self.indicators {
            if !ids.insert(i.id.as_str()) {
                report(
                    SystemCode::DuplicateId,
                    Some(&i.id),
                    format!("指标 id“{}”重复", i.id),
                );
            }
        }
        for i in &self.indicators {
            if let Some(p) = &i.parent {
                if !ids.contains(p.as_str()) {
                    report(
                        SystemCode::UnknownParent,
                        Some(&i.id),
                        format!("指标“{}”的上级“{p}”不存在", i.id),
                    );
                }
            }
        }
        // Cycles: following parents from any indicator must end at a root.
        let parent_of: BTreeMap<&str, &str> = self
            .indicators
            .iter()
            .filter_map(|i| i.parent.as_deref().map(|p| (i.id.as_str(), p)))
            .collect();
        for i in &self.indicators {
            let mut cur = i.id.as_str();
            for _ in 0..=self.indicators.len() {
                match parent_of.get(cur) {
                    Some(p) => cur = p,
                    None => break,
                }
            }
            if parent_of.contains_key(cur) && ids.contains(cur) {
                report(
                    SystemCode::ParentCycle,
                    Some(&i.id),
                    format!("指标“{}”的上级关系成环", i.id),
                );
            }
        }
    }

    /// Weights: children add up to the parent, roots to the system maximum; rules only on leaves.
    fn validate_points(&self, report: &mut dyn FnMut(SystemCode, Option<&str>, String)) {
        let mut roots = Ratio::ZERO;
        for i in &self.indicators {
            if i.max.is_negative() {
                report(
                    SystemCode::Points,
                    Some(&i.id),
                    format!("指标“{}”分值为负", i.id),
                );
            }
            let children: Vec<&Indicator> = self
                .indicators
                .iter()
                .filter(|c| c.parent.as_deref() == Some(i.id.as_str()))
                .collect();
            if i.parent.is_none() {
                roots = roots.checked_add(i.max).unwrap_or(roots);
            }
            if children.is_empty() {
                if i.rule.is_none() {
                    report(
                        SystemCode::RulePlacement,
                        Some(&i.id),
                        format!("末级指标“{}”没有计分规则（rule）", i.id),
                    );
                }
                continue;
            }
            if i.rule.is_some() {
                report(
                    SystemCode::RulePlacement,
                    Some(&i.id),
                    format!("指标“{}”有下级指标，不能再有计分规则", i.id),
                );
            }
            let sum = children
                .iter()
                .try_fold(Ratio::ZERO, |a, c| a.checked_add(c.max))
                .unwrap_or(Ratio::ZERO);
            if sum != i.max {
                report(
                    SystemCode::Points,
                    Some(&i.id),
                    format!(
                        "指标“{}”分值{}与其下级指标分值之和{}不符",
                        i.id,
                        i.max.display_exact(),
                        sum.display_exact()
                    ),
                );
            }
        }
        if roots != self.max {
            report(
                SystemCode::Points,
                None,
                format!(
                    "一级指标分值之和{}与总分{}不符",
                    roots.display_exact(),
                    self.max.display_exact()
                ),
            );
        }
    }

    fn validate_rule(
        &self,
        i: &Indicator,
        rule: &Rule,
        report: &mut dyn FnMut(SystemCode, Option<&str>, String),
    ) {
        match rule {
            Rule::Bands { bands, .. } => {
                for b in bands {
                    if b.points > i.max || b.points.is_negative() {
                        report(
                            SystemCode::Grades,
                            Some(&i.id),
                            format!("指标“{}”的区间分值超出0至满分", i.id),
                        );
                    }
                }
                // Sorted by lower bound, each band must start exactly where the previous ends,
                // with exactly one of the two sides including the shared bound.
                let mut sorted: Vec<&Band> = bands.iter().collect();
                sorted.sort_by(|a, b| match (a.from, b.from) {
                    (None, None) => std::cmp::Ordering::Equal,
                    (None, _) => std::cmp::Ordering::Less,
                    (_, None) => std::cmp::Ordering::Greater,
                    (Some(x), Some(y)) => x.cmp(&y),
                });
                for w in sorted.windows(2) {
                    let (a, b) = (w[0], w[1]);
                    let ok = a.to.is_some() && a.to == b.from && (a.include_to != b.include_from);
                    if !ok {
                        report(
                            SystemCode::Grades,
                            Some(&i.id),
                            format!(
                                "指标“{}”的区间 {} 与 {} 之间有缺口或重叠",
                                i.id,
                                a.describe(),
                                b.describe()
                            ),
                        );
                    }
                }
            }
            Rule::Checkpoints { checkpoints } => {
                let sum = checkpoints
                    .iter()
                    .try_fold(Ratio::ZERO, |a, c| a.checked_add(c.points))
                    .unwrap_or(Ratio::ZERO);
                if sum != i.max {
                    report(
                        SystemCode::PartsSum,
                        Some(&i.id),
                        format!("指标“{}”各节点分值之和{}与满分{}不符", i.id, sum, i.max),
                    );
                }
                for c in checkpoints {
                    if !c.target.is_negative() && c.target.is_zero() {
                        report(
                            SystemCode::PartsSum,
                            Some(&i.id),
                            format!("指标“{}”节点“{}”目标为0", i.id, c.label),
                        );
                    }
                }
            }
            Rule::Judgement { items } => {
                let sum = items
                    .iter()
                    .try_fold(Ratio::ZERO, |a, c| a.checked_add(c.max))
                    .unwrap_or(Ratio::ZERO);
                if sum != i.max {
                    report(
                        SystemCode::PartsSum,
                        Some(&i.id),
                        format!("指标“{}”各评分项分值之和{}与满分{}不符", i.id, sum, i.max),
                    );
                }
            }
            Rule::CountPass { items, pass } => {
                if let Some(decl) = self.inputs.get(items) {
                    if decl.kind != InputKind::List {
                        report(
                            SystemCode::UnknownInput,
                            Some(&i.id),
                            format!("指标“{}”的 items 须为列表输入", i.id),
                        );
                    }
                    for n in pass.names() {
                        let field = n.strip_prefix("item.");
                        let known = match field {
                            Some(f) => decl.fields.iter().any(|d| d == f),
                            None => self.inputs.contains_key(&n),
                        };
                        if !known {
                            report(
                                SystemCode::UnknownInput,
                                Some(&i.id),
                                format!("指标“{}”的达标条件引用了未声明的字段“{n}”", i.id),
                            );
                        }
                    }
                }
            }
            Rule::ReviewerOnly { rule: Some(r) } => self.validate_rule(i, r, report),
            _ => {}
        }
    }

    pub fn get(&self, id: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.id == id)
    }

    pub fn children(&self, id: &str) -> impl Iterator<Item = &Indicator> {
        let id = id.to_string();
        self.indicators
            .iter()
            .filter(move |i| i.parent.as_deref() == Some(id.as_str()))
    }

    pub fn roots(&self) -> impl Iterator<Item = &Indicator> {
        self.indicators.iter().filter(|i| i.parent.is_none())
    }

    /// Depth of an indicator: 1 for 一级.
    pub fn level(&self, id: &str) -> usize {
        let mut n = 1;
        let mut cur = self.get(id);
        while let Some(p) = cur.and_then(|i| i.parent.as_deref()) {
            n += 1;
            cur = self.get(p);
            if n > self.indicators.len() {
                break;
            }
        }
        n
    }

    /// Maximum of the self-evaluation: the total less every reviewer-only indicator.
    pub fn self_max(&self) -> Ratio {
        self.indicators
            .iter()
            .filter(|i| matches!(i.rule, Some(Rule::ReviewerOnly { .. })))
            .fold(self.max, |m, i| m.checked_sub(i.max).unwrap_or(m))
    }

    /// Serialize back to a system file (round-trips through `from_toml`).
    pub fn to_toml(&self) -> String {
        #[derive(Serialize)]
        struct Out<'a> {
            name: &'a str,
            title: &'a str,
            year: i32,
            kind: SystemKind,
            max: Ratio,
            grades: &'a Grades,
            inputs: &'a BTreeMap<String, InputDecl>,
            indicator: &'a [Indicator],
        }
        toml::to_string(&Out {
            name: &self.name,
            title: &self.title,
            year: self.year,
            kind: self.kind,
            max: self.max,
            grades: &self.grades,
            inputs: &self.inputs,
            indicator: &self.indicators,
        })
        .expect("a system serializes")
    }
}
