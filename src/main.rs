#[tokio::main]
async fn main() -> std::process::ExitCode {
    xiaobao::cli::run(std::env::args().skip(1).collect()).await
}
