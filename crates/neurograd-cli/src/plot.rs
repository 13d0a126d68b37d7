//! Figures: a small description of a figure ([`Figure`]) drawn with plotters into SVG (always) and
//! PNG (with the `png` cargo feature, which bundles the DejaVu Sans font because plotters' bitmap
//! backend cannot draw text without one). Files are written atomically.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use neurograd::{Error, Result};

/// One named curve of a line plot.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend entry.
    pub name: String,
    /// (x, y) points in order.
    pub points: Vec<(f64, f64)>,
}

/// What to draw.
#[derive(Debug, Clone)]
pub enum Figure {
    /// Line plot of several series.
    Lines {
        /// Title.
        title: String,
        /// x-axis label.
        xlabel: String,
        /// y-axis label.
        ylabel: String,
        /// Curves.
        series: Vec<Series>,
        /// Logarithmic y axis (non-positive values are dropped).
        log_y: bool,
    },
    /// Spike raster: (time, neuron index) dots.
    Raster {
        /// Title.
        title: String,
        /// Spikes as (time in ms, neuron index).
        spikes: Vec<(f64, usize)>,
        /// Number of neurons shown (y range).
        n_neurons: usize,
        /// Time range in ms.
        t_max_ms: f64,
    },
    /// A grid of grey-scale images (receptive fields), each normalised to its own range.
    Images {
        /// Title.
        title: String,
        /// Images, row-major, each `shape.0 * shape.1` values.
        images: Vec<Vec<f64>>,
        /// (height, width) of each image.
        shape: (usize, usize),
        /// Images per row.
        columns: usize,
    },
    /// A bar chart.
    Bars {
        /// Title.
        title: String,
        /// y-axis label.
        ylabel: String,
        /// (label, value) bars.
        bars: Vec<(String, f64)>,
        /// Logarithmic y axis.
        log_y: bool,
    },
    /// Points of several series on linear or log-log axes (e.g. Ringach's `(nx, ny)` cloud).
    Scatter {
        /// Title.
        title: String,
        /// x-axis label.
        xlabel: String,
        /// y-axis label.
        ylabel: String,
        /// Point sets, one colour each (non-finite points are dropped; non-positive ones too on
        /// log axes).
        series: Vec<Series>,
        /// Logarithmic x and y axes.
        log: bool,
    },
    /// Several figures in a grid of panels.
    Panels {
        /// Panels per row.
        columns: usize,
        /// The panels.
        panels: Vec<Figure>,
    },
}

const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

fn range(vals: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in vals.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo < 1e-12 {
        let d = if lo.abs() > 0.0 { lo.abs() * 0.1 } else { 1.0 };
        return (lo - d, hi + d);
    }
    let pad = 0.05 * (hi - lo);
    (lo - pad, hi + pad)
}

