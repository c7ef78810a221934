//! From the plan as written to a validated [`Plan`]: names resolved, weights checked, amounts
//! made exact, each problem located.

use crate::error::{AllocCode, Errors};
use crate::plan::*;
use juesuan_core::expr::Expr;
use juesuan_core::money::{Amount, MoneyUnit};
use juesuan_core::ratio::Ratio;
use std::collections::{BTreeMap, BTreeSet};
use toml::Spanned;

const SEE_DOC: &str = "按 docs/allocation.md 改正该处";

fn line_of(errs: &Errors<'_>, offset: usize) -> usize {
    errs.line_of(offset)
}

pub(crate) fn build(raw: RawPlan, errs: &mut Errors<'_>) -> Plan {
    let unit = raw.amount_unit;
    let pool = amount_or_err(errs, &raw.pool, unit, "总资金 pool");
    let pool_line = line_of(errs, raw.pool.span().start);
    let recipients = recipients(&raw.recipients, errs);
    let mut plan = Plan {
        file: errs.file.to_string(),
        title: raw.title,
        allocator: raw.allocator,
        year: raw.year,
        unit,
        pool,
        pool_line,
        rounding: raw.rounding,
        note: raw.note,
        recipients,
        assessment: None,
        kpi: KpiTable::default(),
        kpi_file: None,
        kpi_date: None,
        kpi_source: None,
        illustrative: false,
        lines: Vec::new(),
        pool_follows_lines: false,
        evaluation: raw.evaluation,
        names: BTreeMap::new(),
    };
    for (i, r) in plan.recipients.iter().enumerate() {
        for n in std::iter::once(&r.name).chain(&r.aliases) {
            plan.names.entry(n.clone()).or_insert(i);
        }
    }
    if pool.fen() % plan.rounding.fen() != 0 {
        errs.at(
            AllocCode::BadRule,
            Some(raw.pool.span().start),
            format!(
                "总资金 {} {} 不是舍入单位（{}）的整数倍",
                pool.exact(unit),
                unit.label(),
                plan.rounding.label()
            ),
            "改正总资金，或把 rounding 改为更小的单位（\"分\"）",
        );
    }
    plan.assessment = raw.assessment.map(|a| assessment(a, errs));
    plan.kpi.rows = vec![None; plan.recipients.len()];
    if let Some(k) = raw.kpi {
        kpi(&mut plan, k, errs);
    }
    for l in &raw.lines {
        let built = line(&plan, l, errs);
        plan.lines.push(built);
    }
    if plan.lines.is_empty() {
        errs.at(
            AllocCode::BadRule,
            None,
            "计划中没有分配行（[[line]]）".into(),
            "至少写一个 [[line]]，见 docs/allocation.md",
        );
    }
    plan
}

fn recipients(raw: &[Spanned<RawRecipient>], errs: &mut Errors<'_>) -> Vec<Recipient> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for r in raw {
        let name = r.get_ref().name.get_ref().trim().to_string();
        let at = r.get_ref().name.span().start;
        let names = std::iter::once(&name).chain(r.get_ref().aliases.iter());
        for n in names {
            if n.is_empty() || !seen.insert(n.clone()) {
                errs.at(
                    AllocCode::BadRule,
                    Some(at),
                    format!("受分配单位名称“{n}”为空或重复"),
                    "每个单位（及其简称）只写一次",
                );
            }
        }
        out.push(Recipient {
            name,
            aliases: r.get_ref().aliases.clone(),
            line: line_of(errs, at),
        });
    }
    if out.is_empty() {
        errs.at(
            AllocCode::BadRule,
            None,
            "计划中没有受分配单位（[[recipient]]）".into(),
            "列出各县市，如 [[recipient]] name = \"西昌市\"",
        );
    }
    out
}

