//! The `neurograd` command.

fn main() {
    println!("neurograd {}", env!("CARGO_PKG_VERSION"));
}