fn draw<DB: DrawingBackend>(
    fig: &Figure,
    area: &DrawingArea<DB, Shift>,
) -> std::result::Result<(), String> {
    match fig {
        Figure::Lines {
            title,
            xlabel,
            ylabel,
            series,
            log_y,
        } => {
            let pts = |s: &Series| -> Vec<(f64, f64)> {
                s.points
                    .iter()
                    .copied()
                    .filter(|(x, y)| x.is_finite() && y.is_finite() && (!*log_y || *y > 0.0))
                    .collect()
            };
            let all: Vec<(f64, f64)> = series.iter().flat_map(pts).collect();
            let (x0, x1) = range(all.iter().map(|p| p.0));
            let mut cb = ChartBuilder::on(area);
            cb.caption(title, ("sans-serif", 18))
                .margin(10)
                .x_label_area_size(35)
                .y_label_area_size(55);
            if *log_y {
                let lo = all.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
                let hi = all.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
                let (lo, hi) = if lo.is_finite() {
                    (lo * 0.8, hi * 1.25)
                } else {
                    (0.1, 10.0)
                };
                let mut chart = cb
                    .build_cartesian_2d(x0..x1, (lo..hi).log_scale())
                    .map_err(err)?;
                chart
                    .configure_mesh()
                    .x_desc(xlabel.as_str())
                    .y_desc(ylabel.as_str())
                    .draw()
                    .map_err(err)?;
                for (i, s) in series.iter().enumerate() {
                    let c = PALETTE[i % PALETTE.len()];
                    chart
                        .draw_series(LineSeries::new(pts(s), c.stroke_width(2)))
                        .map_err(err)?
                        .label(s.name.as_str())
                        .legend(move |(x, y)| {
                            PathElement::new(vec![(x, y), (x + 16, y)], c.stroke_width(2))
                        });
                }
                chart
                    .configure_series_labels()
                    .background_style(WHITE.mix(0.8))
                    .border_style(BLACK)
                    .draw()
                    .map_err(err)?;
            } else {
                let (y0, y1) = range(all.iter().map(|p| p.1));
                let mut chart = cb.build_cartesian_2d(x0..x1, y0..y1).map_err(err)?;
                chart
                    .configure_mesh()
                    .x_desc(xlabel.as_str())
                    .y_desc(ylabel.as_str())
                    .draw()
                    .map_err(err)?;
                for (i, s) in series.iter().enumerate() {
                    let c = PALETTE[i % PALETTE.len()];
                    chart
                        .draw_series(LineSeries::new(pts(s), c.stroke_width(2)))
                        .map_err(err)?
                        .label(s.name.as_str())
                        .legend(move |(x, y)| {
                            PathElement::new(vec![(x, y), (x + 16, y)], c.stroke_width(2))
                        });
                }
                if series.len() > 1 {
                    chart
                        .configure_series_labels()
                        .background_style(WHITE.mix(0.8))
                        .border_style(BLACK)
                        .draw()
                        .map_err(err)?;
                }
            }
        }
        Figure::Raster {
            title,
            spikes,
            n_neurons,
            t_max_ms,
        } => {
            let mut chart = ChartBuilder::on(area)
                .caption(title, ("sans-serif", 18))
                .margin(10)
                .x_label_area_size(35)
                .y_label_area_size(55)
                .build_cartesian_2d(0.0..t_max_ms.max(1e-9), 0.0..(*n_neurons as f64).max(1.0))
                .map_err(err)?;
            chart
                .configure_mesh()
                .x_desc("time (ms)")
                .y_desc("neuron")
                .draw()
                .map_err(err)?;
            chart
                .draw_series(
                    spikes
                        .iter()
                        .map(|&(t, i)| Circle::new((t, i as f64), 1, BLACK.filled())),
                )
                .map_err(err)?;
        }
        Figure::Images {
            title,
            images,
            shape,
            columns,
        } => {
            let area = area.titled(title, ("sans-serif", 18)).map_err(err)?;
            let cols = (*columns).max(1);
            let rows = images.len().div_ceil(cols).max(1);
            let cells = area.split_evenly((rows, cols));
            for (img, cell) in images.iter().zip(cells.iter()) {
                let (h, w) = *shape;
                let (lo, hi) = img
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                        (a.min(v), b.max(v))
                    });
                let span = if hi > lo { hi - lo } else { 1.0 };
                let (cw, ch) = cell.dim_in_pixel();
                let side = (cw.min(ch) as f64 * 0.92 / (h.max(w) as f64)).max(1.0);
                for r in 0..h {
                    for c in 0..w {
                        let v = img.get(r * w + c).copied().unwrap_or(0.0);
                        let g = (((v - lo) / span).clamp(0.0, 1.0) * 255.0) as u8;
                        let x0 = (c as f64 * side) as i32;
                        let y0 = (r as f64 * side) as i32;
                        let x1 = ((c + 1) as f64 * side) as i32;
                        let y1 = ((r + 1) as f64 * side) as i32;
                        cell.draw(&Rectangle::new(
                            [(x0, y0), (x1, y1)],
                            RGBColor(g, g, g).filled(),
                        ))
                        .map_err(err)?;
                    }
                }
            }
        }
        Figure::Scatter {
            title,
            xlabel,
            ylabel,
            series,
            log,
        } => {
            let keep = |p: &&(f64, f64)| {
                p.0.is_finite() && p.1.is_finite() && (!*log || (p.0 > 0.0 && p.1 > 0.0))
            };
            let all: Vec<(f64, f64)> = series
                .iter()
                .flat_map(|s| s.points.iter().filter(keep).copied())
                .collect();
            let mut cb = ChartBuilder::on(area);
            cb.caption(title, ("sans-serif", 18))
                .margin(10)
                .x_label_area_size(35)
                .y_label_area_size(55);
            macro_rules! scatter_into {
                ($chart:expr) => {{
                    let mut chart = $chart;
                    chart
                        .configure_mesh()
                        .x_desc(xlabel.as_str())
                        .y_desc(ylabel.as_str())
                        .x_label_formatter(&|v: &f64| format!("{v:.2}"))
                        .y_label_formatter(&|v: &f64| format!("{v:.2}"))
                        .draw()
                        .map_err(err)?;
                    // empty series are left out of the legend and do not use up a colour
                    let drawn = series.iter().filter(|s| s.points.iter().any(|p| keep(&p)));
                    for (i, s) in drawn.enumerate() {
                        let c = PALETTE[i % PALETTE.len()];
                        chart
                            .draw_series(
                                s.points
                                    .iter()
                                    .filter(keep)
                                    .map(|p| Circle::new(*p, 3, c.filled())),
                            )
                            .map_err(err)?
                            .label(s.name.as_str())
                            .legend(move |(x, y)| Circle::new((x + 8, y), 3, c.filled()));
                    }
                    chart
                        .configure_series_labels()
                        .background_style(WHITE.mix(0.8))
                        .border_style(BLACK)
                        .draw()
                        .map_err(err)?;
                }};
            }
            if *log {
                let lo = |v: &dyn Fn(&(f64, f64)) -> f64| {
                    all.iter().map(v).fold(f64::INFINITY, f64::min)
                };
                let hi = |v: &dyn Fn(&(f64, f64)) -> f64| {
                    all.iter().map(v).fold(f64::NEG_INFINITY, f64::max)
                };
                let (x0, x1, y0, y1) = if all.is_empty() {
                    (0.1, 10.0, 0.1, 10.0)
                } else {
                    (
                        lo(&|p| p.0) * 0.8,
                        hi(&|p| p.0) * 1.25,
                        lo(&|p| p.1) * 0.8,
                        hi(&|p| p.1) * 1.25,
                    )
                };
                scatter_into!(
                    cb.build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())
                        .map_err(err)?
                );
            } else {
                let (x0, x1) = range(all.iter().map(|p| p.0));
                let (y0, y1) = range(all.iter().map(|p| p.1));
                scatter_into!(cb.build_cartesian_2d(x0..x1, y0..y1).map_err(err)?);
            }
        }
        Figure::Bars {
            title,
            ylabel,
            bars,
            log_y,
        } => {
            let n = bars.len().max(1);
            let vals: Vec<f64> = bars.iter().map(|b| b.1).collect();
            let labels: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
            let fmt = move |x: &f64| {
                let i = x.floor();
                if (x - i - 0.5).abs() < 0.26 && i >= 0.0 {
                    labels.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            };
            let mut cb = ChartBuilder::on(area);
            cb.caption(title, ("sans-serif", 18))
                .margin(10)
                .x_label_area_size(45)
                .y_label_area_size(60);
            if *log_y {
                let pos: Vec<f64> = vals.iter().copied().filter(|v| *v > 0.0).collect();
                let lo = pos.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = pos.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let (lo, hi) = if lo.is_finite() {
                    (lo * 0.5, hi * 2.0)
                } else {
                    (0.1, 10.0)
                };
                let mut chart = cb
                    .build_cartesian_2d(0.0..n as f64, (lo..hi).log_scale())
                    .map_err(err)?;
                chart
                    .configure_mesh()
                    .x_labels(2 * n + 1)
                    .x_label_formatter(&fmt)
                    .y_desc(ylabel.as_str())
                    .draw()
                    .map_err(err)?;
                chart
                    .draw_series(vals.iter().enumerate().filter(|(_, v)| **v > 0.0).map(
                        |(i, &v)| {
                            Rectangle::new(
                                [(i as f64 + 0.15, lo), (i as f64 + 0.85, v)],
                                PALETTE[i % 10].filled(),
                            )
                        },
                    ))
                    .map_err(err)?;
            } else {
                let (_, y1) = range(vals.iter().copied().chain([0.0]));
                let y0 = vals.iter().copied().fold(0.0, f64::min);
                let mut chart = cb.build_cartesian_2d(0.0..n as f64, y0..y1).map_err(err)?;
                chart
                    .configure_mesh()
                    .x_labels(2 * n + 1)
                    .x_label_formatter(&fmt)
                    .y_desc(ylabel.as_str())
                    .draw()
                    .map_err(err)?;
                chart
                    .draw_series(vals.iter().enumerate().map(|(i, &v)| {
                        Rectangle::new(
                            [(i as f64 + 0.15, 0.0), (i as f64 + 0.85, v)],
                            PALETTE[i % 10].filled(),
                        )
                    }))
                    .map_err(err)?;
            }
        }
        Figure::Panels { columns, panels } => {
            let cols = (*columns).max(1);
            let rows = panels.len().div_ceil(cols).max(1);
            let cells = area.split_evenly((rows, cols));
            for (p, cell) in panels.iter().zip(cells.iter()) {
                draw(p, cell)?;
            }
        }
    }
    Ok(())
}

