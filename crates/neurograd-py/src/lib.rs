//! Python bindings of neurograd: the native module `neurograd._neurograd` of the `neurograd`
//! Python package (PyO3 + rust-numpy, one abi3 wheel for CPython >= 3.9, built with maturin from
//! `crates/neurograd-py/pyproject.toml`).
//!
//! The Python package (`python/neurograd/`) wraps this module in `neurograd.data`,
//! `neurograd.optim`, `neurograd.neurons`, `neurograd.credit` and `neurograd.rules`, with type
//! stubs; `docs/python.md` is the user guide. What lives here:
//!
//! - [`errors`]: the facade's typed errors raised as the Python exceptions of
//!   `neurograd.errors`, with the Rust messages;
//! - [`data`]: bundled datasets, generators and `.npy`/IDX loaders as NumPy arrays;
//! - [`optim`]: CMA-ES with pycma's ask/tell method names;
//! - [`experiments`]: every experiment of the `neurograd` command run through the facade (so the
//!   results are the CLI's `--json`), with the GIL released and Ctrl-C honoured;
//! - [`credit`]: networks, a registered algorithm's updates, cosine to backprop;
//! - [`rules`]: local rules' updates on arrays and the conformance harness on a rule written in
//!   Python; [`spike_rules`]: the same for spike-timing rules (spike-time arrays, population
//!   rasters), registered in the same `rules` submodule;
//! - [`spiking`]: the recurrent LIF/ALIF network, its forward pass and its training (the Python
//!   side adds the NIR export, `neurograd.nir`).
//!
//! The crate has no `unsafe` code of its own: the workspace's `unsafe_code = "forbid"` is relaxed
//! to `deny` in its manifest, because PyO3's macros expand to `unsafe` FFI glue that carries a
//! local `#[allow(unsafe_code)]` (which `forbid` refuses); an `unsafe` block written here is
//! still an error.

use pyo3::prelude::*;

pub mod arrays;
pub mod credit;
pub mod data;
pub mod errors;
pub mod experiments;
pub mod optim;
pub mod rules;
pub mod spike_rules;
pub mod spiking;

/// The native module `neurograd._neurograd`: one submodule per area.
#[pymodule]
fn _neurograd(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", neurograd::VERSION)?;
    let py = m.py();
    for (name, init) in [
        (
            "data",
            data::register as fn(&Bound<'_, PyModule>) -> PyResult<()>,
        ),
        ("optim", optim::register),
        ("experiments", experiments::register),
        ("credit", credit::register),
        ("rules", rules::register),
        ("spiking", spiking::register),
    ] {
        let sub = PyModule::new(py, name)?;
        init(&sub)?;
        m.add_submodule(&sub)?;
    }
    Ok(())
}
