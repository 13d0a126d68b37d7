//! Runtime SIMD dispatch of the crate's hot loops (issue 18).
//!
//! The release build targets baseline x86-64 (SSE2), so a loop that the compiler vectorises gets
//! 128-bit vectors only. `dispatch` (crate-private) runs a loop body (a [`pulp::WithSimd`] operation whose code is
//! inlined) inside a function compiled for AVX2 + FMA (`x86-v3`) or AVX-512 (`x86-v4`) when the
//! CPU has them, chosen at run time (safe API of the `pulp` crate; no `unsafe` in this crate).
//!
//! Results are bit-identical on every path: the loops are element-wise (no reassociated
//! reductions) and Rust never contracts `a * b + c` into a fused multiply-add on its own, so the
//! wider vectors change the speed, not the arithmetic. The tests force each path available on
//! the machine ([`SimdPath::available`]) and compare the states bit for bit.

use serde::{Deserialize, Serialize};

/// Which instruction set a dispatched loop runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum SimdPath {
    /// The best the CPU has (detected at run time, cached by the standard library).
    #[default]
    Auto,
    /// The build's baseline (SSE2 on x86-64).
    Baseline,
    /// AVX2 + FMA (`x86-64-v3`).
    Avx2,
    /// AVX-512 F/BW/CD/DQ/VL (`x86-64-v4`).
    Avx512,
}

impl SimdPath {
    /// Whether this path can run on this CPU (`Auto` and `Baseline` always can).
    pub fn is_available(self) -> bool {
        match self {
            Self::Auto | Self::Baseline => true,
            #[cfg(target_arch = "x86_64")]
            Self::Avx2 => pulp::x86::V3::try_new().is_some(),
            #[cfg(target_arch = "x86_64")]
            Self::Avx512 => pulp::x86::V4::try_new().is_some(),
            #[cfg(not(target_arch = "x86_64"))]
            Self::Avx2 | Self::Avx512 => false,
        }
    }

    /// The explicit paths this CPU can run (`Baseline` first).
    pub fn available() -> Vec<SimdPath> {
        [Self::Baseline, Self::Avx2, Self::Avx512]
            .into_iter()
            .filter(|p| p.is_available())
            .collect()
    }

    /// The path `Auto` resolves to on this CPU.
    pub fn detected() -> SimdPath {
        [Self::Avx512, Self::Avx2]
            .into_iter()
            .find(|p| p.is_available())
            .unwrap_or(Self::Baseline)
    }
}

/// Run `op` on `path`; a path the CPU lacks falls back to the baseline.
#[inline(always)]
pub(crate) fn dispatch<Op: pulp::WithSimd>(path: SimdPath, op: Op) -> Op::Output {
    use pulp::Simd;
    #[cfg(target_arch = "x86_64")]
    {
        match path {
            SimdPath::Auto => return pulp::Arch::new().dispatch(op),
            SimdPath::Avx512 => {
                if let Some(s) = pulp::x86::V4::try_new() {
                    return Simd::vectorize(s, op);
                }
            }
            SimdPath::Avx2 => {
                if let Some(s) = pulp::x86::V3::try_new() {
                    return Simd::vectorize(s, op);
                }
            }
            SimdPath::Baseline => {}
        }
        Simd::vectorize(pulp::Scalar::new(), op)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        match path {
            SimdPath::Baseline => Simd::vectorize(pulp::Scalar::new(), op),
            _ => pulp::Arch::new().dispatch(op),
        }
    }
}
