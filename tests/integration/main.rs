//! The one integration-test binary. `cli_*` modules drive the `blastradius` command line as a
//! user would; the others call the library and check it against independent computations.

mod architecture;
mod attack_graph;
mod bad_input;
mod bounded_input;
mod collectors;
mod concurrent_report;
mod demo;
mod designs;
mod diff;
mod diff_alone;
mod diff_fields;
mod disk_full;
mod formats;
mod fuzz_regressions;
mod interop;
mod models;
mod money;
mod monte_carlo;
mod overlay;
mod people;
mod petgraph_view;
mod properties;
mod queries;
mod recommend_loss;
mod report;
mod safety;
mod sharphound;
mod sweep;
mod util;
