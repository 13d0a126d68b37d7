//! A plain-text table renderer: left-aligned text columns, right-aligned numeric columns (a column
//! is numeric when every cell's first word is a number, `-` or empty).

/// A table with a header row and string cells.
#[derive(Debug, Clone, Default)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with the given column headers.
    pub fn new(header: &[&str]) -> Self {
        Self {
            header: header.iter().map(|s| s.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row (missing cells render empty, extra cells are kept and widen the table).
    pub fn row(&mut self, cells: Vec<String>) -> &mut Self {
        self.rows.push(cells);
        self
    }

    /// Renders the table with two spaces between columns and a dashed rule under the header.
    pub fn render(&self) -> String {
        let ncol = self
            .rows
            .iter()
            .map(Vec::len)
            .chain([self.header.len()])
            .max()
            .unwrap_or(0);
        let cell = |r: &Vec<String>, j: usize| r.get(j).cloned().unwrap_or_default();
        let mut width = vec![0usize; ncol];
        for r in std::iter::once(&self.header).chain(&self.rows) {
            for (j, w) in width.iter_mut().enumerate() {
                *w = (*w).max(cell(r, j).chars().count());
            }
        }
        let numeric: Vec<bool> = (0..ncol)
            .map(|j| {
                !self.rows.is_empty()
                    && self.rows.iter().all(|r| {
                        // A cell is numeric if its first word is a number (`0.97 ± 0.01 (..)`,
                        // `10.4 (4/5)`, `12%`, `3.5x`) or it is empty or `-`.
                        let c = cell(r, j);
                        let first = c.split_whitespace().next().unwrap_or("");
                        let t = first.trim_end_matches(['%', 's', 'x']);
                        t.is_empty() || t == "-" || t.parse::<f64>().is_ok()
                    })
            })
            .collect();
        let line = |r: &Vec<String>| {
            let mut s = String::new();
            for j in 0..ncol {
                let c = cell(r, j);
                let pad = width[j] - c.chars().count();
                if j > 0 {
                    s.push_str("  ");
                }
                if numeric[j] {
                    s.push_str(&" ".repeat(pad));
                    s.push_str(&c);
                } else {
                    s.push_str(&c);
                    if j + 1 < ncol {
                        s.push_str(&" ".repeat(pad));
                    }
                }
            }
            s.trim_end().to_string()
        };
        let mut out = line(&self.header);
        out.push('\n');
        let total: usize = width.iter().sum::<usize>() + 2 * ncol.saturating_sub(1);
        out.push_str(&"-".repeat(total));
        out.push('\n');
        for r in &self.rows {
            out.push_str(&line(r));
            out.push('\n');
        }
        out
    }
}

/// Formats a number with `digits` decimals, or `-` for a missing value.
pub fn num(x: Option<f64>, digits: usize) -> String {
    match x {
        Some(v) if v.is_finite() => format!("{v:.digits$}"),
        Some(v) => format!("{v}"),
        None => "-".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_columns() {
        let mut t = Table::new(&["name", "value"]);
        t.row(vec!["a".into(), "1.5".into()]);
        t.row(vec!["long name".into(), "10.25".into()]);
        let s = t.render();
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines[0], "name       value");
        assert_eq!(lines[2], "a            1.5");
        assert_eq!(lines[3], "long name  10.25");
    }

    #[test]
    fn cells_starting_with_a_number_are_right_aligned_and_words_left_aligned() {
        let mut t = Table::new(&["acc", "to target", "status"]);
        t.row(vec!["0.97 ± 0.01".into(), "3.0".into(), "ok".into()]);
        t.row(vec!["0.9".into(), "10.0 (1/5)".into(), "diverged".into()]);
        let s = t.render();
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines[2], "0.97 ± 0.01         3.0  ok");
        assert_eq!(lines[3], "        0.9  10.0 (1/5)  diverged");
    }
}