fn size(fig: &Figure) -> (u32, u32) {
    match fig {
        Figure::Panels { columns, panels } => {
            let cols = (*columns).max(1) as u32;
            let rows = panels.len().div_ceil(cols as usize).max(1) as u32;
            (cols * 320, rows * 240)
        }
        Figure::Images {
            images, columns, ..
        } => {
            let cols = (*columns).max(1) as u32;
            let rows = images.len().div_ceil(cols as usize).max(1) as u32;
            (cols * 60 + 20, rows * 60 + 40)
        }
        _ => (800, 500),
    }
}

/// Renders `fig` to an SVG document.
///
/// # Errors
/// [`Error::Internal`] if plotters fails.
pub fn to_svg(fig: &Figure) -> Result<String> {
    // With the `png` feature plotters measures text with ab_glyph for every backend, so the
    // bundled font must be registered before any drawing.
    #[cfg(feature = "png")]
    png::register();
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, size(fig)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| Error::Internal {
            what: "figure",
            reason: e.to_string(),
        })?;
        draw(fig, &root).map_err(|reason| Error::Internal {
            what: "figure",
            reason,
        })?;
        root.present().map_err(|e| Error::Internal {
            what: "figure",
            reason: e.to_string(),
        })?;
    }
    Ok(s)
}

