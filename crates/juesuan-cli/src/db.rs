//! `juesuan db …` and `juesuan consolidate`: versioned storage of unit-years in SQLite or
//! PostgreSQL (juesuan-store; docs/store.md).
//!
//! Exit codes as elsewhere: 0 done (for `db diff`: no differences), 1 the data is at fault
//! (input errors, prior-year mismatch, consolidation impossible; `db diff`: differences
//! listed), 2 anything else (database unreachable, unknown version, unreadable file).

use anyhow::{anyhow, bail, Context as _, Result};
use juesuan_data::Library;
use juesuan_store::{PriorPolicy, Store, StoreError, VersionInfo};
use std::path::PathBuf;
use std::process::ExitCode;

/// Where the database is.
#[derive(clap::Args)]
pub struct Conn {
    /// 数据库地址：sqlite:文件路径 或 postgres://用户@主机:端口/库名；默认取环境变量 JUESUAN_DB，再默认 sqlite:juesuan.db（当前目录）/ database URL
    #[arg(long, global = true, value_name = "URL")]
    db: Option<String>,
}

impl Conn {
    /// Whether `--db` was given (not only the environment or the default).
    pub(crate) fn given(&self) -> bool {
        self.db.is_some()
    }

    pub(crate) fn url(&self) -> String {
        self.db
            .clone()
            .or_else(|| std::env::var("JUESUAN_DB").ok().filter(|s| !s.is_empty()))
            .unwrap_or_else(|| "sqlite:juesuan.db".to_string())
    }
}

#[derive(clap::Args)]
pub struct DbArgs {
    #[command(flatten)]
    conn: Conn,
    #[command(subcommand)]
    command: DbCommand,
}