fn assessment(raw: RawAssessment, errs: &mut Errors<'_>) -> Assessment {
    let mut indicators: Vec<Indicator> = Vec::new();
    let mut sum = Ratio::ZERO;
    for s in &raw.indicators {
        let i = s.get_ref();
        let at = s.span().start;
        if indicators.iter().any(|o| o.id == i.id) {
            errs.at(
                AllocCode::BadRule,
                Some(at),
                format!("指标 id“{}”重复", i.id),
                "每个指标用不同的 id",
            );
        }
        let w = *i.weight.get_ref();
        if w.is_negative() {
            errs.at(
                AllocCode::WeightSum,
                Some(i.weight.span().start),
                format!("指标“{}”的权重 {w} 为负", i.name),
                "权重应在 0 到 1 之间",
            );
        }
        sum = sum.checked_add(w).unwrap_or(sum);
        let rule = score_rule(i, at, errs);
        indicators.push(Indicator {
            id: i.id.clone(),
            name: i.name.clone(),
            weight: w,
            rule,
            column: i.column.clone().unwrap_or_else(|| i.id.clone()),
            unit: i.unit.clone(),
            line: line_of(errs, at),
        });
    }
    if indicators.is_empty() {
        errs.at(
            AllocCode::BadRule,
            None,
            "[assessment] 中没有指标".into(),
            "写出考核指标 [[assessment.indicator]]",
        );
    } else if sum != Ratio::ONE {
        let at = raw.indicators.first().map(|s| s.span().start);
        errs.at(
            AllocCode::WeightSum,
            at,
            format!("考核指标的权重之和为 {}，不等于 1", sum.display_exact()),
            "调整各指标的 weight，使其和恰为 1（如 0.3、0.2、0.2、0.2、0.1）",
        );
    }
    let mut tie_indicators = Vec::new();
    for t in &raw.tie_indicators {
        match indicators.iter().position(|i| &i.id == t.get_ref()) {
            Some(p) => tie_indicators.push(p),
            None => errs.at(
                AllocCode::BadRule,
                Some(t.span().start),
                format!("tie_indicators 中的指标“{}”未定义", t.get_ref()),
                "写考核指标的 id",
            ),
        }
    }
    Assessment {
        indicators,
        ties: raw.ties,
        tie_indicators,
    }
}

fn score_rule(i: &RawIndicator, at: usize, errs: &mut Errors<'_>) -> ScoreRule {
    let target = i.target.as_ref().map(|t| *t.get_ref());
    match i.rule {
        RawScoreRule::Linear => match target {
            Some(t) if t > Ratio::ZERO => ScoreRule::Linear { target: t },
            _ => {
                errs.at(
                    AllocCode::BadRule,
                    Some(i.target.as_ref().map_or(at, |t| t.span().start)),
                    format!("指标“{}”按线性达标计分，需要大于 0 的 target", i.name),
                    "写出目标值，如 target = \"1000\"",
                );
                ScoreRule::Rank
            }
        },
        RawScoreRule::Rank => ScoreRule::Rank,
        RawScoreRule::Bands => {
            if i.bands.is_empty() {
                errs.at(
                    AllocCode::BadRule,
                    Some(at),
                    format!("指标“{}”按分档计分，但没有 [[…band]]", i.name),
                    "写出各档：from、to、include_from、include_to、points",
                );
            }
            ScoreRule::Bands(i.bands.clone())
        }
        RawScoreRule::YesNo => ScoreRule::YesNo {
            yes: i.yes.unwrap_or(Ratio::from_int(100)),
            no: i.no.unwrap_or(Ratio::ZERO),
        },
        RawScoreRule::Formula => {
            let Some(src) = &i.expr else {
                errs.at(
                    AllocCode::BadRule,
                    Some(at),
                    format!("指标“{}”按公式计分，但没有 expr", i.name),
                    "写出公式，如 expr = \"min(value / target, 1) * 100\"",
                );
                return ScoreRule::Rank;
            };
            match Expr::parse(src.get_ref()) {
                Ok(expr) => ScoreRule::Formula { expr, target },
                Err(e) => {
                    errs.at(
                        AllocCode::BadRule,
                        Some(src.span().start),
                        format!("指标“{}”的计分公式有误：{e}", i.name),
                        "改正公式；可用变量 value、target、best、worst",
                    );
                    ScoreRule::Rank
                }
            }
        }
    }
}

