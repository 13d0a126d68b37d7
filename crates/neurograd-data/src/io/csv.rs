//! CSV files with an optional header and a label column chosen by name or index.
//!
//! The parser is a small hand-written one (RFC 4180 fields on one line: double-quoted fields
//! with `""` escapes, any one-byte delimiter, `\n` or `\r\n` line ends, blank lines skipped;
//! quoted fields spanning lines are not supported). Every feature field must parse as a finite
//! `f64`. Labels: if every label field is a non-negative integer, the labels are those integers and
//! the class names are `"0".."max"`; otherwise the distinct label strings, sorted, are the class
//! names and each label is its index among them.

use super::read_maybe_gz;
use crate::dataset::class_names_for_labels;
use crate::{DataError, Dataset, Result};
use neurograd_tensor::Matrix;
use std::path::Path;

/// Which column holds the labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabelColumn {
    /// The column at this 0-based index.
    Index(usize),
    /// The column with this header name (requires `has_header`).
    Name(String),
    /// The last column.
    Last,
}

/// Options of [`read_csv`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvOptions {
    /// Whether the first non-blank line is a header of column names.
    pub has_header: bool,
    /// The label column.
    pub label: LabelColumn,
    /// Field delimiter (default `b','`).
    pub delimiter: u8,
}

impl Default for CsvOptions {
    /// Header present, label in the last column, comma-delimited.
    fn default() -> Self {
        CsvOptions {
            has_header: true,
            label: LabelColumn::Last,
            delimiter: b',',
        }
    }
}

fn split_line(line: &str, delim: u8) -> std::result::Result<Vec<String>, String> {
    let b = line.as_bytes();
    let mut fields = Vec::new();
    let mut cur = Vec::new();
    let mut i = 0;
    let mut quoted = false;
    let mut was_quoted = false;
    while i < b.len() {
        let c = b[i];
        if quoted {
            if c == b'"' {
                if b.get(i + 1) == Some(&b'"') {
                    cur.push(b'"');
                    i += 1;
                } else {
                    quoted = false;
                }
            } else {
                cur.push(c);
            }
        } else if c == b'"' && cur.iter().all(u8::is_ascii_whitespace) && !was_quoted {
            cur.clear();
            quoted = true;
            was_quoted = true;
        } else if c == delim {
            fields.push(String::from_utf8_lossy(&cur).trim().to_string());
            cur.clear();
            was_quoted = false;
        } else {
            cur.push(c);
        }
        i += 1;
    }
    if quoted {
        return Err("unterminated quoted field".into());
    }
    fields.push(String::from_utf8_lossy(&cur).trim().to_string());
    Ok(fields)
}

fn short(s: &str) -> String {
    s.chars().take(40).collect()
}

