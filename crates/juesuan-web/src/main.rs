//! `juesuan-web`: the web app as its own binary, for the crash and load tests (which must
//! start a server as a child process); users run `juesuan serve`, the same code.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let result = match juesuan_web::parse_args(std::env::args().skip(1)) {
        Ok(args) => juesuan_web::run(args).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误：{e}");
            std::process::ExitCode::from(2)
        }
    }
}