fn kpi(plan: &mut Plan, k: RawKpi, errs: &mut Errors<'_>) {
    plan.kpi_date = k.as_of.clone();
    plan.kpi_source = k.source.clone();
    plan.illustrative = k.illustrative;
    if let Some(f) = &k.file {
        plan.kpi_file = Some((f.get_ref().clone(), line_of(errs, f.span().start)));
    }
    for row in &k.rows {
        let at = row.span().start;
        let t = row.get_ref();
        let Some(name) = t.get("recipient").and_then(toml::Value::as_str) else {
            errs.at(
                AllocCode::KpiFile,
                Some(at),
                "[[kpi.row]] 缺少 recipient（单位名称）".into(),
                "每行写 recipient = \"县市名称\"",
            );
            continue;
        };
        let Some(idx) = plan.recipient(name) else {
            errs.at(
                AllocCode::UnknownRecipient,
                Some(at),
                format!("考核数据中的单位“{name}”不在受分配单位名单中"),
                "改为 [[recipient]] 中的名称或简称，或把该单位加入名单",
            );
            continue;
        };
        let row_no = line_of(errs, at);
        plan.kpi.rows[idx] = Some((plan.file.clone(), row_no));
        let date = t
            .get("date")
            .and_then(toml::Value::as_str)
            .map(str::to_string);
        let source = t
            .get("source")
            .and_then(toml::Value::as_str)
            .map(str::to_string);
        for (col, v) in t {
            if matches!(col.as_str(), "recipient" | "date" | "source") {
                continue;
            }
            let value = match v {
                toml::Value::Integer(n) => Some(Ratio::from_int(*n)),
                toml::Value::String(s) => kpi_number(s),
                toml::Value::Boolean(b) => Some(if *b { Ratio::ONE } else { Ratio::ZERO }),
                _ => None,
            };
            let Some(value) = value else {
                errs.at(
                    AllocCode::KpiFile,
                    Some(at),
                    format!("单位“{name}”的考核数据 {col} = {v} 不是精确数"),
                    "写成整数或字符串形式的小数（如 \"92.5\"），是否类写 \"是\"/\"否\"",
                );
                continue;
            };
            let kv = KpiValue {
                value,
                provenance: Provenance {
                    file: plan.file.clone(),
                    row: row_no,
                    date: date.clone().or_else(|| plan.kpi_date.clone()),
                    source: source.clone().or_else(|| plan.kpi_source.clone()),
                },
            };
            let n = plan.recipients.len();
            plan.kpi
                .columns
                .entry(col.clone())
                .or_insert_with(|| vec![None; n])[idx] = Some(kv);
        }
    }
}

fn bounds(l: &RawLine, unit: MoneyUnit, errs: &mut Errors<'_>) -> Bounds {
    let floor = l
        .floor
        .as_ref()
        .map(|f| amount_or_err(errs, f, unit, "保底 floor"));
    let cap = l
        .cap
        .as_ref()
        .map(|c| amount_or_err(errs, c, unit, "封顶 cap"));
    if let (Some(f), Some(c), Some(at)) = (floor, cap, l.cap.as_ref()) {
        if f > c {
            errs.at(
                AllocCode::BadRule,
                Some(at.span().start),
                format!("分配行“{}”的封顶低于保底", l.name),
                "使 cap 不小于 floor",
            );
        }
    }
    Bounds { floor, cap }
}

fn need_pool(plan: &Plan, l: &Spanned<RawLine>, errs: &mut Errors<'_>) -> Option<Amount> {
    let pool = l.get_ref().pool.as_ref().map(|p| {
        let a = amount_or_err(errs, p, plan.unit, "分配行资金 pool");
        if a.fen() % plan.rounding.fen() != 0 {
            errs.at(
                AllocCode::BadRule,
                Some(p.span().start),
                format!(
                    "分配行资金不是舍入单位（{}）的整数倍",
                    plan.rounding.label()
                ),
                "改正该行资金，或改小 rounding",
            );
        }
        a
    });
    if pool.is_none() && matches!(l.get_ref().rule, RawLineRule::ProRata | RawLineRule::Factor) {
        errs.at(
            AllocCode::BadRule,
            Some(l.span().start),
            format!(
                "分配行“{}”按比例分配，需要写出该行资金 pool",
                l.get_ref().name
            ),
            "写出 pool = \"…\"",
        );
    }
    pool
}

