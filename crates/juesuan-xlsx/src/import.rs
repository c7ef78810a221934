//! The importer of official Excel exports of the disclosure tables: finds each table of the
//! set, reads what it states, and inverts the template's derivation into base facts.
//!
//! Which table gives which facts is data: the set's `[import]` roles
//! (`juesuan_core::import_roles`, docs/data-files.md §4.10). In the national numbering:
//! - 本年收入 by source × 项: income (公开02表) per source column; its 财政拨款收入 column is
//!   split into 政府性基金 (government_fund, 公开08表 本年收入), 国有资本经营 (state_capital,
//!   公开09表 本年收入) and the rest, 一般公共预算.
//! - 本年支出 by source × nature × 项: 一般公共预算 basic/project from general_budget_spending
//!   (公开05表), 政府性基金 and 国有资本经营 from the two fund tables; the non-fiscal remainder
//!   is spending (公开03表) minus those, and all of 上缴上级 / 经营 / 对附属单位补助 spending.
//! - 基本支出 by 经济科目 (一般公共预算): general_budget_basic_economic (公开06表) 款 rows.
//! - 年初结转和结余: the fund tables' 合计, 一般公共预算 = fiscal_summary (公开04表)
//!   年初财政拨款结转和结余 minus those, non-fiscal = summary (公开01表) minus fiscal_summary.
//! - 使用非财政拨款结余, 结余分配: summary. “三公” budget and actual: sangong (公开07表), its
//!   items as rows or as columns.
//!
//! The tables do not split non-fiscal spending (and non-fiscal 年初结转) by source: all of it
//! is attributed to the non-fiscal source with the largest 本年收入 (其他收入 when there is
//! none), and a warning says so. Every other cell (类, 款, 合计, 总计, the totals tables, the
//! tables playing no role) is compared with the tables derived from the imported facts;
//! differences are warnings and the stated tables keep the workbook's own figures for
//! `juesuan check`.

use crate::error::{ImportError, ImportWarning, Place, Problem, ProblemKind};
use crate::grid::{read_workbook, Sheet, Value};
use crate::read::{find_candidates, preparer, read_table, ReadContext, StatedTable};
use crate::safety::Limits;
use crate::text::norm;
use juesuan_core::facts::{Fact, FactFilter, FactTable, FundSource, Measure, Nature, Scenario};
use juesuan_core::import_roles::{ImportRole, SANGONG_ITEMS};
use juesuan_core::money::{Amount, MoneyUnit};
use juesuan_core::tables::{derive_table, Table, TableSet};
use juesuan_core::template_match::sides;
use juesuan_core::{Catalogues, ErrorCode, Gap, StatedPrecision};
use std::collections::BTreeMap;

/// What an import yields.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The base facts the tables determine (本年收入, 本年支出, 基本支出经济分类,
    /// 年初结转和结余, 使用非财政拨款结余, 结余分配, “三公” budget and actual), in canonical
    /// order without locations (see [`table_facts`]).
    pub facts: FactTable,
    /// The tables as the workbook states them, keyed like derived tables (row id or code ×
    /// column id), totals rows included, for the consistency rules of `juesuan check`.
    pub stated: Vec<Table>,
    pub warnings: Vec<ImportWarning>,
    /// 编制单位 as printed above a table, if any.
    pub unit_name: Option<String>,
    /// The first year stated above a table ("2021年度"), if any.
    pub stated_year: Option<i32>,
    /// 0.01 万元 when every table is in 万元 and every figure has at most two decimals (the
    /// published tables, rounded); `None` for exact figures (juesuan's own tables.xlsx).
    pub precision: Option<StatedPrecision>,
}

/// The precision the tables state their figures to: 0.01 万元 when every table is in 万元
/// and no figure has more than two decimals (tables copied from a publication), else exact.
fn stated_precision(stated: &BTreeMap<String, StatedTable>) -> Option<StatedPrecision> {
    let step = StatedPrecision::WAN_CENT.step_fen();
    let rounded = stated
        .values()
        .all(|t| t.unit == MoneyUnit::Wan && t.cells.values().all(|(a, _)| a.fen() % step == 0));
    let any = stated
        .values()
        .any(|t| t.cells.values().any(|(a, _)| !a.is_zero()));
    (rounded && any).then_some(StatedPrecision::WAN_CENT)
}

/// `--prefer`: a table id ("t5") or number ("公开05表") of the template, as its id.
fn preferred_table(set: &TableSet, name: &str) -> Result<String, ImportError> {
    let name = name.trim();
    set.tables
        .iter()
        .find(|t| t.id == name || t.code == name || t.title == name)
        .map(|t| t.id.clone())
        .ok_or_else(|| ImportError {
            problems: vec![Problem {
                kind: ProblemKind::MissingTable,
                place: Place::default(),
                message: format!("--prefer 指定的表“{name}”不是公开表"),
                hint: format!(
                    "写表号或表名，如 {}",
                    set.tables
                        .iter()
                        .map(|t| t.code.as_str())
                        .filter(|c| !c.is_empty())
                        .collect::<Vec<_>>()
                        .join("、")
                ),
            }],
        })
}

/// An amount in a message: at the stated precision, or exact in 万元.
fn shown(precision: Option<StatedPrecision>, a: Amount) -> String {
    match precision {
        Some(p) => p.show(a),
        None => format!("{}万元", a.exact(MoneyUnit::Wan)),
    }
}