#[derive(clap::Subcommand)]
enum DbCommand {
    /// 建立或升级数据库结构 / create or migrate the database
    Init,
    /// 登记或修改单位（编码、名称、上级单位）/ register or change a unit
    Unit {
        /// 单位编码 / unit code
        code: String,
        /// 单位名称 / unit name
        #[arg(long)]
        name: String,
        /// 上级单位编码（汇总时用）/ code of the superior unit
        #[arg(long)]
        parent: Option<String>,
    },
    /// 导入输入文件，存为该单位该年度的新版本（先校验，出错不保存）/ validate and store an input file as a new version
    Import {
        /// 输入文件（TOML）/ input file
        input: PathBuf,
        /// 单位编码（未登记的单位按输入文件中的名称登记）/ unit code
        #[arg(long)]
        unit: String,
        /// 作者；默认取环境变量 USER / author
        #[arg(long)]
        author: Option<String>,
        /// 版本说明 / note
        #[arg(long, default_value = "")]
        note: String,
        /// 不核对 [prior] 与已存上年数据（上年口径调整时用）/ do not check [prior] against the stored previous year
        #[arg(long)]
        keep_prior: bool,
    },
    /// 列出单位和各单位年度的最新版本 / list units and the latest version of every unit-year
    List,
    /// 列出单位某年度的全部版本 / list the versions of a unit-year
    History {
        #[arg(long)]
        unit: String,
        #[arg(long)]
        year: i32,
    },
    /// 比较两个版本，列出变动的基础数据和其他内容（文字、原因、明细、绩效自评；有变动时退出码为1）/ list what differs between two versions: facts, texts, [evaluation]
    Diff {
        /// 旧版本编号 / older version id
        from: i64,
        /// 新版本编号 / newer version id
        to: i64,
    },
    /// 导出某个版本的输入文件（先写临时文件再改名）/ write a version's input file
    Export {
        /// 版本编号；省略则用 --unit/--year 的最新版本 / version id
        #[arg(long = "version", value_name = "ID")]
        id: Option<i64>,
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        year: Option<i32>,
        /// 输出文件；省略则输出到屏幕 / output file (stdout if omitted)
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// 恢复：以某个旧版本的内容建立新版本 / restore: a new version with an old version's content
    Restore {
        /// 要恢复的版本编号 / version id
        id: i64,
        #[arg(long)]
        author: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// 保存转移支付分配计划（连同其考核数据文件）为新版本：先分配，出错不保存（docs/allocation.md）/ store an allocation plan as a new version
    Plan {
        /// 分配计划文件（TOML）/ the plan file
        plan: PathBuf,
        /// 分配单位的单位编码（未登记的单位按计划的 allocator 登记）/ the allocating unit's code
        #[arg(long)]
        unit: String,
        /// 作者；默认取环境变量 USER / author
        #[arg(long)]
        author: Option<String>,
        /// 版本说明 / note
        #[arg(long, default_value = "")]
        note: String,
    },
    /// 列出已存的分配计划（各计划的最新版本）/ list stored allocation plans
    Plans,
    /// 查看操作日志 / show the audit log
    Log {
        /// 条数 / how many entries
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
}

/// `juesuan consolidate`.
#[derive(clap::Args)]
pub struct ConsolidateArgs {
    #[command(flatten)]
    conn: Conn,
    /// 要汇总的上级单位编码（部门或地区）/ the parent unit to consolidate
    #[arg(long)]
    unit: String,
    /// 年度 / year
    #[arg(long)]
    year: i32,
    /// 作者；默认取环境变量 USER / author
    #[arg(long)]
    author: Option<String>,
}

pub(crate) fn author(given: Option<String>) -> String {
    given
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("USERNAME").ok())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "cli".to_string())
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("启动异步运行时")
}

pub(crate) async fn open(conn: &Conn, lib: &Library) -> Result<Store> {
    let url = conn.url();
    Store::open_with(&url, lib.clone())
        .await
        .with_context(|| format!("打开数据库 {}", redact(&url)))
}

/// A URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let cred = &url[s + 3..at];
            match cred.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Errors the data is responsible for: printed, exit 1. Others go up (exit 2).
pub(crate) fn data_error(e: StoreError) -> Result<ExitCode> {
    match e {
        StoreError::Input(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            eprintln!("共{}处错误，未保存任何数据。", errors.len());
            Ok(ExitCode::from(1))
        }
        e @ (StoreError::PriorMismatch { .. } | StoreError::Consolidation(_)) => {
            eprintln!("{e}");
            Ok(ExitCode::from(1))
        }
        e => Err(anyhow!(e)),
    }
}

fn version_line(v: &VersionInfo) -> String {
    let kind = match v.kind.as_str() {
        "import" => "导入",
        "restore" => "恢复",
        "consolidate" => "汇总",
        other => other,
    };
    format!(
        "版本{}\t{} {}年度 第{}版\t{}\t{}\t{}\t{}条\t{}",
        v.id, v.unit_code, v.year, v.number, v.created_at, v.author, kind, v.fact_count, v.note
    )
}

fn plan_line(p: &juesuan_store::PlanInfo) -> String {
    format!(
        "版本{}\t{} {}年度 “{}” 第{}版\t{}\t{}\t总资金{}万元，{}个受分配单位\t{}",
        p.id,
        p.unit_code,
        p.year,
        p.title,
        p.number,
        p.created_at,
        p.author,
        p.pool.exact(juesuan_core::MoneyUnit::Wan),
        p.recipients,
        p.note
    )
}

/// `db plan`: allocate first (A-codes, exit 1, nothing stored), then store the plan and its
/// KPI file as a new version.
async fn save_plan(
    store: &Store,
    path: &std::path::Path,
    unit: &str,
    author: &str,
    note: &str,
) -> Result<ExitCode> {
    let files = crate::allocate::read_files(path)?;
    let result = crate::allocate::load_files(&files)
        .and_then(|plan| juesuan_alloc::allocate(&plan).map(|a| (plan, a)));
    let (plan, allocation) = match result {
        Ok(v) => v,
        Err(errors) => return Ok(crate::allocate::report(&errors)),
    };
    // Stored under the name the plan gives it, so that a stored version reads the same.
    let kpi = files.kpi.as_ref().map(|(name, bytes)| {
        let short = std::path::Path::new(name)
            .file_name()
            .map_or(name.as_str(), |n| n.to_str().unwrap_or(name));
        (short, bytes.as_slice())
    });
    let plan_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("allocation.toml");
    let v = store
        .save_plan(juesuan_store::NewPlan {
            unit_code: unit,
            allocator: &plan.allocator,
            year: plan.year,
            title: &plan.title,
            plan_name,
            plan_toml: &files.text,
            kpi,
            pool: allocation.pool,
            recipients: plan.recipients.len(),
            author,
            note,
        })
        .await?;
    println!("已保存分配计划：{}", plan_line(&v));
    Ok(ExitCode::SUCCESS)
}

pub fn run(lib: &Library, args: DbArgs) -> Result<ExitCode> {
    runtime()?.block_on(run_async(lib, args))
}

/// `db diff`: the facts and the other sections that changed; exit 1 when any did.
async fn diff(store: &Store, from: i64, to: i64) -> Result<ExitCode> {
    let changes = match store.diff(from, to).await {
        Ok(c) => c,
        Err(StoreError::UnknownVersion(id)) => bail!(StoreError::UnknownVersion(id)),
        Err(e) => return Err(e.into()),
    };
    // Amounts are shown exactly, in the newer version's amount unit.
    let newer = store.version(to).await?.expect("checked by diff");
    let unit = store
        .parse_version(&newer)
        .map(|uy| uy.amount_unit)
        .unwrap_or(juesuan_core::MoneyUnit::Yuan);
    let show = |a: Option<juesuan_core::Amount>| match a {
        Some(a) => format!("{}{}", a.exact(unit), unit.label()),
        None => "（无）".to_string(),
    };
    // The rest of the unit-year too: texts, reasons, details and [evaluation].
    let sections = store.section_diff(from, to).await?;
    if changes.is_empty() && sections.is_empty() {
        println!(
            "版本{from}与版本{to}的基础数据相同，文字、原因、明细和绩效自评（[evaluation]）也相同。"
        );
        return Ok(ExitCode::SUCCESS);
    }
    if changes.is_empty() {
        println!("版本{from}与版本{to}的基础数据相同。");
    } else {
        println!("版本{from} → 版本{to}：{}项基础数据变动", changes.len());
    }
    for c in &changes {
        println!(
            "  {}\t{}\t{} → {}",
            c.key,
            c.label,
            show(c.before),
            show(c.after)
        );
    }
    if !sections.is_empty() {
        println!("版本{from} → 版本{to}：{}处其他内容变动", sections.len());
        for s in &sections {
            println!("  {} {}：{}", s.section, s.label, s.what);
        }
    }
    Ok(ExitCode::from(1))
}

/// `db export`: a stored version's input file, to a file or standard output.
async fn export(
    store: &Store,
    id: Option<i64>,
    unit: Option<String>,
    year: Option<i32>,
    out: Option<PathBuf>,
) -> Result<()> {
    let version = match (id, unit, year) {
        (Some(id), None, None) => store
            .version(id)
            .await?
            .ok_or(StoreError::UnknownVersion(id))?,
        (None, Some(unit), Some(year)) => store
            .latest(&unit, year)
            .await?
            .ok_or_else(|| anyhow!("{unit} {year}年度没有已存的版本"))?,
        _ => bail!("请用 --version <编号>，或 --unit <单位编码> --year <年度>（导出最新版本）指定要导出的版本"),
    };
    match out {
        Some(path) => {
            crate::output::write_file(&path, &version.input_toml)
                .with_context(|| format!("写入 {}", path.display()))?;
            eprintln!(
                "已导出 {} {}年度 第{}版（版本{}）到 {}",
                version.info.unit_code,
                version.info.year,
                version.info.number,
                version.info.id,
                path.display()
            );
        }
        None => print!("{}", version.input_toml),
    }
    Ok(())
}

async fn run_async(lib: &Library, args: DbArgs) -> Result<ExitCode> {
    let store = open(&args.conn, lib).await?;
    match args.command {
        DbCommand::Init => {
            println!("数据库已就绪：{}", redact(&args.conn.url()));
        }
        DbCommand::Unit { code, name, parent } => {
            store
                .upsert_unit(&code, &name, parent.as_deref(), &author(None))
                .await?;
            println!("已登记单位 {code} {name}");
        }
        DbCommand::Import {
            input,
            unit,
            author: who,
            note,
            keep_prior,
        } => {
            let text = crate::output::read_text_file(&input, "输入文件")?;
            let policy = if keep_prior {
                PriorPolicy::Trust
            } else {
                PriorPolicy::Check
            };
            let origin = input.display().to_string();
            match store
                .import_with(&unit, &text, &origin, &author(who), &note, policy)
                .await
            {
                Ok(v) => println!(
                    "已保存 {} {}年度 第{}版（版本{}，{}条基础数据）",
                    v.unit_code, v.year, v.number, v.id, v.fact_count
                ),
                Err(e) => return data_error(e),
            }
        }
        DbCommand::List => {
            let units = store.units().await?;
            println!("单位（{}个）：", units.len());
            for u in &units {
                match &u.parent {
                    Some(p) => println!("  {}\t{}\t上级单位 {p}", u.code, u.name),
                    None => println!("  {}\t{}", u.code, u.name),
                }
            }
            let years = store.unit_years().await?;
            println!("单位年度及最新版本（{}个）：", years.len());
            for v in &years {
                println!("  {}", version_line(v));
            }
        }
        DbCommand::History { unit, year } => {
            let versions = store.versions(&unit, year).await?;
            if versions.is_empty() {
                println!("{unit} {year}年度没有已存的版本。");
            }
            for v in &versions {
                println!("{}", version_line(v));
            }
        }
        DbCommand::Diff { from, to } => return diff(&store, from, to).await,
        DbCommand::Export {
            id,
            unit,
            year,
            out,
        } => export(&store, id, unit, year, out).await?,
        DbCommand::Restore {
            id,
            author: who,
            note,
        } => {
            let v = match store.restore(id, &author(who), &note).await {
                Ok(v) => v,
                Err(e) => return data_error(e),
            };
            println!(
                "已恢复：{} {}年度 第{}版（版本{}）的内容同版本{id}",
                v.unit_code, v.year, v.number, v.id
            );
        }
        DbCommand::Plan {
            plan,
            unit,
            author: who,
            note,
        } => return save_plan(&store, &plan, &unit, &author(who), &note).await,
        DbCommand::Plans => {
            let plans = store.plans().await?;
            println!("分配计划（{}个）：", plans.len());
            for p in &plans {
                println!("  {}", plan_line(p));
            }
        }
        DbCommand::Log { limit } => {
            for e in store.events(limit).await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    e.at,
                    e.actor.as_deref().unwrap_or("-"),
                    e.action,
                    e.detail
                );
            }
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

pub fn consolidate(lib: &Library, args: ConsolidateArgs) -> Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open(&args.conn, lib).await?;
        let result = store
            .consolidate(&args.unit, args.year, &author(args.author))
            .await;
        store.close().await;
        match result {
            Ok(v) => {
                println!(
                    "已汇总 {} {}年度 第{}版（版本{}，{}条基础数据）：{}",
                    v.unit_code, v.year, v.number, v.id, v.fact_count, v.note
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => data_error(e),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_not_printed() {
        assert_eq!(
            redact("postgres://juesuan:secret@db:5432/x"),
            "postgres://juesuan:***@db:5432/x"
        );
        assert_eq!(redact("postgres://u@h/x"), "postgres://u@h/x");
        assert_eq!(redact("sqlite:juesuan.db"), "sqlite:juesuan.db");
    }
}
