//! One function per experiment of the `neurograd` command. Each takes a serialisable parameter
//! struct and a [`Progress`](crate::Progress) observer and returns a serialisable result that
//! echoes the parameters and the neurograd [`VERSION`](crate::VERSION).

pub mod align;
pub mod claims;
pub mod cnn;
pub mod compare;
pub mod features;
pub mod optimize;
pub mod rules;
pub mod simulate;
pub mod v1;

/// Median of finite values (mean of the two middle ones for an even count); `None` if empty.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let m = if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    };
    m.is_finite().then_some(m)
}

#[cfg(test)]
mod tests {
    #[test]
    fn median_of_odd_even_and_infinite() {
        assert_eq!(super::median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(super::median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(super::median(&[1.0, f64::INFINITY, f64::INFINITY]), None);
        assert_eq!(super::median(&[]), None);
    }
}