/// The W107 notice of two tables printing the same figure in contradiction: both cells, what
/// the import kept, and how to keep the other table's figure instead.
fn conflict_warning(
    stated: &BTreeMap<String, StatedTable>,
    ((t, row, col), (_, other)): ((&str, &str, &str), (&str, &str)),
    what: String,
    (kept, value, instead): (&str, Amount, &str),
) -> ImportWarning {
    let name = |id: &str| {
        stated
            .get(id)
            .map_or_else(|| id.to_string(), |x| format!("工作表“{}”", x.sheet))
    };
    let cell = |id: &str| {
        stated
            .get(id)
            .and_then(|x| x.place(row, col).cell)
            .unwrap_or_default()
    };
    ImportWarning {
        place: Place::default(),
        message: format!(
            "{what}：{} {} 与 {} {}。导入取{} {}的数（{}），另一张表与之相差的部分按尾差处理；如应以另一张表为准，请用 juesuan import --prefer {instead} 重新导入",
            name(t),
            cell(t),
            name(other),
            cell(other),
            name(kept),
            cell(kept),
            StatedPrecision::WAN_CENT.show(value)
        ),
        code: Some(ErrorCode::ConflictingTables),
    }
}

const NON_FISCAL: [FundSource; 5] = [
    FundSource::SuperiorSubsidy,
    FundSource::Business,
    FundSource::Operation,
    FundSource::Affiliate,
    FundSource::Other,
];

/// The facts a disclosure-table workbook can hold, without locations and zero amounts, in a
/// canonical order: what an import yields, and what a unit-year's facts must equal after a
/// round trip through Excel.
pub fn table_facts(facts: &FactTable) -> FactTable {
    let keep = |f: &Fact| {
        matches!(
            (f.measure, f.scenario),
            (
                Measure::Income
                    | Measure::Expenditure
                    | Measure::BasicEconomic
                    | Measure::CarryoverBegin
                    | Measure::UsedNonFiscalBalance
                    | Measure::SurplusDistribution,
                Scenario::Actual,
            ) | (Measure::SanGong, Scenario::Actual | Scenario::Budget)
        )
    };
    // Sum duplicates (the same key stated twice) so the comparison is by figure, not by line.
    let mut sums: BTreeMap<String, Fact> = BTreeMap::new();
    for f in facts.facts.iter().filter(|f| keep(f)) {
        let mut g = f.clone();
        g.location = None;
        let key = format!(
            "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
            g.measure, g.scenario, g.source, g.nature, g.function, g.economic, g.item
        );
        sums.entry(key)
            .and_modify(|e| e.amount += g.amount)
            .or_insert(g);
    }
    FactTable {
        facts: sums.into_values().filter(|f| !f.amount.is_zero()).collect(),
    }
}

/// How to import a workbook.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions<'a> {
    pub limits: Limits,
    /// The table (id "t5" or number "公开05表") whose figure is kept where two tables print
    /// the same 科目 in ways no figures can reconcile (W107); by default the first of the two.
    pub prefer: Option<&'a str>,
}

/// Import with the default safety limits.
pub fn import_workbook(
    bytes: &[u8],
    set: &TableSet,
    catalogues: &Catalogues,
    year: i32,
) -> Result<Imported, ImportError> {
    import_workbook_with_limits(bytes, set, catalogues, year, &Limits::default())
}

/// Import a workbook of the tables of `set` (its `[import]` roles say which table gives what).
pub fn import_workbook_with_limits(
    bytes: &[u8],
    set: &TableSet,
    catalogues: &Catalogues,
    year: i32,
    limits: &Limits,
) -> Result<Imported, ImportError> {
    let options = ImportOptions {
        limits: *limits,
        prefer: None,
    };
    import_workbook_with(bytes, set, catalogues, year, &options)
}

/// Import a workbook with `options` (limits, the table preferred in a contradiction).
pub fn import_workbook_with(
    bytes: &[u8],
    set: &TableSet,
    catalogues: &Catalogues,
    year: i32,
    options: &ImportOptions,
) -> Result<Imported, ImportError> {
    check_template(set)?;
    let prefer = options
        .prefer
        .map(|p| preferred_table(set, p))
        .transpose()?;
    let sheets = read_workbook(bytes, &options.limits)?;
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let stated = locate_and_read(&sheets, set, catalogues, &mut problems, &mut warnings);
    let stated_year = stated_year(&sheets);
    if let Some(y) = stated_year.filter(|y| *y != year) {
        warnings.push(ImportWarning {
            place: Place::default(),
            message: format!(
                "表中写的是{y}年度，导入按{year}年度处理；如年度不对，请用 --year 指定"
            ),
            code: None,
        });
    }
    if problems.is_empty() {
        problems.extend(magnitude_problem(&stated));
    }
    if !problems.is_empty() {
        return Err(ImportError { problems });
    }
    let precision = stated_precision(&stated);
    let mut reported = Reported::new();
    let facts = build_facts(
        set,
        &stated,
        &mut problems,
        &mut warnings,
        (precision, prefer.as_deref(), &mut reported),
    );
    if !problems.is_empty() {
        return Err(ImportError { problems });
    }
    let facts = table_facts(&facts);
    let stated_tables = compare(
        set,
        catalogues,
        &facts,
        &stated,
        &mut warnings,
        (precision, prefer.as_deref(), &reported),
    );
    Ok(Imported {
        facts,
        stated: stated_tables,
        warnings,
        precision,
        unit_name: preparer(&sheets),
        stated_year,
    })
}

/// All stated amounts together within the bound that keeps every sum exact
/// (juesuan_core::money, "Why sums cannot wrap"): checked before any sum is taken, and
/// located at the cell where the running total passes it.
fn magnitude_problem(stated: &BTreeMap<String, StatedTable>) -> Option<Problem> {
    let cells: Vec<&(Amount, Place)> = stated.values().flat_map(|t| t.cells.values()).collect();
    let i = juesuan_core::money::first_past_magnitude_bound(cells.iter().map(|(a, _)| *a))?;
    Some(Problem {
        kind: ProblemKind::Amount,
        place: cells[i].1.clone(),
        message: "各表金额的绝对值之和到此单元格超过上限（1亿亿元），合计会超出精确计算的范围"
            .into(),
        hint: "请核对金额及金额单位（表头的“单位：元/万元”）；真实单位的金额远低于此上限。".into(),
    })
}