fn line(plan: &Plan, s: &Spanned<RawLine>, errs: &mut Errors<'_>) -> Line {
    let l = s.get_ref();
    let at = s.span().start;
    let pool = need_pool(plan, s, errs);
    let rule = match l.rule {
        RawLineRule::TopN => top_n(plan, l, at, errs),
        RawLineRule::Tiers => tiers(plan, l, at, errs),
        RawLineRule::ProRata => LineRule::ProRata {
            bounds: bounds(l, plan.unit, errs),
        },
        RawLineRule::Factor => factor(plan, l, at, errs),
        RawLineRule::Earmark | RawLineRule::PerUnit => items(plan, l, at, errs),
    };
    let needs_assessment = matches!(
        l.rule,
        RawLineRule::TopN | RawLineRule::Tiers | RawLineRule::ProRata
    );
    if needs_assessment && plan.assessment.is_none() {
        errs.at(
            AllocCode::BadRule,
            Some(at),
            format!("分配行“{}”按考核结果分配，但计划没有 [assessment]", l.name),
            "写出考核体系 [assessment]，或改用 earmark / per_unit",
        );
    }
    Line {
        name: l.name.clone(),
        rule,
        pool,
        note: l.note.clone(),
        cost_indicator: l.cost_indicator.clone(),
        line: line_of(errs, at),
    }
}

fn top_n(plan: &Plan, l: &RawLine, at: usize, errs: &mut Errors<'_>) -> LineRule {
    let n = l.n.as_ref().map_or(0, |n| *n.get_ref());
    if n == 0 || n > plan.recipients.len() {
        errs.at(
            AllocCode::BadRule,
            Some(l.n.as_ref().map_or(at, |n| n.span().start)),
            format!(
                "分配行“{}”的名额 n 应在 1 到 {}（单位数）之间",
                l.name,
                plan.recipients.len()
            ),
            "写出 n = 名额",
        );
    }
    let amount = match &l.amount {
        Some(a) => amount_or_err(errs, a, plan.unit, "每个名额的金额 amount"),
        None => {
            errs.at(
                AllocCode::BadRule,
                Some(at),
                format!("分配行“{}”缺少每个名额的金额 amount", l.name),
                "写出 amount = \"…\"",
            );
            Amount::ZERO
        }
    };
    LineRule::TopN { n, amount }
}

fn tiers(plan: &Plan, l: &RawLine, at: usize, errs: &mut Errors<'_>) -> LineRule {
    let by_rank = match l.by.as_ref().map(|b| b.get_ref().as_str()) {
        Some("rank") | None => true,
        Some("score") => false,
        Some(other) => {
            errs.at(
                AllocCode::BadRule,
                l.by.as_ref().map(|b| b.span().start),
                format!("分档依据 by = \"{other}\" 无法识别"),
                "写 \"rank\"（按名次）或 \"score\"（按得分）",
            );
            true
        }
    };
    let mut out = Vec::new();
    for t in &l.tiers {
        let r = t.get_ref();
        let ok = if by_rank {
            r.from_rank
                .is_some_and(|f| f >= 1 && r.to_rank.is_none_or(|t| t >= f))
        } else {
            r.min_score.is_some()
        };
        if !ok {
            errs.at(
                AllocCode::BadRule,
                Some(t.span().start),
                format!("分配行“{}”的档次写法不对", l.name),
                "按名次分档写 from_rank（及 to_rank），按得分分档写 min_score",
            );
        }
        out.push(Tier {
            from_rank: r.from_rank,
            to_rank: r.to_rank,
            min_score: r.min_score,
            amount: amount_or_err(errs, &r.amount, plan.unit, "档次金额 amount"),
        });
    }
    if out.is_empty() {
        errs.at(
            AllocCode::BadRule,
            Some(at),
            format!("分配行“{}”没有档次 [[line.tier]]", l.name),
            SEE_DOC,
        );
    }
    LineRule::Tiers {
        by_rank,
        tiers: out,
    }
}

