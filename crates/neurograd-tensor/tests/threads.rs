//! Determinism across thread counts: the matrix product (`neurograd_tensor::gemm`, faer's
//! kernels, and nalgebra → matrixmultiply with the `threading` feature for the products that
//! still use nalgebra's `gemm`) gives bit-identical results with `MATMUL_NUM_THREADS=1` and `=2`.
//!
//! Both read the variable once per process, so the parent test re-runs this test
//! binary as a child process (`gemm_child`) with each setting and compares the printed bit
//! hashes of the product and of an MLP gradient.

use std::process::Command;

use neurograd_tensor::{Activation, Matrix, Tape};

use crate::common::{rng, unif};

fn hash(ms: &[&Matrix]) -> u64 {
    // FNV-1a over the bit patterns
    let mut h: u64 = 0xcbf29ce484222325;
    for m in ms {
        for x in m.iter() {
            for b in x.to_bits().to_le_bytes() {
                h ^= b as u64;
                h = h.wrapping_mul(0x100000001b3);
            }
        }
    }
    h
}

fn workload() -> (Matrix, Matrix, Matrix) {
    let mut g = rng(77);
    // sizes that span several kernel blocks in every dimension, above the parallel threshold
    let a = unif(300, 257, -1.0, 1.0, &mut g);
    let b = unif(257, 190, -1.0, 1.0, &mut g);
    let c = neurograd_tensor::gemm::matmul_new((&a).into(), (&b).into());
    let x = unif(64, 300, 0.0, 1.0, &mut g);
    let w = unif(200, 300, -0.1, 0.1, &mut g);
    let mut t = Tape::new();
    let xv = t.constant(x);
    let wv = t.leaf(w);
    let z = t.matmul_t(xv, wv).expect("shapes");
    let h = t.activation(z, Activation::Tanh);
    let l = t.mean(h);
    let gw = t.backward(l).expect("scalar").wrt(wv).clone();
    (c, gw, a)
}

/// Runs in-process (any thread count) and checks the product against a naive triple loop;
/// as a child process it also prints the bit hash for the parent test.
#[test]
fn gemm_child() {
    let (c, gw, a) = workload();
    let b = {
        let mut g = rng(77);
        let _ = unif(300, 257, -1.0, 1.0, &mut g);
        unif(257, 190, -1.0, 1.0, &mut g)
    };
    for &(i, j) in &[(0usize, 0usize), (299, 189), (150, 77)] {
        let naive: f64 = (0..257).map(|k| a[(i, k)] * b[(k, j)]).sum();
        assert!(
            (naive - c[(i, j)]).abs() < 1e-12,
            "{naive} vs {}",
            c[(i, j)]
        );
    }
    let conv = crate::conv::thread_workload();
    println!(
        "GEMMHASH={:016x}",
        hash(&[&c, &gw, &conv[0], &conv[1], &conv[2]])
    );
}

/// Claim (house rule: results do not depend on the thread count): the product, an MLP gradient
/// and a conv2d forward/backward (`conv::thread_workload`) are bit-identical with 1 and 2
/// GEMM threads.
#[test]
fn bit_identical_across_thread_counts() {
    let exe = std::env::current_exe().expect("test binary path");
    let mut hashes = Vec::new();
    for threads in ["1", "2"] {
        let out = Command::new(&exe)
            .args([
                "threads::gemm_child",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("MATMUL_NUM_THREADS", threads)
            .output()
            .expect("spawn child test");
        assert!(out.status.success(), "child failed: {out:?}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let line = stdout
            .lines()
            .find_map(|l| l.split("GEMMHASH=").nth(1))
            .unwrap_or_else(|| panic!("no hash in child output: {stdout}"))
            .to_string();
        hashes.push(line);
    }
    assert_eq!(hashes[0], hashes[1], "1 vs 2 threads differ");
}