/// The set declares a table for every role the importer needs (`[import]`, validated with
/// its ids at load): else X002, naming the first missing role and the set.
fn check_template(set: &TableSet) -> Result<(), ImportError> {
    let Some(role) = set.import.missing().into_iter().next() else {
        return Ok(());
    };
    Err(ImportError::one(Problem {
        kind: ProblemKind::Template,
        place: Place::default(),
        message: format!(
            "表格模板“{}”（{}）没有声明导入角色“{}”（{}），导入程序不知道从哪张表读取相应的数",
            set.name,
            set.title,
            role.key(),
            role.label()
        ),
        hint: "在表格模板文件的 [import] 中写明各角色对应的表（docs/data-files.md 第 4.10 节），或改用已声明的模板（如 --template national、sichuan、shanghai）。"
            .into(),
    }))
}

/// Find each table of the set and read it; the first title whose layout reads wins.
fn locate_and_read(
    sheets: &[Sheet],
    set: &TableSet,
    catalogues: &Catalogues,
    problems: &mut Vec<Problem>,
    warnings: &mut Vec<ImportWarning>,
) -> BTreeMap<String, StatedTable> {
    let candidates = find_candidates(sheets, &set.tables);
    let mut out = BTreeMap::new();
    for (ti, spec) in set.tables.iter().enumerate() {
        let mine: Vec<_> = candidates.iter().filter(|c| c.table == ti).collect();
        let mut first_failure: Option<Problem> = None;
        for cand in &mine {
            let sheet = &sheets[cand.sheet];
            // The region ends where another table's title or code starts.
            let end = candidates
                .iter()
                .filter(|o| o.sheet == cand.sheet && o.table != ti && o.row > cand.row)
                .map(|o| o.row)
                .min()
                .unwrap_or(u32::MAX);
            let mut local_problems = Vec::new();
            let mut local_warnings = Vec::new();
            let mut cx = ReadContext {
                catalogues,
                problems: &mut local_problems,
                warnings: &mut local_warnings,
            };
            match read_table(sheet, spec, cand.row, end, &mut cx) {
                Ok(stated) => {
                    if let Some(prev) = out.get(&spec.id) {
                        let prev: &StatedTable = prev;
                        warnings.push(ImportWarning {
                            place: sheet.place_row(cand.row),
                            message: format!(
                                "又一处“{}”，未导入（已从工作表“{}”导入）",
                                spec.title, prev.sheet
                            ),
                            code: None,
                        });
                        continue;
                    }
                    problems.append(&mut local_problems);
                    warnings.append(&mut local_warnings);
                    out.insert(spec.id.clone(), stated);
                }
                Err(p) => {
                    first_failure.get_or_insert(p);
                }
            }
        }
        if out.contains_key(&spec.id) {
            continue;
        }
        let role = set.import.role_of(&spec.id);
        match first_failure {
            // A table playing no role is only compared: one that does not read is not checked.
            Some(p) if role.is_none() => warnings.push(ImportWarning {
                place: p.place,
                message: format!(
                    "{}（{}）；该表不担任导入角色，导入不从该表取数，只是没有核对它",
                    p.message, p.hint
                ),
                code: None,
            }),
            Some(p) => problems.push(p),
            None if role.is_some_and(ImportRole::required) => problems.push(Problem {
                kind: ProblemKind::MissingTable,
                place: Place::default(),
                message: format!("工作簿中找不到“{}”（{}）", spec.title, spec.code),
                hint: "导入程序按表题查找各表：请确认该表的表题单元格写有完整表名（如“收入决算表”），或工作表以表号命名（如“公开02表”）。".into(),
            }),
            None if role.is_some() => warnings.push(ImportWarning {
                place: Place::default(),
                message: format!("工作簿中没有“{}”，按本单位无此类资金处理（金额均为0）", spec.title),
                code: None,
            }),
            None => warnings.push(ImportWarning {
                place: Place::default(),
                message: format!(
                    "工作簿中没有“{}”（{}）；导入不从该表取数，只是没有核对它",
                    spec.title, spec.code
                ),
                code: None,
            }),
        }
    }
    out
}

/// The first year stated in the top rows of a sheet ("2021年度").
fn stated_year(sheets: &[Sheet]) -> Option<i32> {
    for sheet in sheets {
        for v in sheet.cells.values().take(400) {
            let Value::Text(t) = v else { continue };
            let t = norm(t);
            let Some(i) = t.find("年度") else { continue };
            let digits: Vec<char> = t[..i]
                .chars()
                .rev()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            if digits.len() == 4 {
                let y: String = digits.into_iter().rev().collect();
                return y.parse().ok();
            }
        }
    }
    None
}

/// Facts from the stated tables, each read from the table playing its role in `set`.
fn build_facts(
    set: &TableSet,
    stated: &BTreeMap<String, StatedTable>,
    problems: &mut Vec<Problem>,
    warnings: &mut Vec<ImportWarning>,
    (precision, prefer, reported): (Option<StatedPrecision>, Option<&str>, &mut Reported),
) -> FactTable {
    let mut b = FactsBuilder {
        set,
        stated,
        problems,
        warnings,
        precision,
        prefer,
        reported,
        facts: FactTable::default(),
    };
    b.rows_without_items();
    b.income();
    let (main, with_income) = b.main_non_fiscal_source();
    let spent = b.spending(main);
    b.economic();
    b.carryover(main, &with_income, spent);
    b.balances_and_sangong();
    b.facts
}

