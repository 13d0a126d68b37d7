//! Fuzz the parsers behind the `neurograd` command's argument values: hidden widths
//! (`--hidden`), algorithm lists (`--algorithms`), convolutional architectures (`--arch`, on a
//! small input shape taken from the input) and dataset specs (`--dataset`, restricted to relative
//! names so no file outside the fuzzer's directory is read). Each must return a value or a typed
//! error, never panic, and what it accepts must be consistent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use neurograd::experiments::compare::parse_widths;
use neurograd::plasticity::credit::conv_layers::Architecture;
use neurograd::plasticity::credit::parse_list;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let Ok(s) = std::str::from_utf8(rest) else {
        return;
    };
    match sel % 4 {
        0 => {
            if let Ok(w) = parse_widths(s) {
                assert!(w.iter().all(|&x| x > 0), "{s:?} gave a zero width");
                assert_eq!(w.is_empty(), s.trim() == "none", "{s:?} gave no layer");
            }
        }
        1 => {
            if let Ok(list) = parse_list(s) {
                assert!(!list.is_empty());
            }
        }
        2 => {
            // Input shape from the selector's high bits: 1..=4 channels, 1..=32 pixels a side.
            let c = 1 + usize::from(sel >> 6);
            let hw = 1 + usize::from((sel >> 2) & 0x0f) * 2;
            if let Ok(a) = Architecture::parse(s, (c, hw, hw)) {
                let again = Architecture::parse(&a.to_string(), (c, hw, hw))
                    .expect("an accepted architecture re-parses from its own display");
                assert_eq!(a.to_string(), again.to_string());
                let _ = a.widths();
            }
        }
        _ => {
            // Relative names only (no file outside the fuzzer's directory is read), and not the
            // bundled sets' exact names (decoding mnist5k on every hit would only slow the run;
            // they are fixed data, tested elsewhere).
            let bundled = matches!(s.trim(), "digits" | "mnist5k");
            if !s.contains('/') && !s.contains('\\') && s.len() < 64 && !bundled {
                let _ = neurograd::train::load_dataset(s);
            }
        }
    }
});
