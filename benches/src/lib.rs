//! Criterion benchmarks for neurograd (unpublished crate).
//!
//! Each file in `benches/benches/` measures one crate; peer scripts (NumPy, PyTorch, Brian2, pycma)
//! live in `benches/peers/`. Results and the commands that reproduce them: `docs/benchmarks.md`.