/// The official tables turned into facts, with the problems and warnings found on the way.
struct FactsBuilder<'a> {
    set: &'a TableSet,
    stated: &'a BTreeMap<String, StatedTable>,
    problems: &'a mut Vec<Problem>,
    warnings: &'a mut Vec<ImportWarning>,
    precision: Option<StatedPrecision>,
    prefer: Option<&'a str>,
    reported: &'a mut Reported,
    facts: FactTable,
}

use ImportRole::{
    FiscalSummary, GeneralBudgetBasicEconomic, GeneralBudgetSpending, GovernmentFund, Income,
    Spending, StateCapital, Summary,
};

impl FactsBuilder<'_> {
    fn show(&self, a: Amount) -> String {
        shown(self.precision, a)
    }

    /// The id of the table playing `role` ("" when the set has none: nothing is stated there).
    fn id(&self, role: ImportRole) -> &str {
        self.set.import.table(role).unwrap_or_default()
    }

    fn table(&self, role: ImportRole) -> Option<&StatedTable> {
        self.stated.get(self.id(role))
    }

    /// The official numbers of the tables playing `roles` ("公开05表、公开08表"), for messages.
    fn codes(&self, roles: &[ImportRole]) -> String {
        roles
            .iter()
            .filter_map(|r| self.set.get(self.id(*r)))
            .map(|t| if t.code.is_empty() { &t.title } else { &t.code })
            .cloned()
            .collect::<Vec<_>>()
            .join("、")
    }

    fn get(&self, role: ImportRole, row: &str, col: &str) -> Amount {
        self.table(role)
            .map(|x| x.get(row, col))
            .unwrap_or_default()
    }

    fn place(&self, role: ImportRole, row: &str, col: &str) -> Place {
        self.table(role)
            .map(|x| x.place(row, col))
            .unwrap_or_default()
    }

    /// The codes of `len` digits the tables list, sorted, once each.
    fn items(&self, roles: &[ImportRole], len: usize) -> Vec<String> {
        let mut v: Vec<String> = roles
            .iter()
            .filter_map(|r| self.table(*r))
            .flat_map(|t| {
                t.order
                    .iter()
                    .filter(|k| k.len() == len && k.chars().all(|c| c.is_ascii_digit()))
                    .cloned()
            })
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// A fact, unless it is zero; a negative one is a problem.
    fn push(&mut self, fact: Fact, at: Place) {
        if fact.amount.fen() < 0 {
            self.problems.push(Problem {
                kind: ProblemKind::Amount,
                place: at,
                message: format!("金额为负数（{}万元）", fact.amount.exact(MoneyUnit::Wan)),
                hint: "收入、支出和结转金额不能为负；请核对。".into(),
            });
        } else if !fact.amount.is_zero() {
            self.facts.push(fact);
        }
    }

    fn derived_negative(&mut self, at: Place, what: String, hint: &str) {
        self.problems.push(Problem {
            kind: ProblemKind::Inconsistent,
            place: at,
            message: what,
            hint: hint.to_string(),
        });
    }

    /// A 类 or 款 row with amounts but no 项 under it cannot become facts.
    fn rows_without_items(&mut self) {
        for (role, len) in [
            (Income, 7),
            (Spending, 7),
            (GeneralBudgetSpending, 7),
            (GovernmentFund, 7),
            (StateCapital, 7),
            (GeneralBudgetBasicEconomic, 5),
        ] {
            // Borrow the fields, not `self`: problems are pushed while the table is read.
            let (set, stated) = (self.set, self.stated);
            let Some(table) = set.import.table(role).and_then(|id| stated.get(id)) else {
                continue;
            };
            for key in &table.order {
                if key.len() >= len || !key.chars().all(|c| c.is_ascii_digit()) {
                    continue;
                }
                let has_child = table
                    .order
                    .iter()
                    .any(|k| k.len() == len && k.starts_with(key.as_str()));
                let nonzero = table
                    .cells
                    .iter()
                    .find(|((r, _), (a, _))| r == key && !a.is_zero());
                if let (false, Some(((_, col), _))) = (has_child, nonzero) {
                    let level = if len == 7 {
                        "项（7位编码）"
                    } else {
                        "款（5位编码）"
                    };
                    self.problems.push(Problem {
                        kind: ProblemKind::Code,
                        place: table.place(key, col),
                        message: format!("科目“{key}”有金额，但没有列出所属的{level}"),
                        hint: format!("导入以{level}为准：请列出该科目下各{level}的金额。"),
                    });
                }
            }
        }
    }

    /// 本年收入 by source: 一般公共预算 is 财政拨款 less the two funds.
    fn income(&mut self) {
        self.fund_income_not_listed();
        for code in self.items(&[Income, GovernmentFund, StateCapital], 7) {
            let fiscal = self.get(Income, &code, "fiscal");
            let gf = self.get(GovernmentFund, &code, "income");
            let sc = self.get(StateCapital, &code, "income");
            let gb = fiscal - gf - sc;
            if gb.fen() < 0 {
                self.derived_negative(
                    self.place(Income, &code, "fiscal"),
                    format!(
                        "科目“{code}”财政拨款收入{}万元，小于政府性基金和国有资本经营预算财政拨款收入之和{}万元",
                        fiscal.exact(MoneyUnit::Wan),
                        (gf + sc).exact(MoneyUnit::Wan)
                    ),
                    &format!(
                        "收入决算表的财政拨款收入包括一般公共预算、政府性基金和国有资本经营三种财政拨款；请核对{}。",
                        self.codes(&[Income, GovernmentFund, StateCapital])
                    ),
                );
                continue;
            }
            let income = |s: FundSource, a: Amount| {
                Fact::new(Measure::Income, Scenario::Actual, a)
                    .source(s)
                    .function(code.clone())
            };
            self.push(
                income(FundSource::GeneralBudget, gb),
                self.place(Income, &code, "fiscal"),
            );
            self.push(
                income(FundSource::GovernmentFund, gf),
                self.place(GovernmentFund, &code, "income"),
            );
            self.push(
                income(FundSource::StateCapital, sc),
                self.place(StateCapital, &code, "income"),
            );
            for s in NON_FISCAL {
                let a = self.get(Income, &code, s.key());
                self.push(income(s, a), self.place(Income, &code, s.key()));
            }
        }
    }

    /// A fund table without an 本年收入 column (Shanghai's 国有资本经营 table prints spending
    /// only) cannot split that fund's income by 科目: said in a warning when the summary table
    /// states some, which the import then counts as 一般公共预算 (the comparison shows where).
    fn fund_income_not_listed(&mut self) {
        for (role, row, source) in [
            (
                GovernmentFund,
                "income_government_fund",
                FundSource::GovernmentFund,
            ),
            (
                StateCapital,
                "income_state_capital",
                FundSource::StateCapital,
            ),
        ] {
            let listed = self.set.get(self.id(role)).is_some_and(|t| {
                sides(t)
                    .iter()
                    .any(|s| s.columns.iter().any(|c| c.id == "income"))
            });
            let stated = self.get(Summary, row, "amount");
            if listed || stated.is_zero() {
                continue;
            }
            self.warnings.push(ImportWarning {
                place: self.place(Summary, row, "amount"),
                message: format!(
                    "收入支出决算总表列有{}{}，但本套公开表不按科目列示这项收入，导入把它计入一般公共预算财政拨款收入；请在导入后的输入文件中把相应科目的收入改列为 [income.{}]",
                    source.income_label(),
                    self.show(stated),
                    source.key()
                ),
                code: None,
            });
        }
    }

    /// The non-fiscal source spending and carryover are attributed to (the largest non-fiscal
    /// income, else 其他收入), and the sources with income.
    fn main_non_fiscal_source(&self) -> (FundSource, Vec<FundSource>) {
        let income_of = |s: FundSource| {
            self.table(Income)
                .map(|t| {
                    t.order
                        .iter()
                        .filter(|k| k.len() == 7)
                        .map(|k| t.get(k, s.key()))
                        .sum::<Amount>()
                })
                .unwrap_or_default()
        };
        let with_income: Vec<FundSource> = NON_FISCAL
            .into_iter()
            .filter(|s| !income_of(*s).is_zero())
            .collect();
        let main = NON_FISCAL
            .into_iter()
            .rev()
            .max_by_key(|s| income_of(*s))
            .filter(|s| !income_of(*s).is_zero())
            .unwrap_or(FundSource::Other);
        (main, with_income)
    }

    /// 本年支出 by source and nature; returns the non-fiscal spending attributed to `main`.
    fn spending(&mut self, main: FundSource) -> Amount {
        let mut spent = Amount::ZERO;
        let fiscal = [GeneralBudgetSpending, GovernmentFund, StateCapital];
        for code in self.items(
            &[
                Spending,
                GeneralBudgetSpending,
                GovernmentFund,
                StateCapital,
            ],
            7,
        ) {
            for nature in [Nature::Basic, Nature::Project] {
                let key = nature.key();
                let (mut gb, mut gf, mut sc) = (
                    self.get(GeneralBudgetSpending, &code, key),
                    self.get(GovernmentFund, &code, key),
                    self.get(StateCapital, &code, key),
                );
                let all = self.get(Spending, &code, key);
                let mut rest = all - gb - gf - sc;
                let figures = [all, gb, gf, sc].iter().filter(|a| !a.is_zero()).count();
                let rounding =
                    StatedPrecision::grade(self.precision, -rest, figures) == Gap::Rounding;
                if rest.fen() < 0 && rounding {
                    let parts = (&mut gb, &mut gf, &mut sc);
                    self.fiscal_conflict(&code, nature, all, rest, parts);
                    rest = Amount::ZERO;
                } else if rest.fen() < 0 {
                    self.derived_negative(
                        self.place(Spending, &code, key),
                        format!(
                            "科目“{code}”{}{}万元，小于财政拨款{}之和{}万元（{}）",
                            nature.label(),
                            all.exact(MoneyUnit::Wan),
                            nature.label(),
                            (gb + gf + sc).exact(MoneyUnit::Wan),
                            self.codes(&fiscal)
                        ),
                        "支出决算表包括全部资金来源的支出，不能小于各财政拨款支出表之和；请核对。",
                    );
                    continue;
                }
                let spend = |s: FundSource, a: Amount| {
                    Fact::new(Measure::Expenditure, Scenario::Actual, a)
                        .source(s)
                        .nature(nature)
                        .function(code.clone())
                };
                self.push(
                    spend(FundSource::GeneralBudget, gb),
                    self.place(GeneralBudgetSpending, &code, key),
                );
                self.push(
                    spend(FundSource::GovernmentFund, gf),
                    self.place(GovernmentFund, &code, key),
                );
                self.push(
                    spend(FundSource::StateCapital, sc),
                    self.place(StateCapital, &code, key),
                );
                spent += rest;
                self.push(spend(main, rest), self.place(Spending, &code, key));
            }
            for nature in [Nature::ToSuperior, Nature::Operation, Nature::ToAffiliates] {
                let a = self.get(Spending, &code, nature.key());
                spent += a;
                self.push(
                    Fact::new(Measure::Expenditure, Scenario::Actual, a)
                        .source(main)
                        .nature(nature)
                        .function(code.clone()),
                    self.place(Spending, &code, nature.key()),
                );
            }
        }
        spent
    }

    /// The spending table printing less than its fiscal parts (the general-budget, government-
    /// fund and state-capital tables) by no more than rounding: the tables contradict each
    /// other; one table's figure is kept and the user told (W107).
    fn fiscal_conflict(
        &mut self,
        code: &str,
        nature: Nature,
        all: Amount,
        rest: Amount,
        (gb, gf, sc): (&mut Amount, &mut Amount, &mut Amount),
    ) {
        let key = nature.key();
        // The tables contradict each other (no figures behind them can make the
        // fiscal part exceed the whole) by no more than rounding: keep one table's.
        let fiscal_role = [
            (GeneralBudgetSpending, *gb),
            (GovernmentFund, *gf),
            (StateCapital, *sc),
        ]
        .into_iter()
        .max_by_key(|(_, a)| *a)
        .map_or(GeneralBudgetSpending, |(r, _)| r);
        let fiscal_table = self.id(fiscal_role).to_string();
        let whole = self.id(Spending).to_string();
        let keep_fiscal = self.prefer.is_some_and(|p| p == fiscal_table);
        if !keep_fiscal {
            // The whole (the spending table, the first) wins: the largest fiscal part gives way.
            match fiscal_role {
                GovernmentFund => *gf += rest,
                StateCapital => *sc += rest,
                _ => *gb += rest,
            }
        }
        let (kept, kept_value) = if keep_fiscal {
            (fiscal_table.as_str(), self.get(fiscal_role, code, key))
        } else {
            (whole.as_str(), all)
        };
        self.warnings.push(conflict_warning(
            self.stated,
            ((&whole, code, key), (&whole, &fiscal_table)),
            format!(
                "科目“{code}”{}：支出决算表填列{}，小于其中的财政拨款{}之和{}，两表对同一支出的填列相互矛盾（差{}）",
                nature.label(),
                self.show(all),
                nature.label(),
                self.show(all - rest),
                self.show(-rest),
            ),
            (kept, kept_value, if kept == whole { &fiscal_table } else { &whole }),
        ));
        for t in [&whole, &fiscal_table] {
            self.reported
                .insert((t.to_string(), code.to_string(), key.to_string()));
        }
    }

    /// 基本支出按经济分类（一般公共预算财政拨款）.
    fn economic(&mut self) {
        for code in self.items(&[GeneralBudgetBasicEconomic], 5) {
            self.push(
                Fact::new(
                    Measure::BasicEconomic,
                    Scenario::Actual,
                    self.get(GeneralBudgetBasicEconomic, &code, "amount"),
                )
                .source(FundSource::GeneralBudget)
                .economic(code.clone()),
                self.place(GeneralBudgetBasicEconomic, &code, "amount"),
            );
        }
    }

    /// 年初结转和结余 by source, and the note on how non-fiscal money was attributed.
    fn carryover(
        &mut self,
        main: FundSource,
        with_income: &[FundSource],
        non_fiscal_spent: Amount,
    ) {
        let column_total = |role: ImportRole, col: &str| -> Amount {
            match self.table(role) {
                Some(x) if x.has_row("total") => x.get("total", col),
                Some(x) => x
                    .order
                    .iter()
                    .filter(|k| k.len() == 7)
                    .map(|k| x.get(k, col))
                    .sum(),
                None => Amount::ZERO,
            }
        };
        let gf_cb = column_total(GovernmentFund, "carryover_begin");
        let sc_cb = column_total(StateCapital, "carryover_begin");
        let fiscal_cb = self.get(FiscalSummary, "carryover_begin", "amount");
        let all_cb = self.get(Summary, "carryover_begin", "amount");
        let gb_cb = fiscal_cb - gf_cb - sc_cb;
        let nf_cb = all_cb - fiscal_cb;
        if gb_cb.fen() < 0 {
            self.derived_negative(self.place(FiscalSummary, "carryover_begin", "amount"),
                format!(
                    "年初财政拨款结转和结余{}万元，小于政府性基金和国有资本经营的年初结转和结余之和{}万元",
                    fiscal_cb.exact(MoneyUnit::Wan),
                    (gf_cb + sc_cb).exact(MoneyUnit::Wan)
                ),
                &format!("请核对{}的年初结转和结余。", self.codes(&[FiscalSummary, GovernmentFund, StateCapital])),
            );
        } else if nf_cb.fen() < 0 {
            self.derived_negative(
                self.place(Summary, "carryover_begin", "amount"),
                format!(
                    "年初结转和结余{}万元，小于其中的财政拨款结转和结余{}万元（{}）",
                    all_cb.exact(MoneyUnit::Wan),
                    fiscal_cb.exact(MoneyUnit::Wan),
                    self.codes(&[FiscalSummary])
                ),
                &format!(
                    "收入支出决算总表的年初结转和结余包括财政拨款和非财政拨款；请核对{}。",
                    self.codes(&[Summary, FiscalSummary])
                ),
            );
        } else {
            let cb = |s: FundSource, a: Amount| {
                Fact::new(Measure::CarryoverBegin, Scenario::Actual, a).source(s)
            };
            self.push(
                cb(FundSource::GeneralBudget, gb_cb),
                self.place(FiscalSummary, "carryover_begin", "amount"),
            );
            self.push(
                cb(FundSource::GovernmentFund, gf_cb),
                self.place(GovernmentFund, "total", "carryover_begin"),
            );
            self.push(
                cb(FundSource::StateCapital, sc_cb),
                self.place(StateCapital, "total", "carryover_begin"),
            );
            self.push(
                cb(main, nf_cb),
                self.place(Summary, "carryover_begin", "amount"),
            );
        }
        if !(non_fiscal_spent + nf_cb.max(Amount::ZERO)).is_zero() {
            let why = match with_income.len() {
                0 => "本年没有非财政拨款收入，计入“其他收入”".to_string(),
                1 => format!("计入本年唯一的非财政拨款收入来源“{}”", main.income_label()),
                _ => format!(
                    "本年有{}种非财政拨款收入，计入金额最大的“{}”",
                    with_income.len(),
                    main.income_label()
                ),
            };
            self.warnings.push(ImportWarning {
                place: Place::default(),
                message: format!(
                    "公开表不按资金来源列示非财政拨款的支出和年初结转和结余（支出{}万元、年初结转和结余{}万元），{why}；如需细分，请在导入后的输入文件中调整 [expenditure.*.*] 和 [carryover_begin]",
                    non_fiscal_spent.exact(MoneyUnit::Wan),
                    nf_cb.max(Amount::ZERO).exact(MoneyUnit::Wan)
                ),
                code: None,
            });
        }
    }

    /// 使用非财政拨款结余、结余分配 and the “三公” figures.
    fn balances_and_sangong(&mut self) {
        // 使用非财政拨款结余、结余分配
        for (row, measure) in [
            ("used_non_fiscal_balance", Measure::UsedNonFiscalBalance),
            ("surplus_distribution", Measure::SurplusDistribution),
        ] {
            self.push(
                Fact::new(measure, Scenario::Actual, self.get(Summary, row, "amount")),
                self.place(Summary, row, "amount"),
            );
        }

        // “三公”经费, its items as rows or as columns (`[import] sangong … items`).
        for item in SANGONG_ITEMS {
            for (scenario_id, scenario) in
                [("budget", Scenario::Budget), ("actual", Scenario::Actual)]
            {
                let (row, col) = self.set.import.sangong_cell(item, scenario_id);
                self.push(
                    Fact::new(
                        Measure::SanGong,
                        scenario,
                        self.get(ImportRole::Sangong, row, col),
                    )
                    .item(item),
                    self.place(ImportRole::Sangong, row, col),
                );
            }
        }
    }
}

