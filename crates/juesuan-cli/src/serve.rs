//! `juesuan serve`: the web app (juesuan-web; docs/web.md).

use anyhow::{anyhow, Result};
use juesuan_data::Library;
use std::net::SocketAddr;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// 数据库地址：sqlite:文件路径 或 postgres://用户@主机:端口/库名；默认取环境变量 JUESUAN_DB，再默认 sqlite:juesuan.db / database URL
    #[arg(long, value_name = "URL")]
    db: Option<String>,
    /// 监听地址 / address to listen on
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// 演示：临时 SQLite 数据库，载入内置示例单位，打印一次性管理员口令 / demo: temporary database with the example unit and a one-time admin password
    #[arg(long)]
    demo: bool,
    /// 在 HTTPS 之后运行时给 cookie 加 Secure 标志 / set the Secure flag on cookies (behind HTTPS)
    #[arg(long)]
    secure_cookies: bool,
}

pub fn run(lib: &Library, args: Args) -> Result<ExitCode> {
    juesuan_web::run_blocking(juesuan_web::ServeArgs {
        db: args.db,
        addr: Some(args.addr),
        demo: args.demo,
        secure_cookies: args.secure_cookies,
        fast_password_hash: false,
        library: Some(lib.clone()),
    })
    .map_err(|e| anyhow!(e))?;
    Ok(ExitCode::SUCCESS)
}
