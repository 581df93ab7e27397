//! placeholder

pub async fn run(_length: crate::Length) -> bool {
    false
}