/// 年末结转和结余 as the input reader derives it (per fiscal source; non-fiscal in one).
fn with_carryover_end(facts: &FactTable) -> FactTable {
    let mut out = facts.clone();
    let sum = |m: Measure, s: Option<FundSource>| {
        facts.sum(&FactFilter {
            measure: vec![m],
            source: s.into_iter().collect(),
            ..FactFilter::default()
        })
    };
    let mut non_fiscal =
        sum(Measure::UsedNonFiscalBalance, None) - sum(Measure::SurplusDistribution, None);
    for s in FundSource::ALL {
        let end = sum(Measure::CarryoverBegin, Some(s)) + sum(Measure::Income, Some(s))
            - sum(Measure::Expenditure, Some(s));
        if s.is_fiscal() {
            if !end.is_zero() {
                out.push(Fact::new(Measure::CarryoverEnd, Scenario::Actual, end).source(s));
            }
        } else {
            non_fiscal += end;
        }
    }
    if !non_fiscal.is_zero() {
        out.push(
            Fact::new(Measure::CarryoverEnd, Scenario::Actual, non_fiscal)
                .source(FundSource::Other),
        );
    }
    out
}

/// Compare every stated cell with the table derived from the imported facts; return the
/// stated tables (derived tables with the workbook's figures put in).
fn compare(
    set: &TableSet,
    catalogues: &Catalogues,
    facts: &FactTable,
    stated: &BTreeMap<String, StatedTable>,
    warnings: &mut Vec<ImportWarning>,
    (precision, prefer, reported): (Option<StatedPrecision>, Option<&str>, &Reported),
) -> Vec<Table> {
    let all = with_carryover_end(facts);
    // The same facts, each at its own "line", so a derived cell tells how many figures it
    // sums (each carrying rounding when the tables are rounded).
    let mut counted = all.clone();
    for (i, f) in counted.facts.iter_mut().enumerate() {
        f.location = Some(juesuan_core::facts::Location {
            line: i + 1,
            column: 1,
        });
    }
    let overruled = match precision {
        Some(_) => same_quantity_conflicts(
            set,
            catalogues,
            &counted,
            stated,
            (prefer, reported),
            warnings,
        ),
        None => BTreeMap::new(),
    };
    let mut out = Vec::new();
    for spec in &set.tables {
        let expected = derive_table(spec, &all, catalogues);
        let Some(st) = stated.get(&spec.id) else {
            out.push(expected);
            continue;
        };
        let count = precision.map(|_| derive_table(spec, &counted, catalogues));
        let mut table = expected.clone();
        for ((row, col), (a, place)) in &st.cells {
            // A cell contradicting the same quantity in another table is reported once (W107)
            // and takes the kept table's figure.
            let key = (spec.id.clone(), row.clone(), col.clone());
            if let Some(kept) = overruled.get(&key) {
                table.set(row, col, *kept);
                continue;
            }
            let e = expected.get(row, col);
            let differs = match e {
                Some(e) => e != *a,
                None => !a.is_zero(),
            };
            // A figure printed to 0.01 万元 that is the derived one rounded agrees at the
            // precision it is printed to (1520.18 for 1520.1763): nothing below it is reported.
            let printed_alike = st.unit == MoneyUnit::Wan
                && a.fen() % StatedPrecision::WAN_CENT.step_fen() == 0
                && e.is_some_and(|e| e.wan_cents() * 10_000 == a.fen());
            if differs && !printed_alike {
                let e = e.unwrap_or_default();
                // The stated cell and every figure the derived one sums.
                let figures = 1 + count.as_ref().map_or(0, |c| c.source_lines(row, col).len());
                warnings.push(difference_warning(
                    &spec.title,
                    (*a, e, st.unit),
                    place.clone(),
                    precision,
                    figures,
                ));
            }
            if !table.set(row, col, *a) && !a.is_zero() {
                warnings.push(ImportWarning {
                    place: place.clone(),
                    message: format!(
                        "“{}”的该格在按导入数据生成的表中没有对应的行，核对时不计入",
                        spec.title
                    ),
                    code: None,
                });
            }
        }
        out.push(table);
    }
    out
}