/// Writes `fig` as `<dir>/<stem>.svg` (and `<stem>.png` with the `png` feature), atomically.
/// Returns the written paths.
///
/// # Errors
/// [`Error::Internal`] if drawing fails, [`Error::Io`] if writing fails.
pub fn save(fig: &Figure, dir: &Path, stem: &str) -> Result<Vec<PathBuf>> {
    let svg_path = dir.join(format!("{stem}.svg"));
    neurograd::io::write_atomic(&svg_path, to_svg(fig)?.as_bytes())?;
    #[allow(unused_mut)]
    let mut out = vec![svg_path];
    #[cfg(feature = "png")]
    out.push(png::save_png(fig, dir, stem)?);
    Ok(out)
}

#[cfg(feature = "png")]
mod png {
    use super::*;

    static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

    /// Registers the bundled DejaVu Sans as plotters' "sans-serif" (once).
    pub fn register() {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            // The font is bundled at compile time, so registration cannot fail on a missing file.
            let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
        });
    }

    /// Writes `<dir>/<stem>.png` atomically (drawn to a temporary name, then renamed).
    pub fn save_png(fig: &Figure, dir: &Path, stem: &str) -> Result<PathBuf> {
        register();
        let path = dir.join(format!("{stem}.png"));
        let tmp = dir.join(format!(".{stem}.png.tmp-{}.png", std::process::id()));
        // A signal waits until the figure is renamed into place (neurograd::interrupt).
        let _writing = neurograd::interrupt::write_guard();
        let res = (|| -> std::result::Result<(), String> {
            let root = BitMapBackend::new(&tmp, size(fig)).into_drawing_area();
            root.fill(&WHITE).map_err(err)?;
            draw(fig, &root)?;
            root.present().map_err(err)?;
            Ok(())
        })();
        if let Err(reason) = res {
            let _ = std::fs::remove_file(&tmp);
            return Err(Error::Internal {
                what: "png figure",
                reason,
            });
        }
        std::fs::rename(&tmp, &path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_figure_kind_renders_svg() {
        let lines = Figure::Lines {
            title: "t".into(),
            xlabel: "x".into(),
            ylabel: "y".into(),
            series: vec![Series {
                name: "a".into(),
                points: vec![(0.0, 1.0), (1.0, 2.0)],
            }],
            log_y: false,
        };
        let figs = vec![
            lines.clone(),
            Figure::Scatter {
                title: "s".into(),
                xlabel: "nx".into(),
                ylabel: "ny".into(),
                series: vec![Series {
                    name: "a".into(),
                    points: vec![(0.2, 0.5), (0.4, 1.0), (-1.0, f64::NAN)],
                }],
                log: true,
            },
            Figure::Raster {
                title: "r".into(),
                spikes: vec![(1.0, 0), (2.0, 3)],
                n_neurons: 4,
                t_max_ms: 5.0,
            },
            Figure::Images {
                title: "i".into(),
                images: vec![vec![0.0, 1.0, 2.0, 3.0]; 3],
                shape: (2, 2),
                columns: 2,
            },
            Figure::Bars {
                title: "b".into(),
                ylabel: "v".into(),
                bars: vec![("a".into(), 1.0), ("b".into(), 100.0)],
                log_y: true,
            },
            Figure::Panels {
                columns: 2,
                panels: vec![lines.clone(), lines],
            },
        ];
        for f in &figs {
            let s = to_svg(f).unwrap();
            assert!(s.starts_with("<svg") && s.contains("</svg>"), "{f:?}");
        }
    }
}
