//! (being written: see docs/architecture.md for the owner)