/// Cells (table id, row, column) whose contradiction was reported while choosing the figures.
type Reported = std::collections::BTreeSet<(String, String, String)>;

/// One printed cell: its table (order, id, title), row and column, figure and place.
type PrintedAt<'a> = (
    usize,
    &'a str,
    &'a str,
    &'a String,
    &'a String,
    Amount,
    &'a Place,
);

/// Cells of different tables that print the same quantity — the sum of exactly the same
/// imported figures (`counted`: each fact at its own line) — must print the same figure when
/// the tables are rounded ones: the same exact value rounds alike. Those that differ contradict
/// each other whatever the hidden decimals: reported once per quantity (W107), naming the
/// cells; the figure of the `prefer` table, else of the first table, is kept. Returns the
/// overruled cells (table id, row, column) with the figure kept.
fn same_quantity_conflicts(
    set: &TableSet,
    catalogues: &Catalogues,
    counted: &FactTable,
    stated: &BTreeMap<String, StatedTable>,
    (prefer, reported): (Option<&str>, &Reported),
    warnings: &mut Vec<ImportWarning>,
) -> BTreeMap<(String, String, String), Amount> {
    let mut groups: BTreeMap<Vec<usize>, Vec<PrintedAt>> = BTreeMap::new();
    for (order, spec) in set.tables.iter().enumerate() {
        let Some(st) = stated.get(&spec.id) else {
            continue;
        };
        let derived = derive_table(spec, counted, catalogues);
        for ((row, col), (a, place)) in &st.cells {
            let lines = derived.source_lines(row, col);
            if !lines.is_empty() {
                let mut key = lines.to_vec();
                key.sort_unstable();
                key.dedup();
                groups.entry(key).or_default().push((
                    order,
                    spec.id.as_str(),
                    spec.title.as_str(),
                    row,
                    col,
                    *a,
                    place,
                ));
            }
        }
    }
    let mut overruled = BTreeMap::new();
    for cells in groups.values() {
        let kept = cells
            .iter()
            .find(|c| prefer == Some(c.1))
            .or_else(|| cells.iter().min_by_key(|c| c.0))
            .expect("a group has a cell");
        let against: Vec<&PrintedAt> = cells
            .iter()
            .filter(|c| c.1 != kept.1 && c.5 != kept.5)
            .collect();
        // Already reported where the import chose its figures (公开03表 against 05/08/09表).
        let known =
            |c: &&PrintedAt| reported.contains(&(c.1.to_string(), c.3.clone(), c.4.clone()));
        if against.is_empty() || against.iter().any(known) || known(&kept) {
            continue;
        }
        let cell =
            |c: &PrintedAt| format!("“{}”{}{}", c.2, c.6, StatedPrecision::WAN_CENT.show(c.5));
        let others: Vec<String> = against.iter().map(|c| cell(c)).collect();
        warnings.push(ImportWarning {
            place: Place::default(),
            message: format!(
                "同一个数在两张表中的填列不同：{}，{}。两处是同样各项之和，任何未印出的小数都不能使两者都成立。导入核对取“{}”的数；如应以另一张表为准，请用 juesuan import --prefer {} 重新导入",
                cell(kept),
                others.join("，"),
                kept.2,
                against[0].1
            ),
            code: Some(ErrorCode::ConflictingTables),
        });
        for c in against {
            overruled.insert((c.1.to_string(), c.3.clone(), c.4.clone()), kept.5);
        }
    }
    overruled
}

