//! Property tests of the local rules.