fn factor(plan: &Plan, l: &RawLine, at: usize, errs: &mut Errors<'_>) -> LineRule {
    let mut factors = Vec::new();
    let mut sum = Ratio::ZERO;
    for f in &l.factors {
        let r = f.get_ref();
        let data = match (&r.data, &r.expr) {
            (Some(d), None) => match d.get_ref().as_str() {
                "equal" => FactorData::Equal,
                "score" => {
                    if plan.assessment.is_none() {
                        errs.at(
                            AllocCode::BadRule,
                            Some(d.span().start),
                            "因素数据 score 需要考核体系 [assessment]".into(),
                            "写出 [assessment]，或改用数据列",
                        );
                    }
                    FactorData::Score
                }
                col => FactorData::Column(col.to_string()),
            },
            (None, Some(e)) => match Expr::parse(e.get_ref()) {
                Ok(x) => FactorData::Formula(x),
                Err(err) => {
                    errs.at(
                        AllocCode::BadRule,
                        Some(e.span().start),
                        format!("因素“{}”的公式有误：{err}", r.name),
                        "改正公式；变量为考核数据的列名",
                    );
                    FactorData::Equal
                }
            },
            _ => {
                errs.at(
                    AllocCode::BadRule,
                    Some(f.span().start),
                    format!("因素“{}”应写 data 或 expr 之一", r.name),
                    "data = \"equal\"、\"score\" 或数据列名；或 expr = \"公式\"",
                );
                FactorData::Equal
            }
        };
        sum = sum.checked_add(*r.weight.get_ref()).unwrap_or(sum);
        factors.push(Factor {
            name: r.name.clone(),
            kind: match r.kind {
                RawFactorKind::Base => "基础因素",
                RawFactorKind::Need => "需求因素",
                RawFactorKind::Performance => "绩效因素",
            },
            weight: *r.weight.get_ref(),
            data,
        });
    }
    if factors.is_empty() {
        errs.at(
            AllocCode::BadRule,
            Some(at),
            format!("因素法分配行“{}”没有因素 [[line.factor]]", l.name),
            SEE_DOC,
        );
    } else if sum != Ratio::ONE || factors.iter().any(|f| f.weight.is_negative()) {
        errs.at(
            AllocCode::WeightSum,
            l.factors.first().map(|f| f.get_ref().weight.span().start),
            format!(
                "分配行“{}”各因素的权重之和为 {}，不等于 1",
                l.name,
                sum.display_exact()
            ),
            "调整各因素的 weight，使其和恰为 1（且均不为负）",
        );
    }
    LineRule::Factor {
        factors,
        bounds: bounds(l, plan.unit, errs),
    }
}

fn items(plan: &Plan, l: &RawLine, at: usize, errs: &mut Errors<'_>) -> LineRule {
    let per_unit = l.rule == RawLineRule::PerUnit;
    let unit_amount = match (&l.unit_amount, per_unit) {
        (Some(u), true) => amount_or_err(errs, u, plan.unit, "每单位金额 unit_amount"),
        (None, true) => {
            errs.at(
                AllocCode::BadRule,
                Some(at),
                format!("分配行“{}”按单位数定额，缺少 unit_amount", l.name),
                "写出每站（每个小院）的金额，如 unit_amount = \"5\"",
            );
            Amount::ZERO
        }
        _ => Amount::ZERO,
    };
    let mut out = Vec::new();
    for s in &l.items {
        let i = s.get_ref();
        let recipient = i.recipient.as_ref().and_then(|r| {
            let idx = plan.recipient(r.get_ref());
            if idx.is_none() {
                errs.at(
                    AllocCode::UnknownRecipient,
                    Some(r.span().start),
                    format!("“{}”不在受分配单位名单中", r.get_ref()),
                    "改为 [[recipient]] 中的名称或简称，或把该单位加入名单",
                );
            }
            idx
        });
        let (amount, count) = if per_unit {
            let c = i.count.as_ref().map_or(1, |c| *c.get_ref());
            (
                Amount(unit_amount.fen().saturating_mul(i64::from(c))),
                Some(c),
            )
        } else {
            match &i.amount {
                Some(a) => (amount_or_err(errs, a, plan.unit, "金额 amount"), None),
                None => {
                    errs.at(
                        AllocCode::BadRule,
                        Some(s.span().start),
                        format!("“{}”缺少金额 amount", i.name),
                        "写出 amount = \"…\"",
                    );
                    (Amount::ZERO, None)
                }
            }
        };
        out.push(Item {
            name: i.name.clone(),
            recipient,
            amount,
            count,
        });
    }
    if out.is_empty() {
        errs.at(
            AllocCode::BadRule,
            Some(at),
            format!("分配行“{}”没有 [[line.item]]", l.name),
            SEE_DOC,
        );
    }
    if per_unit {
        LineRule::PerUnit {
            unit: l.unit.clone().unwrap_or_else(|| "个".into()),
            unit_amount,
            items: out,
        }
    } else {
        LineRule::Earmark { items: out }
    }
}
