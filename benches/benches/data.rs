//! Benchmarks of neurograd-data: bundled loading, whitening, generators, the batch iterator.
//!
//! Run: `cargo bench -p neurograd-benches --bench data`. Results: docs/data.md and
//! docs/benchmarks.md.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use neurograd_data::generators::{DeadLeaves, sample_patches};
use neurograd_data::transform::{Batches, Whitening, WhiteningKind};
use neurograd_data::{bundled, io};
use std::hint::black_box;

fn loading(c: &mut Criterion) {
    let mut g = c.benchmark_group("data/load");
    g.sample_size(10);
    g.bench_function(BenchmarkId::new("bundled", "digits"), |b| {
        b.iter(|| black_box(bundled::digits()))
    });
    g.bench_function(BenchmarkId::new("bundled", "mnist5k"), |b| {
        b.iter(|| black_box(bundled::mnist5k()))
    });
    // The same 5,000 x 784 images through the IDX and .npy readers (files written once).
    let dir = std::env::temp_dir().join(format!("neurograd-bench-data-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let ds = bundled::mnist5k().expect("bundled");
    let (im, la) = (dir.join("images-idx3-ubyte"), dir.join("labels-idx1-ubyte"));
    io::idx::write_images_labels(&ds, &im, &la).expect("write idx");
    let npy = dir.join("x.npy");
    io::npy::write_matrix(&npy, &ds.features).expect("write npy");
    g.bench_function(BenchmarkId::new("idx", "mnist5k"), |b| {
        b.iter(|| black_box(io::idx::load_images_labels(&im, &la)))
    });
    g.bench_function(BenchmarkId::new("npy_f64", "mnist5k"), |b| {
        b.iter(|| black_box(io::npy::read_matrix(&npy)))
    });
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

fn whitening(c: &mut Criterion) {
    let mut g = c.benchmark_group("data/whitening");
    g.sample_size(10);
    let dl = DeadLeaves {
        size: 128,
        r_min: 1.0,
        r_max: 64.0,
        alpha: 3.0,
    };
    let images = dl.images(8, 1).expect("dead leaves");
    let patches = sample_patches(&images, 8, 100_000, 2).expect("patches");
    for kind in [WhiteningKind::Pca, WhiteningKind::Zca] {
        g.bench_function(
            BenchmarkId::new(format!("{kind:?}").to_lowercase(), "100k_8x8_fit_transform"),
            |b| {
                b.iter(|| {
                    let w = Whitening::fit(black_box(&patches), kind, 1e-6).expect("fit");
                    black_box(w.transform(&patches).expect("transform"))
                })
            },
        );
    }
    g.finish();
}

fn generators(c: &mut Criterion) {
    let mut g = c.benchmark_group("data/generators");
    g.sample_size(10);
    for size in [64usize, 128] {
        let dl = DeadLeaves {
            size,
            r_min: 1.0,
            r_max: size as f64 / 2.0,
            alpha: 3.0,
        };
        g.bench_with_input(BenchmarkId::new("dead_leaves_image", size), &dl, |b, dl| {
            b.iter(|| black_box(dl.image(3, 0)))
        });
    }
    g.bench_function(BenchmarkId::new("batches_epoch", "60000x128"), |b| {
        let bt = Batches::new(60_000, 128, 4, false).expect("batches");
        b.iter(|| black_box(bt.epoch(black_box(7))))
    });
    g.finish();
}

criterion_group!(benches, loading, whitening, generators);
criterion_main!(benches);
