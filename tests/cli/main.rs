//! The one integration-test binary: drives the `blastradius` command line as a user would.

mod bad_input;
mod demo;
mod queries;
mod util;
