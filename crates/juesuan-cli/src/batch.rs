//! `juesuan audit` over several files or directories: the documents are found and read here
//! (juesuan-readers), audited in parallel and summarised by `juesuan_app::batch`.

use anyhow::{anyhow, Context as _, Result};
use juesuan_app::batch::{self, Format};
use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

pub fn run(
    paths: &[PathBuf],
    format: &str,
    output: Option<&Path>,
    jobs: Option<usize>,
) -> Result<ExitCode> {
    let format: Format = format.parse().map_err(|e: String| anyhow!(e))?;
    let docs = juesuan_readers::documents(paths);
    if docs.is_empty() {
        eprintln!("没有可核对的文档：目录中没有 .pdf、.docx、.txt 或 .md 文件。");
        return Ok(ExitCode::from(2));
    }
    let pool = rayon_pool(jobs)?;
    let terminal = std::io::stderr().is_terminal();
    // One progress line, rewritten in place; only on a terminal.
    let last = Mutex::new(0usize);
    let progress = |done: usize, total: usize, name: &str| {
        if !terminal {
            return;
        }
        let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
        // Workers finish out of order: never print a count below one already shown.
        if done < *last {
            return;
        }
        *last = done;
        let name = Path::new(name)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| name.to_string());
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[K已核对 {done}/{total}：{name}");
        let _ = err.flush();
    };
    let summary = pool.install(|| {
        batch::audit_all(
            &docs,
            |p: &PathBuf| p.display().to_string(),
            |p: &PathBuf| juesuan_readers::read_text(p).map_err(|e| e.to_string()),
            progress,
        )
    });
    if terminal {
        eprint!("\r\x1b[K");
    }
    let rendered = batch::render(&summary, format);
    match output {
        Some(path) => crate::output::write_file(path, &rendered)
            .with_context(|| format!("写入 {}", path.display()))?,
        None => std::io::stdout()
            .lock()
            .write_all(&rendered)
            .context("写入标准输出")?,
    }
    eprintln!("{}", summary.totals_line());
    Ok(ExitCode::from(summary.exit_code()))
}

/// A pool of `jobs` threads, or of every core.
fn rayon_pool(jobs: Option<usize>) -> Result<rayon::ThreadPool> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(n) = jobs {
        if n == 0 {
            return Err(anyhow!("--jobs 须至少为1"));
        }
        b = b.num_threads(n);
    }
    b.build().map_err(|e| anyhow!("无法创建线程池：{e}"))
}
