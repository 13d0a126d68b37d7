//! Progress bars on stderr (indicatif), hidden when stderr is not a terminal or with `--quiet`.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Reports progress of long computations to the user; implements the facade's observer trait.
pub struct Bars {
    visible: bool,
    bar: std::sync::Mutex<Option<ProgressBar>>,
}

impl Bars {
    /// Bars drawn on stderr unless `quiet` or stderr is not a terminal.
    pub fn new(quiet: bool) -> Self {
        Self {
            visible: !quiet && std::io::stderr().is_terminal(),
            bar: std::sync::Mutex::new(None),
        }
    }
}

impl neurograd::Progress for Bars {
    fn start(&self, label: &str, total: u64) {
        let bar = if self.visible {
            let b = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            if let Ok(style) =
                ProgressStyle::with_template("{msg:>24} [{bar:30}] {pos}/{len} {elapsed_precise}")
            {
                b.set_style(style.progress_chars("=> "));
            }
            b.set_message(label.to_string());
            b
        } else {
            ProgressBar::hidden()
        };
        if let Ok(mut g) = self.bar.lock() {
            if let Some(old) = g.take() {
                old.finish_and_clear();
            }
            *g = Some(bar);
        }
    }

    fn inc(&self, n: u64) {
        if let Ok(g) = self.bar.lock()
            && let Some(b) = g.as_ref()
        {
            b.inc(n);
        }
    }

    fn finish(&self) {
        if let Ok(mut g) = self.bar.lock()
            && let Some(b) = g.take()
        {
            b.finish_and_clear();
        }
    }
}