/// A stated cell that differs from the one derived from the imported figures. Exact tables:
/// the exact figures (a gap within 0.01 万元 flagged as a possible 尾差). Rounded tables:
/// graded like `juesuan validate` and `check` grade it — a 尾差 (W106) within the `figures`'
/// rounding, else a difference — shown at the stated precision, never below it.
fn difference_warning(
    title: &str,
    (a, e, unit): (Amount, Amount, MoneyUnit),
    place: Place,
    precision: Option<StatedPrecision>,
    figures: usize,
) -> ImportWarning {
    let diff = a - e;
    let (message, code) = match precision {
        Some(p) => match StatedPrecision::grade(precision, diff, figures) {
            Gap::Rounding => (
                format!(
                    "“{title}”填列数{}，按导入的明细数计算应为{}（差{}），{}",
                    p.show(a),
                    p.show(e),
                    p.show(diff),
                    p.within_phrase(figures)
                ),
                Some(ErrorCode::RoundingGap),
            ),
            _ => (
                format!(
                    "“{title}”填列数{}，按导入的明细数计算应为{}（差{}），{}",
                    p.show(a),
                    p.show(e),
                    p.show(diff),
                    p.beyond_phrase(figures)
                ),
                None,
            ),
        },
        None => {
            let note = if diff.abs().fen() <= 10_000 {
                "（差额在0.01万元以内，可能是尾差）"
            } else {
                ""
            };
            (
                format!(
                    "“{title}”填列数{}，按导入的明细数计算应为{}（差{}{}）{note}",
                    a.exact(unit),
                    e.exact(unit),
                    diff.exact(unit),
                    unit.label()
                ),
                None,
            )
        }
    };
    ImportWarning {
        place,
        message,
        code,
    }
}