/// Parses CSV text into a dataset; `source` names the origin in errors.
///
/// # Errors
/// [`DataError::RaggedRow`] for a row whose field count differs from the first row's,
/// [`DataError::BadField`] for a non-numeric feature or an empty label,
/// [`DataError::NonFinite`] for a NaN/Inf feature (row and column of the data matrix),
/// [`DataError::UnknownName`] for a label column name not in the header,
/// [`DataError::InvalidParameter`] for a label index out of range or a name without header,
/// [`DataError::Empty`] for no data rows or no feature columns, [`DataError::Format`] for an
/// unterminated quote.
pub fn parse_csv(text: &str, source: &Path, opts: &CsvOptions) -> Result<Dataset> {
    let mut lines = text
        .split('\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)))
        .filter(|(_, l)| !l.trim().is_empty());
    let split = |no: usize, l: &str| {
        split_line(l, opts.delimiter)
            .map_err(|r| DataError::format(source, format!("line {no}: {r}")))
    };
    let header = if opts.has_header {
        match lines.next() {
            Some((no, l)) => Some(split(no, l)?),
            None => {
                return Err(DataError::Empty {
                    what: format!("csv {} (no header)", source.display()),
                });
            }
        }
    } else {
        None
    };
    let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
    let mut width = header.as_ref().map(Vec::len);
    for (no, l) in lines {
        let f = split(no, l)?;
        match width {
            Some(w) if w != f.len() => {
                return Err(DataError::RaggedRow {
                    path: source.into(),
                    line: no,
                    expected: w,
                    got: f.len(),
                });
            }
            None => width = Some(f.len()),
            _ => {}
        }
        rows.push((no, f));
    }
    let Some(width) = width.filter(|_| !rows.is_empty()) else {
        return Err(DataError::Empty {
            what: format!("csv {} (no data rows)", source.display()),
        });
    };
    let label_col = match &opts.label {
        LabelColumn::Last => width - 1,
        LabelColumn::Index(i) if *i < width => *i,
        LabelColumn::Index(i) => {
            return Err(DataError::invalid(
                "label column index",
                i,
                format!("{} has {width} columns", source.display()),
            ));
        }
        LabelColumn::Name(name) => {
            let h = header.as_ref().ok_or_else(|| {
                DataError::invalid("label column name", name, "needs has_header = true")
            })?;
            h.iter()
                .position(|c| c == name)
                .ok_or_else(|| DataError::UnknownName {
                    kind: "csv label column",
                    name: name.clone(),
                    valid: h.join(", "),
                })?
        }
    };
    if width < 2 {
        return Err(DataError::Empty {
            what: format!(
                "csv {} feature columns (only the label column)",
                source.display()
            ),
        });
    }
    let (n, d) = (rows.len(), width - 1);
    let mut feats = Vec::with_capacity(n * d);
    let mut raw_labels = Vec::with_capacity(n);
    for (r, (no, f)) in rows.iter().enumerate() {
        let mut c_out = 0;
        for (c, field) in f.iter().enumerate() {
            if c == label_col {
                if field.is_empty() {
                    return Err(DataError::BadField {
                        path: source.into(),
                        line: *no,
                        column: c,
                        field: String::new(),
                        reason: "empty label".into(),
                    });
                }
                raw_labels.push(field.as_str());
                continue;
            }
            let v: f64 = field.parse().map_err(|_| DataError::BadField {
                path: source.into(),
                line: *no,
                column: c,
                field: short(field),
                reason: "is not a number".into(),
            })?;
            if !v.is_finite() {
                return Err(DataError::NonFinite {
                    what: format!("{} (line {no}, csv column {c})", source.display()),
                    row: r,
                    col: c_out,
                    value: v.to_string(),
                });
            }
            feats.push(v);
            c_out += 1;
        }
    }
    let ints: Option<Vec<usize>> = raw_labels.iter().map(|s| s.parse::<usize>().ok()).collect();
    let (labels, class_names) = match ints {
        Some(l) => {
            let names = class_names_for_labels(&l, 1, &source.display().to_string())?;
            (l, names)
        }
        None => {
            let mut names: Vec<String> = raw_labels.iter().map(|s| s.to_string()).collect();
            names.sort();
            names.dedup();
            let l = raw_labels
                .iter()
                .map(|s| names.binary_search_by(|x| x.as_str().cmp(s)).unwrap_or(0))
                .collect();
            (l, names)
        }
    };
    Dataset::new(
        Matrix::from_row_slice(n, d, &feats),
        labels,
        class_names,
        None,
    )
}

/// Reads a CSV file (raw or gzip-compressed) into a dataset; see [`parse_csv`].
///
/// ```
/// use neurograd_data::io::csv::{read_csv, CsvOptions, LabelColumn};
/// let dir = tempfile::tempdir().unwrap();
/// let p = dir.path().join("iris.csv");
/// std::fs::write(&p, "sepal,petal,species\n5.1,1.4,setosa\n7.0,4.7,versicolor\n")?;
/// let opts = CsvOptions { label: LabelColumn::Name("species".into()), ..CsvOptions::default() };
/// let ds = read_csv(&p, &opts)?;
/// assert_eq!(ds.class_names, vec!["setosa", "versicolor"]);
/// assert_eq!(ds.features[(1, 1)], 4.7);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`DataError::Io`], [`DataError::Format`] for non-UTF-8 content, and everything of
/// [`parse_csv`].
pub fn read_csv(path: impl AsRef<Path>, opts: &CsvOptions) -> Result<Dataset> {
    let path = path.as_ref();
    let bytes = read_maybe_gz(path)?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|e| DataError::format(path, format!("not utf-8 text: {e}")))?;
    parse_csv(text, path, opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> &'static Path {
        Path::new("t.csv")
    }

    #[test]
    fn header_name_index_and_quotes() {
        let t = "a,\"b, quoted\",y\n1,2,0\n3,4,2\n\n";
        let o = CsvOptions {
            label: LabelColumn::Name("y".into()),
            ..Default::default()
        };
        let ds = parse_csv(t, p(), &o).unwrap();
        assert_eq!(ds.labels, vec![0, 2]);
        assert_eq!(ds.n_classes(), 3);
        let o = CsvOptions {
            has_header: false,
            label: LabelColumn::Index(0),
            delimiter: b';',
        };
        let ds = parse_csv("1;2.5;3\r\n0;1e3;-4\r\n", p(), &o).unwrap();
        assert_eq!(ds.labels, vec![1, 0]);
        assert_eq!(
            ds.features,
            Matrix::from_row_slice(2, 2, &[2.5, 3.0, 1000.0, -4.0])
        );
        assert_eq!(split_line("\"a\"\"b\",c", b',').unwrap(), vec!["a\"b", "c"]);
    }

    #[test]
    fn bad_csvs() {
        let o = CsvOptions::default();
        let e = parse_csv("a,b\n1,0\n1,2,3\n", p(), &o).unwrap_err();
        assert!(
            matches!(
                e,
                DataError::RaggedRow {
                    line: 3,
                    expected: 2,
                    got: 3,
                    ..
                }
            ),
            "{e}"
        );
        let e = parse_csv("a,b\n1,0\nx,1\n", p(), &o).unwrap_err();
        assert!(
            matches!(
                e,
                DataError::BadField {
                    line: 3,
                    column: 0,
                    ..
                }
            ),
            "{e}"
        );
        let e = parse_csv("a,b\n1,0\nNaN,1\n", p(), &o).unwrap_err();
        assert!(
            matches!(e, DataError::NonFinite { row: 1, col: 0, .. }),
            "{e}"
        );
        assert!(e.to_string().contains("t.csv"));
        let e = parse_csv("a,b\n", p(), &o).unwrap_err();
        assert!(matches!(e, DataError::Empty { .. }), "{e}");
        let o2 = CsvOptions {
            label: LabelColumn::Name("z".into()),
            ..Default::default()
        };
        let e = parse_csv("a,b\n1,0\n", p(), &o2).unwrap_err();
        assert!(
            e.to_string().contains("'z'") && e.to_string().contains("a, b"),
            "{e}"
        );
        let o3 = CsvOptions {
            label: LabelColumn::Index(5),
            ..Default::default()
        };
        assert!(matches!(
            parse_csv("a,b\n1,0\n", p(), &o3),
            Err(DataError::InvalidParameter { .. })
        ));
        assert!(matches!(
            parse_csv("a,b\n\"1,0\n", p(), &o),
            Err(DataError::Format { .. })
        ));
        assert!(matches!(
            parse_csv("y\n1\n", p(), &o),
            Err(DataError::Empty { .. })
        ));
    }
}
